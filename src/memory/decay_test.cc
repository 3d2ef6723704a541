// Copyright urd authors.

#include "memory/decay.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <random>
#include <vector>

namespace urd::mem {
namespace {

constexpr uint64_t kHalfLife180d = 180 * kDayMs;

TEST(DecayTableTest, EndpointsAndStrictDecrease) {
  EXPECT_EQ(kDecayTable[0], 65535);
  EXPECT_EQ(kDecayTable[255], 32856);
  for (int i = 1; i < 256; ++i) EXPECT_LT(kDecayTable[i], kDecayTable[i - 1]) << i;
}

TEST(DecayTableTest, EveryEntryIsTheRoundedFormula) {
  // Checks the baked literal against the formula (pow is used only here).
  for (int i = 0; i < 256; ++i) {
    const double exact = 65535.0 * std::pow(2.0, -i / 256.0);
    EXPECT_LE(std::fabs(exact - kDecayTable[i]), 0.5) << i;
  }
}

TEST(DecayTableTest, EntriesReadBackThroughTheFactor) {
  // With a 256 ms half-life, k = elapsed exactly.
  for (uint64_t i = 0; i < 256; ++i) EXPECT_EQ(DecayFactor(i, 256), kDecayTable[i]) << i;
}

TEST(DecayTest, WorkedVector) {
  const uint64_t valid_at = 1'701'388'800'000;  // 2023-12-01
  const uint64_t watermark = 1'713'350'400'000;
  const uint64_t elapsed = watermark - valid_at;
  ASSERT_EQ(elapsed, 11'961'600'000u);
  EXPECT_EQ((elapsed * 256) / kHalfLife180d, 196u);
  EXPECT_EQ(DecayFactor(elapsed, kHalfLife180d), 38548);
  EXPECT_EQ(EffectiveConfidence(52428, elapsed, kHalfLife180d, false), 30838);
  EXPECT_LT(EffectiveConfidence(52428, elapsed, kHalfLife180d, false), 32768);  // < 0.5
  EXPECT_EQ(EffectiveConfidence(52428, elapsed, kHalfLife180d, true), 52428);
}

TEST(DecayTest, WholeHalfLives) {
  EXPECT_EQ(DecayFactor(0, kHalfLife180d), 65535);
  EXPECT_EQ(DecayFactor(kHalfLife180d, kHalfLife180d), 32767);
  EXPECT_EQ(DecayFactor(2 * kHalfLife180d, kHalfLife180d), 16383);
  EXPECT_EQ(DecayFactor(15 * kHalfLife180d, kHalfLife180d), 1);
  EXPECT_EQ(DecayFactor(16 * kHalfLife180d, kHalfLife180d), 0);
  EXPECT_EQ(DecayFactor(16 * kHalfLife180d - 1, kHalfLife180d), 1);
  EXPECT_EQ(DecayFactor(100 * kHalfLife180d, kHalfLife180d), 0);
  EXPECT_EQ(DecayFactor(UINT64_MAX, kHalfLife180d), 0);
  EXPECT_EQ(DecayFactor(UINT64_MAX - 1, kHalfLife180d), 0);
}

TEST(DecayTest, OneMillisecondHalfLife) {
  EXPECT_EQ(DecayFactor(0, 1), 65535);
  EXPECT_EQ(DecayFactor(1, 1), 32767);
  EXPECT_EQ(DecayFactor(15, 1), 1);
  EXPECT_EQ(DecayFactor(16, 1), 0);
  EXPECT_EQ(DecayFactor(UINT64_MAX, 1), 0);
}

TEST(DecayTest, ZeroHalfLifeNeverDecays) {
  for (uint64_t e : {uint64_t{0}, uint64_t{1}, kHalfLife180d, UINT64_MAX}) {
    EXPECT_EQ(DecayFactor(e, 0), 65535);
    EXPECT_EQ(EffectiveConfidence(52428, e, 0, false), 52428);
  }
}

TEST(DecayTest, PinnedOrAuthoritativeNeverDecays) {
  std::mt19937_64 rng(20240115);
  for (int i = 0; i < 10000; ++i) {
    const auto stored = static_cast<uint16_t>(rng());
    const uint64_t elapsed = rng() >> (rng() % 64);
    const uint64_t hl = 1 + (rng() >> (rng() % 64 | 1));
    ASSERT_EQ(EffectiveConfidence(stored, elapsed, hl, true), stored);
  }
}

TEST(DecayTest, MonotonicNonIncreaseInElapsed) {
  std::mt19937_64 rng(4096);
  for (int trial = 0; trial < 200; ++trial) {
    const uint64_t hl = 1 + (rng() >> (20 + rng() % 44));
    const auto stored = static_cast<uint16_t>(rng());
    std::vector<uint64_t> elapsed(200);
    for (uint64_t& e : elapsed) e = rng() % (20 * hl + 1);
    elapsed.push_back(0);
    elapsed.push_back(UINT64_MAX);
    std::sort(elapsed.begin(), elapsed.end());
    uint16_t prev_factor = 65535;
    uint16_t prev_effective = stored;
    for (uint64_t e : elapsed) {
      const uint16_t f = DecayFactor(e, hl);
      const uint16_t eff = EffectiveConfidence(stored, e, hl, false);
      ASSERT_LE(f, prev_factor) << "hl " << hl << " elapsed " << e;
      ASSERT_LE(eff, prev_effective) << "hl " << hl << " elapsed " << e;
      ASSERT_LE(eff, stored);
      prev_factor = f;
      prev_effective = eff;
    }
  }
}

TEST(DecayTest, Deterministic) {
  std::mt19937_64 rng(7);
  for (int i = 0; i < 1000; ++i) {
    const uint64_t e = rng(), hl = rng() >> 20;
    ASSERT_EQ(DecayFactor(e, hl), DecayFactor(e, hl));
  }
}

TEST(DecayTest, EffectiveRoundsToNearest) {
  EXPECT_EQ(EffectiveConfidence(65535, 0, kHalfLife180d, false), 65535);
  EXPECT_EQ(EffectiveConfidence(0, 0, kHalfLife180d, false), 0);
  // (stored * 32767 + 32767) / 65535 after one half-life.
  EXPECT_EQ(EffectiveConfidence(1, kHalfLife180d, kHalfLife180d, false), 0);
  EXPECT_EQ(EffectiveConfidence(2, kHalfLife180d, kHalfLife180d, false), 1);
  EXPECT_EQ(EffectiveConfidence(52428, kHalfLife180d, kHalfLife180d, false), 26214);
  EXPECT_EQ(EffectiveConfidence(65535, kHalfLife180d, kHalfLife180d, false), 32767);
}

TEST(DecayConfigTest, DefaultsMatchTheTable) {
  const DecayConfig c;
  EXPECT_EQ(c.sem_observation, 180 * kDayMs);
  EXPECT_EQ(c.sem_profile, 730 * kDayMs);
  EXPECT_EQ(c.sem_self_report, 90 * kDayMs);
  EXPECT_EQ(c.sem_participant_report, 90 * kDayMs);
  EXPECT_EQ(c.sem_document, 365 * kDayMs);
  EXPECT_EQ(c.sem_registry, 90 * kDayMs);
  EXPECT_EQ(c.sem_policy, 730 * kDayMs);
  EXPECT_EQ(c.sem_agent_instruction, 730 * kDayMs);
  EXPECT_EQ(c.sem_external_authority, 180 * kDayMs);
  EXPECT_EQ(c.sem_pending_verification, 30 * kDayMs);
  EXPECT_EQ(c.sem_librarian_assignment, 0u);
  EXPECT_EQ(c.epi_observation, 90 * kDayMs);
  EXPECT_EQ(c.epi_self_report, 30 * kDayMs);
  EXPECT_EQ(c.epi_participant_report, 60 * kDayMs);
  EXPECT_EQ(c.pro_any, 0u);
  static_assert(sizeof(DecayConfig) == 15 * sizeof(uint64_t));
}

TEST(DecayConfigTest, HalfLifeLookupAgreesWithTypes) {
  const DecayConfig c;
  for (int m = 0; m < 4; ++m) {
    for (int s = 0; s < kSourceKindCount; ++s) {
      const auto memory = static_cast<MemoryKind>(m);
      const auto source = static_cast<SourceKind>(s);
      EXPECT_EQ(c.HalfLifeMs(memory, source), DefaultHalfLifeMs(memory, source))
          << MemoryKindName(memory) << "/" << SourceKindName(source);
    }
  }
  DecayConfig custom;
  custom.epi_self_report = 5 * kDayMs;
  custom.pro_any = 7 * kDayMs;
  EXPECT_EQ(custom.HalfLifeMs(MemoryKind::kEpi, SourceKind::kSelfReport), 5 * kDayMs);
  EXPECT_EQ(custom.HalfLifeMs(MemoryKind::kPro, SourceKind::kPolicy), 7 * kDayMs);
  EXPECT_EQ(custom.HalfLifeMs(MemoryKind::kInf, SourceKind::kObservation), 0u);
}

}  // namespace
}  // namespace urd::mem
