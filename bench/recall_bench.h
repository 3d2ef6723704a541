// Copyright urd authors. `urd bench recall`: how fast a Workspace (urd/workspace.h)
// remembers notes and recalls them, with the time of a recall broken out into its
// pieces, against the project's target (issue 5: recall p50 <= 15 ms at 100k notes
// on one thread, hash embedder).
//
// Data (deterministic, splitmix64 seed 5): --n notes (default 100,000; --quick
// 10,000). A note is 12-30 words drawn from a Zipf-like distribution (exponent 1)
// over a vocabulary of 20,000 words: 48 English stop words at the top ranks, then
// generated pseudo-words; plus, with probabilities 0.5 / 0.3 / 0.4, a person's name
// (one of 400), a place (one of 150) and a number (an integer, a date, a time or an
// amount). Capitalised, ending with a full stop. --queries queries (default 200):
// every fourth one is an exact phrase of 3-6 consecutive words of a random note,
// the others 3-6 words of the same distribution with stop words redrawn, one in
// five of them with a name or a place added.
//
// Workloads (each a table of the output and a key of the JSON object):
//   remember  the notes remembered into a fresh file-backed workspace (hash
//             embedder, dimension 384, MemoryFsync::kNever) by Workspace::Remember
//             calls of 100 texts with the default RememberOptions (epi notes):
//             notes/s over the Remember calls, per-call p50/p95/p99. Beside each
//             call, outside its clock, the same batch goes through the pieces of a
//             remember on scratch stores: Embedder::Embed, MemoryStore::Commit of
//             the forms the workspace writes (recall/workspace.h "How text is
//             stored"), VectorStore::Upsert of the vectors (fsync never) and
//             TextIndex::Add; "the rest" is the Remember time minus those.
//             Then a fresh workspace with MemoryFsync::kEveryCommit: 20 calls of
//             100 texts, per-call p50/p95/p99.
//   open      the workspace closed, then its stores opened read-only alone
//             (MemoryStore::Open, VectorStore::Open of <dir>/vectors) and the whole
//             Workspace::Open (memory replay, vector load, BM25 rebuild), with
//             VmRSS before and after (after malloc_trim).
//   recall    --queries queries, k = 10, RRF (defaults) and weighted fusion, on the
//             opened workspace. The pieces are timed separately for each query by
//             calling the same components: the query's Embedder::Embed, a
//             VectorStore::Search of the workspace's <dir>/vectors collection
//             "memories" (opened read-only) for the workspace's scan pool (top 200
//             for k = 10), and TextIndex::Search (top 50) on an index of the same
//             texts; "the rest" (filters, fusion, confidence and recency, rendering
//             the candidates' texts and forms) = end-to-end minus the pieces, per
//             query. The workspace's vector store scans with all hardware threads
//             (WorkspaceOptions has no scan_threads knob), so the pass is run twice:
//             with every thread of the process pinned to one CPU (the target's
//             "one thread"; the scan piece uses SearchOptions::threads = 1) and
//             unpinned (all hardware threads; the scan piece likewise).
//
// Output: a table per workload on stdout, then a "targets" table (metric, measured,
// target, pass/FAIL); progress on stderr. With --json one JSON object on stdout
// instead; --out FILE writes it to FILE as well. A missed target never changes the
// exit code: benchmarks report, tests assert.

#ifndef URD_BENCH_RECALL_BENCH_H_
#define URD_BENCH_RECALL_BENCH_H_

#include <cstddef>
#include <string>

namespace urd::bench {

struct RecallBenchOptions {
  size_t n = 0;          // notes; 0: 100,000 (--quick 10,000)
  size_t queries = 200;  // recall queries timed (after 10 warm-up recalls)
  bool quick = false;    // 10,000 notes: well under a minute
  bool json = false;     // JSON on stdout instead of tables
  std::string out;       // also write the JSON object here ("" : no file)
  std::string tmp_dir;   // parent of the workspaces' directory; "": $TMPDIR or /tmp
};

// Runs every workload. Returns the process exit code: 0 (whatever the targets say),
// 1 for bad options, or the code of the first error (ExitCodeFor).
int RunRecallBench(const RecallBenchOptions& options);

}  // namespace urd::bench

#endif  // URD_BENCH_RECALL_BENCH_H_
