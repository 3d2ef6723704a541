// Copyright urd authors.

#include "memory/symbol_table.h"

#include <algorithm>
#include <utility>

namespace urd::mem {

std::string_view SymbolTableCodeName(SymbolTableCode code) {
  switch (code) {
    case SymbolTableCode::kOk: return "Ok";
    case SymbolTableCode::kNameBound: return "NameBound";
    case SymbolTableCode::kIdInUse: return "IdInUse";
    case SymbolTableCode::kUnknownId: return "UnknownId";
    case SymbolTableCode::kAliasChainLengthExceeded: return "AliasChainLengthExceeded";
  }
  return "Unknown";
}

std::optional<SymbolId> SymbolTable::Lookup(std::string_view name) const {
  auto it = names_.find(name);
  if (it == names_.end()) return std::nullopt;
  return it->second;
}

const SymbolEntry* SymbolTable::Find(SymbolId id) const {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

SymbolEntry* SymbolTable::FindMutable(SymbolId id) {
  auto it = entries_.find(id);
  return it == entries_.end() ? nullptr : &it->second;
}

bool SymbolTable::IsRetired(SymbolId id) const {
  const SymbolEntry* e = Find(id);
  return e != nullptr && e->retired;
}

void SymbolTable::Record(UndoOp op) {
  if (recording_) undo_.push_back(std::move(op));
}

SymbolTableCode SymbolTable::Create(SymbolId id, std::string_view name, SymbolKind kind) {
  UndoOp op{.type = UndoOp::Type::kUncreate, .id = id, .old_next_id = next_id_};
  SymbolEntry entry;
  entry.canonical_name = std::string(name);
  entry.kind = kind;
  names_.emplace(entry.canonical_name, id);
  entries_.emplace(id, std::move(entry));
  // Saturates: an id of UINT64_MAX (never allocated by Allocate) leaves next_id.
  if (id != UINT64_MAX) next_id_ = std::max(next_id_, id + 1);
  Record(std::move(op));
  return SymbolTableCode::kOk;
}

SymbolTableCode SymbolTable::Allocate(std::string_view name, SymbolKind kind, SymbolId* id) {
  if (names_.find(name) != names_.end()) return SymbolTableCode::kNameBound;
  *id = next_id_;
  return Create(next_id_, name, kind);
}

SymbolTableCode SymbolTable::ReplayAllocate(SymbolId id, std::string_view name, SymbolKind kind) {
  if (entries_.find(id) != entries_.end()) return SymbolTableCode::kIdInUse;
  if (names_.find(name) != names_.end()) return SymbolTableCode::kNameBound;
  return Create(id, name, kind);
}

SymbolTableCode SymbolTable::AddAlias(SymbolId id, std::string_view name) {
  SymbolEntry* e = FindMutable(id);
  if (e == nullptr) return SymbolTableCode::kUnknownId;
  if (auto bound = Lookup(name)) {
    return *bound == id ? SymbolTableCode::kOk : SymbolTableCode::kNameBound;
  }
  if (e->aliases.size() >= kAliasChainLimit) return SymbolTableCode::kAliasChainLengthExceeded;
  Record(UndoOp{.type = UndoOp::Type::kPopAlias, .id = id});
  e->aliases.emplace_back(name);
  names_.emplace(std::string(name), id);
  Record(UndoOp{.type = UndoOp::Type::kUnbindName, .name = std::string(name)});
  return SymbolTableCode::kOk;
}

SymbolTableCode SymbolTable::Rename(SymbolId id, std::string_view new_name) {
  SymbolEntry* e = FindMutable(id);
  if (e == nullptr) return SymbolTableCode::kUnknownId;
  auto bound = Lookup(new_name);
  if (bound && *bound != id) return SymbolTableCode::kNameBound;
  if (e->canonical_name == new_name) return SymbolTableCode::kOk;
  // Snapshot of one entry (at most kAliasChainLimit + 1 names): O(1) in the store.
  Record(UndoOp{.type = UndoOp::Type::kRestoreEntry, .id = id, .entry = *e});
  std::erase(e->aliases, new_name);
  e->aliases.push_back(std::move(e->canonical_name));
  e->canonical_name = std::string(new_name);
  if (!bound) {
    names_.emplace(std::string(new_name), id);
    Record(UndoOp{.type = UndoOp::Type::kUnbindName, .name = std::string(new_name)});
  }
  return SymbolTableCode::kOk;
}

SymbolTableCode SymbolTable::SetRetired(SymbolId id, bool retired) {
  SymbolEntry* e = FindMutable(id);
  if (e == nullptr) return SymbolTableCode::kUnknownId;
  if (e->retired == retired) return SymbolTableCode::kOk;
  Record(UndoOp{.type = UndoOp::Type::kSetRetired, .id = id, .retired = e->retired});
  e->retired = retired;
  return SymbolTableCode::kOk;
}

SymbolTableCode SymbolTable::Retire(SymbolId id) { return SetRetired(id, true); }
SymbolTableCode SymbolTable::Unretire(SymbolId id) { return SetRetired(id, false); }

SymbolTable::UndoMark SymbolTable::Mark() {
  recording_ = true;
  return UndoMark{undo_.size()};
}

void SymbolTable::RollbackTo(UndoMark mark) {
  while (undo_.size() > mark.pos) {
    UndoOp& op = undo_.back();
    switch (op.type) {
      case UndoOp::Type::kUncreate: {
        auto it = entries_.find(op.id);
        if (it != entries_.end()) {
          names_.erase(it->second.canonical_name);
          entries_.erase(it);
        }
        next_id_ = op.old_next_id;
        break;
      }
      case UndoOp::Type::kRestoreEntry:
        entries_[op.id] = std::move(op.entry);
        break;
      case UndoOp::Type::kPopAlias:
        if (SymbolEntry* e = FindMutable(op.id)) e->aliases.pop_back();
        break;
      case UndoOp::Type::kUnbindName:
        names_.erase(op.name);
        break;
      case UndoOp::Type::kSetRetired:
        if (SymbolEntry* e = FindMutable(op.id)) e->retired = op.retired;
        break;
    }
    undo_.pop_back();
  }
}

void SymbolTable::Commit() {
  undo_.clear();
  recording_ = false;
}

bool operator==(const SymbolTable& a, const SymbolTable& b) {
  return a.next_id_ == b.next_id_ && a.entries_ == b.entries_ && a.names_ == b.names_;
}

}  // namespace urd::mem
