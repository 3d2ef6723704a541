// Copyright urd authors.

#include "memory/types.h"

#include <charconv>
#include <cmath>
#include <string>

namespace urd::mem {

namespace {

constexpr std::string_view kSymbolKindNames[kSymbolKindCount] = {
    "Agent",           "Document", "Registry",  "Service",   "Policy",    "Memory",
    "InferenceMethod", "Scope",    "Predicate", "EventType", "Workspace", "Literal",
};

struct SourceKindInfo {
  std::string_view name;
  uint16_t bound;
  bool admits_sem;
  bool admits_epi;
  bool admits_pro;
};

// Indexed by SourceKind. reference/mimir-core.md §4.2.
constexpr SourceKindInfo kSourceKinds[kSourceKindCount] = {
    {"observation", 65535, true, true, false},
    {"profile", 62258, true, false, false},
    {"self_report", 58982, true, true, false},
    {"participant_report", 55705, false, true, false},
    {"document", 58982, true, false, false},
    {"registry", 62258, true, false, false},
    {"policy", 65535, false, false, true},
    {"agent_instruction", 62258, true, false, true},
    {"external_authority", 58982, true, false, false},
    {"pending_verification", 39321, true, true, true},
    {"librarian_assignment", 65535, true, false, false},
};

// Default semantic half-lives in days, indexed by SourceKind (0 = no decay).
constexpr uint64_t kSemHalfLifeDays[kSourceKindCount] = {
    180,  // observation
    730,  // profile
    90,   // self_report
    90,   // participant_report (not admitted for sem)
    365,  // document
    90,   // registry
    730,  // policy (not admitted for sem)
    730,  // agent_instruction
    180,  // external_authority
    30,   // pending_verification
    0,    // librarian_assignment
};

// Rounds a non-negative finite double to the nearest integer, ties to even,
// independently of the floating-point environment's rounding mode.
double RoundHalfEven(double v) {
  const double lower = std::floor(v);
  const double frac = v - lower;  // exact for the magnitudes used here
  if (frac > 0.5) return lower + 1.0;
  if (frac < 0.5) return lower;
  return std::fmod(lower, 2.0) == 0.0 ? lower : lower + 1.0;
}

}  // namespace

std::string_view SymbolKindName(SymbolKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kSymbolKindCount ? kSymbolKindNames[i] : std::string_view("?");
}

std::optional<SymbolKind> SymbolKindFromName(std::string_view name) {
  for (int i = 0; i < kSymbolKindCount; ++i) {
    if (kSymbolKindNames[i] == name) return static_cast<SymbolKind>(i);
  }
  return std::nullopt;
}

std::optional<SymbolKind> SymbolKindFromOrdinal(uint8_t ordinal) {
  if (ordinal >= kSymbolKindCount) return std::nullopt;
  return static_cast<SymbolKind>(ordinal);
}

Result<Confidence> ConfidenceFromFloat(double x) {
  if (std::isnan(x)) return Status::InvalidArgument("confidence is NaN");
  if (!(x >= 0.0 && x <= 1.0)) {
    char buf[64];
    auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), x);
    (void)ec;
    return Status::InvalidArgument("confidence " + std::string(buf, end) + " is outside [0, 1]");
  }
  const double widened = static_cast<double>(static_cast<float>(x));
  const double scaled = RoundHalfEven(widened * 65535.0);
  return Confidence{static_cast<uint16_t>(scaled)};
}

std::string_view MemoryKindName(MemoryKind kind) {
  switch (kind) {
    case MemoryKind::kSem:
      return "sem";
    case MemoryKind::kEpi:
      return "epi";
    case MemoryKind::kPro:
      return "pro";
    case MemoryKind::kInf:
      return "inf";
  }
  return "?";
}

std::string_view SourceKindName(SourceKind kind) {
  const auto i = static_cast<size_t>(kind);
  return i < kSourceKindCount ? kSourceKinds[i].name : std::string_view("?");
}

SourceKind SourceKindFromName(std::string_view canonical_name) {
  for (int i = 0; i < kSourceKindCount; ++i) {
    if (kSourceKinds[i].name == canonical_name) return static_cast<SourceKind>(i);
  }
  return SourceKind::kObservation;
}

uint16_t Bound(SourceKind kind) { return kSourceKinds[static_cast<size_t>(kind)].bound; }

bool Admits(SourceKind kind, MemoryKind memory) {
  const SourceKindInfo& info = kSourceKinds[static_cast<size_t>(kind)];
  switch (memory) {
    case MemoryKind::kSem:
      return info.admits_sem;
    case MemoryKind::kEpi:
      return info.admits_epi;
    case MemoryKind::kPro:
      return info.admits_pro;
    case MemoryKind::kInf:
      return false;
  }
  return false;
}

uint64_t DefaultHalfLifeMs(MemoryKind memory, SourceKind source) {
  switch (memory) {
    case MemoryKind::kSem:
      return kSemHalfLifeDays[static_cast<size_t>(source)] * kDayMs;
    case MemoryKind::kEpi:
      switch (source) {
        case SourceKind::kObservation:
          return 90 * kDayMs;
        case SourceKind::kSelfReport:
          return 30 * kDayMs;
        case SourceKind::kParticipantReport:
          return 60 * kDayMs;
        default:
          return 0;
      }
    case MemoryKind::kPro:
    case MemoryKind::kInf:
      return 0;
  }
  return 0;
}

const std::string_view kInferenceMethodNames[kInferenceMethodCount] = {
    "direct_lookup",          "majority_vote",
    "citation_link",          "analogy_inference",
    "pattern_summarize",      "architectural_chain",
    "dominance_analysis",     "entity_count",
    "interval_calc",          "feedback_consolidation",
    "qualitative_inference",  "provenance_chain",
    "multi_source_consensus", "conflict_reconciliation",
};

bool IsRegisteredInferenceMethod(std::string_view name) {
  if (!name.empty() && name.front() == '@') name.remove_prefix(1);
  for (std::string_view method : kInferenceMethodNames) {
    if (method == name) return true;
  }
  return false;
}

std::string Value::DebugString() const {
  switch (type()) {
    case Type::kSymbol:
      return "#" + std::to_string(symbol());
    case Type::kInteger:
      return std::to_string(integer());
    case Type::kFloat: {
      char buf[64];
      auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), float_value());
      (void)ec;
      return std::string(buf, end);
    }
    case Type::kBoolean:
      return boolean() ? "true" : "false";
    case Type::kString:
      return "\"" + string() + "\"";
    case Type::kTimestamp:
      return "@" + std::to_string(timestamp());
  }
  return "?";
}

}  // namespace urd::mem
