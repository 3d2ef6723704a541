// Copyright urd authors. The `durable` workload (vector_bench.h): file-backed stores
// in a temporary directory: synced upserts, reopen times, resident memory.

#include <malloc.h>

#include <algorithm>
#include <memory>

#include "bench/workloads.h"

namespace urd::bench {

namespace {

constexpr size_t kDurableRows = 100000;
constexpr size_t kLargeRows = 1000000;
constexpr size_t kDurableDim = 384;
constexpr size_t kCallRows = 1000;
constexpr size_t kBuildCallRows = 10000;

struct ReopenFigures {
  double warm_s = 0, cold_s = 0;
  uint64_t docs = 0;
};

// Opens `dir` with default options (warm page cache), closes it, drops the files'
// pages, opens it again (cold). *rss gets VmRSS before / after the warm open; before
// is taken after malloc_trim, so memory freed by earlier work does not hide the
// store's.
Result<ReopenFigures> MeasureReopen(const std::string& dir, uint64_t* rss_before,
                                    uint64_t* rss_after, uint64_t* memory_bytes) {
  ReopenFigures f;
  if (rss_before != nullptr) {
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
    *rss_before = ReadVmRssBytes();
  }
  double start = NowSeconds();
  URD_ASSIGN_OR_RETURN(auto store, VectorStore::Open(dir, VectorOptions{}));
  f.warm_s = NowSeconds() - start;
  const Footprint fp = store->GetFootprint();
  f.docs = fp.doc_count;
  if (rss_after != nullptr) *rss_after = ReadVmRssBytes();
  if (memory_bytes != nullptr) *memory_bytes = fp.memory_bytes;
  store.reset();
  EvictFromPageCache(dir);
  start = NowSeconds();
  URD_ASSIGN_OR_RETURN(store, VectorStore::Open(dir, VectorOptions{}));
  f.cold_s = NowSeconds() - start;
  return f;
}

struct UpsertFigures {
  double seconds = 0;
  LatencyStats calls;
};

// Upserts `rows` rows of kDurableDim (seed kDataSeed) into a new store at `dir` in
// calls of `call_rows`, generating each call's rows outside the timed part.
Result<UpsertFigures> BuildStore(const std::string& dir, size_t rows, size_t call_rows,
                                 VectorFsync fsync) {
  VectorOptions vo;
  vo.dimension = kDurableDim;
  vo.fsync = fsync;
  URD_ASSIGN_OR_RETURN(auto store, VectorStore::Open(dir, vo));
  URD_RETURN_IF_ERROR(store->CreateCollection(kCollection));
  SplitMix64 rng(kDataSeed);
  std::vector<float> chunk(call_rows * kDurableDim);
  std::vector<double> seconds;
  for (size_t first = 0; first < rows; first += call_rows) {
    const size_t count = std::min(call_rows, rows - first);
    FillRandomUnitRows(&rng, count, kDurableDim, chunk.data());
    const std::vector<VectorRecord> records = MakeRecords(chunk.data(), first, count, kDurableDim);
    const double start = NowSeconds();
    Result<size_t> written = store->Upsert(kCollection, records);
    seconds.push_back(NowSeconds() - start);
    if (!written.ok()) return written.status();
  }
  URD_RETURN_IF_ERROR(store->Flush());
  UpsertFigures f;
  for (double s : seconds) f.seconds += s;
  f.calls = Summarize(std::move(seconds));
  return f;
}

// 100k rows, fsync every call of 1000 rows; then its reopen times.
Status RunSynced(const std::string& tmp, nlohmann::json* j, Table* table) {
  Progress("durable: %zu x %zu upserts, fsync every call of %zu rows", kDurableRows,
           kDurableDim, kCallRows);
  const std::string dir = tmp + "/s100k";
  URD_ASSIGN_OR_RETURN(UpsertFigures up,
                       BuildStore(dir, kDurableRows, kCallRows, VectorFsync::kEveryCall));
  const double rate = kDurableRows / up.seconds;
  (*j)["upsert"] = {{"rows", kDurableRows}, {"dim", kDurableDim}, {"call_rows", kCallRows},
                    {"fsync", "every call"}, {"seconds", up.seconds}, {"rows_per_s", rate},
                    {"call_median_ms", up.calls.median_ms}, {"call_p95_ms", up.calls.p95_ms}};
  table->AddRow({"upsert 100k, fsync per call of 1000", Format("%.0f rows/s", rate),
                 Format("call median %.2f ms, p95 %.2f ms", up.calls.median_ms, up.calls.p95_ms)});
  URD_ASSIGN_OR_RETURN(ReopenFigures r, MeasureReopen(dir, nullptr, nullptr, nullptr));
  (*j)["reopen_100k"] = {{"warm_s", r.warm_s}, {"cold_s", r.cold_s}, {"docs", r.docs}};
  table->AddRow({"reopen 100k x 384", Format("%.3f s", r.warm_s),
                 Format("cold (pages dropped) %.3f s; %llu docs", r.cold_s,
                        static_cast<unsigned long long>(r.docs))});
  RemoveTree(dir);
  return Status::OK();
}

// 1M rows built with fsync never; reopen times and resident memory.
Status RunLarge(const std::string& tmp, nlohmann::json* j, Table* table) {
  Progress("durable: building %zu x %zu with fsync never", kLargeRows, kDurableDim);
  const std::string dir = tmp + "/s1m";
  URD_ASSIGN_OR_RETURN(UpsertFigures build,
                       BuildStore(dir, kLargeRows, kBuildCallRows, VectorFsync::kNever));
  (*j)["build_1m"] = {{"seconds", build.seconds}, {"rows_per_s", kLargeRows / build.seconds},
                      {"call_rows", kBuildCallRows}, {"fsync", "never"}};
  table->AddRow({"build 1M x 384, fsync never", Format("%.0f rows/s", kLargeRows / build.seconds),
                 Format("calls of %zu rows, %.1f s", kBuildCallRows, build.seconds)});
  Progress("durable: reopening %zu x %zu", kLargeRows, kDurableDim);
  uint64_t rss0 = 0, rss1 = 0, mem = 0;
  URD_ASSIGN_OR_RETURN(ReopenFigures r, MeasureReopen(dir, &rss0, &rss1, &mem));
  const uint64_t delta = rss1 - std::min(rss0, rss1);
  (*j)["reopen_1m"] = {{"warm_s", r.warm_s}, {"cold_s", r.cold_s}, {"docs", r.docs}};
  (*j)["rss_1m"] = {{"vmrss_before_bytes", rss0}, {"vmrss_after_bytes", rss1},
                    {"delta_bytes", delta}, {"store_memory_bytes", mem},
                    {"f32_bytes", uint64_t{kLargeRows} * kDurableDim * 4}};
  table->AddRow({"reopen 1M x 384", Format("%.3f s", r.warm_s),
                 Format("cold (pages dropped) %.3f s; %llu docs", r.cold_s,
                        static_cast<unsigned long long>(r.docs))});
  table->AddRow({"VmRSS with 1M x 384 open", Format("%.0f MB", rss1 / 1e6),
                 Format("+%.0f MB for the store (f32 payload %.0f MB; store reports %.0f MB)",
                        delta / 1e6, kLargeRows * kDurableDim * 4 / 1e6, mem / 1e6)});
  RemoveTree(dir);
  return Status::OK();
}

Result<nlohmann::json> RunDurableIn(BenchEnv* env, const std::string& tmp) {
  nlohmann::json j;
  Table table("durable: file-backed stores, d = 384", {"measure", "value", "note"});
  URD_RETURN_IF_ERROR(RunSynced(tmp, &j, &table));
  if (env->options->quick) {
    j["reopen_1m"] = "skipped (--quick)";
    table.AddNote("1M x 384 store skipped (--quick)");
  } else {
    URD_RETURN_IF_ERROR(RunLarge(tmp, &j, &table));
  }
  if (env->tables) table.Print();
  return j;
}

}  // namespace

Result<nlohmann::json> RunDurableWorkload(BenchEnv* env) {
  URD_ASSIGN_OR_RETURN(std::string tmp, MakeTempDir(env->options->tmp_dir));
  Progress("durable: stores under %s", tmp.c_str());
  Result<nlohmann::json> j = RunDurableIn(env, tmp);
  RemoveTree(tmp);
  if (j.ok()) (*j)["dir"] = tmp;
  return j;
}

}  // namespace urd::bench
