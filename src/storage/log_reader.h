// Copyright urd authors. Reads and validates a framed log (docs/format.md §1).
//
// Thread-safety: a LogReader is used by one thread at a time. Several readers may
// read one file while a writer appends to it: they see only complete batches.
//
// The reader never modifies the file. It yields complete, validated batches in
// order and classifies whatever follows the last one (clean end, torn or
// uncommitted tail, or corruption followed by more data).

#ifndef URD_STORAGE_LOG_READER_H_
#define URD_STORAGE_LOG_READER_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "storage/log_format.h"
#include "urd/env.h"
#include "urd/result.h"

namespace urd {

// One committed batch. The views point into the reader's buffer and stay valid
// only during the callback that receives the batch.
struct LogBatch {
  uint64_t sequence = 0;  // 1 for the first batch of the file
  uint64_t offset = 0;    // file offset of the batch's first frame
  uint64_t end = 0;       // file offset just past its COMMIT frame
  std::vector<std::string_view> records;
};

// Receives each committed batch; an error stops the scan and is returned.
using LogBatchCallback = std::function<Status(const LogBatch&)>;

enum class LogTail {
  kClean,       // the file ends exactly after the last batch
  kTorn,        // a torn or uncommitted tail follows; safe to truncate at `end`
  kCorrupt,     // a bad frame is followed by a later complete batch
};

// What a scan found.
struct LogScan {
  uint64_t batches = 0;        // batches delivered by this scan
  uint64_t records = 0;        // records in them
  uint64_t last_sequence = 0;  // sequence of the last good batch (0: none)
  uint64_t end = 0;            // offset just past the last good batch
  uint64_t file_size = 0;      // size of the file when the scan ran
  LogTail tail = LogTail::kClean;
  uint64_t bad_offset = 0;     // offset of the first bad frame (tail != kClean)
  std::string reason;          // why that frame is bad (tail != kClean)
  uint64_t later_commit_offset = 0;  // kCorrupt: a valid later COMMIT frame

  uint64_t tail_bytes() const { return file_size - end; }
};

class LogReader {
 public:
  // Opens `path` and validates its header. Errors: NotFound (no file), Corruption
  // (short header, bad magic, bad header CRC, reserved bytes set), NotSupported
  // (newer version), InvalidArgument (content kind other than `kind`).
  static Result<std::unique_ptr<LogReader>> Open(Env* env, const std::string& path, LogKind kind);

  // Reads batches starting at file offset `from` (kLogHeaderSize for the whole
  // file, or a previous scan's `end` to tail the log), where the batch before
  // `from` had sequence `prev_sequence`. Calls `callback` for each complete batch.
  // Returns the scan summary; errors are I/O failures and callback errors.
  // A corrupt or torn tail is reported in the summary, not as an error.
  Result<LogScan> Scan(uint64_t from, uint64_t prev_sequence, const LogBatchCallback& callback);

  const std::string& path() const { return path_; }

 private:
  LogReader(std::string path, std::unique_ptr<RandomAccessFile> file)
      : path_(std::move(path)), file_(std::move(file)) {}

  std::string path_;
  std::unique_ptr<RandomAccessFile> file_;
};

// Parses and checks a 32-byte header. `header` must hold kLogHeaderSize bytes or
// fewer (fewer is reported as a truncated header).
Status CheckLogHeader(std::string_view header, LogKind kind, const std::string& path);

// The 32-byte header of a new log of `kind`.
std::string EncodeLogHeader(LogKind kind);

}  // namespace urd

#endif  // URD_STORAGE_LOG_READER_H_
