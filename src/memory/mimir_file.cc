// Copyright urd authors.

#include "memory/mimir_file.h"

#include <string>
#include <utility>
#include <variant>

#include "base/varint.h"

namespace urd::mem {

namespace {

// OK when `file` starts with a valid version-1 header. REQUIRES: file is not empty.
Status CheckHeader(std::string_view file) {
  if (file.size() < kMimirLogHeaderSize) {
    return Status::Corruption("mimir canonical.log: file is " + std::to_string(file.size()) +
                              " bytes, shorter than its " + std::to_string(kMimirLogHeaderSize) +
                              "-byte header");
  }
  if (file.substr(0, sizeof(kMimirLogMagic)) != std::string_view(kMimirLogMagic, 4)) {
    return Status::Corruption("mimir canonical.log: bad magic (expected \"MIMR\")");
  }
  const uint32_t version = DecodeFixed32(file.data() + sizeof(kMimirLogMagic));
  if (version != kMimirLogVersion) {
    return Status::NotSupported("mimir canonical.log: format version " + std::to_string(version) +
                                " (only version " + std::to_string(kMimirLogVersion) +
                                " is supported)");
  }
  return Status::OK();
}

MimirLogScan::Tail Classify(DecodeErrorKind kind) {
  return kind == DecodeErrorKind::kTruncated || kind == DecodeErrorKind::kLengthMismatch
             ? MimirLogScan::Tail::kOrphan
             : MimirLogScan::Tail::kCorrupt;
}

// Decodes `log` (the bytes after the header) into `*scan` (§6.4 step 1-2).
void ScanRecords(std::string_view log, MimirLogScan* scan) {
  scan->logical_size = log.size();
  std::vector<CanonicalRecord> pending;
  std::string_view in = log;
  while (!in.empty()) {
    const uint64_t start = log.size() - in.size();
    CanonicalRecord record;
    DecodeError error = DecodeRecord(&in, &record);
    if (!error.ok()) {
      error.offset += start;
      scan->tail_error = error;
      scan->tail = Classify(error.kind);
      return;
    }
    ++scan->records_decoded;
    const bool checkpoint = std::holds_alternative<CheckpointRecord>(record);
    pending.push_back(std::move(record));
    if (checkpoint) {
      scan->batches.push_back(std::move(pending));
      pending.clear();
      scan->committed_end = log.size() - in.size();
    }
  }
  if (!pending.empty()) scan->tail = MimirLogScan::Tail::kOrphan;
}

}  // namespace

std::string_view MimirLogTailName(MimirLogScan::Tail tail) {
  switch (tail) {
    case MimirLogScan::Tail::kClean:
      return "clean";
    case MimirLogScan::Tail::kOrphan:
      return "orphan";
    case MimirLogScan::Tail::kCorrupt:
      return "corrupt";
  }
  return "unknown";
}

Result<MimirLogScan> ScanMimirLog(std::string_view file_bytes) {
  MimirLogScan scan;
  if (file_bytes.empty()) return scan;
  URD_RETURN_IF_ERROR(CheckHeader(file_bytes));
  ScanRecords(file_bytes.substr(kMimirLogHeaderSize), &scan);
  return scan;
}

std::string EncodeMimirLog(const std::vector<CanonicalRecord>& records) {
  std::string out(kMimirLogMagic, sizeof(kMimirLogMagic));
  PutFixed32(&out, kMimirLogVersion);
  for (const CanonicalRecord& r : records) EncodeRecord(r, &out);
  return out;
}

}  // namespace urd::mem
