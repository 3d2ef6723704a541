// Copyright urd authors. The primitive types of the memory store: clocks,
// confidences, symbol kinds, source kinds, memory kinds and values, with the
// numeric rules of the mimir-core specification (reference/mimir-core.md §1, §4.2).
//
// Thread-safety: value types and pure functions; the tables are constants.

#ifndef URD_MEMORY_TYPES_H_
#define URD_MEMORY_TYPES_H_

#include <compare>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

#include "urd/result.h"

namespace urd::mem {

// ---- Clocks ----

// Milliseconds since the Unix epoch, UTC. Ordered numerically.
using ClockTime = uint64_t;

// Reserved: never a real time. The canonical form uses it to encode "no
// invalid_at"; anywhere else it is rejected by the decoder.
inline constexpr ClockTime kClockSentinel = UINT64_MAX;

// One day in milliseconds (half-lives are configured in days).
inline constexpr uint64_t kDayMs = 86'400'000;

// ---- Symbols ----

// A workspace-local symbol id, allocated monotonically from 0. Shown as "#n".
using SymbolId = uint64_t;

// The kind locked onto a symbol at its first allocation. The enumerator values are
// the wire ordinals of the canonical form (SYMBOL_* records) and must not change.
enum class SymbolKind : uint8_t {
  kAgent = 0,
  kDocument = 1,
  kRegistry = 2,
  kService = 3,
  kPolicy = 4,
  kMemory = 5,
  kInferenceMethod = 6,
  kScope = 7,
  kPredicate = 8,
  kEventType = 9,
  kWorkspace = 10,
  kLiteral = 11,
};

inline constexpr int kSymbolKindCount = 12;

// The exact name of a kind as written in a `:Kind` annotation: "Agent",
// "Document", ..., "InferenceMethod", "EventType", "Literal".
std::string_view SymbolKindName(SymbolKind kind);

// The kind whose exact name (case-sensitive) is `name`; nullopt for anything else.
std::optional<SymbolKind> SymbolKindFromName(std::string_view name);

// The kind with wire ordinal `ordinal`; nullopt when ordinal > 11.
std::optional<SymbolKind> SymbolKindFromOrdinal(uint8_t ordinal);

// ---- Confidence ----

// Fixed point on the u16 scale: raw 0 is 0.0, raw 65535 is 1.0. Ordered by raw.
// Stored once at write; decay (decay.h) is applied on read, on this scale.
struct Confidence {
  uint16_t raw = 0;

  // raw / 65535.
  double ToFloat() const { return static_cast<double>(raw) / 65535.0; }

  friend constexpr auto operator<=>(Confidence a, Confidence b) = default;
};

inline constexpr Confidence kConfidenceZero{0};
inline constexpr Confidence kConfidenceOne{65535};

// Converts a float confidence: x is narrowed to binary32 (as the write path reads
// `:c` as an f32), widened back, multiplied by 65535 and rounded half to even.
// InvalidArgument when x is NaN or outside [0, 1] (checked on x itself).
// Examples: 0.5 -> 32768, 0.8 -> 52428, 0.9 -> 58981, 1.0 -> 65535.
Result<Confidence> ConfidenceFromFloat(double x);

// ---- Memory kinds ----

enum class MemoryKind : uint8_t {
  kSem,  // semantic: a durable fact keyed by (s, p)
  kEpi,  // episodic: a timestamped event; never superseded
  kPro,  // procedural: a rule keyed by rule_id and by (trigger, scope)
  kInf,  // inferential: a derived conclusion with provenance
};

// "sem", "epi", "pro", "inf".
std::string_view MemoryKindName(MemoryKind kind);

// ---- Source kinds ----

// Where a memory came from, derived from the canonical name of its `:src` symbol.
enum class SourceKind : uint8_t {
  kObservation,
  kProfile,
  kSelfReport,
  kParticipantReport,
  kDocument,
  kRegistry,
  kPolicy,
  kAgentInstruction,
  kExternalAuthority,
  kPendingVerification,
  kLibrarianAssignment,
};

inline constexpr int kSourceKindCount = 11;

// The reserved `:src` name: "observation", "profile", "self_report", ...
std::string_view SourceKindName(SourceKind kind);

// The source kind of a `:src` symbol from its canonical name. The ten reserved
// names other than "observation" map to their kinds (exact, case-sensitive match);
// every other name, "observation" included, maps to kObservation.
SourceKind SourceKindFromName(std::string_view canonical_name);

// The highest confidence (u16 scale) a memory from this source may claim:
// 65535 observation/policy/librarian_assignment; 62258 profile/registry/
// agent_instruction; 58982 self_report/document/external_authority;
// 55705 participant_report; 39321 pending_verification.
uint16_t Bound(SourceKind kind);

// Whether a memory of kind `memory` may cite this source. No source admits
// kInf (inferential memories carry no source).
bool Admits(SourceKind kind, MemoryKind memory);

// The default half-life in milliseconds for a memory of kind `memory` from
// `source` (the §4.2 table, days × kDayMs); 0 means no decay. Inferential
// memories, procedural memories, and episodic memories from a source without an
// episodic entry (anything but observation, self_report, participant_report)
// return 0. Equals DecayConfig{}.HalfLifeMs(memory, source) (decay.h).
uint64_t DefaultHalfLifeMs(MemoryKind memory, SourceKind source);

// ---- Inference methods ----

inline constexpr int kInferenceMethodCount = 14;

// The 14 registered method names, in the specification's order.
extern const std::string_view kInferenceMethodNames[kInferenceMethodCount];

// Whether `name` (a canonical symbol name, with or without a leading '@') is one
// of the 14 registered inference methods.
bool IsRegisteredInferenceMethod(std::string_view name);

// ---- Values ----

namespace value_internal {
// Distinct types for the two u64 payloads, so that Symbol(1) != Timestamp(1).
struct SymbolRep {
  SymbolId id = 0;
  friend bool operator==(const SymbolRep&, const SymbolRep&) = default;
};
struct TimestampRep {
  ClockTime t = 0;
  friend bool operator==(const TimestampRep&, const TimestampRep&) = default;
};
}  // namespace value_internal

// The object of a fact, or a rule's trigger/action/precondition. Compared by
// content: same type and same payload; floats by IEEE equality (so a NaN float is
// unequal to itself, and 0.0 == -0.0). A default Value is Symbol(#0).
class Value {
 public:
  // The enumerator values are the canonical form's value tags.
  enum class Type : uint8_t {
    kSymbol = 1,
    kInteger = 2,
    kFloat = 3,
    kBoolean = 4,
    kString = 5,
    kTimestamp = 6,
  };

  Value() = default;

  static Value Symbol(SymbolId id) { return Value(std::in_place_index<0>, SymbolRep{id}); }
  static Value Integer(int64_t v) { return Value(std::in_place_index<1>, v); }
  static Value Float(double v) { return Value(std::in_place_index<2>, v); }
  static Value Boolean(bool v) { return Value(std::in_place_index<3>, v); }
  // REQUIRES (to be storable): `v` is valid UTF-8.
  static Value String(std::string v) { return Value(std::in_place_index<4>, std::move(v)); }
  // REQUIRES (to be storable): t != kClockSentinel.
  static Value Timestamp(ClockTime t) { return Value(std::in_place_index<5>, TimestampRep{t}); }

  Type type() const { return static_cast<Type>(rep_.index() + 1); }
  bool is_symbol() const { return rep_.index() == 0; }
  bool is_integer() const { return rep_.index() == 1; }
  bool is_float() const { return rep_.index() == 2; }
  bool is_boolean() const { return rep_.index() == 3; }
  bool is_string() const { return rep_.index() == 4; }
  bool is_timestamp() const { return rep_.index() == 5; }

  // Accessors. REQUIRES: the matching is_*() is true.
  SymbolId symbol() const { return std::get<0>(rep_).id; }
  int64_t integer() const { return std::get<1>(rep_); }
  double float_value() const { return std::get<2>(rep_); }
  bool boolean() const { return std::get<3>(rep_); }
  const std::string& string() const { return std::get<4>(rep_); }
  ClockTime timestamp() const { return std::get<5>(rep_).t; }

  // For diagnostics: "#3", "-7", "2.5", "true", "\"text\"", "@1700000000000".
  std::string DebugString() const;

  friend bool operator==(const Value& a, const Value& b) = default;

 private:
  using SymbolRep = value_internal::SymbolRep;
  using TimestampRep = value_internal::TimestampRep;
  using Rep = std::variant<SymbolRep, int64_t, double, bool, std::string, TimestampRep>;

  // Constructs the payload in place (no temporary variant to move from).
  template <size_t I, typename T>
  Value(std::in_place_index_t<I> index, T&& payload) : rep_(index, std::forward<T>(payload)) {}

  Rep rep_;
};

}  // namespace urd::mem

#endif  // URD_MEMORY_TYPES_H_
