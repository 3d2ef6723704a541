// Copyright urd authors. `urd bench memory` (memory_bench.h): options, the order of
// the workloads, the targets table and the JSON object.

#include "bench/memory_bench.h"

#include <cstdio>
#include <fstream>
#include <thread>

#include "bench/bench_util.h"
#include "urd/status.h"

namespace urd::bench {

namespace {

using memory_bench::Context;

constexpr size_t kDefaultMemories = 1000000;
constexpr size_t kQuickMemories = 100000;
constexpr size_t kDefaultSubjects = 100000;
constexpr size_t kQuickSubjects = 20000;
constexpr size_t kMinMemories = 1000;
constexpr uint64_t kStartClock = 1717200000000;  // 2024-06-01T00:00:00Z

struct Target {
  std::string metric, measured, target;
  bool pass = false;
};

double At(const nlohmann::json& j, std::initializer_list<const char*> path) {
  const nlohmann::json* x = &j;
  for (const char* key : path) {
    if (!x->is_object() || !x->contains(key)) return 0;
    x = &(*x)[key];
  }
  return x->is_number() ? x->get<double>() : 0;
}

// The project's targets and mimir-core's (reference/mimir-core.md §10).
std::vector<Target> Targets(const Context& ctx) {
  const nlohmann::json& o = ctx.out;
  std::vector<Target> t;
  auto add = [&](std::string metric, double v, const char* fmt, std::string target, bool pass) {
    t.push_back({std::move(metric), Format(fmt, v), std::move(target), pass});
  };
  const double rps = At(o, {"populate", "records_per_s"});
  add("non-durable commit throughput (records/s)", rps, "%.0f", ">= 300000", rps >= 300000);
  const double bpm = At(o, {"populate", "log_bytes_per_memory"});
  add("log bytes per memory", bpm, "%.1f", "<= 100 (mimir)", bpm <= 100);
  const double dur = At(o, {"durable", "commit", "p50_ms"});
  add("durable commit of 10 forms, p50 (ms)", dur, "%.3f", "< 5 (mimir, 1 fact)", dur < 5);
  const double dur99 = At(o, {"durable", "commit", "p99_ms"});
  add("durable commit of 10 forms, p99 (ms)", dur99, "%.3f", "< 50 (mimir, 1 fact)", dur99 < 50);
  const double ex = At(o, {"query", "execute_batched", "p50_us"});
  add("(s, p) lookup incl. parse, ExecuteQuery p50 (us)", ex, "%.3f", "<= 0.5 (mimir 0.57)",
      ex <= 0.5);
  const double pub = At(o, {"query", "public_query", "p50_us"});
  add("(s, p) lookup, MemoryStore::Query p50 (us)", pub, "%.3f", "< 1000 (mimir)", pub < 1000);
  const double scan = At(o, {"query", "kind_scan_public", "p50_ms"});
  add("(query :kind sem :limit 100) p50 (ms)", scan, "%.3f", "< 5 (mimir)", scan < 5);
  const double wrong = At(o, {"query", "wrong_results"});
  add("queries with a wrong result", wrong, "%.0f", "0", wrong == 0);
  const double rep = At(o, {"replay", "records_per_s"});
  add("replay (records/s, warm)", rep, "%.0f", ">= 1000000", rep >= 1e6);
  const double per_m = ctx.n > 0 ? At(o, {"replay", "open_warm_s"}) * 1e6 / ctx.n : 0;
  add("open of 1M memories (s, warm; scaled from n)", per_m, "%.3f", "< 2 (mimir)", per_m < 2);
  const double rss = At(o, {"replay", "vmrss_mb_per_1m_memories"});
  add("VmRSS per 1M memories (MB)", rss, "%.0f", "<= 300 (mimir < 500)", rss <= 300);
  const double fr = At(o, {"flat", "ratio_never_p50"});
  add("commit p50 ratio big/10k, fsync never", fr, "%.2f", "<= 1.5 (O(batch))", fr <= 1.5);
  const double fs = At(o, {"flat", "ratio_every_commit_p50"});
  add("commit p50 ratio big/10k, fsync every commit", fs, "%.2f", "<= 1.5 (O(batch))", fs <= 1.5);
  return t;
}

nlohmann::json ReportTargets(const Context& ctx) {
  const std::vector<Target> targets = Targets(ctx);
  nlohmann::json j = nlohmann::json::array();
  Table table("targets (a miss is reported, never an error)",
              {"metric", "measured", "target", "result"});
  for (const Target& t : targets) {
    j.push_back(
        {{"metric", t.metric}, {"measured", t.measured}, {"target", t.target}, {"pass", t.pass}});
    table.AddRow({t.metric, t.measured, t.target, t.pass ? "pass" : "FAIL"});
  }
  if (ctx.n != kDefaultMemories) {
    table.AddNote(Format("n = %zu: per-1M figures are scaled linearly from n", ctx.n));
  }
  if (ctx.tables) table.Print();
  return j;
}

Status RunAll(Context* ctx) {
  URD_RETURN_IF_ERROR(memory_bench::RunPopulate(ctx));
  URD_RETURN_IF_ERROR(memory_bench::RunDurable(ctx));
  URD_RETURN_IF_ERROR(memory_bench::RunQuery(ctx));
  URD_RETURN_IF_ERROR(memory_bench::RunReplay(ctx));
  URD_RETURN_IF_ERROR(memory_bench::RunFlat(ctx));
  return Status::OK();
}

int WriteJson(const MemoryBenchOptions& options, const nlohmann::json& out) {
  const std::string text = out.dump(2);
  if (options.json) std::printf("%s\n", text.c_str());
  if (!options.out.empty()) {
    std::ofstream f(options.out);
    f << text << "\n";
    if (!f) {
      std::fprintf(stderr, "urd: cannot write %s\n", options.out.c_str());
      return 5;
    }
  }
  return 0;
}

}  // namespace

int RunMemoryBench(const MemoryBenchOptions& options) {
  Context ctx;
  ctx.options = &options;
  ctx.tables = !options.json;
  ctx.n = options.n > 0 ? options.n : (options.quick ? kQuickMemories : kDefaultMemories);
  if (ctx.n < kMinMemories) {
    std::fprintf(stderr, "urd bench memory: --n must be at least %zu\n", kMinMemories);
    return 1;
  }
  ctx.subjects = std::min(ctx.n, options.quick ? kQuickSubjects : kDefaultSubjects);
  ctx.next_now = kStartClock;
  Result<std::string> tmp = MakeTempDir(options.tmp_dir);
  if (!tmp.ok()) {
    std::fprintf(stderr, "urd: %s\n", tmp.status().ToString().c_str());
    return ExitCodeFor(tmp.status());
  }
  ctx.tmp = *tmp;
  ctx.big_dir = ctx.tmp + "/big";
  ctx.out = {{"benchmark", "urd bench memory"},
             {"quick", options.quick},
             {"n", ctx.n},
             {"subjects", ctx.subjects},
             {"dir", ctx.tmp}};
  ctx.out["machine"] = {{"cpu", CpuModelName()},
                        {"hardware_threads", std::thread::hardware_concurrency()},
                        {"urd_version", URD_VERSION},
                        {"build", URD_BUILD_TYPE},
                        {"loadavg_start", LoadAverage()}};
  if (ctx.tables) {
    std::printf(
        "urd bench memory: %zu memories over %zu subjects; %s, %u hardware threads, "
        "load average %s\nstores under %s\n",
        ctx.n, ctx.subjects, CpuModelName().c_str(), std::thread::hardware_concurrency(),
        LoadAverage().c_str(), ctx.tmp.c_str());
  }
  const double start = NowSeconds();
  const Status st = RunAll(&ctx);
  ctx.big.reset();
  RemoveTree(ctx.tmp);
  ctx.out["total_s"] = NowSeconds() - start;
  ctx.out["machine"]["loadavg_end"] = LoadAverage();
  if (!st.ok()) {
    std::fprintf(stderr, "urd: %s\n", st.ToString().c_str());
    return ExitCodeFor(st);
  }
  ctx.out["targets"] = ReportTargets(ctx);
  if (ctx.tables) {
    std::printf("\ntotal %.0f s; load average at the end %s\n", ctx.out["total_s"].get<double>(),
                LoadAverage().c_str());
  }
  return WriteJson(options, ctx.out);
}

}  // namespace urd::bench
