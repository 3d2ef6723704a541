// Copyright urd authors. memory.log: the memory store's canonical records in the
// framed log of docs/format.md §1 (content kind LogKind::kMemory), one RECORD frame
// per canonical record, one log batch per committed episode (docs/format.md §5).
//
// Thread-safety: free functions over their arguments.

#ifndef URD_MEMORY_MEMORY_LOG_H_
#define URD_MEMORY_MEMORY_LOG_H_

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "memory/canonical.h"
#include "storage/log_reader.h"
#include "urd/env.h"
#include "urd/result.h"

namespace urd::mem {

// The file name of the memory log inside a store directory.
inline constexpr char kMemoryLogName[] = "memory.log";

// One committed batch, decoded.
struct MemoryBatch {
  uint64_t sequence = 0;
  uint64_t offset = 0;  // file offset of its first frame
  std::vector<CanonicalRecord> records;
};

using MemoryBatchCallback = std::function<Status(const MemoryBatch&)>;

// Decodes the records of one log batch. Corruption "<path>: batch N at offset O,
// record I: <decode error>" when a frame does not hold exactly one valid record.
Status DecodeMemoryBatch(const LogBatch& batch, const std::string& path, MemoryBatch* out);

// Scans the committed batches of the memory log at `path` from file offset `from`
// (kLogHeaderSize for all), calling `callback` for each. Returns the scan summary
// (a torn or corrupt tail is reported there, not as an error). Errors: those of
// LogReader::Open / Scan, decode errors (Corruption), callback errors.
Result<LogScan> ScanMemoryLog(Env* env, const std::string& path, uint64_t from,
                              uint64_t prev_sequence, const MemoryBatchCallback& callback);

// Encodes each record into its own string (the payloads of one batch).
std::vector<std::string> EncodeMemoryBatch(const std::vector<CanonicalRecord>& records);

}  // namespace urd::mem

#endif  // URD_MEMORY_MEMORY_LOG_H_
