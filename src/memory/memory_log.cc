// Copyright urd authors.

#include "memory/memory_log.h"

namespace urd::mem {

Status DecodeMemoryBatch(const LogBatch& batch, const std::string& path, MemoryBatch* out) {
  out->sequence = batch.sequence;
  out->offset = batch.offset;
  out->records.clear();
  out->records.reserve(batch.records.size());
  for (size_t i = 0; i < batch.records.size(); ++i) {
    std::string_view in = batch.records[i];
    CanonicalRecord record;
    DecodeError err = DecodeRecord(&in, &record);
    if (err.ok() && !in.empty()) err = DecodeError{DecodeErrorKind::kBodyUnderflow, 0};
    if (!err.ok()) {
      return Status::Corruption(path + ": batch " + std::to_string(batch.sequence) +
                                " at offset " + std::to_string(batch.offset) + ", record " +
                                std::to_string(i) + ": " + err.ToString());
    }
    out->records.push_back(std::move(record));
  }
  return Status::OK();
}

Result<LogScan> ScanMemoryLog(Env* env, const std::string& path, uint64_t from,
                              uint64_t prev_sequence, const MemoryBatchCallback& callback) {
  URD_ASSIGN_OR_RETURN(auto reader, LogReader::Open(env, path, LogKind::kMemory));
  MemoryBatch decoded;
  return reader->Scan(from, prev_sequence, [&](const LogBatch& batch) -> Status {
    URD_RETURN_IF_ERROR(DecodeMemoryBatch(batch, path, &decoded));
    return callback(decoded);
  });
}

std::vector<std::string> EncodeMemoryBatch(const std::vector<CanonicalRecord>& records) {
  std::vector<std::string> out(records.size());
  for (size_t i = 0; i < records.size(); ++i) EncodeRecord(records[i], &out[i]);
  return out;
}

}  // namespace urd::mem
