// Copyright urd authors. The read side: executes one `(query …)` form against a
// MemoryState (reference/mimir-core.md §4.4, §7; decisions in docs/decisions.md
// "Memory store").
//
// Thread-safety: ExecuteQuery only reads `state`; callers keep writers out.
//
// Predicates (AND-combined): :kind sem|epi|pro|inf, :s, :p, :as_of, :as_committed,
// one of :in_episode / :after_episode / :before_episode / :episode_chain, :limit
// (default 1000), :include_retired, :include_projected, :confidence_threshold
// (default 0.5; sets LOW_CONFIDENCE, never filters), :explain_filtered,
// :show_framing, :debug_mode. Anything else is an error that names it.

#ifndef URD_MEMORY_QUERY_H_
#define URD_MEMORY_QUERY_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "memory/decay.h"
#include "memory/state.h"
#include "urd/status.h"

namespace urd::mem {

enum class ReadErrorKind : uint8_t {
  kParse,                   // the text does not lex/parse (message has line/column)
  kNotASingleQuery,         // zero or several forms
  kNotAQuery,               // one form that is not `(query …)`
  kUnsupportedPredicate,    // a positional selector, :o, :read_after, unknown keys
  kInvalidPredicate,        // a predicate with a value of the wrong type
  kInvalidKind,             // :kind other than sem|epi|pro|inf
  kIncompatiblePredicates,  // :s/:p with :kind pro|epi
};

std::string_view ReadErrorKindName(ReadErrorKind kind);

enum class Framing : uint8_t { kAdvisory, kHistorical, kProjected, kPinned, kAuthoritative };

std::string_view FramingName(Framing framing);  // "advisory", …

enum class FilterReason : uint8_t { kRetiredSymbol, kProjected };

std::string_view FilterReasonName(FilterReason reason);  // "retired_symbol", "projected"

struct ReadRecord {
  MemoryRef ref;
  uint16_t effective = 0;  // effective confidence (u16) at query_committed_at
  Framing framing = Framing::kAdvisory;
};

struct ReadResult {
  std::vector<ReadRecord> records;  // ascending committed_at
  std::vector<std::pair<ReadRecord, FilterReason>> filtered;
  uint32_t flags = 0;        // kQuery* bits of urd/memory_store.h
  bool show_framing = false;
  ClockTime as_of = 0;
  ClockTime as_committed = 0;
  ClockTime query_committed_at = 0;
};

// Parses and runs `text`. On success fills *out (cleared first) and returns OK;
// on error returns InvalidArgument "<ReadErrorKind>: …" (with "line L, column C"
// for parse errors) and leaves *out cleared.
Status ExecuteQuery(const MemoryState& state, const DecayConfig& decay, std::string_view text,
                    ReadResult* out);

// Effective confidence of a memory at `now` (§4.9): decays from valid_at with the
// half-life of its kind and source; pinned/authoritative and inferential memories
// do not decay.
uint16_t EffectiveConfidenceOf(const MemoryState& state, const DecayConfig& decay, MemoryRef ref,
                               ClockTime now);

}  // namespace urd::mem

#endif  // URD_MEMORY_QUERY_H_
