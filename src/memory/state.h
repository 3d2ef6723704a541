// Copyright urd authors. MemoryState: the in-memory state of a memory store — the
// symbol table, every memory record, the supersession indices, the edge DAG, the
// pin/authoritative sets and the episode registry (reference/mimir-core.md §4.4-
// §4.11, §6.4, §7.3).
//
// Thread-safety: none. One writer owns a MemoryState; readers need external
// synchronisation (MemoryStore uses a shared mutex).
//
// Every change goes through Apply(record): the emit stage builds canonical records
// and applies them, and replay applies the records decoded from the log, so live
// state and replayed state are the same function of the record stream.
//
// Batch undo: Mark() opens an undo journal (also the symbol table's); every later
// change records its inverse; RollbackTo(mark) restores the state exactly; Commit()
// forgets the journal. A batch costs O(batch) either way — nothing is copied.
//
// Indexes (all O(1) expected per lookup):
//  * memory id -> (kind, position) for every memory record;
//  * (s, p) -> newest semantic / inferential record and the write-side current
//    entry of the supersession index (§4.5); each record links to the previous
//    record with the same key, so a key's history is walked newest first;
//  * procedural rule_id -> newest record and current entry; (trigger bytes, scope)
//    -> current entry;
//  * subject -> newest semantic record of that subject (linked through the
//    records of the same subject), for `(query :s @x)`;
//  * incoming / outgoing edges per memory; inferentials per parent.

#ifndef URD_MEMORY_STATE_H_
#define URD_MEMORY_STATE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "memory/canonical.h"
#include "memory/flat_index.h"
#include "memory/symbol_table.h"
#include "memory/types.h"
#include "urd/status.h"

namespace urd::mem {

// "No record": the end of a history chain, or an absent index entry.
inline constexpr uint32_t kNoRecord = UINT32_MAX;

// Where a memory record is: its kind and its position in that kind's vector.
struct MemoryRef {
  MemoryKind kind = MemoryKind::kSem;
  uint32_t index = 0;
};

// A registered episode (one per committed batch).
struct EpisodeInfo {
  SymbolId id = 0;
  ClockTime committed_at = 0;
  std::optional<SymbolId> parent;
  std::string label;                // empty: none
  std::vector<SymbolId> retracted;  // episodes this one retracts
  uint64_t memory_count = 0;
};

// How Apply() treats symbol-event records.
enum class ApplyMode : uint8_t {
  kReplay,  // SYMBOL_* records mutate the table (recovery, import)
  kEmit,    // the binder already applied them; SYMBOL_* records are skipped
};

class MemoryState {
 public:
  struct UndoMark {
    SymbolTable::UndoMark table;
    size_t pos = 0;
  };

  MemoryState() = default;
  MemoryState(const MemoryState&) = delete;
  MemoryState& operator=(const MemoryState&) = delete;

  // ---- Mutation ----

  // Applies one record. Errors (state unchanged, so a batch can be rolled back):
  // Corruption naming the record for a self edge or a cycle (§4.6), an edge or flag
  // whose memory is... (no existence check: as in mimir-core, edges and flags may
  // name any symbol), a symbol event that conflicts with the table (kReplay), a
  // memory id that is already a memory, a position overflow past 2^32 - 2 records.
  Status Apply(const CanonicalRecord& record, ApplyMode mode);

  // The undo journal (see the file comment).
  UndoMark Mark();
  void RollbackTo(UndoMark mark);
  void Commit();

  SymbolTable* mutable_symbols() { return &symbols_; }

  // Replay bookkeeping: counters follow the names of allocated symbols
  // (`__mem_N` -> memory counter N + 1, `__ep_N` -> episode counter N + 1).
  void set_next_memory_counter(uint64_t n) { next_memory_counter_ = n; }
  void set_next_episode_counter(uint64_t n) { next_episode_counter_ = n; }

  // Emit: returns the next memory / episode counter and advances it (journalled).
  uint64_t TakeMemoryCounter();
  uint64_t TakeEpisodeCounter();

  // ---- Reads ----

  const SymbolTable& symbols() const { return symbols_; }

  // The monotonic commit clock: the greatest commit clock applied; nullopt before
  // the first batch. Every Apply() raises it (§5.6).
  std::optional<ClockTime> last_committed_at() const { return last_committed_at_; }
  // Sets the watermark (an empty batch still advances it).
  void AdvanceClock(ClockTime t);

  uint64_t next_memory_counter() const { return next_memory_counter_; }
  uint64_t next_episode_counter() const { return next_episode_counter_; }

  const std::vector<SemRecord>& sem() const { return sem_; }
  const std::vector<EpiRecord>& epi() const { return epi_; }
  const std::vector<ProRecord>& pro() const { return pro_; }
  const std::vector<InfRecord>& inf() const { return inf_; }
  const std::vector<EdgeRecord>& edges() const { return edges_; }
  size_t memory_count() const { return sem_.size() + epi_.size() + pro_.size() + inf_.size(); }

  // Calls fn(record) with the SemRecord / EpiRecord / ProRecord / InfRecord at
  // `ref` and returns its result. REQUIRES: ref came from this state.
  template <typename Fn>
  decltype(auto) Visit(MemoryRef ref, Fn&& fn) const {
    switch (ref.kind) {
      case MemoryKind::kSem:
        return fn(sem_[ref.index]);
      case MemoryKind::kEpi:
        return fn(epi_[ref.index]);
      case MemoryKind::kPro:
        return fn(pro_[ref.index]);
      case MemoryKind::kInf:
        break;
    }
    return fn(inf_[ref.index]);
  }

  // The memory record with this id; nullopt when `id` is not a memory.
  std::optional<MemoryRef> Locate(SymbolId memory_id) const;
  // valid_at of a memory (epi: at_time; pro: committed_at); nullopt if not one.
  std::optional<ClockTime> ValidAtOf(SymbolId memory_id) const;
  // committed_at of a memory; nullopt if not one.
  std::optional<ClockTime> CommittedAtOf(SymbolId memory_id) const;

  // Newest semantic / inferential record at key (s, p) (kNoRecord if none); walk
  // older ones with SemPrev / InfPrev.
  uint32_t SemNewest(SymbolId s, SymbolId p) const;
  uint32_t SemPrev(uint32_t index) const { return sem_prev_[index]; }
  uint32_t InfNewest(SymbolId s, SymbolId p) const;
  uint32_t InfPrev(uint32_t index) const { return inf_prev_[index]; }
  // Newest semantic record with subject s; older ones with SemPrevSameSubject.
  uint32_t SemNewestBySubject(SymbolId s) const;
  uint32_t SemPrevSameSubject(uint32_t index) const { return sem_prev_subject_[index]; }
  // Newest procedural record with this rule_id; older with ProPrev.
  uint32_t ProNewest(SymbolId rule_id) const;
  uint32_t ProPrev(uint32_t index) const { return pro_prev_[index]; }

  // Calls fn(s, p, newest index) once per distinct semantic / inferential key,
  // and fn(rule_id, newest index) per distinct rule, in no particular order.
  void ForEachSemKey(const std::function<void(SymbolId, SymbolId, uint32_t)>& fn) const;
  void ForEachInfKey(const std::function<void(SymbolId, SymbolId, uint32_t)>& fn) const;
  void ForEachRule(const std::function<void(SymbolId, uint32_t)>& fn) const;

  // The write-side supersession index (§4.5): the current record at a key.
  uint32_t SemCurrent(SymbolId s, SymbolId p) const;
  uint32_t InfCurrent(SymbolId s, SymbolId p) const;
  uint32_t ProCurrentByRule(SymbolId rule_id) const;
  uint32_t ProCurrentByTriggerScope(const Value& trigger, SymbolId scope) const;

  // Indices into edges() of the edges into / out of a memory (empty if none).
  const std::vector<uint32_t>& EdgesInto(SymbolId memory_id) const;
  const std::vector<uint32_t>& EdgesOutOf(SymbolId memory_id) const;
  // Whether the memory has an incoming SUPERSEDES edge.
  bool IsSuperseded(SymbolId memory_id) const;
  // Inferential memory ids derived from `parent`.
  const std::vector<SymbolId>& DerivedFrom(SymbolId parent) const;

  bool IsPinned(SymbolId memory_id) const { return pinned_.count(memory_id) != 0; }
  bool IsAuthoritative(SymbolId memory_id) const { return authoritative_.count(memory_id) != 0; }
  size_t pinned_count() const { return pinned_.size(); }
  size_t authoritative_count() const { return authoritative_.size(); }

  // Episodes in commit order, and lookup by id (nullptr if unknown).
  const std::vector<EpisodeInfo>& episodes() const { return episodes_; }
  const EpisodeInfo* FindEpisode(SymbolId episode_id) const;

  // Approximate heap bytes held (records, indexes, symbol table excluded).
  uint64_t ApproxMemoryBytes() const;

 private:
  struct StringHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  // A rule's newest record and its write-side current record.
  struct Slot {
    uint32_t newest = kNoRecord;
    uint32_t current = kNoRecord;
  };
  // One kind keyed by (s, p) — semantic or inferential: the index holds the
  // newest record of each key (the key is read from the record); current[i] is
  // the key's write-side current record, kept on the key's newest record i.
  struct KeyedIndex {
    FlatIndex newest;
    std::vector<uint32_t> current;
  };
  static uint32_t KeyHashOf(SymbolId s, SymbolId p);
  template <typename Rec>
  uint32_t NewestOf(const KeyedIndex& index, const std::vector<Rec>& recs, SymbolId s,
                    SymbolId p) const;
  // Files record `index` (just appended to `recs`... not yet) under its key: returns
  // the previous newest of the key. Journals the inverse.
  template <typename Rec>
  uint32_t Link(KeyedIndex* index, const std::vector<Rec>& recs, const Rec& r, uint32_t at);

  Status ApplySem(const SemRecord& r);
  Status ApplyEpi(const EpiRecord& r);
  Status ApplyPro(const ProRecord& r);
  Status ApplyInf(const InfRecord& r);
  Status ApplyEdge(const EdgeRecord& r);
  Status ApplySymbolEvent(const SymbolEventRecord& r);
  void ApplyFlag(const FlagRecord& r);
  void ApplyCheckpoint(const CheckpointRecord& r);
  void ApplyEpisodeMeta(const EpisodeMetaRecord& r);
  Status ClaimMemoryId(SymbolId id, MemoryKind kind, size_t size);
  bool Reaches(SymbolId from, SymbolId target) const;
  EpisodeInfo* EpisodeSlot(SymbolId id, ClockTime at);
  static std::string TriggerScopeKey(const Value& trigger, SymbolId scope);

  // Undo helpers: each records the inverse of the change it is about to make.
  void SetRuleSlot(SymbolId rule, Slot slot);
  void SetTriggerScope(const std::string& key, uint32_t index);  // kNoRecord erases
  void SetFlag(std::unordered_set<SymbolId>* set, SymbolId id, bool on);
  void PushUndo(std::function<void()> undo);

  SymbolTable symbols_;
  std::optional<ClockTime> last_committed_at_;
  uint64_t next_memory_counter_ = 0;
  uint64_t next_episode_counter_ = 0;

  std::vector<SemRecord> sem_;
  std::vector<uint32_t> sem_prev_;          // previous record at the same (s, p)
  std::vector<uint32_t> sem_prev_subject_;  // previous record with the same s
  std::vector<EpiRecord> epi_;
  std::vector<ProRecord> pro_;
  std::vector<uint32_t> pro_prev_;
  std::vector<InfRecord> inf_;
  std::vector<uint32_t> inf_prev_;
  std::vector<EdgeRecord> edges_;

  // memory id -> packed MemoryRef (kind << 32 | index); dense over symbol ids
  // (a deque: grows in blocks, no doubled capacity).
  std::deque<uint64_t> memory_ref_;

  KeyedIndex sem_keys_;
  KeyedIndex inf_keys_;
  std::unordered_map<SymbolId, uint32_t> sem_by_subject_;
  std::unordered_map<SymbolId, Slot> pro_by_rule_;
  std::unordered_map<std::string, uint32_t, StringHash, std::equal_to<>> pro_by_trigger_scope_;
  std::unordered_map<SymbolId, std::vector<uint32_t>> edges_in_;
  std::unordered_map<SymbolId, std::vector<uint32_t>> edges_out_;
  std::unordered_map<SymbolId, std::vector<SymbolId>> derived_from_;
  std::unordered_set<SymbolId> pinned_;
  std::unordered_set<SymbolId> authoritative_;
  std::vector<EpisodeInfo> episodes_;
  std::unordered_map<SymbolId, size_t> episode_index_;

  bool recording_ = false;
  std::vector<std::function<void()>> undo_;
};

}  // namespace urd::mem

#endif  // URD_MEMORY_STATE_H_
