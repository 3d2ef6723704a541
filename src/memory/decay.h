// Copyright urd authors. Read-time decay of confidence (reference/mimir-core.md
// §4.9): effective = stored × 2^(−elapsed / half_life), computed entirely in
// integers so that every build gives bit-identical results.
//
// Thread-safety: pure functions and constants.
//
// Algorithm (all integer arithmetic):
//   factor(elapsed, hl) = 65535                         if hl == 0 (no decay)
//                       = 0                             if n >= 16
//                       = kDecayTable[k & 0xFF] >> n    otherwise, where
//     e = min(elapsed, UINT64_MAX / 256), k = e * 256 / hl (the exponent in Q8),
//     n = k >> 8
//   effective(stored, ...) = stored                     if pinned or authoritative
//                          = (stored * factor + 32767) / 65535   (u32 arithmetic)
//
// Worked example: stored 52428 (0.8), half-life 180 days, elapsed 11 961 600 000 ms
// → k = 196, factor 38548, effective 30838 (≈ 0.4706).

#ifndef URD_MEMORY_DECAY_H_
#define URD_MEMORY_DECAY_H_

#include <cstdint>

#include <string_view>

#include "memory/types.h"
#include "urd/status.h"

namespace urd::mem {

// kDecayTable[i] = round(65535 × 2^(−i/256)) for i in 0..255: strictly decreasing
// from 65535 to 32856. Generated once with
//   python3 -c "print([round(65535 * 2 ** (-i / 256)) for i in range(256)])"
// (no entry is within 1e-6 of a rounding tie) and baked here: never computed with
// pow() at run time.
inline constexpr uint16_t kDecayTable[256] = {
    65535, 65358, 65181, 65005, 64829, 64654, 64479, 64305, 64131, 63957, 63784, 63612, 63440,
    63268, 63097, 62927, 62757, 62587, 62418, 62249, 62081, 61913, 61745, 61578, 61412, 61246,
    61080, 60915, 60750, 60586, 60422, 60259, 60096, 59933, 59771, 59610, 59449, 59288, 59127,
    58968, 58808, 58649, 58491, 58332, 58175, 58017, 57860, 57704, 57548, 57392, 57237, 57082,
    56928, 56774, 56621, 56468, 56315, 56163, 56011, 55859, 55708, 55558, 55407, 55258, 55108,
    54959, 54811, 54662, 54515, 54367, 54220, 54074, 53927, 53781, 53636, 53491, 53346, 53202,
    53058, 52915, 52772, 52629, 52487, 52345, 52203, 52062, 51921, 51781, 51641, 51501, 51362,
    51223, 51085, 50947, 50809, 50671, 50534, 50398, 50261, 50126, 49990, 49855, 49720, 49586,
    49452, 49318, 49184, 49051, 48919, 48787, 48655, 48523, 48392, 48261, 48131, 48000, 47871,
    47741, 47612, 47483, 47355, 47227, 47099, 46972, 46845, 46718, 46592, 46466, 46340, 46215,
    46090, 45965, 45841, 45717, 45593, 45470, 45347, 45225, 45102, 44980, 44859, 44737, 44617,
    44496, 44376, 44256, 44136, 44017, 43898, 43779, 43660, 43542, 43425, 43307, 43190, 43073,
    42957, 42841, 42725, 42609, 42494, 42379, 42265, 42150, 42036, 41923, 41809, 41696, 41584,
    41471, 41359, 41247, 41136, 41024, 40914, 40803, 40693, 40583, 40473, 40363, 40254, 40145,
    40037, 39929, 39821, 39713, 39606, 39498, 39392, 39285, 39179, 39073, 38967, 38862, 38757,
    38652, 38548, 38443, 38339, 38236, 38132, 38029, 37926, 37824, 37722, 37620, 37518, 37416,
    37315, 37214, 37114, 37013, 36913, 36813, 36714, 36615, 36516, 36417, 36318, 36220, 36122,
    36025, 35927, 35830, 35733, 35637, 35540, 35444, 35348, 35253, 35157, 35062, 34968, 34873,
    34779, 34685, 34591, 34497, 34404, 34311, 34218, 34126, 34033, 33941, 33850, 33758, 33667,
    33576, 33485, 33394, 33304, 33214, 33124, 33035, 32945, 32856,
};

// The decay factor on the u16 scale (65535 = no decay) after `elapsed_ms` with a
// half-life of `half_life_ms`; half_life_ms == 0 means "never decays" (65535).
// Non-increasing in elapsed_ms. One half-life gives 32767, 15 give 1, 16 or more 0.
uint16_t DecayFactor(uint64_t elapsed_ms, uint64_t half_life_ms);

// The effective confidence (u16 scale) of a memory stored with `stored`, read
// `elapsed_ms` after its valid time. A pinned or operator-authoritative memory
// never decays: the result is `stored`.
uint16_t EffectiveConfidence(uint16_t stored, uint64_t elapsed_ms, uint64_t half_life_ms,
                             bool pinned_or_authoritative);

// Half-lives in milliseconds (0 = no decay), one per (memory kind, source kind)
// that can decay. Defaults are the §4.2 table (days × kDayMs). Inferential memories
// never decay through this table (their confidence comes from their parents).
struct DecayConfig {
  // Semantic, by source.
  uint64_t sem_observation = 180 * kDayMs;
  uint64_t sem_profile = 730 * kDayMs;
  uint64_t sem_self_report = 90 * kDayMs;
  uint64_t sem_participant_report = 90 * kDayMs;  // unreachable: not admitted
  uint64_t sem_document = 365 * kDayMs;
  uint64_t sem_registry = 90 * kDayMs;
  uint64_t sem_policy = 730 * kDayMs;  // unreachable: not admitted
  uint64_t sem_agent_instruction = 730 * kDayMs;
  uint64_t sem_external_authority = 180 * kDayMs;
  uint64_t sem_pending_verification = 30 * kDayMs;
  uint64_t sem_librarian_assignment = 0;  // never decays
  // Episodic, by source (other sources: no decay).
  uint64_t epi_observation = 90 * kDayMs;
  uint64_t epi_self_report = 30 * kDayMs;
  uint64_t epi_participant_report = 60 * kDayMs;
  // Procedural, any source.
  uint64_t pro_any = 0;  // never decays

  // The half-life for a memory of kind `memory` from `source`: the matching
  // field; 0 for kInf and for an episodic memory from a source without an
  // episodic field (e.g. pending_verification).
  uint64_t HalfLifeMs(MemoryKind memory, SourceKind source) const;

  // Sets one half-life from a configuration key, in days (0 = never decays):
  // "semantic.<source>" (the 11 source kind names), "episodic.observation",
  // "episodic.self_report", "episodic.participant_report" or "procedural.any".
  // InvalidArgument naming the key when it is none of these or days is too large.
  Status SetHalfLifeDays(std::string_view key, uint64_t days);
};

}  // namespace urd::mem

#endif  // URD_MEMORY_DECAY_H_
