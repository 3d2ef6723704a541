// Copyright urd authors. KnowledgeGraph: the entity / relation / observation graph
// of @modelcontextprotocol/server-memory, kept as typed memories of a Workspace
// (docs/knowledge_graph.md). Every change is one atomic batch of the memory store:
// durable, shared with other processes on the same workspace, and with its history
// kept (a deletion supersedes facts; it never erases them).
//
// Semantics follow server-memory 2026.8.31 call for call (same results, same
// order: entities in creation order, observations in the order added, relations in
// creation order), except where that server loses data or is ambiguous
// (docs/decisions.md W4): a name given twice in one CreateEntities call creates
// one entity (the first), and an observation given twice for one entity is kept
// once.
//
// Errors: InvalidArgument (a name, type or observation that is not valid UTF-8 or
// is over 64 KiB), NotFound (AddObservations on an entity that does not exist:
// "Entity with name X not found" — nothing of the call is written), the errors of
// the workspace's writes (Busy when another process holds the writer lock past its
// wait, IOError, ...). A failed call writes nothing.
//
// Thread-safety: every method may be called from any thread.

#ifndef URD_KNOWLEDGE_GRAPH_H_
#define URD_KNOWLEDGE_GRAPH_H_

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "urd/result.h"
#include "urd/status.h"

namespace urd {

struct KgEntity {
  std::string name;
  std::string entity_type;
  std::vector<std::string> observations;
  friend bool operator==(const KgEntity&, const KgEntity&) = default;
};

struct KgRelation {
  std::string from;
  std::string to;
  std::string relation_type;
  friend bool operator==(const KgRelation&, const KgRelation&) = default;
};

struct KgGraph {
  std::vector<KgEntity> entities;
  std::vector<KgRelation> relations;
};

// Observations of one entity, to add or to delete.
struct KgObservations {
  std::string entity_name;
  std::vector<std::string> observations;
};

// What Merge did.
struct KgMergeSummary {
  uint64_t entities_created = 0;
  uint64_t observations_added = 0;  // to entities that existed already
  uint64_t relations_created = 0;
};

class KnowledgeGraph {
 public:
  virtual ~KnowledgeGraph() = default;

  // Creates the entities whose names do not exist yet; returns those (as given,
  // duplicates within the call dropped). Existing entities are left untouched.
  virtual Result<std::vector<KgEntity>> CreateEntities(std::span<const KgEntity> entities,
                                                       uint64_t now_ms) = 0;

  // Creates the relations that do not exist yet (the endpoints need not exist);
  // returns those.
  virtual Result<std::vector<KgRelation>> CreateRelations(std::span<const KgRelation> relations,
                                                          uint64_t now_ms) = 0;

  // Adds observations; returns, per entry, the observations that were new.
  // NotFound when an entity does not exist (then nothing is added).
  virtual Result<std::vector<KgObservations>> AddObservations(
      std::span<const KgObservations> additions, uint64_t now_ms) = 0;

  // Deletes the entities (unknown names are ignored) and every relation from or to
  // them.
  virtual Status DeleteEntities(std::span<const std::string> names, uint64_t now_ms) = 0;

  // Deletes the given observations (unknown entities and observations ignored).
  virtual Status DeleteObservations(std::span<const KgObservations> deletions,
                                    uint64_t now_ms) = 0;

  // Deletes the given relations (unknown ones ignored).
  virtual Status DeleteRelations(std::span<const KgRelation> relations, uint64_t now_ms) = 0;

  // Merges `graph` (an imported server-memory memory.jsonl) in ONE atomic batch:
  // entities that do not exist are created (a name repeated in `graph` merges into
  // its first entry: observations appended, the first type kept), entities that
  // exist get the observations they lack (their type is kept), relations that do
  // not exist are created. Errors as CreateEntities; a failure writes nothing.
  virtual Result<KgMergeSummary> Merge(const KgGraph& graph, uint64_t now_ms) = 0;

  // The whole graph.
  virtual Result<KgGraph> Read() = 0;

  // Entities whose name, type or an observation contains `query`, compared
  // case-insensitively as JavaScript's toLowerCase compares (Unicode lowercase,
  // final sigma, dotted capital I), and the relations with at least one endpoint
  // among them.
  virtual Result<KgGraph> Search(std::string_view query) = 0;

  // At most `k` entities ranked by meaning: the workspace's recall (vector and
  // BM25 legs) over entity names and observations, best first; relations as in
  // Search.
  virtual Result<KgGraph> SearchSemantic(std::string_view query, size_t k) = 0;

  // The named entities that exist (in creation order) and the relations with at
  // least one endpoint among them.
  virtual Result<KgGraph> OpenNodes(std::span<const std::string> names) = 0;
};

}  // namespace urd

#endif  // URD_KNOWLEDGE_GRAPH_H_
