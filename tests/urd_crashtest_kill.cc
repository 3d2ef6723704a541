// Copyright urd authors. urd_crashtest's SIGKILL mode (the default; urd_crashtest.h).
//
// Each trial forks a child that opens the workspace and runs the next ops of the
// mixed workload (mixed_workload.h), acknowledging each op index over a pipe once
// its call returned OK; the parent kills it at a random instant, reopens the
// workspace and the extra vector store and checks them against a model of the
// acknowledged ops:
//   * both open, every time;
//   * every fact has its latest value; every rule its latest action;
//   * every remembered note is recalled by its exact text as the top BM25 hit and
//     the top vector hit (with its attrs, when its op was acknowledged);
//   * the graph holds exactly the entities, types and observations of the model,
//     in creation order;
//   * the extra store holds exactly the model's records, with the right vectors;
//   * counts: sem/epi/pro records, episodes and the commit clock of the memory
//     log; and the indexes agree with the log: vectors == text documents == the
//     memories that carry text (counted in the log and in the model).
// The state must be the model after the acknowledged ops, or after one more (the
// op in flight, whole): never anything in between. Workspace::Reindex is never
// called. The next trial continues on the same directory; every 50 trials (or 1000
// ops) start a fresh one.

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <random>
#include <string>
#include <system_error>
#include <utility>

#include "crash_harness.h"
#include "memory/memory_store_impl.h"
#include "mixed_workload.h"
#include "recall/memory_text.h"
#include "urd/knowledge_graph.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"
#include "urd_crashtest.h"

namespace urd::mixed {
namespace {

uint64_t LogTextMemories(Workspace* ws) {
  uint64_t n = 0;
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(ws->memory());
  impl->WithState([&](const mem::MemoryState& st, const mem::DecayConfig&) {
    recall::ForEachMemoryText(st, [&](mem::SymbolId, const std::string&) { ++n; });
  });
  return n;
}

// Every note is the top hit of both legs for its exact text, with its attrs when
// its op was acknowledged (`acked`: the last acknowledged op).
std::string CheckNotes(Workspace* ws, const Model& m, uint64_t acked) {
  for (const Note& n : m.notes) {
    RecallOptions ro;
    ro.k = 10;
    ro.kind = n.rule ? "pro" : "epi";
    ro.include_superseded = true;  // rules with the same subject supersede each other
    auto hits = ws->Recall(n.text, ro);
    if (!hits.ok()) return "recall: " + hits.status().ToString();
    auto it = std::find_if(hits->begin(), hits->end(),
                           [&](const RecallHit& h) { return h.text == n.text; });
    if (it == hits->end() || it->legs.bm25_rank != 1u || it->legs.vector_rank != 1u) {
      return "note of op " + Num(n.op) + " is not the top hit for its text: " + n.text +
             (it == hits->end() ? " (not recalled)" : " (" + it->why + ")");
    }
    auto attr = it->attrs.find("op");
    if (n.acked && n.op <= acked && (attr == it->attrs.end() || attr->second != Num(n.op))) {
      return "acknowledged note of op " + Num(n.op) + " (" + it->memory_id +
             ") lost its attributes";
    }
  }
  return "";
}

std::string CheckWorkspace(Workspace* ws, const VectorStore& extra, const Model& m,
                           uint64_t acked) {
  WorkspaceStats st = ws->Stats();
  const uint64_t in_log = LogTextMemories(ws);
  if (st.vectors != m.texts || st.text_docs != m.texts || in_log != m.texts) {
    return "indexes disagree with the log: " + Num(st.vectors) + " vectors, " + Num(st.text_docs) +
           " text documents, " + Num(in_log) + " memories with text in the log; model " +
           Num(m.texts);
  }
  std::string why = CheckMemory(*ws->memory(), m);
  if (why.empty()) why = CheckVectors(extra, m);
  if (why.empty()) why = CheckNotes(ws, m, acked);
  if (!why.empty()) return why;
  auto graph = ws->graph()->Read();
  if (!graph.ok()) return "graph: " + graph.status().ToString();
  if (graph->entities != m.entities || !graph->relations.empty()) {
    std::string got, want;
    for (const KgEntity& e : graph->entities) {
      got += " " + e.name + "(" + Num(e.observations.size()) + ")";
    }
    for (const KgEntity& e : m.entities) {
      want += " " + e.name + "(" + Num(e.observations.size()) + ")";
    }
    return "graph holds" + got + "; model" + want;
  }
  return "";
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t seed, Model m, crash::AckWriter& ack) {
  auto ws = Workspace::Open(dir, WorkspaceOptions{});  // fsync on every commit
  if (!ws.ok()) {
    std::fprintf(stderr, "child: open workspace: %s\n", ws.status().ToString().c_str());
    _exit(11);
  }
  auto extra = VectorStore::Open(dir + "/extra-vectors", ExtraOptions());
  if (!extra.ok()) {
    std::fprintf(stderr, "child: open extra vectors: %s\n", extra.status().ToString().c_str());
    _exit(11);
  }
  while (true) {
    Op op = Generate(seed, m.last_op + 1, m);
    Status s = RunWorkspaceOp(ws->get(), extra->get(), op);
    if (!s.ok()) {
      std::fprintf(stderr, "child: op %llu (%s): %s\n", static_cast<unsigned long long>(op.index),
                   kKindNames[static_cast<int>(op.kind)], s.ToString().c_str());
      _exit(12);
    }
    ack.Ack(op.index);
    Apply(op, &m);
  }
}

uint64_t DirBytes(const std::string& dir) {
  uint64_t n = 0;
  std::error_code ec;
  for (auto it = std::filesystem::recursive_directory_iterator(dir, ec);
       !ec && it != std::filesystem::recursive_directory_iterator(); it.increment(ec)) {
    if (it->is_regular_file(ec)) n += it->file_size(ec);
  }
  return n;
}

// Opens `dir` and checks it holds `m`, or `m` plus the op after it (then advances
// `m`). Returns "" or what is wrong.
std::string Settle(const std::string& dir, uint64_t seed, uint64_t acked, Model* m,
                   Totals* totals) {
  auto ws = Workspace::Open(dir, WorkspaceOptions{});
  if (!ws.ok()) return "reopen workspace: " + ws.status().ToString();
  auto extra = VectorStore::Open(dir + "/extra-vectors", ExtraOptions());
  if (!extra.ok()) return "reopen extra vectors: " + extra.status().ToString();
  std::string why = CheckWorkspace(ws->get(), **extra, *m, acked);
  if (why.empty()) {
    ++totals->inflight_absent;
    return "";
  }
  Model next = *m;
  Advance(seed, acked + 1, &next, [](const Op&, const Model&) {});
  std::string why_next = CheckWorkspace(ws->get(), **extra, next, acked);
  if (!why_next.empty()) {
    return "after " + Num(acked) + " acknowledged ops the stores match neither that state (" + why +
           ") nor one more op, " +
           kKindNames[static_cast<int>(Generate(seed, acked + 1, *m).kind)] + " (" + why_next + ")";
  }
  *m = std::move(next);
  for (Note& n : m->notes) n.acked = n.acked && n.op != acked + 1;
  ++totals->inflight_present;
  return "";
}

}  // namespace

bool RunKillTrials(const crash::Options& flags, Totals* totals) {
  const std::string root = crash::MakeTempDir("urd-mixed-crash-");
  if (root.empty()) return crash::Fail(kProgram, 0, "cannot make a directory under /tmp");
  std::mt19937_64 rng(flags.seed);
  std::string dir;
  Model m;
  uint64_t dir_first_op = 0;
  for (int t = 0; t < flags.trials; ++t) {
    if (t % kTrialsPerDir == 0 || m.last_op >= dir_first_op + kOpsPerDir) {
      if (!dir.empty()) {
        totals->max_dir_bytes = std::max(totals->max_dir_bytes, DirBytes(dir));
        crash::RemoveTree(dir);
      }
      dir = root + "/ws" + Num(totals->dirs++);
      m = Model{.last_op = m.last_op};  // op indexes (and clocks) keep growing
      dir_first_op = m.last_op;
    }
    crash::ChildRun run;
    std::string error;
    if (!crash::RunAndKill([&](crash::AckWriter& ack) { RunChild(dir, flags.seed, m, ack); },
                           crash::RandomDelay(rng, flags.max_delay_ms), &run, &error)) {
      return crash::Fail(kProgram, t, error);
    }
    if (!run.killed) return crash::Fail(kProgram, t, "child ended by itself: " + run.Describe());
    for (size_t k = 0; k < run.acks.size(); ++k) {
      if (run.acks[k] != m.last_op + 1 + k) return crash::Fail(kProgram, t, "acks out of order");
    }
    const uint64_t acked = run.LastAck(m.last_op);
    totals->acked += acked - m.last_op;
    Advance(flags.seed, acked, &m,
            [&](const Op& op, const Model&) { ++totals->by_kind[static_cast<int>(op.kind)]; });
    std::string why = Settle(dir, flags.seed, acked, &m, totals);
    if (!why.empty()) {
      return crash::Fail(kProgram, t, why + " (the directory is kept: " + dir + ")");
    }
  }
  totals->max_dir_bytes = std::max(totals->max_dir_bytes, DirBytes(dir));
  crash::RemoveTree(root);
  return true;
}

}  // namespace urd::mixed
