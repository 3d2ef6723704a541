// Copyright urd authors.

#include "memory/types.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <iterator>
#include <limits>
#include <string>

namespace urd::mem {
namespace {

uint16_t Conf(double x) {
  Result<Confidence> c = ConfidenceFromFloat(x);
  EXPECT_TRUE(c.ok()) << x << ": " << c.status().ToString();
  return c.ok() ? c->raw : 0;
}

TEST(ConfidenceTest, SpecConversions) {
  EXPECT_EQ(Conf(0.0), 0);
  EXPECT_EQ(Conf(0.5), 32768);  // 32767.5: the only exact tie, to even
  EXPECT_EQ(Conf(0.6), 39321);
  EXPECT_EQ(Conf(0.7), 45874);
  EXPECT_EQ(Conf(0.8), 52428);
  EXPECT_EQ(Conf(0.85), 55705);
  EXPECT_EQ(Conf(0.9), 58981);
  EXPECT_EQ(Conf(0.95), 62258);
  EXPECT_EQ(Conf(1.0), 65535);
  EXPECT_EQ(Conf(-0.0), 0);
}

TEST(ConfidenceTest, ConversionGoesThroughBinary32) {
  // 0.3 as f64 × 65535 = 19660.4999999...; as f32 it is 0.30000001192..., which
  // gives 19660.5008 and rounds up.
  EXPECT_EQ(Conf(0.3), 19661);
}

TEST(ConfidenceTest, RejectsNaNAndOutOfRange) {
  const double bad[] = {std::numeric_limits<double>::quiet_NaN(),
                        -std::numeric_limits<double>::quiet_NaN(),
                        -0.001,
                        -1e-300,
                        1.0000001,
                        1.0 + 1e-15,
                        2.0,
                        std::numeric_limits<double>::infinity(),
                        -std::numeric_limits<double>::infinity()};
  for (double x : bad) {
    Result<Confidence> c = ConfidenceFromFloat(x);
    EXPECT_FALSE(c.ok()) << x;
    EXPECT_TRUE(c.status().IsInvalidArgument()) << x;
  }
}

TEST(ConfidenceTest, EveryRawRoundTripsWithinOneStep) {
  for (uint32_t raw = 0; raw <= 65535; ++raw) {
    const Confidence c{static_cast<uint16_t>(raw)};
    const double f = c.ToFloat();
    ASSERT_GE(f, 0.0);
    ASSERT_LE(f, 1.0);
    const int back = Conf(f);
    ASSERT_LE(std::abs(back - static_cast<int>(raw)), 1) << raw;
  }
  EXPECT_EQ(kConfidenceOne.ToFloat(), 1.0);
  EXPECT_EQ(kConfidenceZero.ToFloat(), 0.0);
  EXPECT_LT(Confidence{1}, Confidence{2});
}

TEST(SymbolKindTest, OrdinalsAndNames) {
  const char* names[] = {"Agent",     "Document",  "Registry",        "Service",
                         "Policy",    "Memory",    "InferenceMethod", "Scope",
                         "Predicate", "EventType", "Workspace",       "Literal"};
  for (int i = 0; i < kSymbolKindCount; ++i) {
    const auto kind = static_cast<SymbolKind>(i);
    EXPECT_EQ(SymbolKindName(kind), names[i]);
    EXPECT_EQ(SymbolKindFromName(names[i]), kind);
    EXPECT_EQ(SymbolKindFromOrdinal(static_cast<uint8_t>(i)), kind);
  }
  EXPECT_EQ(static_cast<int>(SymbolKind::kMemory), 5);
  EXPECT_EQ(static_cast<int>(SymbolKind::kPredicate), 8);
  EXPECT_EQ(static_cast<int>(SymbolKind::kLiteral), 11);
  EXPECT_FALSE(SymbolKindFromOrdinal(12).has_value());
  EXPECT_FALSE(SymbolKindFromOrdinal(255).has_value());
  EXPECT_FALSE(SymbolKindFromName("agent").has_value());
  EXPECT_FALSE(SymbolKindFromName("Agent ").has_value());
  EXPECT_FALSE(SymbolKindFromName("").has_value());
}

TEST(SourceKindTest, NamesMapToKindsAndEverythingElseIsObservation) {
  for (int i = 0; i < kSourceKindCount; ++i) {
    const auto kind = static_cast<SourceKind>(i);
    EXPECT_EQ(SourceKindFromName(SourceKindName(kind)), kind);
  }
  EXPECT_EQ(SourceKindFromName("observation"), SourceKind::kObservation);
  EXPECT_EQ(SourceKindFromName("profile"), SourceKind::kProfile);
  EXPECT_EQ(SourceKindFromName("pending_verification"), SourceKind::kPendingVerification);
  EXPECT_EQ(SourceKindFromName("mira"), SourceKind::kObservation);
  EXPECT_EQ(SourceKindFromName("Profile"), SourceKind::kObservation);
  EXPECT_EQ(SourceKindFromName("@profile"), SourceKind::kObservation);
  EXPECT_EQ(SourceKindFromName(""), SourceKind::kObservation);
}

TEST(SourceKindTest, BoundsMatchTheTable) {
  EXPECT_EQ(Bound(SourceKind::kObservation), 65535);
  EXPECT_EQ(Bound(SourceKind::kProfile), 62258);
  EXPECT_EQ(Bound(SourceKind::kSelfReport), 58982);
  EXPECT_EQ(Bound(SourceKind::kParticipantReport), 55705);
  EXPECT_EQ(Bound(SourceKind::kDocument), 58982);
  EXPECT_EQ(Bound(SourceKind::kRegistry), 62258);
  EXPECT_EQ(Bound(SourceKind::kPolicy), 65535);
  EXPECT_EQ(Bound(SourceKind::kAgentInstruction), 62258);
  EXPECT_EQ(Bound(SourceKind::kExternalAuthority), 58982);
  EXPECT_EQ(Bound(SourceKind::kPendingVerification), 39321);
  EXPECT_EQ(Bound(SourceKind::kLibrarianAssignment), 65535);
}

TEST(SourceKindTest, AdmissionTable) {
  using S = SourceKind;
  using M = MemoryKind;
  struct Row {
    S source;
    bool sem, epi, pro;
  };
  const Row rows[] = {
      {S::kObservation, true, true, false},
      {S::kProfile, true, false, false},
      {S::kSelfReport, true, true, false},
      {S::kParticipantReport, false, true, false},
      {S::kDocument, true, false, false},
      {S::kRegistry, true, false, false},
      {S::kPolicy, false, false, true},
      {S::kAgentInstruction, true, false, true},
      {S::kExternalAuthority, true, false, false},
      {S::kPendingVerification, true, true, true},
      {S::kLibrarianAssignment, true, false, false},
  };
  ASSERT_EQ(std::size(rows), static_cast<size_t>(kSourceKindCount));
  for (const Row& row : rows) {
    SCOPED_TRACE(SourceKindName(row.source));
    EXPECT_EQ(Admits(row.source, M::kSem), row.sem);
    EXPECT_EQ(Admits(row.source, M::kEpi), row.epi);
    EXPECT_EQ(Admits(row.source, M::kPro), row.pro);
  }
}

TEST(SourceKindTest, NoSourceAdmitsInferential) {
  for (int i = 0; i < kSourceKindCount; ++i) {
    EXPECT_FALSE(Admits(static_cast<SourceKind>(i), MemoryKind::kInf));
    EXPECT_LE(Bound(static_cast<SourceKind>(i)), 65535);
  }
}

TEST(SourceKindTest, DefaultHalfLives) {
  using S = SourceKind;
  using M = MemoryKind;
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kObservation), 180 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kProfile), 730 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kSelfReport), 90 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kDocument), 365 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kRegistry), 90 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kAgentInstruction), 730 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kExternalAuthority), 180 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kPendingVerification), 30 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kSem, S::kLibrarianAssignment), 0u);
  EXPECT_EQ(DefaultHalfLifeMs(M::kEpi, S::kObservation), 90 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kEpi, S::kSelfReport), 30 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kEpi, S::kParticipantReport), 60 * kDayMs);
  EXPECT_EQ(DefaultHalfLifeMs(M::kEpi, S::kPendingVerification), 0u);
  EXPECT_EQ(180 * kDayMs, 15'552'000'000u);
  for (int i = 0; i < kSourceKindCount; ++i) {
    EXPECT_EQ(DefaultHalfLifeMs(M::kPro, static_cast<S>(i)), 0u);
    EXPECT_EQ(DefaultHalfLifeMs(M::kInf, static_cast<S>(i)), 0u);
  }
}

TEST(InferenceMethodTest, TheFourteenNames) {
  const char* names[] = {"direct_lookup",          "majority_vote",          "citation_link",
                         "analogy_inference",      "pattern_summarize",      "architectural_chain",
                         "dominance_analysis",     "entity_count",           "interval_calc",
                         "feedback_consolidation", "qualitative_inference",  "provenance_chain",
                         "multi_source_consensus", "conflict_reconciliation"};
  for (const char* name : names) {
    EXPECT_TRUE(IsRegisteredInferenceMethod(name)) << name;
    EXPECT_TRUE(IsRegisteredInferenceMethod(std::string("@") + name)) << name;
  }
  EXPECT_FALSE(IsRegisteredInferenceMethod(""));
  EXPECT_FALSE(IsRegisteredInferenceMethod("@"));
  EXPECT_FALSE(IsRegisteredInferenceMethod("Direct_Lookup"));
  EXPECT_FALSE(IsRegisteredInferenceMethod("@@direct_lookup"));
  EXPECT_FALSE(IsRegisteredInferenceMethod("gut_feeling"));
}

TEST(ValueTest, EqualityByContent) {
  EXPECT_EQ(Value::Symbol(7), Value::Symbol(7));
  EXPECT_NE(Value::Symbol(7), Value::Symbol(8));
  EXPECT_NE(Value::Symbol(1), Value::Integer(1));
  EXPECT_NE(Value::Symbol(1), Value::Timestamp(1));
  EXPECT_NE(Value::Integer(1), Value::Timestamp(1));
  EXPECT_NE(Value::Integer(1), Value::Float(1.0));
  EXPECT_NE(Value::Boolean(true), Value::Integer(1));
  EXPECT_EQ(Value::String("paris"), Value::String("paris"));
  EXPECT_NE(Value::String("paris"), Value::String("Paris"));
  EXPECT_EQ(Value::Float(0.0), Value::Float(-0.0));  // IEEE equality
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_NE(Value::Float(nan), Value::Float(nan));
  EXPECT_EQ(Value(), Value::Symbol(0));
}

TEST(ValueTest, TypesAndAccessors) {
  EXPECT_EQ(Value::Symbol(3).type(), Value::Type::kSymbol);
  EXPECT_EQ(static_cast<int>(Value::Timestamp(3).type()), 6);
  EXPECT_EQ(Value::Integer(-5).integer(), -5);
  EXPECT_EQ(Value::Float(2.5).float_value(), 2.5);
  EXPECT_TRUE(Value::Boolean(true).boolean());
  EXPECT_EQ(Value::String("x").string(), "x");
  EXPECT_EQ(Value::Timestamp(1700000000000).timestamp(), 1700000000000u);
  EXPECT_EQ(Value::Symbol(3).DebugString(), "#3");
  EXPECT_EQ(Value::Integer(-7).DebugString(), "-7");
  EXPECT_EQ(Value::Float(2.5).DebugString(), "2.5");
  EXPECT_EQ(Value::Boolean(false).DebugString(), "false");
  EXPECT_EQ(Value::String("t").DebugString(), "\"t\"");
}

}  // namespace
}  // namespace urd::mem
