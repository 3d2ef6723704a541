// Copyright urd authors. The shared harness of the SIGKILL crash tests.

#include "crash_harness.h"

#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>

namespace urd::crash {

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

namespace {

void PrintUsage(const Spec& spec) {
  std::string line =
      std::string("usage: ") + spec.program + " [--trials N] [--seed S] " + "[--max-delay-ms M]";
  if (spec.accepts_dir) line += " [--dir DIR]";
  for (const std::string& s : spec.switches) line += " [" + s + "]";
  std::fprintf(stderr, "%s\n", line.c_str());
}

// Parses a non-negative decimal number that must fill `text`.
bool ParseNumber(const char* text, uint64_t* out) {
  if (*text == '\0' || *text == '-') return false;
  char* end = nullptr;
  errno = 0;
  unsigned long long v = std::strtoull(text, &end, 10);
  if (errno != 0 || *end != '\0') return false;
  *out = v;
  return true;
}

// Appends whatever complete records `fd` holds now (or until EOF when `block`);
// returns false at EOF. *carry keeps the bytes of a record read in part.
bool ReadAcks(int fd, bool block, std::string* carry, std::vector<uint64_t>* acks) {
  char buf[4096];
  while (true) {
    if (!block) {
      pollfd p{fd, POLLIN, 0};
      if (poll(&p, 1, 0) <= 0) return true;
    }
    ssize_t n = read(fd, buf, sizeof buf);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    carry->append(buf, static_cast<size_t>(n));
    size_t whole = carry->size() / sizeof(uint64_t) * sizeof(uint64_t);
    for (size_t off = 0; off < whole; off += sizeof(uint64_t)) {
      uint64_t v = 0;
      std::memcpy(&v, carry->data() + off, sizeof v);
      acks->push_back(v);
    }
    carry->erase(0, whole);
  }
}

}  // namespace

std::optional<Options> ParseOptions(int argc, char** argv, const Spec& spec) {
  auto bad = [&spec] {
    PrintUsage(spec);
    return std::optional<Options>();
  };
  Options o = spec.defaults;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    bool is_switch = false;
    for (const std::string& s : spec.switches) is_switch = is_switch || a == s;
    if (is_switch) {
      o.switches.insert(a);
      continue;
    }
    if (i + 1 >= argc) return bad();
    const char* value = argv[++i];
    uint64_t n = 0;
    if (a == "--trials" && ParseNumber(value, &n) && n <= 1'000'000'000) {
      o.trials = static_cast<int>(n);
    } else if (a == "--seed" && ParseNumber(value, &n)) {
      o.seed = n;
    } else if (a == "--max-delay-ms" && ParseNumber(value, &n) && n <= 3'600'000) {
      o.max_delay_ms = static_cast<int>(n);
    } else if (a == "--dir" && spec.accepts_dir && *value != '\0') {
      o.dir = value;
    } else {
      return bad();
    }
  }
  if (o.trials <= 0 || o.max_delay_ms < 0) return bad();
  return o;
}

void AckWriter::Ack(uint64_t value) {
  while (true) {
    ssize_t n = write(fd_, &value, sizeof value);
    if (n == static_cast<ssize_t>(sizeof value)) return;
    if (n < 0 && errno == EINTR) continue;
    _exit(13);
  }
}

std::string ChildRun::Describe() const {
  if (WIFSIGNALED(wait_status)) return "signal " + std::to_string(WTERMSIG(wait_status));
  if (WIFEXITED(wait_status)) return "exit status " + std::to_string(WEXITSTATUS(wait_status));
  return "wait status " + std::to_string(wait_status);
}

bool RunAndKill(const std::function<void(AckWriter&)>& workload, std::chrono::microseconds delay,
                ChildRun* out, std::string* error) {
  *out = ChildRun();
  int fds[2];
  if (pipe(fds) != 0) return *error = std::string("pipe: ") + std::strerror(errno), false;
  std::fflush(nullptr);  // nothing buffered is written twice
  const pid_t pid = fork();
  if (pid < 0) {
    close(fds[0]);
    close(fds[1]);
    return *error = std::string("fork: ") + std::strerror(errno), false;
  }
  if (pid == 0) {
    close(fds[0]);
    AckWriter ack(fds[1]);
    workload(ack);
    std::fflush(nullptr);
    _exit(0);
  }
  close(fds[1]);
  // Read while the child runs, so that it never blocks on a full pipe.
  std::string carry;
  bool reading = true;  // until the child closes its end
  const auto deadline = std::chrono::steady_clock::now() + delay;
  while (reading) {
    const auto left = deadline - std::chrono::steady_clock::now();
    if (left <= std::chrono::steady_clock::duration::zero()) break;
    const auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(left).count();
    timespec ts{static_cast<time_t>(ns / 1'000'000'000), static_cast<long>(ns % 1'000'000'000)};
    pollfd p{fds[0], POLLIN, 0};
    int ready = ppoll(&p, 1, &ts, nullptr);
    if (ready > 0) reading = ReadAcks(fds[0], false, &carry, &out->acks);
  }
  kill(pid, SIGKILL);
  while (waitpid(pid, &out->wait_status, 0) < 0 && errno == EINTR) {
  }
  if (reading) ReadAcks(fds[0], true, &carry, &out->acks);
  close(fds[0]);
  out->killed = WIFSIGNALED(out->wait_status) && WTERMSIG(out->wait_status) == SIGKILL;
  return true;
}

std::chrono::microseconds RandomDelay(std::mt19937_64& rng, int max_delay_ms) {
  return std::chrono::microseconds(rng() % (static_cast<uint64_t>(max_delay_ms) * 1000 + 1));
}

std::string MakeTempDir(const std::string& prefix) {
  std::string tmpl = "/tmp/" + prefix + "XXXXXX";
  if (mkdtemp(tmpl.data()) == nullptr) return "";
  return tmpl;
}

bool RemoveTree(const std::string& path) {
  std::error_code ec;
  std::filesystem::remove_all(path, ec);
  return !ec;
}

bool Fail(const char* program, int trial, const std::string& what) {
  std::fprintf(stderr, "%s: trial %d: %s\n", program, trial, what.c_str());
  return false;
}

double Stopwatch::Seconds() const {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count();
}

void PrintSummary(const char* program, int trials, double seconds, const std::string& details) {
  std::printf("%s: %d trials, %s; %.1f s, %.1f ms per trial (%.1f trials/s)\n", program, trials,
              details.c_str(), seconds, seconds * 1000 / trials,
              seconds > 0 ? trials / seconds : 0.0);
  std::fflush(stdout);
}

void RunSteps(uint64_t first, const char* unit, AckWriter& ack,
              const std::function<Status(uint64_t)>& step) {
  for (uint64_t i = first;; ++i) {
    Status st = step(i);
    if (!st.ok()) {
      std::fprintf(stderr, "child %s %llu: %s\n", unit, static_cast<unsigned long long>(i),
                   st.ToString().c_str());
      _exit(12);
    }
    ack.Ack(i);
  }
}

void ChildOpenFailed(const Status& status) {
  std::fprintf(stderr, "child open: %s\n", status.ToString().c_str());
  _exit(11);
}

int RunSequenceTest(int argc, char** argv, const Spec& spec, const std::string& dir_prefix,
                    const SequenceTest& test) {
  std::optional<Options> flags = ParseOptions(argc, argv, spec);
  if (!flags) return 2;
  auto fail = [&spec](int trial, const std::string& what) {
    Fail(spec.program, trial, what);
    return 1;
  };
  const std::string dir = MakeTempDir(dir_prefix);
  if (dir.empty()) return 1;
  std::mt19937_64 rng(flags->seed);
  SequenceTotals totals;
  Stopwatch watch;
  for (int t = 0; t < flags->trials; ++t) {
    const uint64_t done = totals.last;
    ChildRun run;
    std::string error;
    if (!RunAndKill([&](AckWriter& ack) { test.child(dir, done + 1, t % 2 == 0, ack); },
                    RandomDelay(rng, flags->max_delay_ms), &run, &error)) {
      return fail(t, error);
    }
    if (!run.killed) return fail(t, "child failed: " + run.Describe());
    const uint64_t acked = run.LastAck(done);
    totals.acked += acked - done;
    uint64_t held = acked;
    std::string why = test.verify(dir, done, acked, &held);
    if (!why.empty()) return fail(t, why);
    if (held == acked + 1) ++totals.inflight_committed;
    totals.last = held;
  }
  PrintSummary(spec.program, flags->trials, watch.Seconds(), test.details(totals));
  return RemoveTree(dir) ? 0 : 1;
}

}  // namespace urd::crash
