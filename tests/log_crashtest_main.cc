// Copyright urd authors. log_crashtest: SIGKILL crash test of the framed log.
//
// Each trial forks a child that takes the writer lock, opens the log (recovering
// it) and commits batches as fast as it can, reporting each acknowledged batch's
// sequence number over a pipe (even trials fsync every batch, odd trials never do).
// The parent kills the child with SIGKILL after a random delay, then takes the
// lock itself (it must be free at once: no stale lock), reopens the log and checks that
//   * the log opens every time,
//   * every acknowledged batch is present, byte for byte,
//   * no partial batch is visible (batches have their exact records or are absent),
//   * at most one batch beyond the last acknowledged one exists (committed but
//     killed before it could report).
//
//   log_crashtest [--trials N] [--seed S] [--max-delay-ms M] [--dir DIR]
//
// Prints a summary (trials, batches, tails truncated and their bytes, time per
// trial) and exits 0 on success, 1 on the first violation.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <optional>
#include <random>
#include <string>
#include <vector>

#include "crash_harness.h"
#include "storage/log_writer.h"
#include "storage/writer_lock.h"

namespace urd {
namespace {

using crash::Mix;

// The records of batch `seq`: deterministic, so the parent can check them.
std::vector<std::string> BatchFor(uint64_t seq) {
  uint64_t h = Mix(seq);
  size_t count = h % 6;  // 0..5 records; empty batches are legal
  size_t big = (h >> 8) % 16 == 0 ? 200000 : 0;  // some large batches widen torn writes
  std::vector<std::string> out;
  for (size_t j = 0; j < count; j++) {
    uint64_t r = Mix(seq * 31 + j);
    std::string rec(static_cast<size_t>(r % 3000) + (j == 0 ? big : 0), '\0');
    for (size_t i = 0; i < rec.size(); i++) rec[i] = static_cast<char>('a' + (r + i * 7) % 26);
    rec.insert(0, std::to_string(seq) + ":" + std::to_string(j) + ":");
    out.push_back(std::move(rec));
  }
  return out;
}

// Odd trials write without fsync: a SIGKILL loses nothing the kernel accepted, and
// many more (and larger) batches per trial make torn writes likely.
[[noreturn]] void RunChild(const std::string& dir, const std::string& path,
                           crash::AckWriter& ack, FsyncPolicy fsync) {
  LockOptions lo;
  lo.owner = "crash-child";
  auto lock = WriterLock::Acquire(dir, lo);
  if (!lock.ok()) _exit(10);
  LogOptions options;
  options.fsync = fsync;
  auto w = LogWriter::Open(Env::Default(), path, options, nullptr, nullptr);
  if (!w.ok()) _exit(11);
  while (true) {
    uint64_t seq = (*w)->last_sequence() + 1;
    std::vector<std::string> recs = BatchFor(seq);
    std::vector<std::string_view> views(recs.begin(), recs.end());
    auto got = (*w)->Append(views);
    if (!got.ok() || *got != seq) _exit(12);
    ack.Ack(seq);
  }
}

struct Totals {
  uint64_t acked = 0, truncations = 0, truncated_bytes = 0, max_truncated = 0, extra = 0;
  uint64_t last_sequence = 0;
};

bool Fail(int trial, const std::string& what) { return crash::Fail("log_crashtest", trial, what); }

bool Verify(int trial, const std::string& dir, const std::string& path, uint64_t acked,
            Totals* totals) {
  auto lock = WriterLock::Acquire(dir, LockOptions{});
  if (!lock.ok()) return Fail(trial, "lock not free after SIGKILL: " + lock.status().ToString());
  bool content_ok = true;
  uint64_t expect = 1;
  LogRecovery rec;
  auto w = LogWriter::Open(
      Env::Default(), path, {},
      [&](const LogBatch& b) {
        std::vector<std::string> want = BatchFor(b.sequence);
        if (b.sequence != expect++ || b.records.size() != want.size()) content_ok = false;
        for (size_t j = 0; content_ok && j < want.size(); j++) {
          if (b.records[j] != want[j]) content_ok = false;
        }
        return Status::OK();
      },
      &rec);
  if (!w.ok()) return Fail(trial, "reopen failed: " + w.status().ToString());
  if (!content_ok) return Fail(trial, "a replayed batch differs from what was written");
  uint64_t last = rec.scan.last_sequence;
  if (last < acked) {
    return Fail(trial, "lost acknowledged batches: acked " + std::to_string(acked) +
                           ", recovered " + std::to_string(last));
  }
  if (last > acked + 1) return Fail(trial, "more than one unacknowledged batch recovered");
  totals->extra += last - acked;
  if (rec.truncated_bytes > 0) {
    totals->truncations++;
    totals->truncated_bytes += rec.truncated_bytes;
    totals->max_truncated = std::max(totals->max_truncated, rec.truncated_bytes);
  }
  totals->last_sequence = last;
  return true;
}

bool RunTrial(int trial, const std::string& dir, std::mt19937_64& rng,
              const crash::Options& flags, Totals* totals) {
  const std::string path = dir + "/crash.log";
  if (trial % 25 == 0) {
    std::remove(path.c_str());
    totals->last_sequence = 0;
  }
  const FsyncPolicy fsync = trial % 2 ? FsyncPolicy::kNever : FsyncPolicy::kEveryCommit;
  crash::ChildRun run;
  std::string error;
  if (!crash::RunAndKill([&](crash::AckWriter& ack) { RunChild(dir, path, ack, fsync); },
                         crash::RandomDelay(rng, flags.max_delay_ms), &run, &error)) {
    return Fail(trial, error);
  }
  uint64_t acked = run.LastAck(0);
  if (!run.killed) return Fail(trial, "child exited by itself: " + run.Describe());
  uint64_t before = totals->last_sequence;
  if (acked != 0 && acked < before) return Fail(trial, "child acknowledged an old sequence");
  totals->acked += acked > before ? acked - before : 0;
  return Verify(trial, dir, path, std::max(acked, before), totals);
}

int Main(int argc, char** argv) {
  crash::Spec spec;
  spec.program = "log_crashtest";
  spec.defaults.trials = 200;
  spec.defaults.seed = 42;
  spec.defaults.max_delay_ms = 25;
  spec.accepts_dir = true;
  std::optional<crash::Options> flags = crash::ParseOptions(argc, argv, spec);
  if (!flags) return 2;
  std::string dir = flags->dir;
  if (dir.empty()) dir = crash::MakeTempDir("urd-crashtest-");
  if (dir.empty()) return 1;
  std::mt19937_64 rng(flags->seed);
  Totals totals;
  crash::Stopwatch watch;
  for (int t = 0; t < flags->trials; t++) {
    if (!RunTrial(t, dir, rng, *flags, &totals)) return 1;
  }
  char details[400];
  std::snprintf(details, sizeof details,
                "%llu acknowledged batches, 0 lost, 0 partial; %llu committed-but-unacknowledged "
                "batches recovered; torn tails truncated in %llu trials (%llu bytes in all, "
                "largest %llu)",
                static_cast<unsigned long long>(totals.acked),
                static_cast<unsigned long long>(totals.extra),
                static_cast<unsigned long long>(totals.truncations),
                static_cast<unsigned long long>(totals.truncated_bytes),
                static_cast<unsigned long long>(totals.max_truncated));
  crash::PrintSummary("log_crashtest", flags->trials, watch.Seconds(), details);
  if (flags->dir.empty() && !crash::RemoveTree(dir)) return 1;
  return 0;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
