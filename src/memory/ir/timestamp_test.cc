// Copyright urd authors.

#include "memory/ir/timestamp.h"

#include <gtest/gtest.h>

#include <limits>
#include <random>
#include <string>
#include <vector>

#include "memory/ir/lexer.h"

namespace urd::mem {
namespace {

constexpr uint64_t kDay = 86'400'000;
constexpr uint64_t kHour = 3'600'000;
constexpr uint64_t k20240115 = 1'705'276'800'000;  // 2024-01-15T00:00:00Z
constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();

TEST(TimestampTest, DateOnlyIsMidnightUtc) {
  EXPECT_EQ(ParseTimestampMillis("1970-01-01"), 0u);
  EXPECT_EQ(ParseTimestampMillis("1970-01-02"), kDay);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15"), k20240115);
  EXPECT_EQ(ParseTimestampMillis("2099-01-01"), 4'070'908'800'000u);
  EXPECT_EQ(ParseTimestampMillis("9999-12-31"), 253'402'214'400'000u);
}

TEST(TimestampTest, DateTimeWithZ) {
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00Z"), k20240115 + 10 * kHour);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:05:00Z"), k20240115 + 10 * kHour + 300'000);
  EXPECT_EQ(ParseTimestampMillis("1970-01-01T00:00:01Z"), 1000u);
  // Every trailing Z is stripped.
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00ZZZ"), k20240115 + 10 * kHour);
}

TEST(TimestampTest, NineteenCharactersWithoutZAreRejected) {
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T1:0:0Z"), std::nullopt);  // 17 chars
}

TEST(TimestampTest, FractionUsesFirstThreeDigitsRightPadded) {
  const uint64_t base = k20240115 + 10 * kHour;
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.5Z"), base + 500);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.05Z"), base + 50);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.123Z"), base + 123);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.123999Z"), base + 123);
  // With a fraction the text reaches 20 characters, so the Z becomes optional.
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.5"), base + 500);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.Z"), std::nullopt);    // empty fraction
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.5:Z"), std::nullopt);  // not digits
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T10:00:00.5.5Z"), std::nullopt);
}

TEST(TimestampTest, TimeOfDayIsNotRangeChecked) {
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T25:99:99Z"),
            k20240115 + 25 * kHour + 99 * 60'000 + 99 * 1000);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T0:0:0000Z"), k20240115);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T100000:00:00Z"), k20240115 + 100000 * kHour);
}

TEST(TimestampTest, TimeOfDayNeedsExactlyThreeNumericParts) {
  for (const char* bad :
       {"2024-01-15T10:00:00:00Z", "2024-01-15T10:0000000Z", "2024-01-15T10::000000Z",
        "2024-01-15T:10:00:000Z", "2024-01-15T10:00:-0000Z", "2024-01-15T10:00:0T00Z",
        "2024-01-15T10:00:00Z.5"}) {
    EXPECT_EQ(ParseTimestampMillis(bad), std::nullopt) << bad;
  }
}

TEST(TimestampTest, YearsBefore1970AreRejected) {
  EXPECT_EQ(ParseTimestampMillis("1969-12-31"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("1969-12-31T23:59:59Z"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("0000-01-01"), std::nullopt);
}

TEST(TimestampTest, MonthAndDayRanges) {
  EXPECT_EQ(ParseTimestampMillis("2024-00-10"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-13-10"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-01-00"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-01-32"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-12-31"), ParseTimestampMillis("2025-01-01").value() - kDay);
  // No per-month check: February 31st is two days after February 29th (leap year).
  EXPECT_EQ(ParseTimestampMillis("2024-02-31"), ParseTimestampMillis("2024-03-02"));
  EXPECT_EQ(ParseTimestampMillis("2023-02-31"), ParseTimestampMillis("2023-03-03"));
}

TEST(TimestampTest, ProlepticGregorianLeapYears) {
  const auto days = [](const char* a, const char* b) {
    return (ParseTimestampMillis(b).value() - ParseTimestampMillis(a).value()) / kDay;
  };
  EXPECT_EQ(days("2000-02-28", "2000-03-01"), 2u);  // 2000 is a leap year
  EXPECT_EQ(days("2100-02-28", "2100-03-01"), 1u);  // 2100 is not
  EXPECT_EQ(days("2024-01-01", "2025-01-01"), 366u);
  EXPECT_EQ(days("1970-01-01", "2000-01-01"), 10957u);
}

TEST(TimestampTest, MalformedShapes) {
  for (const char* bad :
       {"", "2024-01-1", "2024-01-15Z", "2024-01-15 10:00:00Z", "2024-01-15X10:00:00Z",
        "2024/01/15", "2024-1-015", "20a4-01-15", "2024-01-15T10:00:00ZZ-", "-024-01-15"}) {
    EXPECT_EQ(ParseTimestampMillis(bad), std::nullopt) << bad;
  }
}

TEST(TimestampTest, OverflowAndTheReservedSentinelAreRejected) {
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T99999999999999999999:00:00Z"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("2024-01-15T9999999999999999:00:00Z"), std::nullopt);
  // 0 + 18446744073709551 s + 615 ms == UINT64_MAX, the reserved clock sentinel.
  EXPECT_EQ(ParseTimestampMillis("1970-01-01T0:0:18446744073709551.615Z"), std::nullopt);
  EXPECT_EQ(ParseTimestampMillis("1970-01-01T0:0:18446744073709551.614Z"), kU64Max - 1);
}

TEST(TimestampTest, FormatUsesTheShortestExactForm) {
  EXPECT_EQ(FormatTimestampMillis(0), "1970-01-01");
  EXPECT_EQ(FormatTimestampMillis(k20240115), "2024-01-15");
  EXPECT_EQ(FormatTimestampMillis(k20240115 + 10 * kHour), "2024-01-15T10:00:00Z");
  EXPECT_EQ(FormatTimestampMillis(k20240115 + 10 * kHour + 5), "2024-01-15T10:00:00.005Z");
  EXPECT_EQ(FormatTimestampMillis(k20240115 + 10 * kHour + 500), "2024-01-15T10:00:00.500Z");
  EXPECT_EQ(FormatTimestampMillis(1), "1970-01-01T00:00:00.001Z");
  EXPECT_EQ(FormatTimestampMillis(253'402'300'799'999), "9999-12-31T23:59:59.999Z");
  // From year 10000 on, the hours count on past 9999-12-31.
  EXPECT_EQ(FormatTimestampMillis(253'402'300'800'000), "9999-12-31T24:00:00Z");
}

void ExpectRoundTrip(uint64_t millis) {
  const std::string text = FormatTimestampMillis(millis);
  EXPECT_EQ(ParseTimestampMillis(text), millis) << text;
  // The text also lexes as exactly one Timestamp token.
  std::vector<Token> tokens;
  LexError err;
  ASSERT_TRUE(Lex(text, &tokens, &err)) << text;
  ASSERT_EQ(tokens.size(), 1u) << text;
  EXPECT_EQ(tokens[0].kind, TokenKind::kTimestamp) << text;
}

TEST(TimestampTest, FormatRoundTripsEdgeValues) {
  for (uint64_t v : {uint64_t{0}, uint64_t{1}, uint64_t{999}, uint64_t{1000}, kDay - 1, kDay,
                     k20240115, k20240115 + 1, uint64_t{253'402'300'799'999},
                     uint64_t{253'402'300'800'000}, uint64_t{1} << 63, kU64Max - 1}) {
    ExpectRoundTrip(v);
  }
}

TEST(TimestampTest, FormatRoundTripsSeededRandomValues) {
  std::mt19937_64 rng(0x5eed);
  for (int i = 0; i < 20000; ++i) {
    uint64_t v = rng();
    switch (i % 4) {
      case 0:
        v %= 253'402'300'800'000;
        break;  // years 1970..9999
      case 1:
        v = v % 200'000 * kDay;
        break;  // midnights
      case 2:
        v = v % 4'000'000'000 * 1000;
        break;  // whole seconds
      default:
        break;  // anything
    }
    if (v == kU64Max) continue;
    ExpectRoundTrip(v);
    if (HasFailure()) return;
  }
}

}  // namespace
}  // namespace urd::mem
