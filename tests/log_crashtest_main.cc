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

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/log_writer.h"
#include "storage/writer_lock.h"

namespace urd {
namespace {

struct Flags {
  int trials = 200;
  uint64_t seed = 42;
  int max_delay_ms = 25;
  std::string dir;
};

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

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
[[noreturn]] void RunChild(const std::string& dir, const std::string& path, int fd,
                           FsyncPolicy fsync) {
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
    if (write(fd, &seq, sizeof(seq)) != static_cast<ssize_t>(sizeof(seq))) _exit(13);
  }
}

struct Totals {
  uint64_t acked = 0, truncations = 0, truncated_bytes = 0, max_truncated = 0, extra = 0;
  uint64_t last_sequence = 0;
};

bool Fail(int trial, const std::string& what) {
  std::fprintf(stderr, "log_crashtest: trial %d: %s\n", trial, what.c_str());
  return false;
}

// Reads every sequence number the child acknowledged; returns the largest.
uint64_t DrainAcks(int fd) {
  uint64_t last = 0, seq = 0;
  while (read(fd, &seq, sizeof(seq)) == static_cast<ssize_t>(sizeof(seq))) last = seq;
  return last;
}

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

bool RunTrial(int trial, const std::string& dir, std::mt19937_64& rng, const Flags& flags,
              Totals* totals) {
  const std::string path = dir + "/crash.log";
  if (trial % 25 == 0) {
    std::remove(path.c_str());
    totals->last_sequence = 0;
  }
  int fds[2];
  if (pipe(fds) != 0) return Fail(trial, "pipe failed");
  pid_t pid = fork();
  if (pid < 0) return Fail(trial, "fork failed");
  if (pid == 0) {
    close(fds[0]);
    RunChild(dir, path, fds[1], trial % 2 ? FsyncPolicy::kNever : FsyncPolicy::kEveryCommit);
  }
  close(fds[1]);
  auto delay = std::chrono::microseconds(rng() % (flags.max_delay_ms * 1000 + 1));
  std::this_thread::sleep_for(delay);
  kill(pid, SIGKILL);
  int wstatus = 0;
  waitpid(pid, &wstatus, 0);
  uint64_t acked = DrainAcks(fds[0]);
  close(fds[0]);
  if (!(WIFSIGNALED(wstatus) && WTERMSIG(wstatus) == SIGKILL)) {
    return Fail(trial, "child exited by itself with status " + std::to_string(wstatus));
  }
  uint64_t before = totals->last_sequence;
  if (acked != 0 && acked < before) return Fail(trial, "child acknowledged an old sequence");
  totals->acked += acked > before ? acked - before : 0;
  return Verify(trial, dir, path, std::max(acked, before), totals);
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; i++) {
    std::string a = argv[i];
    if (i + 1 >= argc) return false;
    if (a == "--trials") f->trials = std::atoi(argv[++i]);
    else if (a == "--seed") f->seed = std::strtoull(argv[++i], nullptr, 10);
    else if (a == "--max-delay-ms") f->max_delay_ms = std::atoi(argv[++i]);
    else if (a == "--dir") f->dir = argv[++i];
    else return false;
  }
  return f->trials > 0 && f->max_delay_ms >= 0;
}

int Main(int argc, char** argv) {
  Flags flags;
  if (!ParseFlags(argc, argv, &flags)) {
    std::fprintf(stderr, "usage: log_crashtest [--trials N] [--seed S] [--max-delay-ms M] "
                         "[--dir DIR]\n");
    return 2;
  }
  std::string dir = flags.dir;
  if (dir.empty()) {
    char tmpl[] = "/tmp/urd-crashtest-XXXXXX";
    if (mkdtemp(tmpl) == nullptr) return 1;
    dir = tmpl;
  }
  std::mt19937_64 rng(flags.seed);
  Totals totals;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < flags.trials; t++) {
    if (!RunTrial(t, dir, rng, flags, &totals)) return 1;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "log_crashtest: %d trials, %llu acknowledged batches, 0 lost, 0 partial; "
      "%llu committed-but-unacknowledged batches recovered; torn tails truncated in %llu "
      "trials (%llu bytes in all, largest %llu); %.1f ms per trial\n",
      flags.trials, static_cast<unsigned long long>(totals.acked),
      static_cast<unsigned long long>(totals.extra),
      static_cast<unsigned long long>(totals.truncations),
      static_cast<unsigned long long>(totals.truncated_bytes),
      static_cast<unsigned long long>(totals.max_truncated), secs * 1000 / flags.trials);
  if (flags.dir.empty()) {
    std::string cmd = "rm -rf '" + dir + "'";
    if (std::system(cmd.c_str()) != 0) return 1;
  }
  return 0;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
