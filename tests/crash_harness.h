// Copyright urd authors. The shared harness of the SIGKILL crash tests
// (tests/*crashtest_main.cc).
//
// A crash test runs trials. In each, RunAndKill forks a child that runs a workload
// and writes one acknowledgement record (a uint64_t, usually an operation index)
// to a pipe after every operation that completed; the parent collects the records
// while the child runs, kills it with SIGKILL after a random delay, reaps it and
// drains the pipe. The program then reopens its store and checks what survived
// against the acknowledgements.
//
// Most crash tests run a numbered sequence of steps (RunSequenceTest below): the
// child runs steps 1, 2, ... and acknowledges each index; the reopened store must
// hold the acknowledged steps or one more.
//
// Options every crash test accepts (ParseOptions):
//   --trials N  --seed S  --max-delay-ms M
// and, where the program declares them, --dir DIR and boolean switches such as
// --power-loss.
//
// Thread-safety: none needed; the harness is single-threaded (it never reads the
// pipe from a second thread, so the programs stay TSan-clean). Fork only while
// the parent runs no other threads (close every store first: vector stores own
// scan threads).

#ifndef URD_TESTS_CRASH_HARNESS_H_
#define URD_TESTS_CRASH_HARNESS_H_

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "urd/status.h"

namespace urd::crash {

// splitmix64's finaliser: the deterministic hash the workloads derive data from.
uint64_t Mix(uint64_t x);

struct Options {
  int trials = 100;
  uint64_t seed = 1;
  int max_delay_ms = 50;
  std::string dir;                 // --dir; empty: a fresh directory under /tmp
  std::set<std::string> switches;  // the boolean switches given, e.g. "--power-loss"
  bool Has(std::string_view name) const { return switches.count(std::string(name)) != 0; }
};

// What a program accepts, with its defaults.
struct Spec {
  const char* program = "crashtest";
  Options defaults;
  bool accepts_dir = false;
  std::vector<std::string> switches;  // extra boolean switches ("--power-loss")
};

// Parses argv against `spec`. On a bad or unknown argument, prints the usage line to
// stderr and returns nullopt. REQUIRES: trials > 0 and max_delay_ms >= 0 (checked).
std::optional<Options> ParseOptions(int argc, char** argv, const Spec& spec);

// The child's end of the pipe.
class AckWriter {
 public:
  explicit AckWriter(int fd) : fd_(fd) {}
  // Writes one record (atomically: 8 bytes < PIPE_BUF). On failure the child exits
  // with status 13.
  void Ack(uint64_t value);

 private:
  int fd_;
};

// How one child ended.
struct ChildRun {
  std::vector<uint64_t> acks;  // every record, in the order written
  int wait_status = 0;
  bool killed = false;  // terminated by the parent's SIGKILL (not by itself)
  // The last record, or `otherwise` when there is none.
  uint64_t LastAck(uint64_t otherwise) const { return acks.empty() ? otherwise : acks.back(); }
  // "exit status N" / "signal N".
  std::string Describe() const;
};

// Forks a child that runs workload(ack) and then exits with status 0 (a workload
// that finds an error should print it and _exit with a nonzero status; one that
// runs until killed never returns). The parent reads acknowledgements for `delay`
// (stopping early if the child exits), sends SIGKILL, reaps the child and reads
// the rest. Returns false with *error set when pipe or fork fails.
bool RunAndKill(const std::function<void(AckWriter&)>& workload, std::chrono::microseconds delay,
                ChildRun* out, std::string* error);

// A delay drawn uniformly from [0, max_delay_ms] ms, in microseconds: exactly one
// draw from `rng` (the same draw the crash tests always made).
std::chrono::microseconds RandomDelay(std::mt19937_64& rng, int max_delay_ms);

// A new directory /tmp/<prefix>XXXXXX; throws nothing, returns "" on failure.
std::string MakeTempDir(const std::string& prefix);
// Removes `path` and everything under it; false on failure.
bool RemoveTree(const std::string& path);

// Prints "<program>: trial T: <what>" to stderr; returns false (so that checks can
// `return Fail(...)`).
bool Fail(const char* program, int trial, const std::string& what);

// Wall-clock time since construction.
class Stopwatch {
 public:
  Stopwatch() : start_(std::chrono::steady_clock::now()) {}
  double Seconds() const;

 private:
  std::chrono::steady_clock::time_point start_;
};

// Prints the summary line to stdout:
//   "<program>: N trials, <details>; S s, X ms per trial (R trials/s)".
void PrintSummary(const char* program, int trials, double seconds, const std::string& details);

// ---- A crash test over a numbered sequence of steps (batches, ops).
//
// The child runs steps first, first + 1, ... of a deterministic sequence on a store in
// one directory and acknowledges each index once its step returned OK. Trial t starts
// the child at the step after the last one the store holds, with fsync on even trials,
// kills it and has the program check the reopened store: it must hold the acknowledged
// steps, or one more (the step in flight, if it committed). The next trial continues
// from there, on the same directory.

// The child's loop: runs step(first), step(first + 1), ... and acknowledges each index
// once its step returned OK. On an error prints "child <unit> I: <status>" to stderr and
// exits with status 12. Never returns.
[[noreturn]] void RunSteps(uint64_t first, const char* unit, AckWriter& ack,
                           const std::function<Status(uint64_t)>& step);

// The child could not open its store: prints "child open: <status>" to stderr and exits
// with status 11.
[[noreturn]] void ChildOpenFailed(const Status& status);

// What the trials of a sequence test did, for its summary line.
struct SequenceTotals {
  uint64_t acked = 0;               // steps acknowledged, over all trials
  uint64_t last = 0;                // the last step the store holds
  uint64_t inflight_committed = 0;  // trials whose step in flight was found committed
};

// What a sequence test does; the rest is RunSequenceTest's.
struct SequenceTest {
  // Runs the steps from `first` on the store in `dir` (fsync when `sync`) through
  // RunSteps; never returns.
  std::function<void(const std::string& dir, uint64_t first, bool sync, AckWriter& ack)> child;
  // After a trial in which steps up to `acked` were acknowledged (the store held `done`
  // steps before it): reopens the store in `dir` and checks it. Returns "" with *held
  // set to the steps the store holds (acked or acked + 1), or what is wrong.
  std::function<std::string(const std::string& dir, uint64_t done, uint64_t acked, uint64_t* held)>
      verify;
  // The details of the summary line (PrintSummary).
  std::function<std::string(const SequenceTotals&)> details;
};

// The main function of a sequence test: parses argv against `spec` (returns 2 on a bad
// argument), runs the trials in a fresh directory /tmp/<dir_prefix>XXXXXX and returns 1
// after printing the first failure (Fail), or prints the summary line, removes the
// directory and returns 0 (1 when it cannot be removed).
int RunSequenceTest(int argc, char** argv, const Spec& spec, const std::string& dir_prefix,
                    const SequenceTest& test);

}  // namespace urd::crash

#endif  // URD_TESTS_CRASH_HARNESS_H_
