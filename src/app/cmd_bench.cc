// Copyright urd authors. `urd bench`: the benchmark programs of bench/ (built with
// -DURD_BUILD_BENCH=ON, the default).
//
//   urd bench vector [--n N ...] [--dim D ...] [--queries Q] [--threads T] [--quick]
//                    [--workload NAME ...] [--fashion-mnist DIR] [--tmp DIR]
//                    [--json] [--out FILE]
//   urd bench memory [--quick] [--n N] [--tmp DIR] [--json] [--out FILE]
//   urd bench recall [--quick] [--n N] [--queries Q] [--tmp DIR] [--json] [--out FILE]
//
// Workloads and output: bench/vector_bench.h, bench/memory_bench.h,
// bench/recall_bench.h. Exit codes as every verb (cli.h); a binary built without
// bench/ prints so and exits 1.

#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "app/cli.h"
#if defined(URD_HAVE_BENCH)
#include "bench/memory_bench.h"
#include "bench/recall_bench.h"
#include "bench/vector_bench.h"
#endif

namespace urd::app {
namespace {

struct BenchVectorArgs {
  std::vector<size_t> n, dim;
  size_t queries = 200;
  int threads = 0;
  bool quick = false;
  std::vector<std::string> workloads;
  bool json = false;
  std::string out;
  std::string fashion_mnist = "/usr/share/datasets/fashion-mnist";
  std::string tmp;
};

int BenchVector(const BenchVectorArgs& a) {
#if defined(URD_HAVE_BENCH)
  bench::VectorBenchOptions o;
  o.n = a.n;
  o.dim = a.dim;
  o.queries = a.queries;
  o.threads = a.threads;
  o.quick = a.quick;
  o.workloads = a.workloads;
  o.json = a.json;
  o.out = a.out;
  o.fashion_mnist_dir = a.fashion_mnist;
  o.tmp_dir = a.tmp;
  return bench::RunVectorBench(o);
#else
  (void)a;
  std::fputs("urd: benchmarks were not built (configure with -DURD_BUILD_BENCH=ON)\n", stderr);
  return kExitUsage;
#endif
}

struct BenchMemoryArgs {
  size_t n = 0;
  bool quick = false;
  bool json = false;
  std::string out;
  std::string tmp;
};

int BenchMemory(const BenchMemoryArgs& a) {
#if defined(URD_HAVE_BENCH)
  bench::MemoryBenchOptions o;
  o.n = a.n;
  o.quick = a.quick;
  o.json = a.json;
  o.out = a.out;
  o.tmp_dir = a.tmp;
  return bench::RunMemoryBench(o);
#else
  (void)a;
  std::fputs("urd: benchmarks were not built (configure with -DURD_BUILD_BENCH=ON)\n", stderr);
  return kExitUsage;
#endif
}

void AddBenchMemory(CLI::App* bench, int* rc) {
  auto args = std::make_shared<BenchMemoryArgs>();
  CLI::App* mem = bench->add_subcommand(
      "memory", "Memory store commits, reads and replay vs mimir-core (bench/memory_bench.h)");
  mem->add_option("--n", args->n, "Memories of the populated store (default 1000000; "
                                  "--quick 100000)")
      ->check(CLI::PositiveNumber);
  mem->add_flag("--quick", args->quick, "100000 memories over 20000 subjects (well under a "
                                        "minute)");
  mem->add_option("--tmp", args->tmp, "Parent directory of the stores (default $TMPDIR or /tmp; "
                                      "removed at the end)");
  mem->add_flag("--json", args->json, "One JSON object on stdout instead of tables");
  mem->add_option("--out", args->out, "Also write the JSON object to this file");
  mem->callback([args, rc] { *rc = BenchMemory(*args); });
}

struct BenchRecallArgs {
  size_t n = 0;
  size_t queries = 200;
  bool quick = false;
  bool json = false;
  std::string out;
  std::string tmp;
};

int BenchRecall(const BenchRecallArgs& a) {
#if defined(URD_HAVE_BENCH)
  bench::RecallBenchOptions o;
  o.n = a.n;
  o.queries = a.queries;
  o.quick = a.quick;
  o.json = a.json;
  o.out = a.out;
  o.tmp_dir = a.tmp;
  return bench::RunRecallBench(o);
#else
  (void)a;
  std::fputs("urd: benchmarks were not built (configure with -DURD_BUILD_BENCH=ON)\n", stderr);
  return kExitUsage;
#endif
}

void AddBenchRecall(CLI::App* bench, int* rc) {
  auto args = std::make_shared<BenchRecallArgs>();
  CLI::App* rec = bench->add_subcommand(
      "recall", "Workspace remember and recall with the hash embedder (bench/recall_bench.h)");
  rec->add_option("--n", args->n, "Notes remembered (default 100000; --quick 10000)")
      ->check(CLI::PositiveNumber);
  rec->add_option("--queries", args->queries, "Recall queries timed (default 200)")
      ->check(CLI::PositiveNumber);
  rec->add_flag("--quick", args->quick, "10000 notes (well under a minute)");
  rec->add_option("--tmp", args->tmp, "Parent directory of the workspaces (default $TMPDIR or "
                                      "/tmp; removed at the end)");
  rec->add_flag("--json", args->json, "One JSON object on stdout instead of tables");
  rec->add_option("--out", args->out, "Also write the JSON object to this file");
  rec->callback([args, rc] { *rc = BenchRecall(*args); });
}

}  // namespace

void AddBenchCommands(CLI::App* app, int* rc) {
  auto args = std::make_shared<BenchVectorArgs>();
  CLI::App* bench = app->add_subcommand("bench", "Benchmarks (bench/)");
  bench->require_subcommand(1);

  CLI::App* vec = bench->add_subcommand(
      "vector", "Vector store speed vs memory bandwidth, FAISS and hnswlib (bench/vector_bench.h)");
  vec->add_option("--n", args->n, "Rows of the exact workload (repeatable; default 100000 1000000)")
      ->check(CLI::PositiveNumber);
  vec->add_option("--dim", args->dim, "Dimensions (repeatable; default 384 768)")
      ->check(CLI::PositiveNumber);
  vec->add_option("--queries", args->queries, "Timed queries per measurement (default 200)")
      ->check(CLI::PositiveNumber);
  vec->add_option("--threads", args->threads, "Threads of the multi-threaded figures "
                                              "(default: hardware threads)")
      ->check(CLI::PositiveNumber);
  vec->add_flag("--quick", args->quick, "Small set: 100000 x 384, no 1M store (about a minute)");
  vec->add_option("--workload", args->workloads,
                  "Run only these: bandwidth exact faiss hnswlib compressed durable");
  vec->add_option("--fashion-mnist", args->fashion_mnist, "Fashion-MNIST directory");
  vec->add_option("--tmp", args->tmp, "Parent directory of the durable stores "
                                      "(default $TMPDIR or /tmp)");
  vec->add_flag("--json", args->json, "One JSON object on stdout instead of tables");
  vec->add_option("--out", args->out, "Also write the JSON object to this file");
  vec->callback([args, rc] { *rc = BenchVector(*args); });
  AddBenchMemory(bench, rc);
  AddBenchRecall(bench, rc);
}

}  // namespace urd::app
