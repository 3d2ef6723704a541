// Copyright urd authors.

#include "storage/log_reader.h"

#include <algorithm>
#include <cstring>

#include "base/crc32c.h"
#include "base/varint.h"

namespace urd {

namespace {

constexpr size_t kReadChunk = 1 << 20;

// A window of the file held in memory. Bytes from a "pinned" offset onwards stay
// in the window across refills, so a batch's records can be viewed in place.
class ReadWindow {
 public:
  ReadWindow(const RandomAccessFile* file, uint64_t file_size)
      : file_(file), file_size_(file_size) {}

  // Makes [off, off + n) readable and stores a pointer to it in *out.
  // REQUIRES: pin <= off and off + n <= file size.
  Status Fetch(uint64_t off, size_t n, uint64_t pin, const char** out) {
    if (off < buf_off_ || off + n > buf_off_ + buf_.size()) {
      URD_RETURN_IF_ERROR(Refill(off + n, pin));
    }
    *out = buf_.data() + (off - buf_off_);
    return Status::OK();
  }

 private:
  Status Refill(uint64_t need_end, uint64_t pin) {
    if (pin >= buf_off_ && pin <= buf_off_ + buf_.size()) {
      buf_.erase(0, pin - buf_off_);  // keep the pinned bytes already read
    } else {
      buf_.clear();
    }
    buf_off_ = pin;
    uint64_t want_end = std::max<uint64_t>(need_end, buf_off_ + buf_.size() + kReadChunk);
    want_end = std::min(want_end, file_size_);
    size_t have = buf_.size();
    buf_.resize(want_end - buf_off_);
    while (have < buf_.size()) {
      size_t got = 0;
      URD_RETURN_IF_ERROR(
          file_->Read(buf_off_ + have, buf_.size() - have, buf_.data() + have, &got));
      if (got == 0) {
        return Status::IOError("file shrank while it was being read");
      }
      have += got;
    }
    return Status::OK();
  }

  const RandomAccessFile* file_;
  uint64_t file_size_;
  uint64_t buf_off_ = 0;
  std::string buf_;
};

uint32_t FrameCrc(uint8_t type, const char* payload, size_t n) {
  char t = static_cast<char>(type);
  return Crc32cMask(Crc32cExtend(Crc32cValue(&t, 1), payload, n));
}

struct RecordRef {
  uint64_t offset;
  uint32_t length;
};

// Scans one file region; owns the state of the batch being assembled.
class Scanner {
 public:
  Scanner(const RandomAccessFile* file, uint64_t size, uint64_t from, uint64_t prev_seq)
      : window_(file, size), size_(size), batch_start_(from) {
    scan_.file_size = size;
    scan_.end = from;
    scan_.last_sequence = prev_seq;
  }

  Result<LogScan> Run(const LogBatchCallback& callback) {
    uint64_t off = batch_start_;
    while (true) {
      if (off == size_) {
        if (!pending_.empty()) MarkBad(batch_start_, "records with no COMMIT frame after them");
        break;
      }
      std::string reason;
      uint64_t next = 0;
      Status s = ReadFrame(off, &next, &reason, callback);
      if (!s.ok()) return s;
      if (!reason.empty()) {
        MarkBad(off, reason);
        break;
      }
      off = next;
    }
    if (scan_.tail != LogTail::kClean) {
      URD_RETURN_IF_ERROR(Classify());
    }
    return scan_;
  }

 private:
  void MarkBad(uint64_t off, std::string reason) {
    scan_.tail = LogTail::kTorn;
    scan_.bad_offset = off;
    scan_.reason = std::move(reason);
  }

  // Reads the frame at `off`. On a bad frame sets *reason and returns OK.
  Status ReadFrame(uint64_t off, uint64_t* next, std::string* reason,
                   const LogBatchCallback& callback) {
    if (size_ - off < kFrameHeaderSize) {
      *reason = "incomplete frame header (" + std::to_string(size_ - off) + " bytes)";
      return Status::OK();
    }
    const char* h = nullptr;
    URD_RETURN_IF_ERROR(window_.Fetch(off, kFrameHeaderSize, batch_start_, &h));
    char crc_field[4];  // copied: fetching the payload may move the window
    std::memcpy(crc_field, h, 4);
    uint32_t crc = DecodeFixed32(h);
    uint32_t len = DecodeFixed32(h + 4);
    uint8_t type = static_cast<uint8_t>(h[8]);
    if (type != kRecordFrame && type != kCommitFrame) {
      *reason = "invalid frame type " + std::to_string(type);
      return Status::OK();
    }
    if (len > kMaxFramePayload) {
      *reason = "frame length " + std::to_string(len) + " exceeds the maximum " +
                std::to_string(kMaxFramePayload);
      return Status::OK();
    }
    if (len > size_ - off - kFrameHeaderSize) {
      *reason = "frame of " + std::to_string(len) + " bytes runs past the end of the file";
      return Status::OK();
    }
    const char* payload = nullptr;
    URD_RETURN_IF_ERROR(window_.Fetch(off + kFrameHeaderSize, len, batch_start_, &payload));
    if (FrameCrc(type, payload, len) != crc) {
      *reason = "frame checksum mismatch";
      return Status::OK();
    }
    *next = off + kFrameHeaderSize + len;
    if (type == kRecordFrame) {
      pending_.push_back({off + kFrameHeaderSize, len});
      records_crc_ = Crc32cExtend(records_crc_, crc_field, 4);
      return Status::OK();
    }
    return Commit(payload, len, *next, reason, callback);
  }

  Status Commit(const char* payload, uint32_t len, uint64_t end, std::string* reason,
                const LogBatchCallback& callback) {
    if (len != kCommitPayloadSize) {
      *reason = "COMMIT frame with a " + std::to_string(len) + "-byte payload";
      return Status::OK();
    }
    uint64_t seq = DecodeFixed64(payload);
    uint32_t count = DecodeFixed32(payload + 8);
    uint32_t chained = DecodeFixed32(payload + 12);
    if (seq != scan_.last_sequence + 1) {
      *reason = "COMMIT sequence " + std::to_string(seq) + ", expected " +
                std::to_string(scan_.last_sequence + 1);
      return Status::OK();
    }
    if (count != pending_.size()) {
      *reason = "COMMIT counts " + std::to_string(count) + " records, found " +
                std::to_string(pending_.size());
      return Status::OK();
    }
    if (Crc32cMask(records_crc_) != chained) {
      *reason = "COMMIT record checksum chain mismatch";
      return Status::OK();
    }
    LogBatch batch;
    batch.sequence = seq;
    batch.offset = batch_start_;
    batch.end = end;
    batch.records.reserve(pending_.size());
    for (const RecordRef& r : pending_) {
      const char* p = nullptr;
      URD_RETURN_IF_ERROR(window_.Fetch(r.offset, r.length, batch_start_, &p));
      batch.records.emplace_back(p, r.length);
    }
    if (callback) URD_RETURN_IF_ERROR(callback(batch));
    scan_.batches++;
    scan_.records += pending_.size();
    scan_.last_sequence = seq;
    scan_.end = end;
    batch_start_ = end;
    pending_.clear();
    records_crc_ = 0;
    return Status::OK();
  }

  // Looks past the bad frame for a valid COMMIT of a later batch (sequence at
  // least last good + 2). Finding one means acknowledged data follows the damage.
  Status Classify() {
    const uint64_t min_seq = scan_.last_sequence + 2;
    const size_t commit_size = kFrameHeaderSize + kCommitPayloadSize;
    for (uint64_t y = scan_.bad_offset + 1; y + commit_size <= size_;) {
      size_t span = static_cast<size_t>(std::min<uint64_t>(kReadChunk, size_ - y));
      const char* p = nullptr;
      URD_RETURN_IF_ERROR(window_.Fetch(y, span, y, &p));
      size_t last = span >= commit_size ? span - commit_size : 0;
      for (size_t i = 0; i <= last && span >= commit_size; i++) {
        const char* f = p + i;
        if (static_cast<uint8_t>(f[8]) != kCommitFrame) continue;
        if (DecodeFixed32(f + 4) != kCommitPayloadSize) continue;
        if (FrameCrc(kCommitFrame, f + 9, kCommitPayloadSize) != DecodeFixed32(f)) continue;
        if (DecodeFixed64(f + 9) < min_seq) continue;
        scan_.tail = LogTail::kCorrupt;
        scan_.later_commit_offset = y + i;
        return Status::OK();
      }
      if (span < commit_size) break;
      y += last + 1;
    }
    return Status::OK();
  }

  ReadWindow window_;
  uint64_t size_;
  uint64_t batch_start_;
  std::vector<RecordRef> pending_;
  uint32_t records_crc_ = 0;
  LogScan scan_;
};

}  // namespace

std::string EncodeLogHeader(LogKind kind) {
  std::string h(kLogMagic, sizeof(kLogMagic));
  PutFixed32(&h, kLogVersion);
  PutFixed32(&h, static_cast<uint32_t>(kind));
  h.append(12, '\0');
  PutFixed32(&h, Crc32cMask(Crc32cValue(h.data(), kLogHeaderCrcOffset)));
  return h;
}

Status CheckLogHeader(std::string_view h, LogKind kind, const std::string& path) {
  if (h.size() < kLogHeaderSize) {
    return Status::Corruption(path + ": not an urd log: header truncated to " +
                              std::to_string(h.size()) + " bytes");
  }
  if (std::memcmp(h.data(), kLogMagic, sizeof(kLogMagic)) != 0) {
    return Status::Corruption(path + ": not an urd log: bad magic");
  }
  if (Crc32cMask(Crc32cValue(h.data(), kLogHeaderCrcOffset)) !=
      DecodeFixed32(h.data() + kLogHeaderCrcOffset)) {
    return Status::Corruption(path + ": log header checksum mismatch");
  }
  uint32_t version = DecodeFixed32(h.data() + 8);
  if (version != kLogVersion) {
    return Status::NotSupported(path + ": log format version " + std::to_string(version) +
                                " (this build reads version " + std::to_string(kLogVersion) +
                                ")");
  }
  for (size_t i = 16; i < kLogHeaderCrcOffset; i++) {
    if (h[i] != '\0') return Status::Corruption(path + ": log header reserved bytes set");
  }
  uint32_t found = DecodeFixed32(h.data() + 12);
  if (found != static_cast<uint32_t>(kind)) {
    return Status::InvalidArgument(path + ": log holds content kind " + std::to_string(found) +
                                   ", expected " +
                                   std::to_string(static_cast<uint32_t>(kind)));
  }
  return Status::OK();
}

Result<std::unique_ptr<LogReader>> LogReader::Open(Env* env, const std::string& path,
                                                   LogKind kind) {
  URD_ASSIGN_OR_RETURN(std::unique_ptr<RandomAccessFile> file, env->NewRandomAccessFile(path));
  char header[kLogHeaderSize];
  size_t got = 0;
  URD_RETURN_IF_ERROR(file->Read(0, kLogHeaderSize, header, &got));
  URD_RETURN_IF_ERROR(CheckLogHeader(std::string_view(header, got), kind, path));
  return std::unique_ptr<LogReader>(new LogReader(path, std::move(file)));
}

Result<LogScan> LogReader::Scan(uint64_t from, uint64_t prev_sequence,
                                const LogBatchCallback& callback) {
  URD_ASSIGN_OR_RETURN(uint64_t size, file_->Size());
  if (from < kLogHeaderSize || from > size) {
    return Status::InvalidArgument(path_ + ": scan offset " + std::to_string(from) +
                                   " outside the log (size " + std::to_string(size) + ")");
  }
  Scanner scanner(file_.get(), size, from, prev_sequence);
  return scanner.Run(callback);
}

}  // namespace urd
