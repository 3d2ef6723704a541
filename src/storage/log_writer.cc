// Copyright urd authors.

#include "storage/log_writer.h"

#include "base/crc32c.h"
#include "base/varint.h"

namespace urd {

namespace {

void AppendFrame(uint8_t type, std::string_view payload, std::string* out, char crc_field[4]) {
  char t = static_cast<char>(type);
  uint32_t crc = Crc32cMask(Crc32cExtend(Crc32cValue(&t, 1), payload.data(), payload.size()));
  EncodeFixed32(crc_field, crc);
  out->append(crc_field, 4);
  PutFixed32(out, static_cast<uint32_t>(payload.size()));
  out->push_back(t);
  out->append(payload);
}

Status CorruptionError(const std::string& path, const LogScan& scan) {
  return Status::Corruption(
      path + ": corrupt log: " + scan.reason + " at offset " + std::to_string(scan.bad_offset) +
      "; a later committed batch follows at offset " + std::to_string(scan.later_commit_offset) +
      ", so this is not a torn write. Nothing was changed; salvage would cut the log at "
      "offset " +
      std::to_string(scan.end) + ", discarding " + std::to_string(scan.tail_bytes()) + " bytes");
}

// Creates `path` holding only a header, atomically.
Status CreateLog(Env* env, const std::string& path, LogKind kind) {
  return WriteFileAtomic(env, path, EncodeLogHeader(kind)).WithContext("create log " + path);
}

}  // namespace

void LogWriter::EncodeBatch(uint64_t sequence, std::span<const std::string_view> records,
                            std::string* out) {
  char crc_field[4];
  uint32_t chain = 0;
  for (std::string_view r : records) {
    AppendFrame(kRecordFrame, r, out, crc_field);
    chain = Crc32cExtend(chain, crc_field, 4);
  }
  std::string commit;
  PutFixed64(&commit, sequence);
  PutFixed32(&commit, static_cast<uint32_t>(records.size()));
  PutFixed32(&commit, Crc32cMask(chain));
  AppendFrame(kCommitFrame, commit, out, crc_field);
}

LogWriter::LogWriter(std::string path, std::unique_ptr<WritableFile> file, FsyncPolicy fsync,
                     uint64_t size, uint64_t last_sequence)
    : path_(std::move(path)),
      file_(std::move(file)),
      fsync_(fsync),
      size_(size),
      last_sequence_(last_sequence) {}

LogWriter::~LogWriter() { (void)Close(); }

Result<std::unique_ptr<LogWriter>> LogWriter::Open(Env* env, const std::string& path,
                                                   const LogOptions& options,
                                                   const LogBatchCallback& replay,
                                                   LogRecovery* recovery) {
  return OpenAt(env, path, options, kLogHeaderSize, 0, replay, recovery);
}

Result<std::unique_ptr<LogWriter>> LogWriter::OpenAt(Env* env, const std::string& path,
                                                     const LogOptions& options, uint64_t from,
                                                     uint64_t prev_sequence,
                                                     const LogBatchCallback& replay,
                                                     LogRecovery* recovery) {
  LogRecovery local;
  LogRecovery* rec = recovery ? recovery : &local;
  *rec = LogRecovery();
  if (from < kLogHeaderSize) {
    return Status::InvalidArgument(path + ": resume offset " + std::to_string(from) +
                                   " lies inside the log header");
  }
  if (!env->FileExists(path)) {
    if (from != kLogHeaderSize) {
      return Status::NotFound(path + ": no such log to resume at offset " + std::to_string(from));
    }
    if (!options.create_if_missing) return Status::NotFound(path + ": no such log");
    URD_RETURN_IF_ERROR(CreateLog(env, path, options.kind));
    rec->created = true;
  }
  URD_ASSIGN_OR_RETURN(std::unique_ptr<LogReader> reader,
                       LogReader::Open(env, path, options.kind));
  URD_ASSIGN_OR_RETURN(rec->scan, reader->Scan(from, prev_sequence, replay));
  reader.reset();
  const LogScan& scan = rec->scan;
  if (scan.tail == LogTail::kCorrupt && !options.salvage) return CorruptionError(path, scan);
  if (scan.tail != LogTail::kClean) {
    URD_RETURN_IF_ERROR(env->TruncateFile(path, scan.end)
                            .WithContext("truncate the damaged tail of " + path));
    rec->truncated_bytes = scan.tail_bytes();
    rec->salvaged = scan.tail == LogTail::kCorrupt;
  }
  URD_ASSIGN_OR_RETURN(std::unique_ptr<WritableFile> file,
                       env->NewWritableFile(path, WriteMode::kAppend));
  if (file->Size() != scan.end) {
    return Status::IOError(path + ": size " + std::to_string(file->Size()) +
                           " after recovery, expected " + std::to_string(scan.end));
  }
  // The replayed batches may have reached the file without being synced (a writer
  // killed, or whose fsync failed, before its batch was durable). They are visible
  // from now on, so they must not vanish in a later power loss: sync them. (A cut
  // tail was synced by TruncateFile.)
  if (options.fsync != FsyncPolicy::kNever && scan.tail == LogTail::kClean && scan.end > from) {
    URD_RETURN_IF_ERROR(file->Sync().WithContext("sync the recovered log " + path));
  }
  return std::unique_ptr<LogWriter>(
      new LogWriter(path, std::move(file), options.fsync, scan.end, scan.last_sequence));
}

void LogWriter::Poison(const Status& cause, std::string_view what) {
  if (poison_.ok()) {
    poison_ = Status::FailedPrecondition(
        path_ + ": log writer refuses further writes after a failed " + std::string(what) + " (" +
        cause.ToString() + "); reopen the store to recover");
  }
}

Result<uint64_t> LogWriter::Append(std::span<const std::string_view> records) {
  if (closed_) return Status::FailedPrecondition(path_ + ": log writer is closed");
  if (!poison_.ok()) return poison_;
  if (records.size() > UINT32_MAX) {
    return Status::InvalidArgument("batch of " + std::to_string(records.size()) +
                                   " records exceeds the per-batch limit");
  }
  for (size_t i = 0; i < records.size(); i++) {
    if (records[i].size() > kMaxFramePayload) {
      return Status::InvalidArgument("record " + std::to_string(i) + " of the batch is " +
                                     std::to_string(records[i].size()) +
                                     " bytes; the maximum is " +
                                     std::to_string(kMaxFramePayload));
    }
  }
  buffer_.clear();
  EncodeBatch(last_sequence_ + 1, records, &buffer_);
  Status s = file_->Append(buffer_);
  if (!s.ok()) {
    Status undo = file_->Truncate(size_);
    if (!undo.ok()) Poison(undo, "truncate after a failed write");
    return s.WithContext("append to " + path_);
  }
  if (fsync_ == FsyncPolicy::kEveryCommit) {
    s = file_->Sync();
    if (!s.ok()) {
      Poison(s, "fsync");
      return s.WithContext("fsync " + path_ + " (the batch may or may not be durable)");
    }
  }
  size_ += buffer_.size();
  if (buffer_.capacity() > (4u << 20)) std::string().swap(buffer_);
  return ++last_sequence_;
}

Status LogWriter::Sync() {
  if (closed_) return Status::FailedPrecondition(path_ + ": log writer is closed");
  if (!poison_.ok()) return poison_;
  Status s = file_->Sync();
  if (!s.ok()) {
    Poison(s, "fsync");
    return s.WithContext("fsync " + path_);
  }
  return Status::OK();
}

Status LogWriter::Close() {
  if (closed_) return Status::OK();
  Status s;
  if (fsync_ == FsyncPolicy::kCallerDriven && poison_.ok()) s = Sync();
  closed_ = true;
  Status c = file_->Close();
  return s.ok() ? c : s;
}

}  // namespace urd
