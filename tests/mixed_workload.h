// Copyright urd authors. The mixed workload of urd_crashtest (urd_crashtest_main.cc):
// the operations, the model of what the stores must hold after them, the memory
// forms an op writes, running an op, and the checks both crash modes share.
//
// The workload is a reproducible sequence of operations: op i is drawn from
// (seed, i) and the state the ops before it left (so that it names entities and
// vector ids that exist). Kinds:
//   write      Workspace::Write of typed forms: 1-4 facts on 40 (subject,
//              predicate) keys, so that later facts supersede earlier ones (text or
//              integer objects), sometimes a rule (superseding its earlier
//              versions) and an event;
//   remember   Workspace::Remember of 1-3 notes (epi, or pro), attrs {op: i};
//   graph      KnowledgeGraph create_entities / add_observations /
//              delete_entities on a pool of 24 entity names;
//   vectors    upsert (1-30 records, sometimes 400, some overwriting older ids),
//              delete and Compact() on a separate VectorStore, <dir>/extra-vectors.
// Every call is committed with the clock kBase + i seconds.
//
// Thread-safety: none needed; the program is single-threaded.

#ifndef URD_TESTS_MIXED_WORKLOAD_H_
#define URD_TESTS_MIXED_WORKLOAD_H_

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "urd/knowledge_graph.h"
#include "urd/status.h"
#include "urd/vector_store.h"

namespace urd {

class MemoryStore;
class Workspace;

namespace mixed {

inline constexpr uint64_t kBase = 1'700'000'000'000;  // commit clock of op 0

// ---- Operations.

enum class OpKind {
  kWrite,
  kRemember,
  kCreate,
  kObserve,
  kDeleteEntities,
  kUpsert,
  kDelete,
  kCompact
};
inline constexpr int kNumKinds = 8;
inline constexpr const char* kKindNames[kNumKinds] = {
    "write",           "remember", "create_entities", "add_observations",
    "delete_entities", "upsert",   "delete",          "compact"};

struct Fact {
  std::string subject, predicate;
  std::string value;  // as written in the form: a quoted string or an integer
  bool text = false;
};

struct Source {  // the vector of record j of op `op`
  uint64_t op = 0, j = 0;
};

struct Op {
  uint64_t index = 0;
  OpKind kind = OpKind::kCompact;
  std::vector<Fact> facts;                              // write: sem facts
  std::vector<Fact> rules;                              // write: (rule id, -, quoted action)
  bool event = false;                                   // write: an epi event too
  std::vector<std::string> texts;                       // remember
  bool rule_notes = false;                              // remember: kind pro (else epi)
  std::string subject = "user";                         // remember
  std::vector<KgEntity> entities;                       // create_entities
  std::vector<KgObservations> observations;             // add_observations
  std::vector<std::string> names;                       // delete_entities
  std::vector<std::pair<std::string, Source>> upserts;  // upsert
  std::vector<std::string> deletes;                     // delete
  uint64_t clock() const { return kBase + index * 1000; }
  bool vector_op() const { return kind >= OpKind::kUpsert; }
};

struct Note {
  std::string text;
  bool rule = false;
  uint64_t op = 0;
  // The op was acknowledged. An op found committed after a crash without its
  // acknowledgement may lack its attrs: the vectors were embedded again on open.
  bool acked = true;
};

// What the stores must hold after ops 1..last_op.
struct Model {
  uint64_t last_op = 0;
  std::map<std::string, Fact> facts;         // by "subject predicate"
  std::map<std::string, std::string> rules;  // rule id -> quoted action
  std::vector<Note> notes;
  std::vector<KgEntity> entities;            // live, in creation order
  std::map<std::string, std::string> typed;  // every entity ever created -> last type written
  std::map<std::string, Source> vectors;     // extra store: id -> source
  uint64_t sem = 0, epi = 0, pro = 0, episodes = 0, texts = 0, last_commit = 0;

  const KgEntity* Entity(const std::string& name) const {
    for (const KgEntity& e : entities) {
      if (e.name == name) return &e;
    }
    return nullptr;
  }
};

// `n` in decimal.
std::string Num(uint64_t n);

// Op `i` after `m` (the state ops 1..i-1 left).
Op Generate(uint64_t seed, uint64_t i, const Model& m);

// Applies `op` to the model (what each store call does, docs/knowledge_graph.md).
void Apply(const Op& op, Model* m);

// Advances `m` to op `to`, calling before(op, m) ahead of each op.
template <typename Fn>
void Advance(uint64_t seed, uint64_t to, Model* m, Fn before) {
  while (m->last_op < to) {
    Op op = Generate(seed, m->last_op + 1, *m);
    before(op, *m);
    Apply(op, m);
  }
}

// ---- The memory forms of an op.

// Power-loss mode: the batch of a memory op after `m`, as the workspace would
// write it (Remember's forms; the knowledge graph's facts); "" when it writes
// nothing.
std::string MemoryForms(const Op& op, const Model& m);

// ---- Running an op. Each returns the status of the store call.

// The options of the extra vector store (its dimension; no pool threads).
VectorOptions ExtraOptions();

// Runs a vector op (upsert, delete, compact) on the extra store `v`.
Status RunVectorOp(VectorStore* v, const Op& op);

// Runs `op` through the workspace's calls, or on `extra` for a vector op.
Status RunWorkspaceOp(Workspace* ws, VectorStore* extra, const Op& op);

// ---- Checks shared by both modes. Each returns "" or what is wrong.

// Record counts, episodes, the commit clock, every fact's latest value and every
// rule's latest action.
std::string CheckMemory(const MemoryStore& s, const Model& m);

// The extra store holds exactly the model's records, with the right vectors.
std::string CheckVectors(const VectorStore& v, const Model& m);

}  // namespace mixed
}  // namespace urd

#endif  // URD_TESTS_MIXED_WORKLOAD_H_
