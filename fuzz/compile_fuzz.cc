// Copyright urd authors. Fuzz target `compile`: the whole write pipeline
// (CompileBatch, src/memory/pipeline.h: parse, bind, semantic checks, emit, apply)
// on a fresh MemoryState.
//
// Input: batches of memory-language text separated by NUL bytes (the lexer rejects
// NUL, so no program is lost by the split); the first kMaxBatches are compiled (every
// batch costs a digest of the whole state, so long runs of NULs would only slow the
// fuzzer). A batch starting with \x01 is rolled back after it compiles instead of
// committed; one starting with \x02 is compiled at the previous batch's wall clock
// (the commit clock must still advance).
//
// Asserts, beyond "does not crash":
//  * a failed batch leaves the state exactly as before (Digest() equal), and its
//    error is InvalidArgument "line L, column C: ...";
//  * a batch rolled back after success leaves the state exactly as before;
//  * a good batch ends with its CHECKPOINT, its commit clock is above the previous
//    one, and every record encodes -> decodes to an equal record, re-encoding to
//    the same bytes (and the batch's byte stream decodes with DecodeAll);
//  * replay equals live: applying every committed batch's records to a fresh
//    state (ApplyMode::kReplay, as a reopen does) gives exactly the live state.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "fuzz/fuzz_util.h"
#include "memory/canonical.h"
#include "memory/pipeline.h"
#include "memory/state.h"

namespace {

using namespace urd::mem;  // NOLINT(build/namespaces): a test program

constexpr ClockTime kStart = 1'713'350'400'000;  // 2024-04-17T10:40:00Z
constexpr size_t kMaxBatches = 16;

void CheckRecordsRoundTrip(const std::vector<CanonicalRecord>& records) {
  std::string stream;
  for (const CanonicalRecord& r : records) {
    std::string bytes;
    EncodeRecord(r, &bytes);
    std::string_view in = bytes;
    CanonicalRecord back;
    const DecodeError e = DecodeRecord(&in, &back);
    URD_FUZZ_CHECK(e.ok());
    URD_FUZZ_CHECK(in.empty());
    URD_FUZZ_CHECK(back == r);
    std::string again;
    EncodeRecord(back, &again);
    URD_FUZZ_CHECK(again == bytes);
    stream += bytes;
  }
  std::vector<CanonicalRecord> all;
  URD_FUZZ_CHECK(DecodeAll(stream, &all).ok());
  URD_FUZZ_CHECK(all == records);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view in(reinterpret_cast<const char*>(data), size);
  MemoryState state;
  std::vector<CanonicalRecord> committed;  // every committed record, in order
  ClockTime now = kStart;

  std::vector<std::string_view> batches = urd::fuzz::Split(in, std::string_view("\0", 1));
  if (batches.size() > kMaxBatches) batches.resize(kMaxBatches);
  for (std::string_view text : batches) {
    bool roll_back = false;
    if (!text.empty() && text[0] == '\x01') {
      roll_back = true;
      text.remove_prefix(1);
    } else if (!text.empty() && text[0] == '\x02') {
      text.remove_prefix(1);
    } else {
      now += 60'000;
    }
    const std::string before = urd::fuzz::Digest(state);
    const auto last = state.last_committed_at();

    CompiledBatch batch;
    const urd::Status s = CompileBatch(&state, text, now, nullptr, &batch);
    if (!s.ok()) {
      URD_FUZZ_CHECK(s.IsInvalidArgument());
      URD_FUZZ_CHECK(s.message().rfind("line ", 0) == 0);
      URD_FUZZ_CHECK(urd::fuzz::Digest(state) == before);
      continue;
    }
    URD_FUZZ_CHECK(!batch.records.empty());
    URD_FUZZ_CHECK(std::holds_alternative<CheckpointRecord>(batch.records.back()));
    URD_FUZZ_CHECK(!last || batch.committed_at > *last);
    for (const CanonicalRecord& r : batch.records)
      URD_FUZZ_CHECK(CommitClock(r) == batch.committed_at);
    CheckRecordsRoundTrip(batch.records);

    if (roll_back) {
      state.RollbackTo(batch.mark);
      state.Commit();
      URD_FUZZ_CHECK(urd::fuzz::Digest(state) == before);
      continue;
    }
    state.Commit();
    committed.insert(committed.end(), batch.records.begin(), batch.records.end());
  }

  MemoryState replayed;
  for (const CanonicalRecord& r : committed) {
    URD_FUZZ_CHECK(replayed.Apply(r, ApplyMode::kReplay).ok());
  }
  URD_FUZZ_CHECK(urd::fuzz::Digest(replayed) == urd::fuzz::Digest(state));
  return 0;
}
