// Copyright urd authors. Pieces shared by the workloads (workloads.h).

#include "bench/workloads.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>
#include <cstdlib>
#include <numeric>
#include <unordered_set>

namespace urd::bench {

void Progress(const char* fmt, ...) {
  std::fputs("bench: ", stderr);
  va_list ap;
  va_start(ap, fmt);
  std::vfprintf(stderr, fmt, ap);
  va_end(ap);
  std::fputc('\n', stderr);
}

std::vector<VectorRecord> MakeRecords(const float* rows, size_t first, size_t count,
                                      size_t dim) {
  std::vector<VectorRecord> records(count);
  for (size_t j = 0; j < count; ++j) {
    const size_t i = first + j;
    VectorRecord& r = records[j];
    r.id = "v" + std::to_string(i);
    r.vector.assign(rows + j * dim, rows + (j + 1) * dim);
    r.attrs.emplace("g", Value::Int(static_cast<int64_t>(i % 10)));
    r.attrs.emplace("h", Value::Int(static_cast<int64_t>(i % 100)));
  }
  return records;
}

int64_t RowOfHit(const Hit& hit) {
  if (hit.id.size() < 2 || hit.id[0] != 'v') return -1;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(hit.id.c_str() + 1, &end, 10);
  return *end == '\0' ? static_cast<int64_t>(v) : -1;
}

Status LoadRows(VectorStore* store, const float* rows, size_t first_row, size_t n, size_t dim,
                size_t batch) {
  for (size_t first = 0; first < n; first += batch) {
    const size_t count = std::min(batch, n - first);
    std::vector<VectorRecord> records =
        MakeRecords(rows + first * dim, first_row + first, count, dim);
    Result<size_t> written = store->Upsert(kCollection, records);
    if (!written.ok()) return written.status();
  }
  return Status::OK();
}

Result<std::vector<double>> TimeSearches(const VectorStore& store, const float* queries,
                                         size_t dim, std::span<const size_t> which,
                                         const SearchOptions& options,
                                         std::vector<std::vector<int64_t>>* labels) {
  const Scope scope = Scope::Collection(kCollection);
  std::vector<double> seconds;
  seconds.reserve(which.size());
  if (labels != nullptr) labels->assign(which.size(), {});
  for (size_t j = 0; j < which.size(); ++j) {
    const std::span<const float> q(queries + which[j] * dim, dim);
    const double start = NowSeconds();
    Result<std::vector<Hit>> hits = store.Search(scope, q, options);
    seconds.push_back(NowSeconds() - start);
    if (!hits.ok()) return hits.status();
    if (labels != nullptr) {
      for (const Hit& h : *hits) (*labels)[j].push_back(RowOfHit(h));
    }
  }
  return seconds;
}

std::vector<size_t> Iota(size_t count, size_t start) {
  std::vector<size_t> v(count);
  std::iota(v.begin(), v.end(), start);
  return v;
}

nlohmann::json StatsJson(const LatencyStats& s) {
  return {{"count", s.count},     {"median_ms", s.median_ms}, {"p95_ms", s.p95_ms},
          {"mean_ms", s.mean_ms}, {"min_ms", s.min_ms},       {"qps", s.qps}};
}

double RecallAt(const std::vector<std::vector<int64_t>>& a,
                const std::vector<std::vector<int64_t>>& b) {
  const size_t nq = std::min(a.size(), b.size());
  if (nq == 0) return 0;
  double total = 0;
  for (size_t j = 0; j < nq; ++j) {
    if (b[j].empty()) {
      total += 1;
      continue;
    }
    const std::unordered_set<int64_t> truth(b[j].begin(), b[j].end());
    size_t found = 0;
    for (int64_t x : a[j]) found += truth.count(x);
    total += static_cast<double>(found) / static_cast<double>(b[j].size());
  }
  return total / static_cast<double>(nq);
}

size_t SetMismatches(const std::vector<std::vector<int64_t>>& a,
                     const std::vector<std::vector<int64_t>>& b) {
  size_t bad = 0;
  for (size_t j = 0; j < std::min(a.size(), b.size()); ++j) {
    std::vector<int64_t> x = a[j], y = b[j];
    std::sort(x.begin(), x.end());
    std::sort(y.begin(), y.end());
    bad += x != y;
  }
  return bad;
}

}  // namespace urd::bench
