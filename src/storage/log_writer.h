// Copyright urd authors. Appends committed batches to a framed log
// (docs/format.md §1) and recovers the log when it is opened.
//
// Thread-safety: a LogWriter is not thread-safe; its owner serialises calls.
// Exclusion between processes is the job of WriterLock, taken before Open.

#ifndef URD_STORAGE_LOG_WRITER_H_
#define URD_STORAGE_LOG_WRITER_H_

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "storage/log_reader.h"
#include "urd/env.h"
#include "urd/result.h"

namespace urd {

enum class FsyncPolicy {
  kEveryCommit,   // sync after each batch, before it is acknowledged (default)
  kCallerDriven,  // sync only in Sync() and Close()
  kNever,         // never sync (tests, benchmarks, scratch stores)
};

struct LogOptions {
  LogKind kind = LogKind::kGeneric;               // must match the file's header
  FsyncPolicy fsync = FsyncPolicy::kEveryCommit;  // default: every commit
  bool create_if_missing = true;                  // default: create a new log
  // When a bad frame is followed by later committed data, Open fails (default) or,
  // with salvage, cuts the log at the end of the last good batch.
  bool salvage = false;
};

// What Open found and did.
struct LogRecovery {
  LogScan scan;                  // the scan of the existing file
  bool created = false;          // the file did not exist and was created
  uint64_t truncated_bytes = 0;  // bytes cut from the end (torn tail or salvage)
  bool salvaged = false;         // the cut was a salvage past corruption
};

class LogWriter {
 public:
  // Opens (or creates) the log at `path`, replays every committed batch through
  // `replay` (may be empty), truncates a torn or uncommitted tail, syncs what it
  // replayed unless options.fsync is kNever (a batch written but never synced, by
  // a writer that died, is visible from now on and must survive a power loss), and
  // returns a writer positioned after the last batch.
  // Errors: NotFound (no file and !create_if_missing); Corruption (bad header, or
  // damage followed by later batches without `salvage` — then nothing is changed);
  // NotSupported / InvalidArgument (header version / content kind); IOError; any
  // error returned by `replay`. On error the caller must discard whatever `replay`
  // built. `recovery` may be null.
  static Result<std::unique_ptr<LogWriter>> Open(Env* env, const std::string& path,
                                                 const LogOptions& options,
                                                 const LogBatchCallback& replay,
                                                 LogRecovery* recovery);

  // Like Open, but resumes at file offset `from`, where a batch starts and the batch
  // before it had sequence `prev_sequence` (a previous writer's size() and
  // last_sequence(), or a LogScan's end and last_sequence): the header is read and
  // checked, only the batches from `from` on are replayed through `replay`, and the
  // tail after the last of them is recovered as Open does. `recovery->scan` covers
  // that region only. Open(...) is OpenAt(..., kLogHeaderSize, 0, ...).
  // REQUIRES: exclusive write access to the file (the WriterLock held), and `from`
  // at a batch boundary the caller read earlier (the file only grows past it while
  // nobody salvages it).
  // Errors: as Open; InvalidArgument when `from` is below kLogHeaderSize or past
  // the end of the file (the log shrank: someone salvaged or replaced it); NotFound
  // when the file is missing and `from` is not kLogHeaderSize (nothing to resume).
  static Result<std::unique_ptr<LogWriter>> OpenAt(Env* env, const std::string& path,
                                                   const LogOptions& options, uint64_t from,
                                                   uint64_t prev_sequence,
                                                   const LogBatchCallback& replay,
                                                   LogRecovery* recovery);

  ~LogWriter();
  LogWriter(const LogWriter&) = delete;
  LogWriter& operator=(const LogWriter&) = delete;

  // Appends one batch (RECORD frames + COMMIT) with one write and, under
  // kEveryCommit, syncs it. Returns the batch's sequence number once the batch is
  // committed. On error nothing of the batch remains in the file (it is truncated
  // back), or, if that is impossible or the sync failed, the writer is poisoned.
  // Errors: InvalidArgument (a record over kMaxFramePayload; nothing written),
  // IOError, FailedPrecondition (poisoned or closed).
  Result<uint64_t> Append(std::span<const std::string_view> records);

  // Makes every appended batch durable. A failure poisons the writer.
  Status Sync();

  // Syncs (kCallerDriven only) and closes. Later calls fail. Idempotent.
  Status Close();

  uint64_t last_sequence() const { return last_sequence_; }
  uint64_t size() const { return size_; }  // bytes in the file, header included
  bool poisoned() const { return !poison_.ok(); }
  const std::string& path() const { return path_; }

  // Appends the frames of one batch with sequence `sequence` to *out.
  static void EncodeBatch(uint64_t sequence, std::span<const std::string_view> records,
                          std::string* out);

 private:
  LogWriter(std::string path, std::unique_ptr<WritableFile> file, FsyncPolicy fsync,
            uint64_t size, uint64_t last_sequence);
  void Poison(const Status& cause, std::string_view what);

  std::string path_;
  std::unique_ptr<WritableFile> file_;
  FsyncPolicy fsync_;
  uint64_t size_;
  uint64_t last_sequence_;
  Status poison_;  // non-OK once a write could not be undone or a sync failed
  bool closed_ = false;
  std::string buffer_;
};

}  // namespace urd

#endif  // URD_STORAGE_LOG_WRITER_H_
