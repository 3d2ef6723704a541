// Copyright urd authors. The binder: the stage after the parser that resolves symbol
// names to ids against a SymbolTable, allocating new ones, and turns AST values into
// bound Values (reference/mimir-core.md §2.4; errors §2.7).
//
// Thread-safety: Bind() mutates the table it is given; the caller serialises access.
//
// What Bind() does, per form in input order:
//  * Every symbol slot is resolve-or-allocate: the effective kind is the `:Kind`
//    annotation if any (one of the 12 exact names, else kBadKind), otherwise the
//    slot's default kind (table below). A known name must have that kind
//    (kSymbolKindMismatch); an unknown one is allocated and journalled.
//  * Positional slots are bound in the order written; then keywords in
//    lexicographic key order (KeywordMap order). This order fixes the ids:
//    `(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)` on an empty
//    table gives alice #0, knows #1, bob #2, observation #3.
//  * Query forms only look symbols up: they never allocate and never journal.
//
// Default kinds: sem/inf s Agent, p Predicate, o Literal; pro rule_id Memory,
// trigger/action/:pre Literal; epi event_id Memory, kind EventType, participants
// Agent, location Literal; inf derived_from Memory, method InferenceMethod; :src
// Agent; :scp Scope; correct target, promote, flag memory, episode parent/retracts
// Memory; flag :actor Agent; every other keyword symbol Literal.
//
// Atomicity: on error the table is rolled back to its state at the call (through
// the table's undo journal; no copy) and nothing is returned but the error. On
// success the table holds the batch's mutations and its undo journal is still open
// (Bind() calls table->Mark() first): the caller ends the batch with
// table->Commit() once it is durable, or table->RollbackTo(mark) if a later stage
// (semantic, emit, log append) fails — take the mark before calling Bind().

#ifndef URD_MEMORY_IR_BINDER_H_
#define URD_MEMORY_IR_BINDER_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "memory/ir/ast.h"
#include "memory/ir/lexer.h"
#include "memory/symbol_table.h"
#include "memory/types.h"
#include "urd/status.h"

namespace urd::mem {

// Labels of `(episode :start :label "…")` longer than this many bytes are rejected.
inline constexpr size_t kMaxEpisodeLabelBytes = 256;

enum class BindErrorKind : uint8_t {
  kSymbolKindMismatch,           // a known name used with another kind
  kSymbolRenameConflict,         // allocate/rename/alias onto a name bound elsewhere
  kAliasChainLengthExceeded,     // the entry already has kAliasChainLimit aliases
  kUnknownSymbol,                // rename/retire of an unknown name; alias of two
  kBadKind,                      // `@x:Kind` with Kind not one of the 12 names
  kUnregisteredInferenceMethod,  // inf method not one of the 14 registered names
  kInvalidKeywordValue,          // :c not a number; a boolean keyword not a boolean
  kConfidenceOutOfRange,         // :c NaN or outside [0, 1]
  kUnexpectedList,               // nil or a list where a single value is required
  kInvalidTimestampKeyword,      // timestamp text that does not convert
  kLabelTooLong,                 // episode label over kMaxEpisodeLabelBytes
};

// "SymbolKindMismatch", "SymbolRenameConflict", …
std::string_view BindErrorKindName(BindErrorKind kind);

struct BindError {
  BindErrorKind kind = BindErrorKind::kUnknownSymbol;
  Position pos;         // of the offending symbol/value/keyword value; else the form
  std::string message;  // human-readable, names the symbol/keyword/slot
  // The symbol name (kinds, conflicts, unknown, alias chain), the annotation
  // (kBadKind), the method name (kUnregisteredInferenceMethod), the keyword
  // (kInvalidKeywordValue, kConfidenceOutOfRange), the slot (kUnexpectedList) or
  // the raw timestamp text (kInvalidTimestampKeyword).
  std::string subject;
  SymbolKind expected = SymbolKind::kLiteral;  // kSymbolKindMismatch
  SymbolKind existing = SymbolKind::kLiteral;  // kSymbolKindMismatch
  size_t length = 0;                           // kLabelTooLong: the label's bytes
};

// InvalidArgument "line L, column C: <Kind>: <message>".
Status ToStatus(const BindError& error);

// ---- The symbol mutation journal (the emit stage writes one SYMBOL_* record each) ----

struct SymbolEvent {
  enum class Type : uint8_t { kAllocate, kAlias, kRename, kRetire };
  Type type = Type::kAllocate;
  SymbolId id = 0;
  // kAllocate: the name allocated; kAlias: the alias attached; kRename: the new
  // canonical name; kRetire: the canonical name at retirement.
  std::string name;
  SymbolKind kind = SymbolKind::kLiteral;  // the entry's (locked) kind

  friend bool operator==(const SymbolEvent&, const SymbolEvent&) = default;
};

// ---- Bound forms ----

// One keyword argument after binding. `c` is Value::Float (an integer widened; the
// semantic stage converts it to Confidence); boolean keywords are Value::Boolean;
// timestamps are Value::Timestamp (ClockTime); symbols Value::Symbol; barewords and
// strings Value::String.
struct BoundKeyword {
  std::string key;
  Position pos;  // of the value
  Value value;

  friend bool operator==(const BoundKeyword&, const BoundKeyword&) = default;
};

// Keywords in lexicographic key order.
struct BoundKeywords {
  std::vector<BoundKeyword> items;

  // The keyword `key`; nullptr when absent.
  const BoundKeyword* Find(std::string_view key) const;
};

struct BoundSem {
  Position pos;
  SymbolId s = 0;
  SymbolId p = 0;
  Value o;
  BoundKeywords keywords;  // src c v [projected]
};

struct BoundEpi {
  Position pos;
  SymbolId event_id = 0;
  SymbolId kind = 0;
  std::vector<SymbolId> participants;
  SymbolId location = 0;
  BoundKeywords keywords;  // at obs src c
};

struct BoundPro {
  Position pos;
  SymbolId rule_id = 0;
  Value trigger;
  Value action;
  BoundKeywords keywords;  // scp src c [pre]
};

struct BoundInf {
  Position pos;
  SymbolId s = 0;
  SymbolId p = 0;
  Value o;
  std::vector<SymbolId> derived_from;  // may be empty: the semantic stage rejects it
  SymbolId method = 0;                 // canonical name is a registered method
  BoundKeywords keywords;              // c v [projected]
};

// The alias attached (already applied to the table and journalled) or a no-op when
// both names already named `id`.
struct BoundAlias {
  Position pos;
  SymbolId id = 0;
  std::string alias;  // the attached name; empty for a no-op
};

struct BoundRename {
  Position pos;
  SymbolId id = 0;
  std::string new_name;
};

struct BoundRetire {
  Position pos;
  SymbolId id = 0;
  std::optional<std::string> reason;  // a non-string :reason is dropped
};

struct BoundCorrect {
  Position pos;
  SymbolId target_episode = 0;
  BoundEpi body;
};

struct BoundPromote {
  Position pos;
  SymbolId id = 0;
};

// A query argument: a bound value, or a symbol name the table does not know (a
// query never allocates; an unknown name matches nothing).
struct BoundQueryValue {
  Position pos;
  std::optional<Value> value;  // nullopt iff `unknown_symbol` is set
  std::string unknown_symbol;
};

struct BoundQueryKeyword {
  std::string key;
  BoundQueryValue value;
};

struct BoundQuery {
  Position pos;
  std::optional<BoundQueryValue> selector;
  std::vector<BoundQueryKeyword> keywords;  // lexicographic key order
};

struct BoundEpisode {
  Position pos;
  EpisodeForm::Action action = EpisodeForm::Action::kStart;
  std::optional<std::string> label;
  std::optional<SymbolId> parent_episode;
  std::optional<std::vector<SymbolId>> retracts;
};

// pin / unpin / authoritative_set / authoritative_clear.
struct BoundFlag {
  enum class Op : uint8_t { kPin, kUnpin, kAuthoritativeSet, kAuthoritativeClear };
  Position pos;
  Op op = Op::kPin;
  SymbolId memory = 0;
  SymbolId actor = 0;
};

using BoundForm = std::variant<BoundSem, BoundEpi, BoundPro, BoundInf, BoundAlias, BoundRename,
                               BoundRetire, BoundCorrect, BoundPromote, BoundQuery, BoundEpisode,
                               BoundFlag>;

struct BindOutput {
  std::vector<BoundForm> forms;      // one per input form, same order
  std::vector<SymbolEvent> journal;  // symbol mutations in bind order
};

// Binds `forms` against `*table`. On success fills `*out` (cleared first) and
// returns true; the table's undo journal is left open (see the header comment).
// On failure sets `*error`, rolls the table back to its state at the call (its
// journal closed again if it was closed at the call), clears `*out` and returns
// false.
// REQUIRES: table, out and error are not null.
bool Bind(const std::vector<Form>& forms, SymbolTable* table, BindOutput* out, BindError* error);

}  // namespace urd::mem

#endif  // URD_MEMORY_IR_BINDER_H_
