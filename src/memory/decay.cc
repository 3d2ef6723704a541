// Copyright urd authors.

#include "memory/decay.h"

#include <algorithm>
#include <cstdint>

namespace urd::mem {

namespace {

// 16 half-lives or more decay to 0.
constexpr uint64_t kMaxHalvings = 16;

}  // namespace

uint16_t DecayFactor(uint64_t elapsed_ms, uint64_t half_life_ms) {
  if (half_life_ms == 0) return UINT16_MAX;
  const uint64_t e = std::min<uint64_t>(elapsed_ms, UINT64_MAX / 256);
  const uint64_t k = (e * 256) / half_life_ms;  // the exponent in Q8
  const uint64_t n = k >> 8;
  if (n >= kMaxHalvings) return 0;
  return static_cast<uint16_t>(kDecayTable[k & 0xFF] >> n);
}

uint16_t EffectiveConfidence(uint16_t stored, uint64_t elapsed_ms, uint64_t half_life_ms,
                             bool pinned_or_authoritative) {
  if (pinned_or_authoritative) return stored;
  const uint32_t factor = DecayFactor(elapsed_ms, half_life_ms);
  const uint32_t product = uint32_t{stored} * factor;  // <= 65535^2, fits u32
  return static_cast<uint16_t>((product + 32767) / 65535);
}

uint64_t DecayConfig::HalfLifeMs(MemoryKind memory, SourceKind source) const {
  switch (memory) {
    case MemoryKind::kSem:
      switch (source) {
        case SourceKind::kObservation:
          return sem_observation;
        case SourceKind::kProfile:
          return sem_profile;
        case SourceKind::kSelfReport:
          return sem_self_report;
        case SourceKind::kParticipantReport:
          return sem_participant_report;
        case SourceKind::kDocument:
          return sem_document;
        case SourceKind::kRegistry:
          return sem_registry;
        case SourceKind::kPolicy:
          return sem_policy;
        case SourceKind::kAgentInstruction:
          return sem_agent_instruction;
        case SourceKind::kExternalAuthority:
          return sem_external_authority;
        case SourceKind::kPendingVerification:
          return sem_pending_verification;
        case SourceKind::kLibrarianAssignment:
          return sem_librarian_assignment;
      }
      return 0;
    case MemoryKind::kEpi:
      switch (source) {
        case SourceKind::kObservation:
          return epi_observation;
        case SourceKind::kSelfReport:
          return epi_self_report;
        case SourceKind::kParticipantReport:
          return epi_participant_report;
        default:
          return 0;
      }
    case MemoryKind::kPro:
      return pro_any;
    case MemoryKind::kInf:
      return 0;
  }
  return 0;
}

Status DecayConfig::SetHalfLifeDays(std::string_view key, uint64_t days) {
  if (days > UINT64_MAX / kDayMs) {
    return Status::InvalidArgument("decay half-life " + std::string(key) + " = " +
                                   std::to_string(days) + " days is too large");
  }
  const uint64_t ms = days * kDayMs;
  struct Field {
    std::string_view key;
    uint64_t DecayConfig::*field;
  };
  static const Field kFields[] = {
      {"semantic.observation", &DecayConfig::sem_observation},
      {"semantic.profile", &DecayConfig::sem_profile},
      {"semantic.self_report", &DecayConfig::sem_self_report},
      {"semantic.participant_report", &DecayConfig::sem_participant_report},
      {"semantic.document", &DecayConfig::sem_document},
      {"semantic.registry", &DecayConfig::sem_registry},
      {"semantic.policy", &DecayConfig::sem_policy},
      {"semantic.agent_instruction", &DecayConfig::sem_agent_instruction},
      {"semantic.external_authority", &DecayConfig::sem_external_authority},
      {"semantic.pending_verification", &DecayConfig::sem_pending_verification},
      {"semantic.librarian_assignment", &DecayConfig::sem_librarian_assignment},
      {"episodic.observation", &DecayConfig::epi_observation},
      {"episodic.self_report", &DecayConfig::epi_self_report},
      {"episodic.participant_report", &DecayConfig::epi_participant_report},
      {"procedural.any", &DecayConfig::pro_any},
  };
  for (const Field& f : kFields) {
    if (f.key == key) {
      this->*f.field = ms;
      return Status::OK();
    }
  }
  return Status::InvalidArgument("unknown decay half-life key `" + std::string(key) +
                                 "` (expected semantic.<source>, episodic.<source> or "
                                 "procedural.any)");
}

}  // namespace urd::mem
