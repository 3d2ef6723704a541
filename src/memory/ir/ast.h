// Copyright urd authors. Syntax tree of the memory write language: one Form per
// top-level `( head … )` (docs/language.md §2).
//
// Thread-safety: plain value types.
//
// The tree is what the text says, before binding: symbols are names (not ids),
// timestamps are converted when possible, nothing is checked against a symbol
// table. Positions point into the parsed text for error reporting.

#ifndef URD_MEMORY_IR_AST_H_
#define URD_MEMORY_IR_AST_H_

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "memory/ir/lexer.h"

namespace urd::mem {

// A value as written: the `value` production of the grammar.
struct AstValue {
  enum class Kind : uint8_t {
    kSymbol,        // @name — `text`
    kTypedSymbol,   // @name:Kind — `text`, `symbol_kind`
    kBareword,      // name — `text`
    kString,        // "…" — `text` (unescaped)
    kInteger,       // `integer`
    kFloat,         // `real`
    kBoolean,       // `boolean`
    kNil,           // nil
    kTimestamp,     // converted timestamp — `millis`
    kTimestampRaw,  // timestamp text that does not convert — `text` (fails at bind)
    kList,          // ( value* ) — `items`
  };

  Kind kind = Kind::kNil;
  Position pos;  // of the value's first token
  std::string text;
  std::string symbol_kind;
  int64_t integer = 0;
  double real = 0;
  bool boolean = false;
  uint64_t millis = 0;
  std::vector<AstValue> items;

  bool is_symbol() const { return kind == Kind::kSymbol || kind == Kind::kTypedSymbol; }
};

// Keyword arguments by name (without ':'). std::map iterates in lexicographic byte
// order, the order in which the binder must process them. Lookups take string_view.
using KeywordMap = std::map<std::string, AstValue, std::less<>>;

// A symbol in a slot that must hold one: `@name` or `@name:Kind`; in a predicate
// slot also a bareword (`email` means `@email`).
struct SymbolRef {
  std::string name;
  std::string kind;  // the `:Kind` annotation; empty when there is none
  Position pos;
  bool bareword = false;

  bool has_kind() const { return !kind.empty(); }
};

// (sem s p o :src :c :v [:projected])
struct SemForm {
  Position pos;  // of the form's '('
  SymbolRef s;
  SymbolRef p;
  AstValue o;
  KeywordMap keywords;
};

// (epi event_id kind (participants…) location :at :obs :src :c)
struct EpiForm {
  Position pos;
  SymbolRef event_id;
  SymbolRef kind;
  std::vector<SymbolRef> participants;
  SymbolRef location;
  KeywordMap keywords;
};

// (pro rule_id trigger action :scp :src :c [:pre])
struct ProForm {
  Position pos;
  SymbolRef rule_id;
  AstValue trigger;
  AstValue action;
  KeywordMap keywords;
};

// (inf s p o (derived_from…) method :c :v [:projected])
struct InfForm {
  Position pos;
  SymbolRef s;
  SymbolRef p;
  AstValue o;
  std::vector<SymbolRef> derived_from;
  SymbolRef method;
  KeywordMap keywords;
};

// (alias a b)
struct AliasForm {
  Position pos;
  SymbolRef a;
  SymbolRef b;
};

// (rename old new)
struct RenameForm {
  Position pos;
  SymbolRef old_name;
  SymbolRef new_name;
};

// (retire name [:reason])
struct RetireForm {
  Position pos;
  SymbolRef name;
  KeywordMap keywords;
};

// (correct target_episode (epi …))
struct CorrectForm {
  Position pos;
  SymbolRef target_episode;
  EpiForm body;
};

// (promote name)
struct PromoteForm {
  Position pos;
  SymbolRef name;
};

// (query [selector] :key value …)
struct QueryForm {
  Position pos;
  std::optional<AstValue> selector;
  KeywordMap keywords;
};

// (episode :start [:label "…"] [:parent_episode @e] [:retracts (@e…)]) or
// (episode :close).
struct EpisodeForm {
  enum class Action : uint8_t { kStart, kClose };
  Position pos;
  Action action = Action::kStart;
  std::optional<std::string> label;
  Position label_pos;  // of the label string, when present
  std::optional<SymbolRef> parent_episode;
  std::optional<std::vector<SymbolRef>> retracts;
};

// The four flag forms: (head memory :actor @who).
struct FlagFormArgs {
  Position pos;
  SymbolRef memory;
  SymbolRef actor;
};
struct PinForm : FlagFormArgs {};
struct UnpinForm : FlagFormArgs {};
struct AuthoritativeSetForm : FlagFormArgs {};
struct AuthoritativeClearForm : FlagFormArgs {};

using Form = std::variant<SemForm, EpiForm, ProForm, InfForm, AliasForm, RenameForm, RetireForm,
                          CorrectForm, PromoteForm, QueryForm, EpisodeForm, PinForm, UnpinForm,
                          AuthoritativeSetForm, AuthoritativeClearForm>;

// The head word of a form: "sem", …, "authoritative_clear".
std::string_view FormHead(const Form& form);

// Position of the form's opening parenthesis.
inline Position FormPosition(const Form& form) {
  return std::visit([](const auto& f) { return f.pos; }, form);
}

}  // namespace urd::mem

#endif  // URD_MEMORY_IR_AST_H_
