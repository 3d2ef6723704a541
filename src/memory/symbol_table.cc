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
    case SymbolTableCode::kIdOutOfRange: return "IdOutOfRange";
  }
  return "Unknown";
}

uint32_t SymbolTable::NameHash(std::string_view name) {
  uint64_t h = std::hash<std::string_view>{}(name) * 0x9E3779B97F4A7C15ull;
  return static_cast<uint32_t>(h >> 32);
}

bool SymbolTable::HasName(SymbolId id, std::string_view name) const {
  const SymbolEntry* e = Find(id);
  if (e == nullptr) return false;
  if (e->canonical_name == name) return true;
  return std::find(e->aliases.begin(), e->aliases.end(), name) != e->aliases.end();
}

std::optional<SymbolId> SymbolTable::Lookup(std::string_view name) const {
  uint32_t id = names_.Find(NameHash(name), [&](uint32_t v) { return HasName(v, name); });
  if (id == FlatIndex::kEmpty) return std::nullopt;
  return id;
}

const SymbolEntry* SymbolTable::Find(SymbolId id) const {
  return id < present_.size() && present_[id] ? &entries_[id] : nullptr;
}

SymbolEntry* SymbolTable::FindMutable(SymbolId id) {
  return id < present_.size() && present_[id] ? &entries_[id] : nullptr;
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
  if (id >= entries_.size()) {
    entries_.resize(id + 1);
    present_.resize(id + 1, 0);
  }
  SymbolEntry& entry = entries_[id];
  entry.canonical_name = std::string(name);
  entry.kind = kind;
  present_[id] = 1;
  ++count_;
  BindName(entry.canonical_name, id);
  // Saturates: an id of UINT64_MAX (never allocated by Allocate) leaves next_id.
  if (id != UINT64_MAX) next_id_ = std::max(next_id_, id + 1);
  Record(std::move(op));
  return SymbolTableCode::kOk;
}

SymbolTableCode SymbolTable::Allocate(std::string_view name, SymbolKind kind, SymbolId* id) {
  if (Lookup(name)) return SymbolTableCode::kNameBound;
  if (next_id_ >= kMaxSymbolId) return SymbolTableCode::kIdOutOfRange;
  *id = next_id_;
  return Create(next_id_, name, kind);
}

SymbolTableCode SymbolTable::ReplayAllocate(SymbolId id, std::string_view name, SymbolKind kind) {
  if (id > next_id_ + kMaxReplayIdGap || id >= kMaxSymbolId) {
    return SymbolTableCode::kIdOutOfRange;
  }
  if (Find(id) != nullptr) return SymbolTableCode::kIdInUse;
  if (Lookup(name)) return SymbolTableCode::kNameBound;
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
  BindName(name, id);
  Record(UndoOp{.type = UndoOp::Type::kUnbindName, .id = id, .name = std::string(name)});
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
    BindName(new_name, id);
    Record(UndoOp{.type = UndoOp::Type::kUnbindName, .id = id, .name = std::string(new_name)});
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
        if (SymbolEntry* e = FindMutable(op.id)) {
          UnbindName(e->canonical_name, op.id);
          *e = SymbolEntry{};
          present_[op.id] = 0;
          --count_;
        }
        while (!present_.empty() && !present_.back()) {  // keep the tail dense
          present_.pop_back();
          entries_.pop_back();
        }
        next_id_ = op.old_next_id;
        break;
      }
      case UndoOp::Type::kRestoreEntry:
        if (SymbolEntry* e = FindMutable(op.id)) *e = std::move(op.entry);
        break;
      case UndoOp::Type::kPopAlias:
        if (SymbolEntry* e = FindMutable(op.id)) e->aliases.pop_back();
        break;
      case UndoOp::Type::kUnbindName:
        UnbindName(op.name, op.id);
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
  // Equal entries and equal name counts: the name indexes map the same names.
  if (a.next_id_ != b.next_id_ || a.count_ != b.count_ || a.names_.size() != b.names_.size()) {
    return false;
  }
  for (SymbolId id = 0; id < a.present_.size(); ++id) {
    const SymbolEntry* x = a.Find(id);
    const SymbolEntry* y = b.Find(id);
    if ((x == nullptr) != (y == nullptr) || (x != nullptr && !(*x == *y))) return false;
  }
  return true;
}

}  // namespace urd::mem
