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

#include <unistd.h>

#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include "crash_harness.h"
#include "memory/ir/timestamp.h"
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

// Everything a reader can observe, as text.
std::string Observe(const MemoryStore& s) {
  std::string out;
  auto dump = s.Dump();
  if (!dump.ok()) return "dump failed: " + dump.status().ToString();
  for (const MemoryHit& h : *dump) {
    out += h.memory_id + " " + h.form + (h.pinned ? " pinned" : "") + " <-";
    for (const std::string& by : h.superseded_by) out += " " + by;
    out += "\n";
  }
  MemoryStats st = s.Stats();
  out += "edges " + std::to_string(st.edges) + " symbols " + std::to_string(st.symbols) +
         " episodes " + std::to_string(st.episodes) + " clock " +
         std::to_string(st.last_committed_at);
  return out;
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t first, crash::AckWriter& ack,
                           bool sync) {
  MemoryOptions o;
  o.fsync = sync ? MemoryFsync::kEveryCommit : MemoryFsync::kNever;
  auto s = MemoryStore::Open(dir, o);
  if (!s.ok()) {
    std::fprintf(stderr, "child open: %s\n", s.status().ToString().c_str());
    _exit(11);
  }
  for (uint64_t i = first;; ++i) {
    auto r = RunBatch(s->get(), i);
    if (!r.ok()) {
      std::fprintf(stderr, "child batch %llu: %s\n", static_cast<unsigned long long>(i),
                   r.status().ToString().c_str());
      _exit(12);
    }
    ack.Ack(i);
  }
}

int Main(int argc, char** argv) {
  crash::Spec spec;
  spec.program = "memory_crashtest";
  spec.defaults.trials = 100;
  spec.defaults.seed = 11;
  spec.defaults.max_delay_ms = 80;
  std::optional<crash::Options> flags = crash::ParseOptions(argc, argv, spec);
  if (!flags) return 2;
  const int trials = flags->trials;
  auto fail = [](int trial, const std::string& what) {
    crash::Fail("memory_crashtest", trial, what);
    return 1;
  };
  const std::string dir = crash::MakeTempDir("urd-mcrash-");
  if (dir.empty()) return 1;
  std::mt19937_64 rng(flags->seed);
  auto ref = MemoryStore::OpenInMemory();
  if (!ref.ok()) return 1;
  uint64_t done = 0, acked_total = 0, inflight_committed = 0;  // batches 1..done applied
  crash::Stopwatch watch;
  for (int t = 0; t < trials; ++t) {
    crash::ChildRun run;
    std::string error;
    if (!crash::RunAndKill(
            [&](crash::AckWriter& ack) { RunChild(dir, done + 1, ack, t % 2 == 0); },
            crash::RandomDelay(rng, flags->max_delay_ms), &run, &error)) {
      return fail(t, error);
    }
    if (!run.killed) return fail(t, "child failed: " + run.Describe());
    const uint64_t acked = run.LastAck(done);
    for (uint64_t b = done + 1; b <= acked; ++b) {
      if (!RunBatch(ref->get(), b).ok()) return fail(t, "the reference store failed");
    }
    acked_total += acked - done;
    auto s = MemoryStore::Open(dir, {});
    if (!s.ok()) return fail(t, "reopen: " + s.status().ToString());
    std::string got = Observe(**s);
    if (got == Observe(**ref)) {
      done = acked;
      continue;
    }
    if (!RunBatch(ref->get(), acked + 1).ok()) return fail(t, "the reference store failed");
    if (got != Observe(**ref)) {
      return fail(t, "after " + std::to_string(acked) + " acknowledged batches the store " +
                         "matches neither the acknowledged state nor one more batch\n--- store:\n" +
                         got + "\n--- reference:\n" + Observe(**ref));
    }
    done = acked + 1;
    ++inflight_committed;
  }
  crash::PrintSummary("memory_crashtest", trials, watch.Seconds(),
                      std::to_string(acked_total) + " acknowledged batches (last " +
                          std::to_string(done) + "), 0 lost, 0 partial; in-flight batch found " +
                          "committed in " + std::to_string(inflight_committed) + " trials");
  return crash::RemoveTree(dir) ? 0 : 1;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
