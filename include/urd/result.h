// Copyright urd authors. Result<T>: a value or an error Status.
//
// Thread-safety: a value type, as Status.
//
// A Result holds exactly one of: a T (ok() is true), or a non-OK Status. Reading
// value() of an error Result is a programming error and aborts the process.

#ifndef URD_RESULT_H_
#define URD_RESULT_H_

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <utility>

#include "urd/status.h"

namespace urd {

template <typename T>
class [[nodiscard]] Result {
 public:
  // An OK result holding `value`.
  Result(T value) : value_(std::move(value)) {}  // NOLINT(google-explicit-constructor)
  // An error result. REQUIRES: !status.ok().
  Result(Status status) : status_(std::move(status)) {  // NOLINT(google-explicit-constructor)
    if (status_.ok()) {
      status_ = Status::FailedPrecondition("Result constructed from an OK Status");
    }
  }

  bool ok() const { return value_.has_value(); }
  // OK when a value is held.
  const Status& status() const& { return status_; }
  Status status() && { return std::move(status_); }

  // REQUIRES: ok().
  T& value() & { Check(); return *value_; }
  const T& value() const& { Check(); return *value_; }
  T&& value() && { Check(); return std::move(*value_); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

  // The value, or `fallback` on error.
  T value_or(T fallback) const& { return ok() ? *value_ : std::move(fallback); }

 private:
  void Check() const {
    if (!value_.has_value()) {
      std::fprintf(stderr, "urd: value() of an error Result: %s\n", status_.ToString().c_str());
      std::abort();
    }
  }

  std::optional<T> value_;
  Status status_;
};

}  // namespace urd

#define URD_CONCAT_INNER_(a, b) a##b
#define URD_CONCAT_(a, b) URD_CONCAT_INNER_(a, b)

// `URD_ASSIGN_OR_RETURN(auto x, Foo());` declares/assigns x from an OK Result, or
// returns the error Status from the enclosing function.
#define URD_ASSIGN_OR_RETURN(lhs, expr) \
  URD_ASSIGN_OR_RETURN_IMPL_(URD_CONCAT_(urd_result_, __LINE__), lhs, expr)
#define URD_ASSIGN_OR_RETURN_IMPL_(tmp, lhs, expr) \
  auto tmp = (expr);                               \
  if (!tmp.ok()) return std::move(tmp).status();   \
  lhs = std::move(tmp).value()

#endif  // URD_RESULT_H_
