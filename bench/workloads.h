// Copyright urd authors. The workloads of `urd bench vector` (vector_bench.h), one
// function each, and what they share. Internal to bench/.
//
// Thread-safety: the workloads run one after another on the calling thread (they
// start their own threads where they measure several).

#ifndef URD_BENCH_WORKLOADS_H_
#define URD_BENCH_WORKLOADS_H_

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <vector>

#include "bench/bandwidth.h"
#include "bench/bench_util.h"
#include "bench/vector_bench.h"
#include "urd/result.h"
#include "urd/vector_store.h"

namespace urd::bench {

inline constexpr size_t kTopK = 10;
inline constexpr size_t kWarmupQueries = 10;
inline constexpr size_t kBatchQueries = 64;
inline constexpr size_t kRecallQueries = 20;
inline constexpr uint64_t kDataSeed = 42;
inline constexpr uint64_t kQuerySeed = 43;
inline constexpr char kCollection[] = "bench";

// What every workload may read, plus what peers learn across configurations.
struct BenchEnv {
  const VectorBenchOptions* options = nullptr;
  int threads = 1;            // the multi-threaded figures
  bool tables = true;         // print tables on stdout
  BandwidthResult bandwidth;  // zeros when not measured
  double peer_budget_s = 20;  // target seconds for one peer measurement
  // FAISS batch: measured BLAS speed (multiply-adds per second), 0 until known.
  double faiss_batch_madds_per_s = 0;
};

// Prints one progress line on stderr: "bench: ...".
void Progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

// Records rows[first .. first+count) of `rows` (row i at rows + (i-first)*dim) with ids
// "v<i>" and attrs {"g": i % 10, "h": i % 100}.
std::vector<VectorRecord> MakeRecords(const float* rows, size_t first, size_t count, size_t dim);
// The row number of a hit made by MakeRecords (-1 if the id is not of that form).
int64_t RowOfHit(const Hit& hit);

// Upserts rows first_row .. first_row+n-1 (MakeRecords; row first_row at `rows`) into
// kCollection in calls of `batch` rows.
Status LoadRows(VectorStore* store, const float* rows, size_t first_row, size_t n, size_t dim,
                size_t batch);

// Times store->Search for each query index in `which` (one call each); labels[j]
// gets the row numbers of query which[j]'s hits. `queries` holds rows of dim floats.
Result<std::vector<double>> TimeSearches(const VectorStore& store, const float* queries,
                                         size_t dim, std::span<const size_t> which,
                                         const SearchOptions& options,
                                         std::vector<std::vector<int64_t>>* labels);

// Queries in [0, count) as a list.
std::vector<size_t> Iota(size_t count, size_t start = 0);

// JSON of latency statistics.
nlohmann::json StatsJson(const LatencyStats& s);

// Mean over queries of |a[j] ∩ b[j]| / |b[j]| (1 for empty b[j]).
double RecallAt(const std::vector<std::vector<int64_t>>& a,
                const std::vector<std::vector<int64_t>>& b);
// Queries j < min(a.size(), b.size()) where a[j] and b[j] differ as sets.
size_t SetMismatches(const std::vector<std::vector<int64_t>>& a,
                     const std::vector<std::vector<int64_t>>& b);

Result<nlohmann::json> RunExactWorkload(BenchEnv* env, size_t n, size_t dim, bool with_faiss,
                                        bool with_hnswlib);
Result<nlohmann::json> RunCompressedWorkload(BenchEnv* env);
Result<nlohmann::json> RunDurableWorkload(BenchEnv* env);

}  // namespace urd::bench

#endif  // URD_BENCH_WORKLOADS_H_
