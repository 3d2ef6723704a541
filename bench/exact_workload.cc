// Copyright urd authors. The `exact`, `faiss` and `hnswlib` workloads
// (vector_bench.h): one N x d configuration of random unit vectors, searched by urd,
// FAISS and hnswlib in turn.

#include <algorithm>
#include <cmath>
#include <memory>
#include <thread>

#include "bench/faiss_runner.h"
#include "bench/hnswlib_runner.h"
#include "bench/workloads.h"

namespace urd::bench {

namespace {

using Labels = std::vector<std::vector<int64_t>>;

constexpr size_t kChunkRows = 16384;

// The configuration's data. The rows are never held whole: they are regenerated
// from the seed, chunk by chunk, for each consumer (urd, the brute force, each
// peer), so the process holds one copy of the data per engine at most.
struct ExactData {
  size_t n = 0, dim = 0, nq = 0;  // nq timed queries; kWarmupQueries more follow them
  std::vector<float> queries;
  const float* query(size_t j) const { return queries.data() + j * dim; }
  uint64_t bytes() const { return uint64_t{n} * dim * sizeof(float); }

  // Calls fn(first_row, count, rows) for consecutive chunks of the n rows.
  template <typename Fn>
  void ForEachChunk(Fn&& fn) const {
    SplitMix64 rng(kDataSeed);
    std::vector<float> buf(kChunkRows * dim);
    for (size_t first = 0; first < n; first += kChunkRows) {
      const size_t count = std::min(kChunkRows, n - first);
      FillRandomUnitRows(&rng, count, dim, buf.data());
      fn(first, count, buf.data());
    }
  }
};

ExactData MakeData(size_t n, size_t dim, size_t nq) {
  ExactData d;
  d.n = n;
  d.dim = dim;
  d.nq = nq;
  d.queries.resize((nq + kWarmupQueries) * dim);
  SplitMix64 qrng(kQuerySeed);
  FillRandomUnitRows(&qrng, nq + kWarmupQueries, dim, d.queries.data());
  return d;
}

double DotDouble(const float* a, const float* b, size_t d) {
  double s0 = 0, s1 = 0, s2 = 0, s3 = 0;
  size_t k = 0;
  for (; k + 4 <= d; k += 4) {
    s0 += double{a[k]} * b[k];
    s1 += double{a[k + 1]} * b[k + 1];
    s2 += double{a[k + 2]} * b[k + 2];
    s3 += double{a[k + 3]} * b[k + 3];
  }
  for (; k < d; ++k) s0 += double{a[k]} * b[k];
  return (s0 + s1) + (s2 + s3);
}

// A top-k of (score, row) in double precision; ties: lower row first.
class ExactTopK {
 public:
  void Offer(double score, int64_t row) {
    const Entry e{score, row};
    if (heap_.size() < kTopK) {
      heap_.push_back(e);
      std::push_heap(heap_.begin(), heap_.end(), Better);
    } else if (Better(e, heap_.front())) {
      std::pop_heap(heap_.begin(), heap_.end(), Better);
      heap_.back() = e;
      std::push_heap(heap_.begin(), heap_.end(), Better);
    }
  }
  std::vector<int64_t> Rows() const {  // best first
    std::vector<Entry> sorted = heap_;
    std::sort(sorted.begin(), sorted.end(), Better);
    std::vector<int64_t> out;
    for (const Entry& e : sorted) out.push_back(e.second);
    return out;
  }

 private:
  using Entry = std::pair<double, int64_t>;
  static bool Better(const Entry& x, const Entry& y) {
    return x.first > y.first || (x.first == y.first && x.second < y.second);
  }
  std::vector<Entry> heap_;  // the worst kept entry on top
};

// The top-k rows of queries [0, nq) by a double-precision scan, queries spread
// over `threads` threads.
Labels BruteForce(const ExactData& d, size_t nq, int threads) {
  std::vector<ExactTopK> tops(nq);
  d.ForEachChunk([&](size_t first, size_t count, const float* rows) {
    std::vector<std::thread> workers;
    for (int t = 0; t < threads; ++t) {
      workers.emplace_back([&, t] {
        for (size_t j = static_cast<size_t>(t); j < nq; j += static_cast<size_t>(threads)) {
          for (size_t i = 0; i < count; ++i) {
            tops[j].Offer(DotDouble(d.query(j), rows + i * d.dim, d.dim),
                          static_cast<int64_t>(first + i));
          }
        }
      });
    }
    for (std::thread& w : workers) w.join();
  });
  Labels out;
  for (const ExactTopK& t : tops) out.push_back(t.Rows());
  return out;
}

size_t ListMismatches(const Labels& a, const Labels& b) {
  size_t bad = 0;
  for (size_t j = 0; j < std::min(a.size(), b.size()); ++j) bad += a[j] != b[j];
  return bad;
}

// Single queries: the warm-up queries untimed, then the nq timed ones.
Result<LatencyStats> MeasureSingle(const VectorStore& store, const ExactData& d,
                                   const SearchOptions& options, Labels* labels) {
  const std::vector<size_t> warm = Iota(kWarmupQueries, d.nq);
  URD_ASSIGN_OR_RETURN(auto ignored, TimeSearches(store, d.queries.data(), d.dim, warm, options,
                                                  nullptr));
  (void)ignored;
  const std::vector<size_t> timed = Iota(d.nq);
  URD_ASSIGN_OR_RETURN(auto seconds,
                       TimeSearches(store, d.queries.data(), d.dim, timed, options, labels));
  return Summarize(std::move(seconds));
}

// One SearchBatch call over the first min(64, nq) queries, repeated; returns the
// median call time per query in ms. labels: the hits of the last call.
Result<double> MeasureBatch(const VectorStore& store, const ExactData& d, int threads,
                            int reps, Labels* labels) {
  const size_t nb = std::min(kBatchQueries, d.nq);
  SearchOptions options;
  options.top_k = kTopK;
  options.threads = threads;
  const std::span<const float> queries(d.queries.data(), nb * d.dim);
  const Scope scope = Scope::Collection(kCollection);
  std::vector<double> seconds;
  for (int r = 0; r <= reps; ++r) {  // r == 0 warms up
    const double start = NowSeconds();
    Result<std::vector<std::vector<Hit>>> hits = store.SearchBatch(scope, queries, options);
    const double elapsed = NowSeconds() - start;
    if (!hits.ok()) return hits.status();
    if (r > 0) seconds.push_back(elapsed);
    labels->assign(nb, {});
    for (size_t j = 0; j < nb; ++j) {
      for (const Hit& h : (*hits)[j]) (*labels)[j].push_back(RowOfHit(h));
    }
  }
  return Summarize(std::move(seconds)).median_ms / static_cast<double>(nb);
}

// Eq filter on `key` == 0 (1/modulus of the rows), one thread. *bad counts queries
// whose hits are not kTopK rows with row % modulus == 0.
Result<LatencyStats> MeasureFiltered(const VectorStore& store, const ExactData& d,
                                     const char* key, int64_t modulus, size_t* bad) {
  SearchOptions options;
  options.top_k = kTopK;
  options.threads = 1;
  options.filter = Filter::Eq(key, Value::Int(0));
  Labels labels;
  URD_ASSIGN_OR_RETURN(LatencyStats stats, MeasureSingle(store, d, options, &labels));
  *bad = 0;
  for (const auto& l : labels) {
    bool ok = l.size() == kTopK;
    for (int64_t row : l) ok = ok && row >= 0 && row % modulus == 0;
    *bad += !ok;
  }
  return stats;
}

// How many queries a peer gets: all nq, unless that would take much longer than the
// budget (then at least 20).
size_t PeerQueries(const BenchEnv& env, size_t nq, double est_seconds) {
  if (est_seconds <= 0) return nq;
  const size_t fit = static_cast<size_t>(env.peer_budget_s / est_seconds);
  return std::min(nq, std::max<size_t>(fit, kRecallQueries));
}

// Times `search(j, labels_out)` over warm-up then the peer's share of the queries.
template <typename SearchFn>
LatencyStats TimePeer(const BenchEnv& env, const ExactData& d, SearchFn&& search,
                      Labels* labels) {
  std::vector<double> warm;
  std::vector<int64_t> scratch(kTopK);
  for (size_t j = 0; j < 3; ++j) {
    const double start = NowSeconds();
    search(d.nq + j, scratch.data());
    warm.push_back(NowSeconds() - start);
  }
  const size_t count = PeerQueries(env, d.nq, Summarize(warm).median_ms / 1e3);
  labels->assign(count, std::vector<int64_t>(kTopK));
  std::vector<double> seconds;
  for (size_t j = 0; j < count; ++j) {
    const double start = NowSeconds();
    search(j, (*labels)[j].data());
    seconds.push_back(NowSeconds() - start);
  }
  return Summarize(std::move(seconds));
}

struct UrdFigures {
  double load_s = 0;
  LatencyStats single1, singleN, filter10, filter1;
  double batch1_ms = 0, batchN_ms = 0;
  size_t recall_checked = 0, recall_mismatches = 0, recall_set_mismatches = 0;
  size_t thread_mismatches = 0, batch_mismatches = 0, filter_bad = 0;
  Labels labels;  // 1-thread single-query hits
};

Status MeasureUrd(BenchEnv* env, const ExactData& d, UrdFigures* f) {
  Progress("exact %zu x %zu: loading urd (in memory)", d.n, d.dim);
  URD_ASSIGN_OR_RETURN(auto store, VectorStore::OpenInMemory(d.dim, VectorOptions{}));
  const double start = NowSeconds();
  URD_RETURN_IF_ERROR(store->CreateCollection(kCollection));
  Status loaded;
  d.ForEachChunk([&](size_t first, size_t count, const float* rows) {
    if (loaded.ok()) loaded = LoadRows(store.get(), rows, first, count, d.dim, 8192);
  });
  URD_RETURN_IF_ERROR(loaded);
  f->load_s = NowSeconds() - start;
  Progress("exact %zu x %zu: urd single queries", d.n, d.dim);
  SearchOptions options;
  options.top_k = kTopK;
  options.threads = 1;
  URD_ASSIGN_OR_RETURN(f->single1, MeasureSingle(*store, d, options, &f->labels));
  options.threads = env->threads;
  Labels labelsN;
  URD_ASSIGN_OR_RETURN(f->singleN, MeasureSingle(*store, d, options, &labelsN));
  f->thread_mismatches = ListMismatches(labelsN, f->labels);
  Progress("exact %zu x %zu: urd batches", d.n, d.dim);
  const int reps = env->options->quick ? 3 : 5;
  Labels batch1, batchN;
  URD_ASSIGN_OR_RETURN(f->batch1_ms, MeasureBatch(*store, d, 1, reps, &batch1));
  URD_ASSIGN_OR_RETURN(f->batchN_ms, MeasureBatch(*store, d, env->threads, reps, &batchN));
  f->batch_mismatches = ListMismatches(batch1, f->labels) + ListMismatches(batchN, f->labels);
  Progress("exact %zu x %zu: urd filtered", d.n, d.dim);
  size_t bad10 = 0, bad1 = 0;
  URD_ASSIGN_OR_RETURN(f->filter10, MeasureFiltered(*store, d, "g", 10, &bad10));
  URD_ASSIGN_OR_RETURN(f->filter1, MeasureFiltered(*store, d, "h", 100, &bad1));
  f->filter_bad = bad10 + bad1;
  Progress("exact %zu x %zu: double-precision brute force", d.n, d.dim);
  f->recall_checked = std::min(kRecallQueries, d.nq);
  const Labels truth = BruteForce(d, f->recall_checked, env->threads);
  f->recall_mismatches = ListMismatches(f->labels, truth);
  f->recall_set_mismatches = SetMismatches(f->labels, truth);
  return Status::OK();
}

struct PeerFigures {
  bool ran = false;
  std::string kernel;  // hnswlib's kernel
  double add_s = 0;
  LatencyStats single;
  size_t same_ids = 0;
  double batch_ms = -1;        // faiss batch, per query; -1: not run
  std::string batch_skipped;   // why not
};

void MeasureFaiss(BenchEnv* env, const ExactData& d, const Labels& urd, PeerFigures* f) {
  Progress("exact %zu x %zu: faiss IndexFlatIP", d.n, d.dim);
  auto index = std::make_unique<FaissFlatIP>(d.dim);
  const double start = NowSeconds();
  index->Reserve(d.n);
  d.ForEachChunk([&](size_t, size_t count, const float* rows) { index->Add(rows, count); });
  f->add_s = NowSeconds() - start;
  Labels labels;
  f->single = TimePeer(*env, d, [&](size_t j, int64_t* out) {
    index->Search(d.query(j), 1, kTopK, 1, out);
  }, &labels);
  f->same_ids = labels.size() - SetMismatches(labels, urd);
  f->ran = true;
  const size_t nb = std::min(kBatchQueries, d.nq);
  const double madds = static_cast<double>(nb) * static_cast<double>(d.n) * d.dim;
  if (env->faiss_batch_madds_per_s > 0 &&
      madds / env->faiss_batch_madds_per_s > 2 * env->peer_budget_s) {
    f->batch_skipped = Format("skipped: would take ~%.0f s with this BLAS",
                              madds / env->faiss_batch_madds_per_s);
    return;
  }
  std::vector<int64_t> out(nb * kTopK);
  const double b0 = NowSeconds();
  index->Search(d.queries.data(), nb, kTopK, env->threads, out.data());
  const double secs = NowSeconds() - b0;
  env->faiss_batch_madds_per_s = madds / secs;
  f->batch_ms = 1e3 * secs / static_cast<double>(nb);
}

#if defined(URD_HAVE_HNSWLIB)
void MeasureHnswlib(BenchEnv* env, const ExactData& d, const Labels& urd, PeerFigures* f) {
  Progress("exact %zu x %zu: hnswlib BruteforceSearch", d.n, d.dim);
  auto index = std::make_unique<HnswlibBruteForce>(d.dim, d.n);
  const double start = NowSeconds();
  d.ForEachChunk(
      [&](size_t first, size_t count, const float* rows) { index->Add(rows, count, first); });
  f->add_s = NowSeconds() - start;
  f->kernel = index->kernel();
  Labels labels;
  f->single = TimePeer(*env, d, [&](size_t j, int64_t* out) {
    index->Search(d.query(j), kTopK, out);
  }, &labels);
  f->same_ids = labels.size() - SetMismatches(labels, urd);
  f->ran = true;
}
#else
void MeasureHnswlib(BenchEnv*, const ExactData&, const Labels&, PeerFigures*) {}
#endif

#if defined(URD_HAVE_HNSWLIB)
constexpr bool kHaveHnswlib = true;
#else
constexpr bool kHaveHnswlib = false;
#endif

double Ratio(double a, double b) { return b > 0 ? a / b : 0; }

nlohmann::json UrdJson(const BenchEnv& env, const ExactData& d, const UrdFigures& f) {
  const double gb = static_cast<double>(d.bytes()) / 1e9;
  const double bw1 = env.bandwidth.gbps_1thread, bwN = env.bandwidth.gbps_threads;
  nlohmann::json j;
  j["load_s"] = f.load_s;
  j["single_1thread"] = StatsJson(f.single1);
  j["single_1thread"]["bandwidth_ratio"] = Ratio(gb, f.single1.median_ms / 1e3 * bw1);
  // The bandwidth is a best run; this compares it with urd's best query.
  j["single_1thread"]["bandwidth_ratio_fastest"] = Ratio(gb, f.single1.min_ms / 1e3 * bw1);
  j["single_threads"] = StatsJson(f.singleN);
  j["single_threads"]["threads"] = env.threads;
  j["single_threads"]["bandwidth_ratio"] = Ratio(gb, f.singleN.median_ms / 1e3 * bwN);
  j["single_threads"]["speedup_vs_1thread"] = Ratio(f.single1.median_ms, f.singleN.median_ms);
  j["batch64_1thread"] = {{"per_query_ms", f.batch1_ms},
                          {"speedup_vs_single", Ratio(f.single1.median_ms, f.batch1_ms)}};
  j["batch64_threads"] = {{"per_query_ms", f.batchN_ms},
                          {"speedup_vs_single", Ratio(f.singleN.median_ms, f.batchN_ms)}};
  j["filter_eq_10pct"] = StatsJson(f.filter10);
  j["filter_eq_10pct"]["ratio_to_unfiltered"] = Ratio(f.filter10.median_ms, f.single1.median_ms);
  j["filter_eq_1pct"] = StatsJson(f.filter1);
  j["filter_eq_1pct"]["ratio_to_unfiltered"] = Ratio(f.filter1.median_ms, f.single1.median_ms);
  j["checks"] = {{"recall_queries", f.recall_checked},
                 {"recall_mismatches", f.recall_mismatches},
                 {"recall_set_mismatches", f.recall_set_mismatches},
                 {"thread_mismatches", f.thread_mismatches},
                 {"batch_mismatches", f.batch_mismatches},
                 {"filter_bad_results", f.filter_bad}};
  return j;
}

nlohmann::json PeerJson(const PeerFigures& p, double urd_median_ms, const char* ratio_key) {
  if (!p.ran) return nullptr;
  nlohmann::json j = {{"add_s", p.add_s},
                      {"single_1thread", StatsJson(p.single)},
                      {"same_ids_as_urd", p.same_ids},
                      {ratio_key, Ratio(urd_median_ms, p.single.median_ms)}};
  if (!p.kernel.empty()) j["kernel"] = p.kernel;
  if (p.batch_ms >= 0) j["batch64_per_query_ms"] = p.batch_ms;
  if (!p.batch_skipped.empty()) j["batch64_skipped"] = p.batch_skipped;
  return j;
}

std::vector<std::string> StatsCells(std::string label, const LatencyStats& s, std::string note) {
  return {std::move(label), Format("%.2f", s.median_ms), Format("%.2f", s.p95_ms),
          Format("%.0f", s.qps), std::move(note)};
}

void AddUrdRows(const BenchEnv& env, const ExactData& d, const UrdFigures& u, Table* table) {
  const double gb = static_cast<double>(d.bytes()) / 1e9;
  const int t = env.threads;
  const double bw1 = Ratio(gb, u.single1.median_ms / 1e3 * env.bandwidth.gbps_1thread);
  const double bwN = Ratio(gb, u.singleN.median_ms / 1e3 * env.bandwidth.gbps_threads);
  table->AddRow(StatsCells("urd, 1 thread", u.single1, Format("bandwidth ratio %.2f", bw1)));
  table->AddRow(StatsCells(Format("urd, %d threads", t), u.singleN,
                           Format("bandwidth ratio %.2f, %.2fx 1 thread", bwN,
                                  Ratio(u.single1.median_ms, u.singleN.median_ms))));
  table->AddRow({"urd batch of 64, 1 thread (per query)", Format("%.3f", u.batch1_ms), "-",
                 Format("%.0f", Ratio(1e3, u.batch1_ms)),
                 Format("%.1fx single", Ratio(u.single1.median_ms, u.batch1_ms))});
  table->AddRow({Format("urd batch of 64, %d threads (per query)", t),
                 Format("%.3f", u.batchN_ms), "-", Format("%.0f", Ratio(1e3, u.batchN_ms)),
                 Format("%.1fx single", Ratio(u.singleN.median_ms, u.batchN_ms))});
  table->AddRow(StatsCells("urd Eq filter 10%, 1 thread", u.filter10,
                           Format("%.2fx unfiltered",
                                  Ratio(u.filter10.median_ms, u.single1.median_ms))));
  table->AddRow(StatsCells("urd Eq filter 1%, 1 thread", u.filter1,
                           Format("%.2fx unfiltered",
                                  Ratio(u.filter1.median_ms, u.single1.median_ms))));
}

void AddPeerRows(const BenchEnv& env, const UrdFigures& u, const PeerFigures& fa,
                 const PeerFigures& hn, Table* table) {
  if (fa.ran) {
    table->AddRow(StatsCells(Format("faiss IndexFlatIP, 1 thread (%zu q)", fa.single.count),
                             fa.single, Format("urd/faiss %.2f", Ratio(u.single1.median_ms,
                                                                       fa.single.median_ms))));
    if (fa.batch_ms >= 0) {
      table->AddRow({Format("faiss batch of 64, %d threads (per query)", env.threads),
                     Format("%.3f", fa.batch_ms), "-", Format("%.0f", Ratio(1e3, fa.batch_ms)),
                     Format("urd/faiss %.2f", Ratio(u.batchN_ms, fa.batch_ms))});
    } else {
      table->AddRow({Format("faiss batch of 64, %d threads", env.threads), "-", "-", "-",
                     fa.batch_skipped});
    }
  } else if (!FaissFlatIP::Available()) {
    table->AddRow({"faiss", "-", "-", "-", "faiss: not available"});
  }
  if (!kHaveHnswlib) table->AddRow({"hnswlib", "-", "-", "-", "hnswlib: not available"});
  if (hn.ran) {
    table->AddRow(StatsCells(Format("hnswlib brute force (%s), 1 thread (%zu q)",
                                    hn.kernel.c_str(), hn.single.count),
                             hn.single, Format("urd/hnswlib %.2f", Ratio(u.single1.median_ms,
                                                                         hn.single.median_ms))));
  }
}

void PrintTable(const BenchEnv& env, const ExactData& d, const UrdFigures& u,
                const PeerFigures& fa, const PeerFigures& hn) {
  Table table(Format("exact %zu x %zu (%.0f MB of f32, top-%zu, %zu queries)", d.n, d.dim,
                     static_cast<double>(d.bytes()) / 1e6, kTopK, d.nq),
              {"measure", "median ms", "p95 ms", "QPS", "note"});
  AddUrdRows(env, d, u, &table);
  AddPeerRows(env, u, fa, hn, &table);
  table.AddNote(Format("recall check: %zu of %zu queries differ from a double-precision brute "
                       "force (%zu as sets); threads/batch/filter inconsistencies: %zu/%zu/%zu",
                       u.recall_mismatches, u.recall_checked, u.recall_set_mismatches,
                       u.thread_mismatches, u.batch_mismatches, u.filter_bad));
  if (fa.ran || hn.ran) {
    table.AddNote(Format("peers returned urd's ids: faiss %zu/%zu, hnswlib %zu/%zu queries",
                         fa.same_ids, fa.single.count, hn.same_ids, hn.single.count));
  }
  table.AddNote(Format("load into urd (data generated on the fly): %.1f s (%.0f rows/s)",
                       u.load_s, Ratio(d.n, u.load_s)));
  table.Print();
}

}  // namespace

Result<nlohmann::json> RunExactWorkload(BenchEnv* env, size_t n, size_t dim, bool with_faiss,
                                        bool with_hnswlib) {
  Progress("exact %zu x %zu: generating data", n, dim);
  const ExactData d = MakeData(n, dim, env->options->queries);
  UrdFigures urd;
  URD_RETURN_IF_ERROR(MeasureUrd(env, d, &urd));
  PeerFigures faiss, hnsw;
  if (with_faiss && FaissFlatIP::Available()) MeasureFaiss(env, d, urd.labels, &faiss);
  if (with_hnswlib && kHaveHnswlib) MeasureHnswlib(env, d, urd.labels, &hnsw);
  if (env->tables) PrintTable(*env, d, urd, faiss, hnsw);
  nlohmann::json j = {{"n", n}, {"dim", dim}, {"queries", d.nq}, {"top_k", kTopK},
                      {"bytes", d.bytes()}, {"threads", env->threads}};
  j["urd"] = UrdJson(*env, d, urd);
  if (with_faiss) {
    j["faiss"] = FaissFlatIP::Available() ? PeerJson(faiss, urd.single1.median_ms, "urd_over_faiss")
                                          : nlohmann::json("not available");
  }
  if (with_hnswlib) {
    j["hnswlib"] = kHaveHnswlib ? PeerJson(hnsw, urd.single1.median_ms, "urd_over_hnswlib")
                                : nlohmann::json("not available");
  }
  return j;
}

}  // namespace urd::bench
