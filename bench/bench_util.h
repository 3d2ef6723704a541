// Copyright urd authors. Small helpers shared by the benchmark programs: clocks,
// latency statistics, the splitmix64 data generator, process and machine facts,
// temporary directories and plain-text tables.
//
// Thread-safety: free functions are thread-safe; SplitMix64 and Table are value
// types (one object per thread).

#ifndef URD_BENCH_BENCH_UTIL_H_
#define URD_BENCH_BENCH_UTIL_H_

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "urd/result.h"

namespace urd::bench {

// Seconds on a monotonic clock.
double NowSeconds();

struct LatencyStats {
  size_t count = 0;
  double median_ms = 0;
  double p95_ms = 0;
  double mean_ms = 0;
  double min_ms = 0;
  double qps = 0;  // count / (sum of the samples)
};

// Statistics of per-call times given in seconds. p95 is the nearest-rank
// percentile. An empty input gives all zeros.
LatencyStats Summarize(std::vector<double> seconds);

// The generator nidus' benchmarks use: splitmix64, and a component in [-1, 1) made
// of the top 24 bits of one draw: (next >> 40) / 2^24 * 2 - 1.
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next();
  float NextComponent();

 private:
  uint64_t state_;
};

// Fills out[0 .. n*dim) with n random vectors of `dim` components drawn from `rng`
// (row after row, component after component) and normalised to unit length.
void FillRandomUnitRows(SplitMix64* rng, size_t n, size_t dim, float* out);

// VmRSS of this process in bytes (0 if /proc/self/status cannot be read).
uint64_t ReadVmRssBytes();
// The first three fields of /proc/loadavg ("" if unreadable): how busy the machine
// was, since other work on it skews every figure.
std::string LoadAverage();
// "model name" of /proc/cpuinfo ("unknown" if absent).
std::string CpuModelName();

// Creates a fresh directory "<parent>/urd-bench-XXXXXX"; parent "" means $TMPDIR,
// else /tmp.
Result<std::string> MakeTempDir(const std::string& parent);
// Removes a directory tree; errors are ignored.
void RemoveTree(const std::string& dir);
// Syncs every regular file directly in `dir` and asks the kernel to drop its pages
// from the page cache (posix_fadvise DONTNEED), so the next read comes from disk.
// Returns how many bytes were covered.
uint64_t EvictFromPageCache(const std::string& dir);

// printf-style formatting into a std::string.
std::string Format(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// A plain-text table: a title, a header row, rows of cells; printed with columns
// padded to their widest cell (first column left-aligned, the rest right-aligned).
class Table {
 public:
  Table(std::string title, std::vector<std::string> header);
  void AddRow(std::vector<std::string> cells);
  // Lines printed under the table.
  void AddNote(std::string note);
  void Print() const;  // on stdout

 private:
  std::string title_;
  std::vector<std::vector<std::string>> rows_;  // rows_[0] is the header
  std::vector<std::string> notes_;
};

}  // namespace urd::bench

#endif  // URD_BENCH_BENCH_UTIL_H_
