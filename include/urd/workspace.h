// Copyright urd authors. Workspace: what an agent uses — a directory holding a
// memory store, a vector index of its memories, a BM25 full-text index and the
// embedder settings. Remember() writes text as typed memories; Recall() finds them
// by meaning and by words.
//
// Directory (docs/format.md §7):
//   <dir>/workspace.json   embedder settings and their fingerprint (written once)
//   <dir>/memory.log       the memory store (the source of truth), <dir>/LOCK
//   <dir>/vectors/         the vector store: collection "memories", one record per
//                          remembered memory (id "__mem_N", the text's vector, attrs)
// The BM25 index is rebuilt from the memory store on open.
//
// How text is stored (docs/decisions.md W1): `Remember` writes, in one atomic batch
// of the memory store,
//   kind "epi" (default): (epi @note_<id> @remembered_note (@<subject>) @workspace :at T :obs T
//                          :src @<source> :c C)
//                         (sem @note_<id>:Memory @text "<text>" :src … :c C :v T)
//   kind "sem":           (sem @<subject> @<predicate> "<text>" :src … :c C :v T)
//   kind "pro":           (pro @rule_<id> "<subject>" "<text>" :scp @workspace_rules
//                          :src … :c C)
// The recalled memory is the first form's. Then the vectors are upserted, with the
// caller's attributes as the vector record's attrs. A crash between the two is
// repaired on the next writable open (memories with text but no vector are embedded
// again; that call's attributes are lost: it was never acknowledged), so the log and
// the vector index agree after an open (docs/decisions.md W1, W2).
//
// Sharing: by default a writable workspace holds the writer lock of its stores for
// its whole life (a second writer gets Busy). With WorkspaceOptions::lock_per_write
// several processes (one `urd mcp` per agent session, CLI commands) write one
// workspace: each write takes the lock for its batch only (waiting up to
// lock_wait, then Busy "locked by pid N (owner)"), first catching up with what the
// others committed; Refresh() catches up before a read. A process killed while it
// holds the lock releases it with its death (the kernel's record lock); the next
// writer cuts the torn tail and embeds any memory left without its vector
// (docs/decisions.md W5).
//
// Thread-safety: every method may be called from any thread (writes are serialised).

#ifndef URD_WORKSPACE_H_
#define URD_WORKSPACE_H_

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "urd/embedder.h"
#include "urd/knowledge_graph.h"
#include "urd/memory_store.h"
#include "urd/result.h"
#include "urd/status.h"

namespace urd {

struct WorkspaceOptions {
  // Used when the workspace is created; when it exists, the stored settings win and
  // an explicitly different kind/dimension/model is an error (InvalidArgument naming
  // both), never silently mixed vectors.
  EmbedderOptions embedder;
  bool embedder_explicit = false;  // the caller chose `embedder` (CLI flags, init)
  bool read_only = false;
  bool create_if_missing = true;
  MemoryFsync fsync = MemoryFsync::kEveryCommit;
  std::string lock_owner = "urd";
  std::chrono::milliseconds lock_wait{0};
  bool lock_per_write = false;  // see "Sharing" above
  // The file system (tests, fault injection). Default (null): Env::Default(). Only
  // the real file system has writer locks. Not owned; must outlive the workspace.
  Env* env = nullptr;
};

struct RememberOptions {
  std::string kind = "epi";          // "epi" | "sem" | "pro" (sem, pro: one text per call, W6)
  std::string subject = "user";      // a symbol name (without '@')
  std::string predicate = "note";    // sem only
  std::string source = "observation";
  double confidence = 0.9;           // within the source's bound
  std::optional<uint64_t> valid_at;  // ms since the epoch; default: now
  std::map<std::string, std::string> attrs;  // returned with every hit
  // Caller-supplied vectors, one per text (skips the embedder); each must have
  // the workspace's dimension.
  std::vector<std::vector<float>> vectors;
};

struct Remembered {
  std::string memory_id;  // "__mem_N"
  std::string episode;
  uint64_t committed_at = 0;
};

struct RecallOptions {
  size_t k = 10;
  std::optional<std::string> kind;        // "sem" | "epi" | "pro"
  std::optional<std::string> subject;     // symbol name
  std::optional<std::string> predicate;   // sem: symbol name
  std::optional<std::string> source;      // source symbol name
  std::optional<uint64_t> as_of;          // only memories valid at this time
  double min_confidence = 0;              // on effective (decayed) confidence
  bool include_superseded = false;
  enum class Fusion { kRrf, kWeighted } fusion = Fusion::kRrf;
  double rrf_k = 60;                      // RRF: sum of 1 / (rrf_k + rank)
  double vector_weight = 1, bm25_weight = 1;  // weighted: w_v * cos + w_b * bm25 / max bm25
  double confidence_weight = 0.1;         // final = fused * (1 - cw + cw * confidence) ...
  double recency_weight = 0.05;           // ... * (1 - rw + rw * recency)
  double recency_half_life_days = 30;     // recency = 2^(-age / half-life)
  std::optional<std::vector<float>> vector;  // caller-supplied query vector
};

struct RecallHit {
  std::string memory_id;
  std::string kind;
  std::string text;
  std::string form;   // the memory rendered as a form
  double score = 0;   // final score, best first
  struct Legs {
    std::optional<size_t> vector_rank;  // 1-based; unset when not in that leg's list
    double vector_score = 0;            // cosine
    std::optional<size_t> bm25_rank;
    double bm25_score = 0;
    double fused = 0;                   // RRF or weighted, before the weights below
    double confidence = 0;              // effective (decayed)
    double recency = 0;
  } legs;
  std::map<std::string, std::string> attrs;
  std::string why;  // e.g. "vector #1 (0.83), bm25 #3 (4.1), confidence 0.88"
};

struct WorkspaceStats {
  MemoryStats memory;
  uint64_t vectors = 0;
  uint64_t text_docs = 0;
  std::string embedder;  // fingerprint
  size_t dimension = 0;
};

class Workspace {
 public:
  static Result<std::unique_ptr<Workspace>> Open(const std::string& dir,
                                                 const WorkspaceOptions& options);
  virtual ~Workspace() = default;

  // Remembers `texts` (non-empty, valid UTF-8, at most 64 KiB each) as one atomic
  // batch; returns one entry per text.
  virtual Result<std::vector<Remembered>> Remember(std::span<const std::string> texts,
                                                   const RememberOptions& options,
                                                   uint64_t now_ms) = 0;

  // Best-first hits for `query` (see RecallOptions).
  virtual Result<std::vector<RecallHit>> Recall(std::string_view query,
                                                const RecallOptions& options) = 0;

  // Commits one batch of forms through the memory store (urd/memory_store.h) and
  // indexes the new memories that carry text (vectors and BM25) at once. If
  // embedding fails after the commit, the memories stay committed and the next
  // open embeds them (the error says so).
  virtual Result<CommitResult> Write(std::string_view forms, uint64_t now_ms) = 0;

  // Re-embeds every remembered memory (after changing nothing: repairs; the
  // embedder itself cannot change — create a new workspace for that).
  virtual Status Reindex() = 0;

  // Catches up with what other processes committed (read-only and lock_per_write
  // workspaces; a no-op for a workspace that holds its lock). Call before reads
  // through memory(); Recall and the knowledge graph do it themselves.
  virtual Status Refresh() = 0;

  // The memory store underneath (typed writes and queries).
  virtual MemoryStore* memory() = 0;

  // The knowledge graph kept in this workspace (urd/knowledge_graph.h); owned by
  // the workspace.
  virtual KnowledgeGraph* graph() = 0;

  virtual WorkspaceStats Stats() const = 0;
};

}  // namespace urd

#endif  // URD_WORKSPACE_H_
