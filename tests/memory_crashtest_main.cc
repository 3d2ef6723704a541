// Copyright urd authors. memory_crashtest: SIGKILL crash test of the memory store.
//
// A deterministic sequence of batches (batch i: a few facts, some superseding
// earlier ones, now and then an event, a rule, an inference, a pin or a retire;
// commit clock base + i seconds) is committed by a child process, which reports
// each acknowledged batch over a pipe. The parent kills the child with SIGKILL at a
// random moment, reopens the store and checks that everything observable (every
// memory rendered as a form, supersession edges, symbols, episodes, the commit
// clock) equals an in-memory reference store fed exactly the acknowledged batches,
// or one more (the batch in flight, if it committed): nothing acknowledged is lost,
// nothing half-applied is visible, the store opens every time. The next trial
// continues from there.
//
//   memory_crashtest [--trials N] [--seed S] [--max-delay-ms M]

#include <string>

#include "crash_harness.h"
#include "memory/ir/timestamp.h"
#include "memory_observe.h"
#include "urd/memory_store.h"

namespace urd {
namespace {

constexpr uint64_t kBase = 1'700'000'000'000;       // commit clock of batch 0
constexpr uint64_t kValidBase = 1'600'000'000'000;  // valid time of batch 0

// Batch `i`: its forms. Facts reuse (subject, predicate) keys so that later batches
// supersede earlier ones (valid_at grows with i, so every write is forward).
std::string BatchFor(uint64_t i) {
  std::string text;
  uint64_t n = 1 + i % 5;
  std::string valid;
  for (uint64_t j = 0; j < n; ++j) {
    uint64_t key = (i * 7 + j * 3) % 40;
    // valid_at grows with the batch: one minute per batch, plus j seconds.
    valid = mem::FormatTimestampMillis(kValidBase + i * 60'000 + j * 1000);
    text += "(sem @s" + std::to_string(key % 10) + " @p" + std::to_string(key / 10) + " " +
            std::to_string(i * 10 + j) + " :src @observation :c 0.9 :v " + valid + ")";
  }
  if (i % 4 == 0) {
    text += "(epi @ev" + std::to_string(i) +
            " @met (@s1 @s2) @room :at 2023-01-01 :obs 2023-01-02 :src @observation :c 0.7)";
  }
  if (i % 6 == 0) {
    text += "(pro @rule" + std::to_string(i % 3) + " \"when " + std::to_string(i % 5) +
            "\" \"do " + std::to_string(i) + "\" :scp @global :src @policy :c 1.0)";
  }
  if (i % 9 == 0 && i > 0) {
    text += "(inf @s0 @derived " + std::to_string(i) + " (@__mem_0) @direct_lookup :c 0.5 :v " +
            valid + ")";
  }
  if (i % 11 == 0 && i > 0) text += "(pin @__mem_" + std::to_string(i % 7) + " :actor @op)";
  if (i % 13 == 0 && i > 0) text += "(episode :start :label \"batch " + std::to_string(i) + "\")";
  return text;
}

Result<CommitResult> RunBatch(MemoryStore* s, uint64_t i) {
  return s->Commit(BatchFor(i), kBase + i * 1000);
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t first, bool sync,
                           crash::AckWriter& ack) {
  MemoryOptions o;
  o.fsync = sync ? MemoryFsync::kEveryCommit : MemoryFsync::kNever;
  auto s = MemoryStore::Open(dir, o);
  if (!s.ok()) crash::ChildOpenFailed(s.status());
  crash::RunSteps(first, "batch", ack, [&](uint64_t i) { return RunBatch(s->get(), i).status(); });
}

// Feeds batches done + 1 .. acked to `ref`, reopens the store and compares it with
// `ref`, or with `ref` after one more batch (which is then kept).
std::string Verify(const std::string& dir, uint64_t done, uint64_t acked, MemoryStore* ref,
                   uint64_t* held) {
  for (uint64_t b = done + 1; b <= acked; ++b) {
    if (!RunBatch(ref, b).ok()) return "the reference store failed";
  }
  auto s = MemoryStore::Open(dir, {});
  if (!s.ok()) return "reopen: " + s.status().ToString();
  const std::string got = crash::ObserveMemory(**s);
  *held = acked;
  if (got == crash::ObserveMemory(*ref)) return "";
  if (!RunBatch(ref, acked + 1).ok()) return "the reference store failed";
  *held = acked + 1;
  if (got == crash::ObserveMemory(*ref)) return "";
  return "after " + std::to_string(acked) + " acknowledged batches the store " +
         "matches neither the acknowledged state nor one more batch\n--- store:\n" + got +
         "\n--- reference:\n" + crash::ObserveMemory(*ref);
}

std::string Details(const crash::SequenceTotals& t) {
  return std::to_string(t.acked) + " acknowledged batches (last " + std::to_string(t.last) +
         "), 0 lost, 0 partial; in-flight batch found committed in " +
         std::to_string(t.inflight_committed) + " trials";
}

int Main(int argc, char** argv) {
  const crash::Spec spec{.program = "memory_crashtest",
                         .defaults = {.trials = 100, .seed = 11, .max_delay_ms = 80}};
  auto ref = MemoryStore::OpenInMemory();  // fed exactly the batches the store holds
  if (!ref.ok()) return 1;
  auto verify = [&](const std::string& dir, uint64_t done, uint64_t acked, uint64_t* held) {
    return Verify(dir, done, acked, ref->get(), held);
  };
  return crash::RunSequenceTest(argc, argv, spec, "urd-mcrash-", {RunChild, verify, Details});
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
