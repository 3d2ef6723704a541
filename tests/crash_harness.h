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

}  // namespace urd::crash

#endif  // URD_TESTS_CRASH_HARNESS_H_
