// Copyright urd authors. Fuzz target `mimir_import`: the mimir-core canonical.log
// reader (ScanMimirLog, src/memory/mimir_file.h) over arbitrary bytes, followed by
// what `urd import mimir` does with a scan: replay every committed batch into a
// MemoryState (ApplyMode::kReplay).
//
// Asserts, beyond "does not crash":
//  * the scan is consistent: committed_end <= logical_size = input size - 8; every
//    batch ends with its CHECKPOINT; a clean tail means committed_end is the end;
//    a corrupt tail carries a decode error (an orphan tail one only if cut short);
//  * decode -> encode reproduces the bytes: EncodeMimirLog of the committed records
//    is the input's header and first committed_end logical bytes (up to the boolean
//    normalisation of canonical.h);
//  * replay is atomic per batch: a batch that fails to apply, rolled back to its
//    mark, leaves the state exactly as before it (Digest() equal).

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "memory/mimir_file.h"
#include "memory/state.h"

namespace {

using namespace urd::mem;  // NOLINT(build/namespaces): a test program

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  auto scan = ScanMimirLog(in);
  if (!scan.ok()) {
    URD_FUZZ_CHECK(scan.status().IsCorruption() || scan.status().IsNotSupported());
    return 0;
  }
  if (size == 0) {
    URD_FUZZ_CHECK(scan->batches.empty() && scan->tail == MimirLogScan::Tail::kClean);
    return 0;
  }
  URD_FUZZ_CHECK(scan->logical_size == size - kMimirLogHeaderSize);
  URD_FUZZ_CHECK(scan->committed_end <= scan->logical_size);
  (void)MimirLogTailName(scan->tail);
  switch (scan->tail) {
    case MimirLogScan::Tail::kClean:
      URD_FUZZ_CHECK(scan->committed_end == scan->logical_size);
      URD_FUZZ_CHECK(scan->tail_error.ok());
      break;
    case MimirLogScan::Tail::kOrphan:
      URD_FUZZ_CHECK(scan->committed_end < scan->logical_size);
      URD_FUZZ_CHECK(scan->tail_error.ok() ||
                     scan->tail_error.kind == DecodeErrorKind::kTruncated ||
                     scan->tail_error.kind == DecodeErrorKind::kLengthMismatch);
      break;
    case MimirLogScan::Tail::kCorrupt:
      URD_FUZZ_CHECK(!scan->tail_error.ok());
      URD_FUZZ_CHECK(scan->tail_error.kind != DecodeErrorKind::kTruncated &&
                     scan->tail_error.kind != DecodeErrorKind::kLengthMismatch);
      break;
  }
  if (!scan->tail_error.ok()) {
    URD_FUZZ_CHECK(scan->tail_error.offset >= scan->committed_end);
    URD_FUZZ_CHECK(scan->tail_error.offset <= scan->logical_size);
  }

  std::vector<CanonicalRecord> committed;
  for (const auto& batch : scan->batches) {
    URD_FUZZ_CHECK(!batch.empty());
    URD_FUZZ_CHECK(std::holds_alternative<CheckpointRecord>(batch.back()));
    for (size_t i = 0; i + 1 < batch.size(); ++i) {
      URD_FUZZ_CHECK(!std::holds_alternative<CheckpointRecord>(batch[i]));
    }
    committed.insert(committed.end(), batch.begin(), batch.end());
  }
  URD_FUZZ_CHECK(scan->records_decoded >= committed.size());
  const std::string image = EncodeMimirLog(committed);
  URD_FUZZ_CHECK(urd::fuzz::SameCanonicalBytes(
      in.substr(0, kMimirLogHeaderSize + scan->committed_end), image));

  MemoryState state;
  for (const auto& batch : scan->batches) {
    const std::string before = urd::fuzz::Digest(state);
    const MemoryState::UndoMark mark = state.Mark();
    urd::Status s;
    for (size_t i = 0; i < batch.size() && s.ok(); ++i)
      s = state.Apply(batch[i], ApplyMode::kReplay);
    if (!s.ok()) {
      URD_FUZZ_CHECK(s.IsCorruption());
      state.RollbackTo(mark);
      state.Commit();
      URD_FUZZ_CHECK(urd::fuzz::Digest(state) == before);
      break;  // the import stops at the first batch that cannot be replayed
    }
    state.Commit();
  }
  return 0;
}
