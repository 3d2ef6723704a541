// Copyright urd authors. Which memories carry text, and what it is (the rule the
// workspace indexes by; docs/decisions.md W1).
//
// Thread-safety: reads the state only.
//
//   sem / inf   the object, when it is a string — except a note's text fact
//               `(sem @<note> @text "…")` whose subject is a Memory symbol: that
//               text belongs to the note's event;
//               and knowledge-graph bookkeeping (below); blank strings never count;
//   epi         the text fact of its event: `(sem @<event_id>:Memory @text "…")`;
//   pro         the action, when it is a string.

#ifndef URD_RECALL_MEMORY_TEXT_H_
#define URD_RECALL_MEMORY_TEXT_H_

#include <optional>
#include <string>

#include "memory/state.h"

namespace urd::recall {

// The symbols of the forms Workspace::Remember writes (urd/workspace.h), chosen so
// that no name is needed with two kinds: the predicate of a note's text fact
// (Predicate), the event type of notes (EventType), the location of notes
// (Literal) and the scope of rules (Scope).
inline constexpr char kTextPredicate[] = "text";
inline constexpr char kNoteEventType[] = "remembered_note";
inline constexpr char kNoteLocation[] = "workspace";
inline constexpr char kRuleScope[] = "workspace_rules";

// The knowledge graph (knowledge_graph.cc, docs/knowledge_graph.md): entities are
// subjects `kg_e_<key>`, relations `kg_r_<key>`. Of their facts, only entity names
// (`kg_name`) and observations (`kg_obs_<key>`) carry text.
inline constexpr char kGraphPrefix[] = "kg_";
inline constexpr char kGraphEntityPrefix[] = "kg_e_";
inline constexpr char kGraphRelationPrefix[] = "kg_r_";
inline constexpr char kGraphNamePredicate[] = "kg_name";
inline constexpr char kGraphObservationPrefix[] = "kg_obs_";

// The text of the memory at `ref`, or nullopt if it carries none.
std::optional<std::string> MemoryText(const mem::MemoryState& state, mem::MemoryRef ref);

// Calls fn(memory id, text) for every memory that carries text, in commit order.
template <typename Fn>
void ForEachMemoryText(const mem::MemoryState& state, Fn fn) {
  auto visit = [&](mem::MemoryKind kind, size_t n) {
    for (uint32_t i = 0; i < n; ++i) {
      mem::MemoryRef ref{kind, i};
      if (auto text = MemoryText(state, ref)) {
        fn(state.Visit(ref, [](const auto& r) { return r.memory_id; }), *text);
      }
    }
  };
  visit(mem::MemoryKind::kSem, state.sem().size());
  visit(mem::MemoryKind::kEpi, state.epi().size());
  visit(mem::MemoryKind::kPro, state.pro().size());
  visit(mem::MemoryKind::kInf, state.inf().size());
}

}  // namespace urd::recall

#endif  // URD_RECALL_MEMORY_TEXT_H_
