// Copyright urd authors. The semantic stage: typed checks of bound memory forms
// before anything is emitted (reference/mimir-core.md §2.5, §4.2).
//
// Thread-safety: pure functions over their arguments.
//
// Checks, per form: the source kind comes from the canonical name of the `:src`
// symbol (the ten reserved names; any other name is an observation); the source
// kind must admit the memory kind; `:c` must not exceed the source kind's bound
// (not applied to inf, which has no source); sem/inf `:v` must not be after the
// wall clock `now` unless `:projected true`; epi `:obs` must not precede `:at`;
// inf needs at least one parent; a `correct` body must be a valid epi. Each check
// has a typed error kind.

#ifndef URD_MEMORY_SEMANTIC_H_
#define URD_MEMORY_SEMANTIC_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "memory/ir/binder.h"
#include "memory/symbol_table.h"
#include "memory/types.h"
#include "urd/status.h"

namespace urd::mem {

enum class SemanticErrorKind : uint8_t {
  kConfidenceExceedsSourceBound,  // :c above the source kind's bound
  kSourceKindNotAdmitted,         // the source kind does not admit this memory kind
  kFutureValidity,                // sem/inf :v after `now` without :projected true
  kInvalidClockOrder,             // epi :obs before :at
  kEmptyDerivedFrom,              // inf with no parents
  kMissingKeyword,                // a required keyword is absent (safety net)
  kBadKeywordType,                // a keyword value of the wrong type (safety net)
  kConfidenceMalformed,           // :c NaN or outside [0, 1] (safety net)
  kCorrectsNonEpisodic,           // `correct` body is not a valid epi
  kMultipleEpisodeDirectives,     // more than one `(episode …)` form
};

std::string_view SemanticErrorKindName(SemanticErrorKind kind);

struct SemanticError {
  SemanticErrorKind kind = SemanticErrorKind::kMissingKeyword;
  Position pos;
  std::string message;
};

// InvalidArgument "line L, column C: <Kind>: <message>".
Status ToStatus(const SemanticError& error);

struct SemFields {
  SymbolId source = 0;
  Confidence confidence;
  ClockTime valid_at = 0;
  bool projected = false;
};

struct EpiFields {
  SymbolId source = 0;
  Confidence confidence;
  ClockTime at = 0;
  ClockTime obs = 0;
};

struct ProFields {
  SymbolId scope = 0;
  SymbolId source = 0;
  Confidence confidence;
  std::optional<Value> precondition;
};

struct InfFields {
  Confidence confidence;
  ClockTime valid_at = 0;
  bool projected = false;
};

// Each returns true and fills *out, or false and sets *error.
bool CheckSem(const BoundSem& form, const SymbolTable& table, ClockTime now, SemFields* out,
              SemanticError* error);
bool CheckEpi(const BoundEpi& form, const SymbolTable& table, EpiFields* out, SemanticError* error);
bool CheckPro(const BoundPro& form, const SymbolTable& table, ProFields* out, SemanticError* error);
bool CheckInf(const BoundInf& form, ClockTime now, InfFields* out, SemanticError* error);

}  // namespace urd::mem

#endif  // URD_MEMORY_SEMANTIC_H_
