// Copyright urd authors. `urd bench vector`: how fast urd's VectorStore searches and
// writes, next to the physical limit (memory bandwidth) and to FAISS and hnswlib
// measured in the same run on the same data.
//
// Workloads (each a table of the output and a key of the JSON object):
//   bandwidth   streaming read bandwidth of this machine: a 1 GiB float array summed
//               with the widest SIMD kernel, 1 thread and --threads threads, best of
//               several runs (bandwidth.h).
//   exact       for each N in --n and d in --dim (default 100k and 1M x 384 and 768;
//               --quick: 100k x 384): random unit vectors (splitmix64, seed 42,
//               component (next>>40)/2^24*2-1, normalised; queries from seed 43) in
//               an in-memory store, one collection, attrs {"g": i % 10,
//               "h": i % 100}. Top-10, --queries queries (default 200) after 10
//               warm-up queries: single-query median / p95 / QPS at 1 thread and at
//               --threads threads, with bandwidth_ratio = N*d*4 bytes / (median x
//               bandwidth of the same thread count); SearchBatch of 64 queries: time
//               per query and speedup over single queries; Eq filters matching 10 %
//               and 1 % of the rows: median and ratio to unfiltered; recall check: the
//               first 20 queries' top-10 ids against a double-precision brute force
//               (mismatches, expected 0).
//   faiss       FAISS IndexFlatIP on the same data (if built with faiss): one query
//               at a time on 1 OpenMP thread, and one call with a batch of 64 queries
//               on --threads threads (skipped when the BLAS speed seen on a smaller
//               configuration says it would take over 40 s, 10 s with --quick);
//               urd/faiss latency ratios. "faiss: not available" otherwise.
//   hnswlib     hnswlib BruteforceSearch with an inner-product space, its kernel
//               built for the best instruction set of this CPU (hnswlib_runner.h):
//               one query at a time; urd/hnswlib latency ratio.
//               Peers run the same queries; when one query takes long, fewer of them
//               (about 20 s worth, 5 s with --quick; at least 20 queries; the count is
//               reported).
//   compressed  Fashion-MNIST: the 60000 train images (784 pixels / 255) in a store
//               with keep_int8 and keep_f16; the first 200 t10k images as queries:
//               exact f32, int8 + exact re-rank (rerank_factor 4 and 8) and f16, one
//               thread: median latency, speedup over exact f32, recall@10 against
//               exact.
//   durable     file-backed stores in a temporary directory: 100k x 384 upserted in
//               calls of 1000 rows, fsync every call (rows/s); reopen time of that
//               store, and of a 1M x 384 store built with fsync never (warm page
//               cache, and cold after dropping its files' pages); VmRSS after
//               opening the 1M x 384 store. --quick skips the 1M store.
//
// Output: a table per workload on stdout (progress on stderr); with --json one JSON
// object on stdout instead; --out FILE writes that JSON object to FILE as well.

#ifndef URD_BENCH_VECTOR_BENCH_H_
#define URD_BENCH_VECTOR_BENCH_H_

#include <cstddef>
#include <string>
#include <vector>

namespace urd::bench {

struct VectorBenchOptions {
  std::vector<size_t> n;       // rows of the exact workload; empty: 100k, 1M (--quick: 100k)
  std::vector<size_t> dim;     // dimensions; empty: 384, 768 (--quick: 384)
  size_t queries = 200;        // timed queries per measurement (>= 1)
  int threads = 0;             // the multi-threaded figures; 0: hardware threads
  bool quick = false;          // the small set, about a minute
  // Workloads to run (names above); empty: all. exact implies bandwidth; faiss and
  // hnswlib imply exact.
  std::vector<std::string> workloads;
  bool json = false;           // JSON on stdout instead of tables
  std::string out;             // also write the JSON object here ("" : no file)
  std::string fashion_mnist_dir = "/usr/share/datasets/fashion-mnist";
  std::string tmp_dir;         // parent of the durable stores; "": $TMPDIR or /tmp
};

// Runs the selected workloads. Returns the process exit code: 0, 1 for bad options,
// or the code of the first store error (ExitCodeFor).
int RunVectorBench(const VectorBenchOptions& options);

}  // namespace urd::bench

#endif  // URD_BENCH_VECTOR_BENCH_H_
