// Copyright urd authors. `urd bench vector` (vector_bench.h): option handling, the
// order of the workloads, the summary and the JSON object.

#include "bench/vector_bench.h"

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <set>
#include <thread>

#include "bench/faiss_runner.h"
#include "bench/workloads.h"
#include "urd/status.h"

namespace urd::bench {

namespace {

constexpr uint64_t kBandwidthBytes = uint64_t{1} << 30;
const char* const kWorkloads[] = {"bandwidth", "exact", "faiss", "hnswlib", "compressed",
                                  "durable"};

struct Plan {
  std::set<std::string> run;
  std::vector<std::pair<size_t, size_t>> configs;  // (n, dim), smallest first
};

// Resolves defaults and implications; false (with a message) on bad options.
bool MakePlan(const VectorBenchOptions& o, Plan* plan) {
  for (const std::string& w : o.workloads) {
    if (std::find(std::begin(kWorkloads), std::end(kWorkloads), w) == std::end(kWorkloads)) {
      std::fprintf(stderr, "urd bench: unknown workload '%s' (bandwidth, exact, faiss, "
                           "hnswlib, compressed, durable)\n", w.c_str());
      return false;
    }
    plan->run.insert(w);
  }
  if (o.workloads.empty()) plan->run.insert(std::begin(kWorkloads), std::end(kWorkloads));
  if (plan->run.count("faiss") || plan->run.count("hnswlib")) plan->run.insert("exact");
  if (plan->run.count("exact")) plan->run.insert("bandwidth");
  if (o.queries == 0) {
    std::fputs("urd bench: --queries must be at least 1\n", stderr);
    return false;
  }
  std::vector<size_t> ns = o.n, dims = o.dim;
  if (ns.empty()) ns = o.quick ? std::vector<size_t>{100000} : std::vector<size_t>{100000, 1000000};
  if (dims.empty()) dims = o.quick ? std::vector<size_t>{384} : std::vector<size_t>{384, 768};
  for (size_t n : ns) {
    for (size_t d : dims) {
      if (n < kTopK || d == 0) {
        std::fprintf(stderr, "urd bench: need --n >= %zu and --dim >= 1\n", kTopK);
        return false;
      }
      plan->configs.emplace_back(n, d);
    }
  }
  std::sort(plan->configs.begin(), plan->configs.end(), [](const auto& a, const auto& b) {
    return a.first * a.second < b.first * b.second;
  });
  return true;
}

// Which BLAS the system's libblas.so.3 is (FAISS runs batches of >= 20 queries on
// it): the Debian alternative it resolves to.
std::string SystemBlas() {
  std::error_code ec;
  const std::string path =
      std::filesystem::canonical("/usr/lib/x86_64-linux-gnu/libblas.so.3", ec).string();
  if (ec) return "unknown";
  if (path.find("openblas") != std::string::npos) return "OpenBLAS (" + path + ")";
  if (path.find("blis") != std::string::npos) return "BLIS (" + path + ")";
  if (path.find("atlas") != std::string::npos) return "ATLAS (" + path + ")";
  if (path.find("/blas/") != std::string::npos) return "reference BLAS (" + path + ")";
  return path;
}

nlohmann::json MachineJson(const BenchEnv& env) {
  return {{"cpu", CpuModelName()},
          {"hardware_threads", std::thread::hardware_concurrency()},
          {"threads", env.threads},
          {"simd", VectorStore::SimdLevel()},
          {"urd_version", URD_VERSION},
          {"build", URD_BUILD_TYPE},
          {"faiss", FaissFlatIP::Available() ? "available" : "not available"},
          {"blas", SystemBlas()}};
}

nlohmann::json RunBandwidth(BenchEnv* env) {
  Progress("bandwidth: summing %llu MiB, 1 and %d threads",
           static_cast<unsigned long long>(kBandwidthBytes >> 20), env->threads);
  env->bandwidth = MeasureBandwidth(kBandwidthBytes, env->threads, env->options->quick ? 3 : 7);
  const BandwidthResult& b = env->bandwidth;
  if (env->tables) {
    Table t(Format("bandwidth: streaming read of a 1 GiB float array (%s)",
                   b.huge_pages ? "transparent huge pages" : "4 KiB pages"),
            {"threads", "GB/s", "kernel"});
    t.AddRow({"1", Format("%.1f", b.gbps_1thread), b.kernel});
    t.AddRow({Format("%d", b.threads), Format("%.1f", b.gbps_threads), b.kernel});
    t.Print();
  }
  return {{"bytes", b.bytes}, {"kernel", b.kernel}, {"huge_pages", b.huge_pages},
          {"gbps_1thread", b.gbps_1thread},
          {"threads", b.threads}, {"gbps_threads", b.gbps_threads}};
}

double Num(const nlohmann::json& j, const char* a, const char* b, const char* c) {
  if (!j.contains(a) || !j[a].is_object() || !j[a].contains(b)) return 0;
  const nlohmann::json& x = j[a][b];
  return (c == nullptr) ? x.get<double>() : (x.contains(c) ? x[c].get<double>() : 0.0);
}

// One line per configuration: the headline figures side by side.
void PrintSummary(const BenchEnv& env, const nlohmann::json& exact) {
  Table t("exact summary (medians; ms per query)",
          {"N x d", "urd 1t", "bw ratio", Format("urd %dt", env.threads), "batch64 1t",
           "filter 1%", "faiss 1t", "hnswlib 1t", "urd/faiss", "urd/hnswlib"});
  for (const nlohmann::json& c : exact) {
    const nlohmann::json& u = c["urd"];
    const double fa = c.contains("faiss") && c["faiss"].is_object()
                          ? Num(c, "faiss", "single_1thread", "median_ms") : 0;
    const double hn = c.contains("hnswlib") && c["hnswlib"].is_object()
                          ? Num(c, "hnswlib", "single_1thread", "median_ms") : 0;
    const double u1 = u["single_1thread"]["median_ms"].get<double>();
    auto cell = [](double v, const char* fmt) { return v > 0 ? Format(fmt, v) : std::string("-"); };
    t.AddRow({Format("%zu x %zu", c["n"].get<size_t>(), c["dim"].get<size_t>()),
              Format("%.2f", u1),
              Format("%.2f", u["single_1thread"]["bandwidth_ratio"].get<double>()),
              Format("%.2f", u["single_threads"]["median_ms"].get<double>()),
              Format("%.3f", u["batch64_1thread"]["per_query_ms"].get<double>()),
              Format("%.2f", u["filter_eq_1pct"]["median_ms"].get<double>()),
              cell(fa, "%.2f"), cell(hn, "%.2f"), cell(fa > 0 ? u1 / fa : 0, "%.2f"),
              cell(hn > 0 ? u1 / hn : 0, "%.2f")});
  }
  t.Print();
}

Status RunAll(BenchEnv* env, const Plan& plan, nlohmann::json* out) {
  if (plan.run.count("bandwidth")) (*out)["bandwidth"] = RunBandwidth(env);
  if (plan.run.count("exact")) {
    nlohmann::json configs = nlohmann::json::array();
    for (const auto& [n, dim] : plan.configs) {
      URD_ASSIGN_OR_RETURN(nlohmann::json c, RunExactWorkload(env, n, dim, plan.run.count("faiss"),
                                                              plan.run.count("hnswlib")));
      configs.push_back(std::move(c));
    }
    if (env->tables) PrintSummary(*env, configs);
    (*out)["exact"] = std::move(configs);
  }
  if (plan.run.count("compressed")) {
    URD_ASSIGN_OR_RETURN((*out)["compressed"], RunCompressedWorkload(env));
  }
  if (plan.run.count("durable")) {
    URD_ASSIGN_OR_RETURN((*out)["durable"], RunDurableWorkload(env));
  }
  return Status::OK();
}

}  // namespace

int RunVectorBench(const VectorBenchOptions& options) {
  Plan plan;
  if (!MakePlan(options, &plan)) return 1;
  BenchEnv env;
  env.options = &options;
  env.threads = options.threads > 0 ? options.threads
                                    : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  env.tables = !options.json;
  env.peer_budget_s = options.quick ? 5 : 20;
  nlohmann::json out = {{"benchmark", "urd bench vector"}, {"quick", options.quick},
                        {"queries", options.queries}};
  out["machine"] = MachineJson(env);
  out["machine"]["loadavg_start"] = LoadAverage();
  if (env.tables) {
    std::printf("urd bench vector: %s, %d threads, simd %s, load average %s\n"
                "faiss: %s; system BLAS: %s\n",
                CpuModelName().c_str(), env.threads, VectorStore::SimdLevel(),
                LoadAverage().c_str(), FaissFlatIP::Available() ? "available" : "not available",
                SystemBlas().c_str());
  }
  const double start = NowSeconds();
  const Status st = RunAll(&env, plan, &out);
  out["total_s"] = NowSeconds() - start;
  out["machine"]["loadavg_end"] = LoadAverage();
  if (!st.ok()) {
    std::fprintf(stderr, "urd: %s\n", st.ToString().c_str());
    return ExitCodeFor(st);
  }
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
  if (env.tables) {
    std::printf("\ntotal %.0f s; load average at the end %s\n", out["total_s"].get<double>(),
                LoadAverage().c_str());
  }
  return 0;
}

}  // namespace urd::bench
