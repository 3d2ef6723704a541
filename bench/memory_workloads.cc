// Copyright urd authors. The workloads of `urd bench memory` (memory_bench.h), one
// function each, in the order they run.

#include <fcntl.h>
#include <malloc.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstdarg>
#include <cstdio>

#include "bench/bench_util.h"
#include "bench/memory_bench.h"
#include "memory/memory_store_impl.h"
#include "memory/query.h"

namespace urd::bench::memory_bench {

namespace {

constexpr size_t kBatchForms = 1000;       // populate: forms per commit
constexpr size_t kSmallBatch = 10;         // durable / flat: forms per commit
constexpr size_t kSmallBatches = 200;      // durable / flat: commits timed
constexpr size_t kFlatMemories = 10000;    // the small store of the flat workload
constexpr size_t kFlatSubjects = 1000;     // its subjects (and the durable store's)
constexpr size_t kLiteralObjects = 1000;   // distinct literal objects @o<k>
constexpr size_t kProbes = 16;             // §7.4's rotating probes
constexpr size_t kQueriesPerBatch = 1000;  // ExecuteQuery: queries per clock read
constexpr size_t kSingleSamples = 20000;   // queries timed one by one
constexpr double kScanBudgetS = 2.0;       // `(query :kind sem :limit 100)`, per API

using Clock = std::chrono::steady_clock;

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// Nearest-rank percentiles of samples, in the samples' unit.
struct Dist {
  size_t count = 0;
  double p50 = 0, p95 = 0, p99 = 0, mean = 0, min = 0, max = 0;
};

Dist Distribution(std::vector<double> v) {
  Dist d;
  if (v.empty()) return d;
  std::sort(v.begin(), v.end());
  const size_t n = v.size();
  auto rank = [&](double q) {
    const size_t r = static_cast<size_t>(std::ceil(q * static_cast<double>(n)));
    return v[std::clamp<size_t>(r, 1, n) - 1];
  };
  double sum = 0;
  for (double x : v) sum += x;
  d.count = n;
  d.p50 = rank(0.50);
  d.p95 = rank(0.95);
  d.p99 = rank(0.99);
  d.mean = sum / static_cast<double>(n);
  d.min = v.front();
  d.max = v.back();
  return d;
}

nlohmann::json DistJson(const Dist& d, const std::string& unit) {
  return {{"count", d.count},     {"p50_" + unit, d.p50},   {"p95_" + unit, d.p95},
          {"p99_" + unit, d.p99}, {"mean_" + unit, d.mean}, {"min_" + unit, d.min},
          {"max_" + unit, d.max}};
}

std::string Forms(size_t first, size_t count, size_t subjects) {
  std::string text;
  text.reserve(count * 80);
  for (size_t i = first; i < first + count; ++i) AppendForm(i, subjects, &text);
  return text;
}

// Commits the forms of memories [first, first + count) (text built outside the
// clock) and returns the seconds of the Commit call; adds its records to *records.
Result<double> TimedCommit(MemoryStore* store, Context* ctx, size_t first, size_t count,
                           size_t subjects, uint64_t* records) {
  const std::string text = Forms(first, count, subjects);
  const auto t0 = Clock::now();
  Result<CommitResult> r = store->Commit(text, ctx->next_now++);
  const double seconds = Since(t0);
  if (!r.ok()) return r.status();
  if (r->memory_ids.size() != count) {
    return Status::Corruption(
        Format("commit of %zu forms reported %zu memories", count, r->memory_ids.size()));
  }
  if (records != nullptr) *records += r->records;
  return seconds;
}

Result<std::unique_ptr<MemoryStore>> OpenStore(const std::string& dir, MemoryFsync fsync) {
  MemoryOptions mo;
  mo.fsync = fsync;
  mo.lock_owner = "urd bench memory";
  return MemoryStore::Open(dir, mo);
}

double Mb(double bytes) { return bytes / 1e6; }

// ---- query ----

struct Probe {
  std::string text;
  size_t memory = 0;      // the memory it must return
  std::string memory_id;  // its name, "__mem_<memory>"
  std::string s, p;       // its key
};

std::vector<Probe> MakeProbes(const Context& ctx) {
  std::vector<Probe> probes;
  for (size_t k = 0; k < kProbes; ++k) {
    const size_t j = k * (ctx.n / kProbes);  // 1M: j = k * 62500, as §7.4
    Probe pr;
    pr.memory = j;
    pr.memory_id = "__mem_" + std::to_string(j);
    pr.s = Format("s%zu", j % ctx.subjects);
    pr.p = Format("p%zu", j / ctx.subjects);
    pr.text = "(query :s @" + pr.s + " :p @" + pr.p + ")";
    probes.push_back(std::move(pr));
  }
  return probes;
}

// Whether each probe returns exactly its memory; counts the ones that do not.
size_t CheckProbes(const mem::MemoryState& state, const mem::DecayConfig& decay,
                   const std::vector<Probe>& probes) {
  size_t wrong = 0;
  mem::ReadResult rr;
  for (const Probe& pr : probes) {
    const Status s = mem::ExecuteQuery(state, decay, pr.text, &rr);
    const auto sid = state.symbols().Lookup(pr.s);
    const auto pid = state.symbols().Lookup(pr.p);
    bool ok = s.ok() && rr.records.size() == 1 && rr.records[0].ref.kind == mem::MemoryKind::kSem &&
              rr.records[0].ref.index == pr.memory && sid && pid;
    if (ok) {
      const mem::SemRecord& r = state.sem()[rr.records[0].ref.index];
      ok = r.s == *sid && r.p == *pid;
    }
    if (!ok) ++wrong;
  }
  return wrong;
}

struct ExecFigures {
  Dist batched_us;      // per-query mean of each batch of kQueriesPerBatch
  Dist single_us;       // one query per pair of clock reads (clock cost included)
  double clock_ns = 0;  // median cost of one pair of back-to-back clock reads
  size_t wrong = 0, probes_wrong = 0;
};

// ExecuteQuery on the probes, under the caller's WithState (lock taken once).
void TimeExecute(const mem::MemoryState& state, const mem::DecayConfig& decay,
                 const std::vector<Probe>& probes, size_t batches, ExecFigures* f) {
  f->probes_wrong = CheckProbes(state, decay, probes);
  mem::ReadResult rr;
  size_t k = 0;
  auto one = [&] {
    const Status s = mem::ExecuteQuery(state, decay, probes[k++ % kProbes].text, &rr);
    if (!s.ok() || rr.records.size() != 1) ++f->wrong;
  };
  for (size_t q = 0; q < 10 * kQueriesPerBatch; ++q) one();  // warm-up
  f->wrong = 0;
  std::vector<double> batch_us;
  for (size_t b = 0; b < batches; ++b) {
    const auto t0 = Clock::now();
    for (size_t q = 0; q < kQueriesPerBatch; ++q) one();
    batch_us.push_back(Since(t0) * 1e6 / kQueriesPerBatch);
  }
  std::vector<double> single_us, clock_ns;
  for (size_t q = 0; q < kSingleSamples; ++q) {
    const auto t0 = Clock::now();
    one();
    single_us.push_back(Since(t0) * 1e6);
  }
  for (size_t q = 0; q < kSingleSamples; ++q) {
    const auto t0 = Clock::now();
    clock_ns.push_back(Since(t0) * 1e9);
  }
  f->batched_us = Distribution(std::move(batch_us));
  f->single_us = Distribution(std::move(single_us));
  f->clock_ns = Distribution(std::move(clock_ns)).p50;
}

struct PublicFigures {
  Dist per_query_us;  // batches of 100 calls
  size_t calls = 0, wrong = 0;
};

PublicFigures TimePublicQuery(const MemoryStore& store, const std::vector<Probe>& probes,
                              size_t batches) {
  constexpr size_t kPer = 100;
  PublicFigures f;
  size_t k = 0;
  auto one = [&] {
    const Probe& pr = probes[k++ % kProbes];
    Result<QueryResult> r = store.Query(pr.text);
    if (!r.ok() || r->records.size() != 1 || r->records[0].memory_id != pr.memory_id) {
      ++f.wrong;
    }
  };
  for (size_t q = 0; q < 10 * kPer; ++q) one();  // warm-up
  std::vector<double> us;
  for (size_t b = 0; b < batches; ++b) {
    const auto t0 = Clock::now();
    for (size_t q = 0; q < kPer; ++q) one();
    us.push_back(Since(t0) * 1e6 / kPer);
  }
  f.per_query_us = Distribution(std::move(us));
  f.calls = batches * kPer;
  return f;
}

// Calls fn (one query, timed alone) for about kScanBudgetS seconds: 5 to 200 calls.
template <typename Fn>
Dist TimeBudgeted(Fn fn) {
  std::vector<double> ms;
  const auto start = Clock::now();
  while (ms.size() < 5 || (ms.size() < 200 && Since(start) < kScanBudgetS)) {
    const auto t0 = Clock::now();
    fn();
    ms.push_back(Since(t0) * 1e3);
  }
  return Distribution(std::move(ms));
}

void PrintPopulate(const Context& ctx, const nlohmann::json& j, const Dist& batch) {
  Table t(Format("populate: %zu memories, %zu subjects, batches of %zu forms, fsync never", ctx.n,
                 ctx.subjects, kBatchForms),
          {"measure", "value"});
  const double records = j["records"].get<double>(), log = j["log_bytes"].get<double>();
  t.AddRow({"time in Commit", Format("%.2f s (%.2f s with building the text)",
                                     j["commit_s"].get<double>(), j["wall_s"].get<double>())});
  t.AddRow({"canonical records", Format("%.0f (%.2f per memory)", records, records / ctx.n)});
  t.AddRow({"records/s", Format("%.0f", j["records_per_s"].get<double>())});
  t.AddRow({"memories/s", Format("%.0f", j["memories_per_s"].get<double>())});
  t.AddRow({"log bytes", Format("%.0f (%.1f per memory)", log, log / ctx.n)});
  t.AddRow(
      {"batch p50 / p95 / p99", Format("%.2f / %.2f / %.2f ms", batch.p50, batch.p95, batch.p99)});
  t.AddRow({"batch p50, first / last tenth",
            Format("%.2f / %.2f ms", j["first_tenth_batch_p50_ms"].get<double>(),
                   j["last_tenth_batch_p50_ms"].get<double>())});
  t.Print();
}

struct QueryFigures {
  ExecFigures exec;
  PublicFigures pub;
  Dist scan_exec, scan_pub;  // ms
  size_t scan_wrong = 0;
  size_t batches = 0;
  size_t wrong() const { return exec.wrong + exec.probes_wrong + pub.wrong + scan_wrong; }
};

void PrintQuery(const Context& ctx, const std::vector<Probe>& probes, const QueryFigures& q) {
  Table t(Format("query: %zu memories, 16 rotating probes `%s`, `%s` .. `%s` (j = k * %zu)", ctx.n,
                 probes[0].text.c_str(), probes[1].text.c_str(), probes.back().text.c_str(),
                 ctx.n / kProbes),
          {"measure", "p50 us", "p95 us", "p99 us", "calls"});
  auto row = [&](const char* name, const Dist& d, double scale, size_t calls) {
    t.AddRow({name, Format("%.3f", d.p50 * scale), Format("%.3f", d.p95 * scale),
              Format("%.3f", d.p99 * scale), Format("%zu", calls)});
  };
  row("ExecuteQuery (parse + run), batches of 1000", q.exec.batched_us, 1,
      q.batches * kQueriesPerBatch);
  row("ExecuteQuery, timed one by one", q.exec.single_us, 1, kSingleSamples);
  row("MemoryStore::Query (+ render), batches of 100", q.pub.per_query_us, 1, q.pub.calls);
  row("(query :kind sem :limit 100), ExecuteQuery", q.scan_exec, 1e3, q.scan_exec.count);
  row("(query :kind sem :limit 100), MemoryStore::Query", q.scan_pub, 1e3, q.scan_pub.count);
  t.AddNote("Batches: one steady_clock pair per batch; the percentiles are over the batches'");
  t.AddNote("mean per-query time. One by one: one clock pair per query, included in the time");
  t.AddNote(
      Format("(%.0f ns median per pair). The store's lock is taken once (WithState), "
             "outside the loops.",
             q.exec.clock_ns));
  t.AddNote(
      Format("wrong results: %zu (each probe must return exactly its memory; the scan "
             "100 records)",
             q.wrong()));
  t.Print();
}

struct FlatSide {
  MemoryStore* store = nullptr;
  size_t next = 0;  // next memory number
  size_t subjects = 0;
  std::vector<double> ms;
};

// kSmallBatches rounds of one 10-form commit into each side, interleaved.
Status FlatRounds(Context* ctx, FlatSide* small, FlatSide* big) {
  for (size_t b = 0; b < kSmallBatches; ++b) {
    for (FlatSide* side : {small, big}) {
      URD_ASSIGN_OR_RETURN(double s, TimedCommit(side->store, ctx, side->next, kSmallBatch,
                                                 side->subjects, nullptr));
      side->ms.push_back(s * 1e3);
      side->next += kSmallBatch;
    }
  }
  return Status::OK();
}

void PrintDurable(const Dist& c, const Dist& f, double ratio) {
  Table t(Format("durable: %zu commits of %zu forms, fsync every commit (interleaved with "
                 "raw appends)",
                 kSmallBatches, kSmallBatch),
          {"measure", "p50 ms", "p95 ms", "p99 ms", "max ms"});
  t.AddRow({"Commit, 10 forms", Format("%.3f", c.p50), Format("%.3f", c.p95), Format("%.3f", c.p99),
            Format("%.3f", c.max)});
  t.AddRow({"raw append 1 KiB + fdatasync", Format("%.3f", f.p50), Format("%.3f", f.p95),
            Format("%.3f", f.p99), Format("%.3f", f.max)});
  t.AddNote(Format("commit p50 / fdatasync p50 = %.2f", ratio));
  t.Print();
}

void PrintReplay(const nlohmann::json& j) {
  auto num = [&](const char* key) { return j[key].get<double>(); };
  Table t(Format("replay: MemoryStore::Open of %.0f memories (%.0f records, %.0f MB log)",
                 num("memories"), num("records"), Mb(num("log_bytes"))),
          {"measure", "value"});
  t.AddRow({"open, warm page cache", Format("%.3f s, %.0f records/s", num("open_warm_s"),
                                            num("records") / num("open_warm_s"))});
  t.AddRow({"open, pages dropped", Format("%.3f s, %.0f records/s", num("open_cold_s"),
                                          num("records") / num("open_cold_s"))});
  t.AddRow({"close (destructor)", Format("%.3f s", num("close_s"))});
  t.AddRow({"VmRSS before / after open",
            Format("%.0f / %.0f MB", Mb(num("vmrss_before_bytes")), Mb(num("vmrss_after_bytes")))});
  t.AddRow({"VmRSS delta", Format("%.0f MB = %.0f MB per 1M memories", Mb(num("vmrss_delta_bytes")),
                                  num("vmrss_mb_per_1m_memories"))});
  t.AddRow({"MemoryStats::memory_bytes",
            Format("%.0f MB = %.0f MB per 1M memories", Mb(num("memory_bytes")),
                   num("memory_bytes_mb_per_1m_memories"))});
  t.AddRow({"symbols", Format("%.0f", num("symbols"))});
  t.Print();
}

// never / every commit, small / big store.
void PrintFlat(const Context& ctx, const Dist& ns, const Dist& nb, const Dist& es, const Dist& eb) {
  Table t(Format("flat: one commit of %zu new memories, %zu commits per store (interleaved)",
                 kSmallBatch, kSmallBatches),
          {"fsync", "store", "p50 ms", "p95 ms", "p99 ms", "p50 ratio big/10k"});
  auto row = [&](const char* fsync, size_t n, const Dist& x, const std::string& ratio) {
    t.AddRow({fsync, Format("%zu memories", n), Format("%.3f", x.p50), Format("%.3f", x.p95),
              Format("%.3f", x.p99), ratio});
  };
  row("never", kFlatMemories, ns, "");
  row("never", ctx.n, nb, Format("%.2f", nb.p50 / ns.p50));
  row("every commit", kFlatMemories, es, "");
  row("every commit", ctx.n, eb, Format("%.2f", eb.p50 / es.p50));
  t.Print();
}

}  // namespace

void AppendForm(size_t i, size_t subjects, std::string* text) {
  char buf[160];
  const int len =
      i % 2 == 0 ? std::snprintf(buf, sizeof(buf),
                                 "(sem @s%zu @p%zu %zu :src @observation :c 0.9 :v 2024-01-01)\n",
                                 i % subjects, i / subjects, i)
                 : std::snprintf(buf, sizeof(buf),
                                 "(sem @s%zu @p%zu @o%zu :src @observation :c 0.9 :v 2024-01-01)\n",
                                 i % subjects, i / subjects, i % kLiteralObjects);
  text->append(buf, static_cast<size_t>(std::max(len, 0)));
}

void Progress(const char* fmt, ...) {
  char buf[512];
  va_list ap;
  va_start(ap, fmt);
  std::vsnprintf(buf, sizeof(buf), fmt, ap);
  va_end(ap);
  std::fprintf(stderr, "bench memory: %s\n", buf);
}

Status RunPopulate(Context* ctx) {
  Progress("populate: %zu memories over %zu subjects, batches of %zu, fsync never", ctx->n,
           ctx->subjects, kBatchForms);
  URD_ASSIGN_OR_RETURN(ctx->big, OpenStore(ctx->big_dir, MemoryFsync::kNever));
  std::vector<double> batch_ms;
  uint64_t records = 0;
  double commit_s = 0;
  const double start = NowSeconds();
  double shown = start;
  for (size_t first = 0; first < ctx->n; first += kBatchForms) {
    const size_t count = std::min(kBatchForms, ctx->n - first);
    URD_ASSIGN_OR_RETURN(double s,
                         TimedCommit(ctx->big.get(), ctx, first, count, ctx->subjects, &records));
    commit_s += s;
    batch_ms.push_back(s * 1e3);
    if (NowSeconds() - shown > 5) {
      shown = NowSeconds();
      Progress("populate: %zu / %zu", first + count, ctx->n);
    }
  }
  const double wall = NowSeconds() - start;
  ctx->big_records = records;
  ctx->big_memories = ctx->n;
  const MemoryStats st = ctx->big->Stats();
  // O(batch): the first and the last tenth of the batches should cost the same.
  const size_t tenth = std::max<size_t>(1, batch_ms.size() / 10);
  const Dist first = Distribution({batch_ms.begin(), batch_ms.begin() + tenth});
  const Dist last = Distribution({batch_ms.end() - tenth, batch_ms.end()});
  const Dist batch = Distribution(batch_ms);
  nlohmann::json& j = ctx->out["populate"];
  j = {{"memories", ctx->n},
       {"subjects", ctx->subjects},
       {"batch_forms", kBatchForms},
       {"fsync", "never"},
       {"records", records},
       {"commit_s", commit_s},
       {"wall_s", wall},
       {"records_per_s", records / commit_s},
       {"memories_per_s", ctx->n / commit_s},
       {"log_bytes", st.log_bytes},
       {"log_bytes_per_memory", static_cast<double>(st.log_bytes) / ctx->n},
       {"batch_ms", DistJson(batch, "ms")},
       {"first_tenth_batch_p50_ms", first.p50},
       {"last_tenth_batch_p50_ms", last.p50}};
  if (ctx->tables) PrintPopulate(*ctx, j, batch);
  return Status::OK();
}

Status RunDurable(Context* ctx) {
  Progress("durable: %zu commits of %zu forms, fsync every commit, beside raw fdatasync",
           kSmallBatches, kSmallBatch);
  URD_ASSIGN_OR_RETURN(auto store, OpenStore(ctx->tmp + "/durable", MemoryFsync::kEveryCommit));
  const std::string scratch = ctx->tmp + "/fsync-scratch";
  const int fd = open(scratch.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (fd < 0) return Status::FromErrno("open " + scratch, errno);
  const std::string block(1024, 'x');
  std::vector<double> commit_ms, fsync_ms;
  Status st;
  for (size_t b = 0; b < kSmallBatches && st.ok(); ++b) {  // interleaved: same disk weather
    Result<double> s =
        TimedCommit(store.get(), ctx, b * kSmallBatch, kSmallBatch, kFlatSubjects, nullptr);
    if (!s.ok()) st = s.status();
    if (st.ok()) commit_ms.push_back(*s * 1e3);
    const auto t0 = Clock::now();
    if (write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size()) ||
        fdatasync(fd) != 0) {
      st = Status::FromErrno("append + fdatasync " + scratch, errno);
    }
    fsync_ms.push_back(Since(t0) * 1e3);
  }
  close(fd);
  URD_RETURN_IF_ERROR(st);
  const Dist c = Distribution(commit_ms), f = Distribution(fsync_ms);
  const double ratio = f.p50 > 0 ? c.p50 / f.p50 : 0;
  ctx->out["durable"] = {{"batches", kSmallBatches},
                         {"batch_forms", kSmallBatch},
                         {"fsync", "every commit"},
                         {"commit", DistJson(c, "ms")},
                         {"raw_fdatasync_1kib", DistJson(f, "ms")},
                         {"commit_over_fsync_p50", ratio}};
  if (ctx->tables) PrintDurable(c, f, ratio);
  return Status::OK();
}

Status RunQuery(Context* ctx) {
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(ctx->big.get());
  if (impl == nullptr) return Status::FailedPrecondition("not a MemoryStoreImpl");
  const std::vector<Probe> probes = MakeProbes(*ctx);
  QueryFigures q;
  q.batches = ctx->options->quick ? 300 : 1000;
  Progress("query: %zu x %zu ExecuteQuery calls on %zu memories", q.batches, kQueriesPerBatch,
           ctx->n);
  const char* const kScan = "(query :kind sem :limit 100)";
  impl->WithState([&](const mem::MemoryState& state, const mem::DecayConfig& decay) {
    TimeExecute(state, decay, probes, q.batches, &q.exec);
    mem::ReadResult rr;
    q.scan_exec = TimeBudgeted([&] {
      const Status s = mem::ExecuteQuery(state, decay, kScan, &rr);
      if (!s.ok() || rr.records.size() != 100) ++q.scan_wrong;
    });
  });
  Progress("query: MemoryStore::Query");
  q.pub = TimePublicQuery(*ctx->big, probes, q.batches / 5);
  q.scan_pub = TimeBudgeted([&] {
    Result<QueryResult> r = ctx->big->Query(kScan);
    if (!r.ok() || r->records.size() != 100) ++q.scan_wrong;
  });
  ctx->out["query"] = {{"memories", ctx->n},
                       {"probes", kProbes},
                       {"probe_texts", {probes.front().text, probes.back().text}},
                       {"execute_batched", DistJson(q.exec.batched_us, "us")},
                       {"execute_batch_queries", kQueriesPerBatch},
                       {"execute_single", DistJson(q.exec.single_us, "us")},
                       {"clock_pair_ns", q.exec.clock_ns},
                       {"public_query", DistJson(q.pub.per_query_us, "us")},
                       {"kind_scan_execute", DistJson(q.scan_exec, "ms")},
                       {"kind_scan_public", DistJson(q.scan_pub, "ms")},
                       {"wrong_results", q.wrong()}};
  if (ctx->tables) PrintQuery(*ctx, probes, q);
  return Status::OK();
}

Status RunReplay(Context* ctx) {
  Progress("replay: closing the store of %zu memories", ctx->n);
  auto t0 = Clock::now();
  ctx->big.reset();
  const double close_s = Since(t0);
#if defined(__GLIBC__)
  malloc_trim(0);
#endif
  const uint64_t rss0 = ReadVmRssBytes();
  Progress("replay: opening it (warm page cache)");
  t0 = Clock::now();
  URD_ASSIGN_OR_RETURN(ctx->big, OpenStore(ctx->big_dir, MemoryFsync::kNever));
  const double warm_s = Since(t0);
  const uint64_t rss1 = ReadVmRssBytes();
  const MemoryStats st = ctx->big->Stats();
  ctx->big.reset();
  const uint64_t evicted = EvictFromPageCache(ctx->big_dir);
  Progress("replay: opening it again, its pages dropped (%.0f MB)", Mb(evicted));
  t0 = Clock::now();
  URD_ASSIGN_OR_RETURN(ctx->big, OpenStore(ctx->big_dir, MemoryFsync::kNever));
  const double cold_s = Since(t0);
  const uint64_t delta = rss1 - std::min(rss0, rss1);
  const double per_m = Mb(static_cast<double>(delta)) * 1e6 / ctx->n;
  const double mem_per_m = Mb(static_cast<double>(st.memory_bytes)) * 1e6 / ctx->n;
  ctx->out["replay"] = {{"memories", st.sem},
                        {"records", ctx->big_records},
                        {"log_bytes", st.log_bytes},
                        {"open_warm_s", warm_s},
                        {"open_cold_s", cold_s},
                        {"close_s", close_s},
                        {"records_per_s", ctx->big_records / warm_s},
                        {"vmrss_before_bytes", rss0},
                        {"vmrss_after_bytes", rss1},
                        {"vmrss_delta_bytes", delta},
                        {"vmrss_mb_per_1m_memories", per_m},
                        {"memory_bytes", st.memory_bytes},
                        {"memory_bytes_mb_per_1m_memories", mem_per_m},
                        {"symbols", st.symbols}};
  if (ctx->tables) PrintReplay(ctx->out["replay"]);
  return Status::OK();
}

Status RunFlat(Context* ctx) {
  Progress("flat: a store of %zu memories beside the one of %zu", kFlatMemories, ctx->n);
  const std::string small_dir = ctx->tmp + "/flat10k";
  URD_ASSIGN_OR_RETURN(auto small, OpenStore(small_dir, MemoryFsync::kNever));
  for (size_t first = 0; first < kFlatMemories; first += kBatchForms) {
    URD_RETURN_IF_ERROR(
        TimedCommit(small.get(), ctx, first, kBatchForms, kFlatSubjects, nullptr).status());
  }
  FlatSide s{small.get(), kFlatMemories, kFlatSubjects, {}};
  FlatSide b{ctx->big.get(), ctx->big_memories, ctx->subjects, {}};
  URD_RETURN_IF_ERROR(FlatRounds(ctx, &s, &b));
  const Dist s_never = Distribution(s.ms), b_never = Distribution(b.ms);
  Progress("flat: reopening both with fsync every commit");
  small.reset();
  ctx->big.reset();
  URD_ASSIGN_OR_RETURN(small, OpenStore(small_dir, MemoryFsync::kEveryCommit));
  URD_ASSIGN_OR_RETURN(ctx->big, OpenStore(ctx->big_dir, MemoryFsync::kEveryCommit));
  s.store = small.get();
  b.store = ctx->big.get();
  s.ms.clear();
  b.ms.clear();
  URD_RETURN_IF_ERROR(FlatRounds(ctx, &s, &b));
  ctx->big_memories = b.next;
  const Dist s_sync = Distribution(s.ms), b_sync = Distribution(b.ms);
  const double r_never = b_never.p50 / s_never.p50, r_sync = b_sync.p50 / s_sync.p50;
  ctx->out["flat"] = {{"batches", kSmallBatches},
                      {"batch_forms", kSmallBatch},
                      {"small_memories", kFlatMemories},
                      {"big_memories", ctx->n},
                      {"never_small", DistJson(s_never, "ms")},
                      {"never_big", DistJson(b_never, "ms")},
                      {"every_commit_small", DistJson(s_sync, "ms")},
                      {"every_commit_big", DistJson(b_sync, "ms")},
                      {"ratio_never_p50", r_never},
                      {"ratio_every_commit_p50", r_sync}};
  if (ctx->tables) PrintFlat(*ctx, s_never, b_never, s_sync, b_sync);
  return Status::OK();
}

}  // namespace urd::bench::memory_bench
