// Copyright urd authors. The index of the canonical decoder's error kinds: every
// DecodeErrorKind but kOk has a test that triggers it with hand-written bytes and
// checks the kind and the reported offset. canonical_test.cc has one such test per
// kind, named below and not repeated here:
//
//   kTruncated              CanonicalDecodeErrorTest.Truncated
//   kLengthMismatch         CanonicalDecodeErrorTest.LengthMismatch
//   kUnknownOpcode          CanonicalDecodeErrorTest.UnknownOpcode
//   kUnknownValueTag        CanonicalDecodeErrorTest.UnknownValueTag
//   kInvalidString          CanonicalDecodeErrorTest.InvalidString, and for the
//                           EPISODE_META parent tag CanonicalDecodeErrorTest.
//                           EpisodeMetaParentTagReportedAsInvalidString
//   kReservedClockSentinel  CanonicalDecodeErrorTest.ReservedClockSentinel
//   kUnknownSymbolKind      CanonicalDecodeErrorTest.UnknownSymbolKind
//   kBodyUnderflow          CanonicalDecodeErrorTest.BodyUnderflow
//   kVarintOverflow         CanonicalDecodeErrorTest.VarintOverflow
//   kNonCanonicalVarint     CanonicalDecodeErrorTest.NonCanonicalVarint
//   kInvalidFlagBits        CanonicalDecodeErrorTest.InvalidFlagBits
//   kInvalidDiscriminant    CanonicalDecodeErrorTest.InvalidDiscriminant
//
// What this file adds: CanonicalErrorIndexTest checks that the list above names
// every kind and only registered tests; CanonicalErrorKindTest triggers every kind
// once more at a field or opcode those tests do not use, each next to the same
// record with the defect repaired (which decodes, so the defect alone causes the
// error), and through DecodeAll after a valid record (so the offset is absolute).
//
// The front end's error kinds are indexed in src/memory/ir/error_kinds_test.cc.

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/varint.h"
#include "memory/canonical.h"

namespace urd::mem {
namespace {

struct IndexEntry {
  DecodeErrorKind kind;
  const char* test;  // "Suite.Name"
};

constexpr IndexEntry kIndex[] = {
    {DecodeErrorKind::kTruncated, "CanonicalDecodeErrorTest.Truncated"},
    {DecodeErrorKind::kLengthMismatch, "CanonicalDecodeErrorTest.LengthMismatch"},
    {DecodeErrorKind::kUnknownOpcode, "CanonicalDecodeErrorTest.UnknownOpcode"},
    {DecodeErrorKind::kUnknownValueTag, "CanonicalDecodeErrorTest.UnknownValueTag"},
    {DecodeErrorKind::kInvalidString, "CanonicalDecodeErrorTest.InvalidString"},
    {DecodeErrorKind::kInvalidString,
     "CanonicalDecodeErrorTest.EpisodeMetaParentTagReportedAsInvalidString"},
    {DecodeErrorKind::kReservedClockSentinel, "CanonicalDecodeErrorTest.ReservedClockSentinel"},
    {DecodeErrorKind::kUnknownSymbolKind, "CanonicalDecodeErrorTest.UnknownSymbolKind"},
    {DecodeErrorKind::kBodyUnderflow, "CanonicalDecodeErrorTest.BodyUnderflow"},
    {DecodeErrorKind::kVarintOverflow, "CanonicalDecodeErrorTest.VarintOverflow"},
    {DecodeErrorKind::kNonCanonicalVarint, "CanonicalDecodeErrorTest.NonCanonicalVarint"},
    {DecodeErrorKind::kInvalidFlagBits, "CanonicalDecodeErrorTest.InvalidFlagBits"},
    {DecodeErrorKind::kInvalidDiscriminant, "CanonicalDecodeErrorTest.InvalidDiscriminant"},
};

// The kinds after kOk, up to the first value DecodeErrorKindName() does not know.
std::vector<DecodeErrorKind> AllErrorKinds() {
  std::vector<DecodeErrorKind> kinds;
  for (int k = 1; k < 256; ++k) {
    const auto kind = static_cast<DecodeErrorKind>(k);
    if (DecodeErrorKindName(kind) == "unknown error") break;
    kinds.push_back(kind);
  }
  return kinds;
}

std::set<std::string> RegisteredTests() {
  std::set<std::string> names;
  const testing::UnitTest& unit = *testing::UnitTest::GetInstance();
  for (int i = 0; i < unit.total_test_suite_count(); ++i) {
    const testing::TestSuite& suite = *unit.GetTestSuite(i);
    for (int j = 0; j < suite.total_test_count(); ++j) {
      names.insert(std::string(suite.name()) + "." + suite.GetTestInfo(j)->name());
    }
  }
  return names;
}

TEST(CanonicalErrorIndexTest, EveryKindHasARegisteredTest) {
  const std::vector<DecodeErrorKind> kinds = AllErrorKinds();
  EXPECT_EQ(kinds.size(), 12u);
  for (DecodeErrorKind kind : kinds) {
    int entries = 0;
    for (const IndexEntry& e : kIndex) entries += e.kind == kind;
    EXPECT_GE(entries, 1) << DecodeErrorKindName(kind) << ": add it to the index of this file";
  }
  const std::set<std::string> registered = RegisteredTests();
  for (const IndexEntry& e : kIndex) {
    EXPECT_EQ(registered.count(e.test), 1u) << e.test << " is not a test of this binary";
  }
}

// ---- Every kind at another site ----

// "20 0a 2a" -> the three bytes.
std::string Hex(std::string_view hex) {
  std::string out;
  int nibbles = 0;
  int acc = 0;
  for (char c : hex) {
    if (c == ' ') continue;
    acc = acc * 16 + (c <= '9' ? c - '0' : c - 'a' + 10);
    if (++nibbles == 2) {
      out.push_back(static_cast<char>(acc));
      nibbles = 0;
      acc = 0;
    }
  }
  return out;
}

std::string ToHex(std::string_view bytes) {
  std::string out;
  char buf[4];
  for (unsigned char b : bytes) {
    std::snprintf(buf, sizeof(buf), "%02x ", b);
    out += buf;
  }
  return out;
}

// Opcode, body length (one byte: every body here is under 128 bytes), body.
std::string Frame(std::string_view op, std::string_view body) {
  std::string out = Hex(op);
  PutVarint64(&out, body.size());
  return out + std::string(body);
}

// 2024-04-17T10:40:00Z (8 bytes LE) and the "none" / reserved sentinel.
const std::string kNow = Hex("00 58 a4 eb 8e 01 00 00");
const std::string kNone = Hex("ff ff ff ff ff ff ff ff");

// The §5.8 CHECKPOINT vector, placed before each case in the DecodeAll check.
const std::string kLeader = Hex("20 0a 2a 00 68 e5 cf 8b 01 00 00 03");

struct Case {
  DecodeErrorKind kind;
  const char* site;
  std::string bad;
  uint64_t offset;   // of the failing field, from the start of `bad`
  std::string good;  // `bad` repaired; empty when no repair keeps the framing
};

std::vector<Case> Cases() {
  // EPI: memory_id 01, event_id 02, kind 03, no participants, location 04, at_time,
  // observed_at, source 05, conf cccc, committed_at, invalid_at none.
  const std::string epi_head = Hex("01 02 03 00 04") + kNow;
  // PRO: memory_id 01, rule_id 02, trigger and action, has_pre, [pre], then
  // scope 03, source 04, conf cccc, valid_at, observed_at, committed_at, none.
  const std::string pro_tail = Hex("03 04 cc cc") + kNow + kNow + kNow + kNone;
  // INF: memory_id 01, s 02, p 03, o = integer -1 (02 01), 1 parent (05), method
  // 06, conf 8000, valid_at, observed_at, committed_at, none, then the flags.
  const std::string inf_head = Hex("01 02 03 02 01 01 05 06 00 80") + kNow + kNow + kNow + kNone;
  return {
      {DecodeErrorKind::kTruncated, "EPI body ends inside the u16 confidence",
       Frame("02", epi_head + kNow + Hex("05 cc")), 2 + 22,
       Frame("02", epi_head + kNow + Hex("05 cc cc") + kNow + kNone)},
      {DecodeErrorKind::kLengthMismatch, "two-byte body length (128) over a 3-byte body",
       Hex("01 80 01 01 02 03"), 1, ""},
      {DecodeErrorKind::kUnknownOpcode, "0x3f, after the last flag opcode", Hex("3f 00"), 0, ""},
      {DecodeErrorKind::kUnknownValueTag, "PRO precondition tag 07",
       Frame("03", Hex("01 02 01 00 01 00 01 07 00") + pro_tail), 2 + 7,
       Frame("03", Hex("01 02 01 00 01 00 01 01 00") + pro_tail)},
      {DecodeErrorKind::kInvalidString, "PRO trigger string is a UTF-16 surrogate",
       Frame("03", Hex("01 02 05 03 ed a0 80 01 00 00") + pro_tail), 2 + 3,
       Frame("03", Hex("01 02 05 03 e2 82 ac 01 00 00") + pro_tail)},
      {DecodeErrorKind::kReservedClockSentinel, "EPI observed_at is u64 max",
       Frame("02", epi_head + kNone + Hex("05 cc cc") + kNow + kNone), 2 + 13,
       Frame("02", epi_head + kNow + Hex("05 cc cc") + kNow + kNone)},
      {DecodeErrorKind::kUnknownSymbolKind, "SYMBOL_RETIRE kind ordinal 12",
       Frame("33", Hex("07 01 78 0c") + kNow), 2 + 3, Frame("33", Hex("07 01 78 0b") + kNow)},
      {DecodeErrorKind::kBodyUnderflow, "PIN body with one byte after actor",
       Frame("35", Hex("04") + kNow + Hex("02 00")), 2 + 10,
       Frame("35", Hex("04") + kNow + Hex("02"))},
      {DecodeErrorKind::kVarintOverflow, "EPI participant whose 10th byte is 7f",
       Frame("02", Hex("01 02 03 01 ff ff ff ff ff ff ff ff ff 7f 04") + kNow + kNow +
                       Hex("05 cc cc") + kNow + kNone),
       2 + 4,
       Frame("02", Hex("01 02 03 01 ff ff ff ff ff ff ff ff ff 01 04") + kNow + kNow +
                       Hex("05 cc cc") + kNow + kNone)},
      {DecodeErrorKind::kNonCanonicalVarint, "SYMBOL_ALIAS symbol id 81 00",
       Frame("32", Hex("81 00 01 78 00") + kNow), 2 + 0, Frame("32", Hex("01 01 78 00") + kNow)},
      {DecodeErrorKind::kInvalidFlagBits, "INF flags 05: projected and reserved bit 2",
       Frame("04", inf_head + Hex("05")), 2 + 42, Frame("04", inf_head + Hex("03"))},
      {DecodeErrorKind::kInvalidDiscriminant, "PRO has_pre 02 after boolean and timestamp values",
       Frame("03", Hex("01 02 04 01 06") + kNow + Hex("02") + pro_tail), 2 + 13,
       Frame("03", Hex("01 02 04 01 06") + kNow + Hex("00") + pro_tail)},
  };
}

TEST(CanonicalErrorKindTest, EveryKindAtAnotherSiteWithAbsoluteOffsets) {
  std::set<DecodeErrorKind> covered;
  for (const Case& c : Cases()) {
    SCOPED_TRACE(std::string(DecodeErrorKindName(c.kind)) + ": " + c.site + ": " + ToHex(c.bad));
    covered.insert(c.kind);

    std::string_view in = c.bad;
    CanonicalRecord out = CheckpointRecord{1, 2, 3};
    const DecodeError e = DecodeRecord(&in, &out);
    EXPECT_EQ(e.kind, c.kind) << e.ToString();
    EXPECT_EQ(e.offset, c.offset) << e.ToString();
    EXPECT_EQ(in.size(), c.bad.size());
    EXPECT_EQ(out, CanonicalRecord(CheckpointRecord{1, 2, 3}));

    // After a valid record the offset counts from the start of the stream.
    std::vector<CanonicalRecord> records;
    const DecodeError all = DecodeAll(kLeader + c.bad, &records);
    EXPECT_EQ(all.kind, c.kind);
    EXPECT_EQ(all.offset, kLeader.size() + c.offset);
    EXPECT_EQ(records.size(), 1u);
    EXPECT_EQ(all.ToString(), std::string(DecodeErrorKindName(c.kind)) + " at offset " +
                                  std::to_string(kLeader.size() + c.offset));
    EXPECT_TRUE(all.ToStatus().IsCorruption());

    if (c.good.empty()) continue;
    std::string_view good = c.good;
    CanonicalRecord decoded;
    const DecodeError ok = DecodeRecord(&good, &decoded);
    EXPECT_TRUE(ok.ok()) << "repaired: " << ok.ToString() << " " << ToHex(c.good);
    EXPECT_TRUE(good.empty());
    std::string reencoded;
    EncodeRecord(decoded, &reencoded);
    EXPECT_EQ(ToHex(reencoded), ToHex(c.good));
  }
  EXPECT_EQ(covered.size(), AllErrorKinds().size());
}

}  // namespace
}  // namespace urd::mem
