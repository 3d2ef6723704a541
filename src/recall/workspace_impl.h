// Copyright urd authors. The Workspace implementation (urd/workspace.h).
//
// Locking: `mu_` serialises Remember, Reindex and the text index; Recall takes it
// too (the text index is not thread-safe) — recall is short. The memory and vector
// stores have their own locks.

#ifndef URD_RECALL_WORKSPACE_IMPL_H_
#define URD_RECALL_WORKSPACE_IMPL_H_

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include "memory/memory_store_impl.h"
#include "recall/text_index.h"
#include "urd/vector_store.h"
#include "urd/workspace.h"

namespace urd::recall {

// The vector collection of remembered memories.
inline constexpr char kMemoriesCollection[] = "memories";
// The settings file of a workspace directory.
inline constexpr char kSettingsFile[] = "workspace.json";

class WorkspaceImpl final : public Workspace {
 public:
  WorkspaceImpl(std::string dir, const WorkspaceOptions& options);

  // Opens everything and rebuilds the text index; repairs missing vectors when
  // writable.
  Status Load();

  Result<std::vector<Remembered>> Remember(std::span<const std::string> texts,
                                           const RememberOptions& options,
                                           uint64_t now_ms) override;
  Result<std::vector<RecallHit>> Recall(std::string_view query,
                                        const RecallOptions& options) override;
  Result<CommitResult> Write(std::string_view forms, uint64_t now_ms) override;
  Status Reindex() override;
  Status Refresh() override;
  MemoryStore* memory() override { return memory_.get(); }
  KnowledgeGraph* graph() override { return graph_.get(); }
  WorkspaceStats Stats() const override;

  // Writes one batch built from the current state: takes the write lock, catches
  // up, calls build(valid_at) — valid_at is the batch's commit clock, later than
  // every stored fact's — and commits and indexes what it returns (nothing when it
  // returns ""). Errors of build, of the commit, of indexing.
  Status Transact(uint64_t now_ms, const std::function<Result<std::string>(uint64_t)>& build);
  // Refresh(), for internal readers.
  Status CatchUp() { return Refresh(); }
  mem::MemoryStoreImpl* mem() { return mem_; }

 private:
  Status LoadSettings();
  Status RebuildTextIndex();
  // Adds the texts of memories committed since the last call. REQUIRES: mu_.
  void IndexNewTexts();
  // Runs fn with mu_ held by the caller and the memory writer lock taken (per-write
  // mode: after catching up and repairing). REQUIRES: mu_.
  Status Locked(const std::function<Status()>& fn);
  // Commits `forms` and indexes their texts. REQUIRES: Locked.
  Result<CommitResult> CommitAndIndex(std::string_view forms, uint64_t now_ms);
  Status Repair(bool all);
  // Embeds `docs` (memory id, text) and upserts their vector records with `attrs`
  // (user attributes; one per doc) in one atomic call.
  Status EmbedAndStore(const std::vector<std::pair<mem::SymbolId, std::string>>& docs,
                       std::vector<Attrs> attrs, const std::vector<std::vector<float>>& given);
  Result<std::vector<std::vector<float>>> Vectors(std::span<const std::string> texts,
                                                  const std::vector<std::vector<float>>& given);
  std::string BuildForms(const std::string& text, const RememberOptions& o, uint64_t valid_at,
                         size_t i, uint64_t now_ms) const;
  std::string MemoryName(mem::SymbolId id) const;
  // How many vector hits pass the symbolic filters of `o`.
  size_t PassingCount(const std::vector<Hit>& hits, const RecallOptions& o) const;

  std::string dir_;
  WorkspaceOptions options_;
  Env* env_;  // options_.env or Env::Default()
  std::unique_ptr<Embedder> embedder_;
  bool created_settings_ = false;  // this open wrote workspace.json
  std::unique_ptr<MemoryStore> memory_;
  mem::MemoryStoreImpl* mem_ = nullptr;  // memory_, for internal reads
  std::unique_ptr<VectorStore> vectors_;
  mutable std::mutex mu_;
  TextIndex text_;
  std::array<size_t, 4> indexed_{};  // sem, epi, pro, inf memories in text_
  uint64_t note_counter_ = 0;
  std::unique_ptr<KnowledgeGraph> graph_;
};

// The knowledge graph of `ws` (knowledge_graph.cc).
std::unique_ptr<KnowledgeGraph> NewKnowledgeGraph(WorkspaceImpl* ws);

}  // namespace urd::recall

#endif  // URD_RECALL_WORKSPACE_IMPL_H_
