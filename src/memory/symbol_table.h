// Copyright urd authors. The per-workspace symbol table: ids, names, aliases, kinds
// and retirement (reference/mimir-core.md §2.4, §8 "symbol identity").
//
// Thread-safety: none. A SymbolTable is a value type owned by one writer; readers
// need a copy or external synchronisation.
//
// Identity rules:
//  * A symbol id is allocated monotonically from 0 and never reused.
//  * A symbol's kind is locked at allocation and never changes.
//  * Every name (canonical or alias) maps to exactly one id; a name once bound stays
//    bound (rename adds the new name and keeps the old one as an alias).
//  * Retirement is a soft flag: retired names still resolve.
//
// Batch undo: a batch that fails after mutating the table must leave it exactly as
// it was, without copying the table (commits must cost O(batch), not O(store)).
// Mark() starts (or nests inside) an undo journal; every later mutation records its
// inverse; RollbackTo(mark) undoes, newest first, everything since the mark;
// Commit() forgets the journal. Outside a Mark()/Commit() bracket nothing is
// recorded (replay and tests pay nothing).

#ifndef URD_MEMORY_SYMBOL_TABLE_H_
#define URD_MEMORY_SYMBOL_TABLE_H_

#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "memory/flat_index.h"
#include "memory/types.h"

namespace urd::mem {

// An entry that already has this many aliases takes no more.
inline constexpr size_t kAliasChainLimit = 16;

// The outcome of a table mutation.
enum class [[nodiscard]] SymbolTableCode : uint8_t {
  kOk,
  kNameBound,                 // the name is already bound (to another id, for alias/rename)
  kIdInUse,                   // replay: the id is already allocated
  kUnknownId,                 // no entry has this id
  kAliasChainLengthExceeded,  // the entry already has kAliasChainLimit aliases
  kIdOutOfRange,              // replay: the id is more than kMaxReplayIdGap past next_id
};

// Replay accepts ids out of order (a batch's episode symbol is logged first but
// allocated last), but not further than this past next_id: a corrupt id must not
// make the table allocate memory for billions of absent entries.
inline constexpr SymbolId kMaxReplayIdGap = SymbolId{1} << 20;

// Ids are below this bound (the name index stores 32-bit ids); Allocate and
// ReplayAllocate beyond it fail with kIdOutOfRange.
inline constexpr SymbolId kMaxSymbolId = 0xFFFF'FFFE;

// "Ok", "NameBound", "IdInUse", "UnknownId", "AliasChainLengthExceeded",
// "IdOutOfRange".
std::string_view SymbolTableCodeName(SymbolTableCode code);

struct SymbolEntry {
  std::string canonical_name;
  std::vector<std::string> aliases;  // non-canonical names, in attachment order
  SymbolKind kind = SymbolKind::kLiteral;
  bool retired = false;

  friend bool operator==(const SymbolEntry&, const SymbolEntry&) = default;
};

class SymbolTable {
 public:
  // A position in the undo journal, from Mark().
  struct UndoMark {
    size_t pos = 0;
  };

  SymbolTable() = default;

  // ---- Reads ----

  // The id bound to `name` (canonical or alias); nullopt when unbound.
  std::optional<SymbolId> Lookup(std::string_view name) const;

  // The entry of `id`; nullptr when there is none. Valid until the next mutation.
  const SymbolEntry* Find(SymbolId id) const;

  // Whether `id` exists and is retired.
  bool IsRetired(SymbolId id) const;

  // The id the next Allocate() returns.
  SymbolId next_id() const { return next_id_; }

  // Number of entries.
  size_t size() const { return count_; }

  // ---- Mutations (recorded in the undo journal while one is open) ----

  // Binds `name` to a fresh id (next_id, then next_id + 1) of kind `kind` and
  // stores the id in *id. kNameBound when `name` is already bound (nothing
  // changes); kIdOutOfRange when next_id reached kMaxSymbolId. REQUIRES: id is
  // not null.
  SymbolTableCode Allocate(std::string_view name, SymbolKind kind, SymbolId* id);

  // Attaches `name` as an alias of `id`. kOk without change when `name` already
  // names `id`; kNameBound when it names another id; kUnknownId;
  // kAliasChainLengthExceeded when the entry already has kAliasChainLimit aliases.
  SymbolTableCode AddAlias(SymbolId id, std::string_view name);

  // Makes `new_name` the canonical name of `id`, keeping the id. The previous
  // canonical name becomes an alias (both names resolve); if `new_name` was an
  // alias of `id` it leaves the alias list. kNameBound when `new_name` names
  // another id; kUnknownId. Renaming to the current canonical name is a no-op.
  // Note: the rename path is not subject to kAliasChainLimit (as in mimir-core).
  SymbolTableCode Rename(SymbolId id, std::string_view new_name);

  // Sets / clears the soft retired flag; idempotent. kUnknownId.
  SymbolTableCode Retire(SymbolId id);
  SymbolTableCode Unretire(SymbolId id);

  // ---- Replay (recovery from the log) with caller-supplied ids ----

  // Binds `name` to `id`. Ids may arrive out of order; next_id becomes
  // max(next_id, id + 1). kIdInUse when `id` exists, kNameBound when `name` is
  // bound, kIdOutOfRange when id > next_id + kMaxReplayIdGap or id >= kMaxSymbolId;
  // nothing changes then.
  SymbolTableCode ReplayAllocate(SymbolId id, std::string_view name, SymbolKind kind);
  SymbolTableCode ReplayAlias(SymbolId id, std::string_view name) { return AddAlias(id, name); }
  SymbolTableCode ReplayRename(SymbolId id, std::string_view new_name) {
    return Rename(id, new_name);
  }
  SymbolTableCode ReplayRetire(SymbolId id) { return Retire(id); }

  // ---- Undo journal ----

  // Opens the journal if closed and returns the current position. Marks nest:
  // rolling back to an inner mark keeps everything before it.
  UndoMark Mark();

  // Undoes, newest first, every mutation recorded since `mark`. The journal stays
  // open. Cost: O(mutations undone). REQUIRES: `mark` came from Mark() since the
  // last Commit(), and no later RollbackTo() went past it.
  void RollbackTo(UndoMark mark);

  // Keeps every mutation, clears and closes the journal.
  void Commit();

  // Whether a journal is open (Mark() called, Commit() not yet).
  bool journal_open() const { return recording_; }

  // Structural equality: same entries, names and next_id (the journal is ignored).
  friend bool operator==(const SymbolTable& a, const SymbolTable& b);

 private:
  struct UndoOp {
    enum class Type : uint8_t {
      kUncreate,      // erase entry `id` and its canonical name; next_id = old_next_id
      kRestoreEntry,  // entries_[id] = entry
      kPopAlias,      // entries_[id].aliases.pop_back()
      kUnbindName,    // erase `name` (bound to `id`) from the name index
      kSetRetired,    // entries_[id].retired = retired
    };
    Type type;
    SymbolId id = 0;
    SymbolId old_next_id = 0;
    bool retired = false;
    std::string name;
    SymbolEntry entry;
  };

  SymbolEntry* FindMutable(SymbolId id);
  static uint32_t NameHash(std::string_view name);
  bool HasName(SymbolId id, std::string_view name) const;
  void BindName(std::string_view name, SymbolId id) { names_.Insert(NameHash(name), static_cast<uint32_t>(id)); }
  void UnbindName(std::string_view name, SymbolId id) { names_.Erase(NameHash(name), static_cast<uint32_t>(id)); }
  void Record(UndoOp op);
  SymbolTableCode Create(SymbolId id, std::string_view name, SymbolKind kind);
  SymbolTableCode SetRetired(SymbolId id, bool retired);

  // Dense by id (ids are allocated from 0): entries_[id] is meaningful iff
  // present_[id]. A deque grows in fixed blocks, without the copy and the
  // doubled capacity of a vector, and keeps entries in place.
  std::deque<SymbolEntry> entries_;
  std::vector<uint8_t> present_;
  size_t count_ = 0;
  // Every name (canonical and alias) -> id, keyed by NameHash(name); the names
  // themselves are only in entries_ (memory: 8 bytes / 0.75 per name).
  FlatIndex names_;
  SymbolId next_id_ = 0;
  bool recording_ = false;
  std::vector<UndoOp> undo_;
};

}  // namespace urd::mem

#endif  // URD_MEMORY_SYMBOL_TABLE_H_
