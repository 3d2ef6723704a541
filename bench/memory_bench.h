// Copyright urd authors. `urd bench memory`: how fast urd's MemoryStore commits,
// reads and reopens, against mimir-core's figures (reference/mimir-core.md §7.4,
// §10 "Numbers to beat") and the project's targets.
//
// Data: memory i (0 <= i < --n, default 1,000,000; --quick 100,000) is
//   (sem @s<i % S> @p<i / S> <o> :src @observation :c 0.9 :v 2024-01-01)
// with S subjects (100,000; --quick 20,000), so every (s, p) key is distinct; the
// object <o> is the integer i for even i and the literal symbol @o<i % 1000> for odd
// i. Commits use a fixed wall clock (2024-06-01 plus one millisecond per batch).
//
// Workloads (each a table of the output and a key of the JSON object):
//   populate   the --n memories committed through MemoryStore::Commit in batches of
//              1000 forms into a file-backed store with MemoryFsync::kNever: total
//              time (Commit calls only; the text is built outside the clock),
//              canonical records/s (CommitResult::records), memories/s, log bytes,
//              log bytes per memory. The "non-durable commit throughput".
//   durable    a fresh store with MemoryFsync::kEveryCommit: 200 batches of 10 forms,
//              per-batch latency p50/p95/p99; beside it the raw cost of this disk:
//              200 x (append 1 KiB + fdatasync) to a scratch file, and the ratio of
//              the two p50s.
//   query      on the populated store, the §7.4 probes `(query :s @sX :p @pY)` for
//              16 memories spread over the store (j = k * n / 16): ExecuteQuery
//              (parse + run, no rendering) inside one WithState call, timed in
//              batches of 1000 queries (per-query time = batch time / 1000; p50/p95
//              over the batches) and, for the tail, one query per clock read;
//              every result must hold exactly the probed memory. Then
//              MemoryStore::Query (which also renders the record as a form) for the
//              same probes, and `(query :kind sem :limit 100)`.
//   replay     the store is closed, then MemoryStore::Open replays it: seconds,
//              records/s, VmRSS before/after the open (after malloc_trim, the old
//              store destroyed) as MB per 1M memories, MemoryStats::memory_bytes.
//   flat       commit latency of one batch of 10 new memories into a store of
//              10,000 memories and into the populated store, kNever (CPU work) and
//              kEveryCommit: p50/p95 over 200 batches each, and the ratio big/10k
//              (a commit costs O(batch): the ratio should stay near 1).
//
// Output: a table per workload on stdout, then a "targets" table (metric, measured,
// target, pass/fail); progress on stderr. With --json one JSON object on stdout
// instead; --out FILE writes it to FILE as well. A missed target never changes the
// exit code: benchmarks report, tests assert.

#ifndef URD_BENCH_MEMORY_BENCH_H_
#define URD_BENCH_MEMORY_BENCH_H_

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "urd/memory_store.h"
#include "urd/result.h"

namespace urd::bench {

struct MemoryBenchOptions {
  size_t n = 0;         // memories of the populated store; 0: 1,000,000 (--quick 100,000)
  bool quick = false;   // 100k memories over 20k subjects: well under a minute
  bool json = false;    // JSON on stdout instead of tables
  std::string out;      // also write the JSON object here ("" : no file)
  std::string tmp_dir;  // parent of the stores' directory; "": $TMPDIR or /tmp
};

// Runs every workload. Returns the process exit code: 0 (whatever the targets say),
// 1 for bad options, or the code of the first store error (ExitCodeFor).
int RunMemoryBench(const MemoryBenchOptions& options);

// ---- Internal to bench/memory_*.cc ----

namespace memory_bench {

// Shared by the workloads, in the order they run.
struct Context {
  const MemoryBenchOptions* options = nullptr;
  bool tables = true;                // print tables on stdout
  std::string tmp;                   // the run's temporary directory
  size_t n = 0;                      // memories of the populated store
  size_t subjects = 0;               // S
  uint64_t next_now = 0;             // wall clock of the next commit (ms)
  std::string big_dir;               // the populated store's directory
  std::unique_ptr<MemoryStore> big;  // the populated store while it is open
  uint64_t big_records = 0;          // canonical records in its log
  uint64_t big_memories = 0;         // memories in it (grows with the flat workload)
  nlohmann::json out;                // workload name -> figures
};

// Appends the form of memory i (S = subjects) to *text.
void AppendForm(size_t i, size_t subjects, std::string* text);

Status RunPopulate(Context* ctx);
Status RunDurable(Context* ctx);
Status RunQuery(Context* ctx);
Status RunReplay(Context* ctx);
Status RunFlat(Context* ctx);

// Prints one progress line on stderr: "bench memory: ...".
void Progress(const char* fmt, ...) __attribute__((format(printf, 1, 2)));

}  // namespace memory_bench

}  // namespace urd::bench

#endif  // URD_BENCH_MEMORY_BENCH_H_
