// Copyright urd authors.

#include "recall/memory_text.h"

#include <type_traits>

namespace urd::recall {

namespace {

bool IsNoteTextFact(const mem::MemoryState& state, const mem::SemRecord& r) {
  const mem::SymbolEntry* p = state.symbols().Find(r.p);
  const mem::SymbolEntry* s = state.symbols().Find(r.s);
  return p != nullptr && s != nullptr && p->canonical_name == kTextPredicate &&
         s->kind == mem::SymbolKind::kMemory;
}

// Knowledge-graph facts other than entity names and observations (types,
// relation endpoints) are bookkeeping, not text to recall.
bool IsGraphBookkeeping(const mem::MemoryState& state, const mem::SemRecord& r) {
  const mem::SymbolEntry* s = state.symbols().Find(r.s);
  if (s == nullptr || s->canonical_name.rfind(kGraphPrefix, 0) != 0) return false;
  if (s->canonical_name.rfind(kGraphRelationPrefix, 0) == 0) return true;
  const mem::SymbolEntry* p = state.symbols().Find(r.p);
  return p == nullptr || !(p->canonical_name == kGraphNamePredicate ||
                           p->canonical_name.rfind(kGraphObservationPrefix, 0) == 0);
}

// Blank strings carry no text (there is nothing to embed or to index).
std::optional<std::string> StringOf(const mem::Value& v) {
  if (v.is_string() && v.string().find_first_not_of(" \t\r\n") != std::string::npos) {
    return v.string();
  }
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MemoryText(const mem::MemoryState& state, mem::MemoryRef ref) {
  return state.Visit(ref, [&](const auto& r) -> std::optional<std::string> {
    using Rec = std::decay_t<decltype(r)>;
    if constexpr (std::is_same_v<Rec, mem::SemRecord>) {
      if (IsNoteTextFact(state, r) || IsGraphBookkeeping(state, r)) return std::nullopt;
      return StringOf(r.o);
    } else if constexpr (std::is_same_v<Rec, mem::InfRecord>) {
      return StringOf(r.o);
    } else if constexpr (std::is_same_v<Rec, mem::ProRecord>) {
      return StringOf(r.action);
    } else {
      auto text_pred = state.symbols().Lookup(kTextPredicate);
      if (!text_pred) return std::nullopt;
      uint32_t i = state.SemCurrent(r.event_id, *text_pred);
      if (i == mem::kNoRecord) return std::nullopt;
      return StringOf(state.sem()[i].o);
    }
  });
}

}  // namespace urd::recall
