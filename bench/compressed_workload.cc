// Copyright urd authors. The `compressed` workload (vector_bench.h): Fashion-MNIST in
// a store that keeps int8 and f16 copies; compressed scans with exact re-rank
// against the exact f32 scan, one thread.

#include <memory>
#include <string>

#include "bench/fashion_mnist.h"
#include "bench/workloads.h"

namespace urd::bench {

namespace {

constexpr size_t kTrainImages = 60000;
constexpr size_t kQueryImages = 200;

struct ModeFigures {
  std::string name;
  ScanMode mode = ScanMode::kExact;
  size_t rerank_factor = 0;
  LatencyStats stats;
  double recall = 1;
};

// Drops all-zero images (a store refuses them); returns how many were dropped.
size_t DropZeroRows(Images* images) {
  size_t kept = 0;
  for (size_t i = 0; i < images->count; ++i) {
    const float* row = images->pixels.data() + i * images->dim;
    bool zero = true;
    for (size_t k = 0; k < images->dim && zero; ++k) zero = row[k] == 0;
    if (zero) continue;
    std::copy(row, row + images->dim, images->pixels.data() + kept * images->dim);
    ++kept;
  }
  const size_t dropped = images->count - kept;
  images->count = kept;
  images->pixels.resize(kept * images->dim);
  return dropped;
}

Result<ModeFigures> MeasureMode(const VectorStore& store, const Images& queries,
                                ModeFigures f, std::vector<std::vector<int64_t>>* labels) {
  SearchOptions options;
  options.top_k = kTopK;
  options.threads = 1;
  options.mode = f.mode;
  if (f.rerank_factor > 0) options.rerank_factor = f.rerank_factor;
  const size_t warm = std::min(kWarmupQueries, queries.count);
  URD_ASSIGN_OR_RETURN(auto ignored, TimeSearches(store, queries.pixels.data(), queries.dim,
                                                  Iota(warm), options, nullptr));
  (void)ignored;
  URD_ASSIGN_OR_RETURN(auto seconds, TimeSearches(store, queries.pixels.data(), queries.dim,
                                                  Iota(queries.count), options, labels));
  f.stats = Summarize(std::move(seconds));
  return f;
}

struct FashionStore {
  Images train, queries;
  size_t dropped = 0;
  double load_s = 0;
  std::unique_ptr<VectorStore> store;
};

// Reads the data set and loads the train images into a store keeping int8 and f16.
Status LoadFashion(const std::string& dir, FashionStore* f) {
  Progress("compressed: reading Fashion-MNIST from %s", dir.c_str());
  URD_ASSIGN_OR_RETURN(f->train, ReadIdxImages(dir + "/train-images-idx3-ubyte.gz", kTrainImages));
  URD_ASSIGN_OR_RETURN(f->queries, ReadIdxImages(dir + "/t10k-images-idx3-ubyte.gz", kQueryImages));
  f->dropped = DropZeroRows(&f->train) + DropZeroRows(&f->queries);
  VectorOptions vo;
  vo.keep_int8 = true;
  vo.keep_f16 = true;
  URD_ASSIGN_OR_RETURN(f->store, VectorStore::OpenInMemory(f->train.dim, vo));
  URD_RETURN_IF_ERROR(f->store->CreateCollection(kCollection));
  const double start = NowSeconds();
  URD_RETURN_IF_ERROR(
      LoadRows(f->store.get(), f->train.pixels.data(), 0, f->train.count, f->train.dim, 10000));
  f->load_s = NowSeconds() - start;
  return Status::OK();
}

}  // namespace

Result<nlohmann::json> RunCompressedWorkload(BenchEnv* env) {
  FashionStore fs;
  URD_RETURN_IF_ERROR(LoadFashion(env->options->fashion_mnist_dir, &fs));
  const Footprint fp = fs.store->GetFootprint();
  Progress("compressed: searching (%zu queries per mode)", fs.queries.count);
  std::vector<std::vector<int64_t>> exact_labels, labels;
  URD_ASSIGN_OR_RETURN(ModeFigures exact,
                       MeasureMode(*fs.store, fs.queries, {"exact f32", ScanMode::kExact, 0, {}, 1},
                                   &exact_labels));
  nlohmann::json j = {{"dataset", "fashion-mnist"}, {"n", fs.train.count},
                      {"dim", fs.train.dim},        {"queries", fs.queries.count},
                      {"dropped_zero_rows", fs.dropped}, {"load_s", fs.load_s},
                      {"memory_bytes", fp.memory_bytes}, {"exact_f32", StatsJson(exact.stats)}};
  Table table(Format("compressed: Fashion-MNIST %zu x %zu, %zu queries, top-%zu, 1 thread",
                     fs.train.count, fs.train.dim, fs.queries.count, kTopK),
              {"mode", "median ms", "p95 ms", "QPS", "speedup", "recall@10"});
  table.AddRow({exact.name, Format("%.2f", exact.stats.median_ms),
                Format("%.2f", exact.stats.p95_ms), Format("%.0f", exact.stats.qps), "1.00x",
                "1.000"});
  for (const ModeFigures& f : {ModeFigures{"int8 + re-rank x4", ScanMode::kInt8, 4, {}, 0},
                               ModeFigures{"int8 + re-rank x8", ScanMode::kInt8, 8, {}, 0},
                               ModeFigures{"f16 + re-rank x4", ScanMode::kF16, 4, {}, 0}}) {
    URD_ASSIGN_OR_RETURN(ModeFigures m, MeasureMode(*fs.store, fs.queries, f, &labels));
    m.recall = RecallAt(labels, exact_labels);
    const double speedup = exact.stats.median_ms / m.stats.median_ms;
    table.AddRow({m.name, Format("%.2f", m.stats.median_ms), Format("%.2f", m.stats.p95_ms),
                  Format("%.0f", m.stats.qps), Format("%.2fx", speedup), Format("%.3f", m.recall)});
    nlohmann::json mj = StatsJson(m.stats);
    mj["mode"] = m.mode == ScanMode::kInt8 ? "int8" : "f16";
    mj["rerank_factor"] = m.rerank_factor;
    mj["speedup_vs_exact"] = speedup;
    mj["recall_at_10"] = m.recall;
    j["modes"].push_back(mj);
  }
  table.AddNote(Format("store memory (f32 + int8 + f16 copies): %.0f MB; load %.1f s",
                       static_cast<double>(fp.memory_bytes) / 1e6, fs.load_s));
  if (env->tables) table.Print();
  return j;
}

}  // namespace urd::bench
