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

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

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

[[noreturn]] void RunChild(const std::string& dir, uint64_t first, int fd, bool sync) {
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
    if (write(fd, &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) _exit(13);
  }
}

int Main(int argc, char** argv) {
  int trials = 100, max_delay_ms = 80;
  uint64_t seed = 11;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--trials") {
      trials = std::atoi(argv[i + 1]);
    } else if (a == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (a == "--max-delay-ms") {
      max_delay_ms = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: memory_crashtest [--trials N] [--seed S] [--max-delay-ms M]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/urd-mcrash-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::mt19937_64 rng(seed);
  auto ref = MemoryStore::OpenInMemory();
  if (!ref.ok()) return 1;
  uint64_t done = 0, acked_total = 0, inflight_committed = 0;  // batches 1..done applied
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < trials; ++t) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      RunChild(dir, done + 1, fds[1], t % 2 == 0);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (max_delay_ms * 1000 + 1)));
    kill(pid, SIGKILL);
    int ws = 0;
    waitpid(pid, &ws, 0);
    uint64_t i = 0, acked = done;
    while (read(fds[0], &i, sizeof(i)) == static_cast<ssize_t>(sizeof(i))) acked = i;
    close(fds[0]);
    if (!WIFSIGNALED(ws)) {
      std::fprintf(stderr, "trial %d: child failed (%d)\n", t, ws);
      return 1;
    }
    for (uint64_t b = done + 1; b <= acked; ++b) {
      if (!RunBatch(ref->get(), b).ok()) return std::fprintf(stderr, "reference failed\n"), 1;
    }
    acked_total += acked - done;
    auto s = MemoryStore::Open(dir, {});
    if (!s.ok()) {
      std::fprintf(stderr, "trial %d: reopen: %s\n", t, s.status().ToString().c_str());
      return 1;
    }
    std::string got = Observe(**s);
    if (got == Observe(**ref)) {
      done = acked;
      continue;
    }
    if (!RunBatch(ref->get(), acked + 1).ok()) return 1;
    if (got != Observe(**ref)) {
      std::fprintf(stderr,
                   "trial %d: after %llu acknowledged batches the store matches neither the "
                   "acknowledged state nor one more batch\n--- store:\n%s\n--- reference:\n%s\n",
                   t, static_cast<unsigned long long>(acked), got.c_str(), Observe(**ref).c_str());
      return 1;
    }
    done = acked + 1;
    ++inflight_committed;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "memory_crashtest: %d trials, %llu acknowledged batches (last %llu), 0 lost, 0 partial; "
      "in-flight batch found committed in %llu trials; %.1f ms per trial\n",
      trials, static_cast<unsigned long long>(acked_total), static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(inflight_committed), secs * 1000 / trials);
  return std::system(("rm -rf '" + dir + "'").c_str()) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
