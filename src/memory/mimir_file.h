// Copyright urd authors. The mimir-core 0.1.0 `canonical.log` file
// (reference/mimir-core.md §6.1, §6.4): an 8-byte header, "MIMR" then u32 LE
// version 1 (kMimirLogMagic, kMimirLogVersion, kMimirLogHeaderSize in
// canonical.h), followed by unframed canonical records (canonical.h) without
// checksums. A batch is committed iff its CHECKPOINT record is in the file.
// Used to import mimir workspaces and by the golden-file tests; urd's own memory
// log frames records with its log format.
//
// Thread-safety: pure functions of their input.
//
// Offsets are logical: measured from the first byte after the header, as
// mimir-core's log APIs measure them.

#ifndef URD_MEMORY_MIMIR_FILE_H_
#define URD_MEMORY_MIMIR_FILE_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "memory/canonical.h"
#include "urd/result.h"

namespace urd::mem {

struct MimirLogScan {
  // What follows the last committed batch.
  enum class Tail : uint8_t {
    kClean,    // nothing: the file ends with a CHECKPOINT (or has no records)
    kOrphan,   // crash-shaped: valid records without a following CHECKPOINT, and/or
               // a record cut short (decode error Truncated or LengthMismatch).
               // mimir-core truncates it to committed_end on open.
    kCorrupt,  // a decode error of any other kind: not a torn write; mimir-core
               // refuses to open (CorruptTail) and preserves the bytes
  };

  // The committed batches in file order; each ends with its CHECKPOINT record.
  std::vector<std::vector<CanonicalRecord>> batches;
  // Logical offset just past the last CHECKPOINT (0 when there is none).
  uint64_t committed_end = 0;
  // Bytes after the header.
  uint64_t logical_size = 0;
  Tail tail = Tail::kClean;
  // The first decode error, offset logical; ok() when there is none (kClean, or
  // kOrphan made only of valid records).
  DecodeError tail_error;
  // Records decoded successfully, committed or not (the records of the orphan
  // tail before the error count too).
  uint64_t records_decoded = 0;
};

// "clean", "orphan", "corrupt".
std::string_view MimirLogTailName(MimirLogScan::Tail tail);

// Scans a whole `canonical.log` image forward, decoding every record and
// remembering the end of the last CHECKPOINT; decoding stops at the first error,
// which classifies the tail (a corrupt tail is reported, not an error: the caller
// decides).
// On success: the scan. An empty input is an empty log (no batches, clean).
// Errors: Corruption when the input is 1 to 7 bytes long (a short header) or
// does not start with "MIMR"; NotSupported when the version is not 1. Each
// message names the problem and the value found.
Result<MimirLogScan> ScanMimirLog(std::string_view file_bytes);

// The file image holding `records`: the header, then each record encoded with
// EncodeRecord(). Writes whatever it is given (no CHECKPOINT is added).
std::string EncodeMimirLog(const std::vector<CanonicalRecord>& records);

}  // namespace urd::mem

#endif  // URD_MEMORY_MIMIR_FILE_H_
