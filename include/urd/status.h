// Copyright urd authors. Status: the result of an operation that returns no value.
//
// Thread-safety: a Status is a value type. Distinct Status objects may be used from
// different threads; one object needs external synchronisation like any value.
//
// Cost: the OK status is one null pointer (no allocation). An error status owns a
// heap block holding its code and message; copying an error copies the block.
//
// No exceptions cross urd's library boundary: every fallible call returns a
// Status or a Result<T> (see result.h), both [[nodiscard]].

#ifndef URD_STATUS_H_
#define URD_STATUS_H_

#include <memory>
#include <string>
#include <string_view>

namespace urd {

// Error classes. The CLI maps them onto exit codes (see ExitCodeFor()).
enum class StatusCode : unsigned char {
  kOk = 0,
  kInvalidArgument = 1,  // bad input: parse or validation error; nothing changed
  kNotFound = 2,         // a named thing (file, collection, id) does not exist
  kCorruption = 3,       // stored bytes fail a checksum or a structural check
  kIOError = 4,          // the operating system refused an operation
  kBusy = 5,             // the store is locked by another writer
  kNotSupported = 6,     // e.g. a file written by a newer format version
  kFailedPrecondition = 7,  // the object is in a state that refuses the call
                            // (read-only handle, writer poisoned by a failed fsync)
  kTimedOut = 8,            // a bounded wait (lock acquisition) ran out
};

class [[nodiscard]] Status {
 public:
  // Creates an OK status.
  Status() noexcept = default;
  Status(const Status& other);
  Status& operator=(const Status& other);
  Status(Status&& other) noexcept = default;
  Status& operator=(Status&& other) noexcept = default;
  ~Status() = default;

  static Status OK() { return Status(); }
  static Status InvalidArgument(std::string_view msg) {
    return Status(StatusCode::kInvalidArgument, msg);
  }
  static Status NotFound(std::string_view msg) { return Status(StatusCode::kNotFound, msg); }
  static Status Corruption(std::string_view msg) { return Status(StatusCode::kCorruption, msg); }
  static Status IOError(std::string_view msg) { return Status(StatusCode::kIOError, msg); }
  // An I/O error built from errno: "<context>: <strerror(errnum)>".
  static Status FromErrno(std::string_view context, int errnum);
  static Status Busy(std::string_view msg) { return Status(StatusCode::kBusy, msg); }
  static Status NotSupported(std::string_view msg) {
    return Status(StatusCode::kNotSupported, msg);
  }
  static Status FailedPrecondition(std::string_view msg) {
    return Status(StatusCode::kFailedPrecondition, msg);
  }
  static Status TimedOut(std::string_view msg) { return Status(StatusCode::kTimedOut, msg); }

  bool ok() const { return state_ == nullptr; }
  StatusCode code() const { return state_ ? state_->code : StatusCode::kOk; }
  bool IsInvalidArgument() const { return code() == StatusCode::kInvalidArgument; }
  bool IsNotFound() const { return code() == StatusCode::kNotFound; }
  bool IsCorruption() const { return code() == StatusCode::kCorruption; }
  bool IsIOError() const { return code() == StatusCode::kIOError; }
  bool IsBusy() const { return code() == StatusCode::kBusy; }
  bool IsNotSupported() const { return code() == StatusCode::kNotSupported; }
  bool IsFailedPrecondition() const { return code() == StatusCode::kFailedPrecondition; }
  bool IsTimedOut() const { return code() == StatusCode::kTimedOut; }

  // The message without the code prefix; empty for OK.
  std::string_view message() const;

  // "OK" or "<Code name>: <message>", for humans.
  std::string ToString() const;

  // Returns a copy of this error whose message is "<prefix>: <message>". OK stays OK.
  Status WithContext(std::string_view prefix) const;

 private:
  struct State {
    StatusCode code;
    std::string message;
  };
  Status(StatusCode code, std::string_view msg);

  std::unique_ptr<State> state_;
};

// The name of a code, e.g. "InvalidArgument".
std::string_view StatusCodeName(StatusCode code);

// Exit code of the `urd` command for a status: 0 OK, 2 bad input, 3 not found,
// 4 locked by another writer (or lock wait timed out), 5 corruption or I/O failure,
// 1 for anything else (usage-level failures).
int ExitCodeFor(const Status& status);

}  // namespace urd

// Evaluates `expr` (a Status); returns it from the enclosing function if not OK.
#define URD_RETURN_IF_ERROR(expr)              \
  do {                                         \
    ::urd::Status urd_status_tmp_ = (expr);    \
    if (!urd_status_tmp_.ok()) return urd_status_tmp_; \
  } while (0)

#endif  // URD_STATUS_H_
