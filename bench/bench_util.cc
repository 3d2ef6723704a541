// Copyright urd authors.

#include "bench/bench_util.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <system_error>

#include "vector/kernels.h"

namespace urd::bench {

double NowSeconds() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

LatencyStats Summarize(std::vector<double> seconds) {
  LatencyStats s;
  if (seconds.empty()) return s;
  std::sort(seconds.begin(), seconds.end());
  const size_t n = seconds.size();
  double sum = 0;
  for (double x : seconds) sum += x;
  s.count = n;
  s.median_ms = 1e3 * (n % 2 == 1 ? seconds[n / 2] : (seconds[n / 2 - 1] + seconds[n / 2]) / 2);
  const size_t rank = static_cast<size_t>(std::ceil(0.95 * static_cast<double>(n)));
  s.p95_ms = 1e3 * seconds[std::clamp<size_t>(rank, 1, n) - 1];
  s.mean_ms = 1e3 * sum / static_cast<double>(n);
  s.min_ms = 1e3 * seconds[0];
  s.qps = sum > 0 ? static_cast<double>(n) / sum : 0;
  return s;
}

uint64_t SplitMix64::Next() {
  state_ += 0x9e3779b97f4a7c15ULL;
  uint64_t z = state_;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

float SplitMix64::NextComponent() {
  return static_cast<float>(static_cast<double>(Next() >> 40) / 16777216.0 * 2.0 - 1.0);
}

void FillRandomUnitRows(SplitMix64* rng, size_t n, size_t dim, float* out) {
  for (size_t i = 0; i < n; ++i) {
    float* row = out + i * dim;
    for (size_t k = 0; k < dim; ++k) row[k] = rng->NextComponent();
    if (!vec::NormalizeInPlace(row, dim)) row[0] = 1;  // all zeros: never in practice
  }
}

uint64_t ReadVmRssBytes() {
  std::ifstream in("/proc/self/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmRSS:", 0) == 0) {
      return std::strtoull(line.c_str() + 6, nullptr, 10) * 1024;  // "VmRSS:  123 kB"
    }
  }
  return 0;
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  if (!(in >> a >> b >> c)) return "";
  return a + " " + b + " " + c;
}

std::string CpuModelName() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      const size_t colon = line.find(':');
      if (colon != std::string::npos) {
        const size_t start = line.find_first_not_of(' ', colon + 1);
        return start == std::string::npos ? std::string() : line.substr(start);
      }
    }
  }
  return "unknown";
}

Result<std::string> MakeTempDir(const std::string& parent) {
  std::string base = parent;
  if (base.empty()) {
    const char* env = std::getenv("TMPDIR");
    base = (env != nullptr && *env != '\0') ? env : "/tmp";
  }
  std::string templ = base + "/urd-bench-XXXXXX";
  std::vector<char> buf(templ.begin(), templ.end());
  buf.push_back('\0');
  if (mkdtemp(buf.data()) == nullptr) return Status::FromErrno("mkdtemp " + templ, errno);
  return std::string(buf.data());
}

void RemoveTree(const std::string& dir) {
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

uint64_t EvictFromPageCache(const std::string& dir) {
  uint64_t bytes = 0;
  std::error_code ec;
  for (const auto& entry : std::filesystem::directory_iterator(dir, ec)) {
    if (!entry.is_regular_file(ec)) continue;
    const int fd = open(entry.path().c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) continue;
    (void)fsync(fd);  // dirty pages cannot be dropped
    (void)posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED);
    bytes += entry.file_size(ec);
    close(fd);
  }
  return bytes;
}

std::string Format(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  const int len = std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  if (len < 0) return std::string();
  if (static_cast<size_t>(len) < sizeof(buf)) return std::string(buf, static_cast<size_t>(len));
  std::string out(static_cast<size_t>(len) + 1, '\0');
  va_start(ap, fmt);
  std::vsnprintf(out.data(), out.size(), fmt, ap);
  va_end(ap);
  out.resize(static_cast<size_t>(len));
  return out;
}

Table::Table(std::string title, std::vector<std::string> header) : title_(std::move(title)) {
  rows_.push_back(std::move(header));
}

void Table::AddRow(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }

void Table::AddNote(std::string note) { notes_.push_back(std::move(note)); }

void Table::Print() const {
  std::vector<size_t> width;
  for (const auto& row : rows_) {
    if (width.size() < row.size()) width.resize(row.size(), 0);
    for (size_t c = 0; c < row.size(); ++c) width[c] = std::max(width[c], row[c].size());
  }
  std::printf("\n== %s ==\n", title_.c_str());
  for (size_t r = 0; r < rows_.size(); ++r) {
    std::string line;
    for (size_t c = 0; c < rows_[r].size(); ++c) {
      const std::string& cell = rows_[r][c];
      const std::string pad(width[c] - cell.size(), ' ');
      if (c > 0) line += "  ";
      line += c == 0 ? cell + pad : pad + cell;
    }
    std::printf("%s\n", line.c_str());
    if (r == 0) {
      size_t total = 0;
      for (size_t w : width) total += w;
      std::printf("%s\n", std::string(total + 2 * (width.size() - 1), '-').c_str());
    }
  }
  for (const std::string& note : notes_) std::printf("  %s\n", note.c_str());
  std::fflush(stdout);
}

}  // namespace urd::bench
