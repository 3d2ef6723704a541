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

std::optional<std::string> StringOf(const mem::Value& v) {
  if (v.is_string() && !v.string().empty()) return v.string();
  return std::nullopt;
}

}  // namespace

std::optional<std::string> MemoryText(const mem::MemoryState& state, mem::MemoryRef ref) {
  return state.Visit(ref, [&](const auto& r) -> std::optional<std::string> {
    using Rec = std::decay_t<decltype(r)>;
    if constexpr (std::is_same_v<Rec, mem::SemRecord>) {
      if (IsNoteTextFact(state, r)) return std::nullopt;
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
