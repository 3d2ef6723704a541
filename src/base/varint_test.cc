// Copyright urd authors.

#include "base/varint.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

namespace urd {
namespace {

constexpr uint64_t kU64Max = std::numeric_limits<uint64_t>::max();
constexpr int64_t kI64Min = std::numeric_limits<int64_t>::min();
constexpr int64_t kI64Max = std::numeric_limits<int64_t>::max();

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) {
    s.push_back(static_cast<char>(b));
  }
  return s;
}

// Values on both sides of every length boundary (2^(7k) - 1 and 2^(7k)) plus edges.
std::vector<uint64_t> EdgeValues() {
  constexpr uint64_t kU32Max = std::numeric_limits<uint32_t>::max();
  std::vector<uint64_t> values = {0, 1, 127, 128, 255, 256, 300, kU32Max, kU64Max, kU64Max - 1};
  values.push_back(uint64_t{1} << 63);
  for (int k = 1; k <= 9; ++k) {
    const uint64_t boundary = uint64_t{1} << (7 * k);
    values.push_back(boundary - 1);
    values.push_back(boundary);
    values.push_back(boundary + 1);
  }
  return values;
}

uint64_t RoundTrip64(uint64_t v) {
  std::string buf;
  PutVarint64(&buf, v);
  EXPECT_EQ(buf.size(), VarintLength(v));
  std::string_view in = buf;
  uint64_t out = ~v;
  EXPECT_EQ(DecodeVarint64(&in, &out), VarintError::kOk) << v;
  EXPECT_TRUE(in.empty());
  return out;
}

TEST(VarintTest, EdgeValuesRoundTrip) {
  for (uint64_t v : EdgeValues()) {
    EXPECT_EQ(RoundTrip64(v), v);
  }
}

TEST(VarintTest, LengthAtEveryBoundary) {
  EXPECT_EQ(VarintLength(0), 1u);
  for (size_t k = 1; k <= 9; ++k) {
    const uint64_t boundary = uint64_t{1} << (7 * k);
    EXPECT_EQ(VarintLength(boundary - 1), k);
    EXPECT_EQ(VarintLength(boundary), k + 1);
  }
  EXPECT_EQ(VarintLength(kU64Max), kMaxVarint64Bytes);
}

TEST(VarintTest, KnownEncodings) {
  std::string s;
  PutVarint64(&s, 0);
  EXPECT_EQ(s, Bytes({0x00}));
  s.clear();
  PutVarint64(&s, 300);
  EXPECT_EQ(s, Bytes({0xac, 0x02}));
  s.clear();
  PutVarint64(&s, kU64Max);
  EXPECT_EQ(s, Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01}));
}

TEST(VarintTest, EncodeMatchesPut) {
  for (uint64_t v : EdgeValues()) {
    char buf[kMaxVarint64Bytes];
    const size_t n = EncodeVarint64(buf, v);
    std::string s;
    PutVarint64(&s, v);
    EXPECT_EQ(std::string(buf, n), s);
  }
}

TEST(VarintTest, TruncatedAtEveryPrefixLeavesInputUnchanged) {
  for (uint64_t v : EdgeValues()) {
    std::string buf;
    PutVarint64(&buf, v);
    for (size_t len = 0; len < buf.size(); ++len) {
      std::string_view in(buf.data(), len);
      uint64_t out = 42;
      EXPECT_EQ(DecodeVarint64(&in, &out), VarintError::kTruncated) << v << " len " << len;
      EXPECT_EQ(in.size(), len);
      EXPECT_EQ(out, 42u);
    }
  }
}

TEST(VarintTest, Overflow) {
  const std::vector<std::string> cases = {
      // 10th byte payload 2.
      Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02}),
      // 10th byte payload 0x7f.
      Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x7f}),
      // 10th byte announces an 11th.
      Bytes({0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x81, 0x00}),
      Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x01}),
  };
  for (const std::string& c : cases) {
    std::string_view in = c;
    uint64_t out = 7;
    EXPECT_EQ(DecodeVarint64(&in, &out), VarintError::kOverflow);
    EXPECT_EQ(in.size(), c.size());
    EXPECT_EQ(out, 7u);
  }
}

TEST(VarintTest, NonCanonical) {
  const std::vector<std::string> cases = {
      Bytes({0x80, 0x00}),
      Bytes({0x81, 0x00}),
      Bytes({0xff, 0x80, 0x00}),
      Bytes({0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x80, 0x00}),
  };
  for (const std::string& c : cases) {
    std::string_view in = c;
    uint64_t out = 7;
    EXPECT_EQ(DecodeVarint64(&in, &out), VarintError::kNonCanonical);
    EXPECT_EQ(in.size(), c.size());
    EXPECT_EQ(out, 7u);
  }
  std::string zero = Bytes({0x00});
  std::string_view in = zero;
  uint64_t out = 7;
  EXPECT_EQ(DecodeVarint64(&in, &out), VarintError::kOk);
  EXPECT_EQ(out, 0u);
}

TEST(VarintTest, DecodeStopsAtVarintEnd) {
  std::string buf;
  PutVarint64(&buf, 300);
  PutVarint64(&buf, 5);
  buf += "tail";
  std::string_view in = buf;
  uint64_t a = 0;
  uint64_t b = 0;
  ASSERT_TRUE(GetVarint64(&in, &a));
  ASSERT_TRUE(GetVarint64(&in, &b));
  EXPECT_EQ(a, 300u);
  EXPECT_EQ(b, 5u);
  EXPECT_EQ(in, "tail");
}

TEST(VarintTest, Varint32) {
  for (uint64_t v : {uint64_t{0}, uint64_t{127}, uint64_t{128},
                     uint64_t{std::numeric_limits<uint32_t>::max()}}) {
    std::string buf;
    PutVarint64(&buf, v);
    EXPECT_LE(buf.size(), kMaxVarint32Bytes);
    std::string_view in = buf;
    uint32_t out = 0;
    ASSERT_TRUE(GetVarint32(&in, &out));
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
  for (uint64_t v : {uint64_t{1} << 32, kU64Max}) {
    std::string buf;
    PutVarint64(&buf, v);
    std::string_view in = buf;
    uint32_t out = 9;
    EXPECT_EQ(DecodeVarint32(&in, &out), VarintError::kOverflow);
    EXPECT_FALSE(GetVarint32(&in, &out));
    EXPECT_EQ(in.size(), buf.size());
    EXPECT_EQ(out, 9u);
  }
  std::string non_canonical = Bytes({0x80, 0x00});
  std::string_view in = non_canonical;
  uint32_t out = 0;
  EXPECT_EQ(DecodeVarint32(&in, &out), VarintError::kNonCanonical);
}

TEST(VarintTest, ZigZag) {
  EXPECT_EQ(ZigZagEncode(0), 0u);
  EXPECT_EQ(ZigZagEncode(-1), 1u);
  EXPECT_EQ(ZigZagEncode(1), 2u);
  EXPECT_EQ(ZigZagEncode(-2), 3u);
  EXPECT_EQ(ZigZagEncode(kI64Max), kU64Max - 1);
  EXPECT_EQ(ZigZagEncode(kI64Min), kU64Max);
  static_assert(ZigZagDecode(ZigZagEncode(kI64Min)) == kI64Min);
  for (int64_t v : {int64_t{0}, int64_t{1}, int64_t{-1}, int64_t{63}, int64_t{-64}, int64_t{64},
                    kI64Min, kI64Max, kI64Min + 1, kI64Max - 1}) {
    EXPECT_EQ(ZigZagDecode(ZigZagEncode(v)), v);
    std::string buf;
    PutVarsint64(&buf, v);
    std::string_view in = buf;
    int64_t out = 0;
    ASSERT_EQ(DecodeVarsint64(&in, &out), VarintError::kOk);
    EXPECT_EQ(out, v);
    EXPECT_TRUE(in.empty());
  }
  // Small magnitudes stay short.
  std::string buf;
  PutVarsint64(&buf, -64);
  EXPECT_EQ(buf.size(), 1u);
}

TEST(VarintTest, VarsintErrorsLeaveInputUnchanged) {
  std::string buf = Bytes({0x80, 0x00});
  std::string_view in = buf;
  int64_t out = 3;
  EXPECT_EQ(DecodeVarsint64(&in, &out), VarintError::kNonCanonical);
  EXPECT_EQ(in.size(), 2u);
  EXPECT_EQ(out, 3);
  in = std::string_view(buf.data(), 1);
  EXPECT_EQ(DecodeVarsint64(&in, &out), VarintError::kTruncated);
}

TEST(VarintTest, SeededRandomRoundTrips) {
  std::mt19937_64 rng(20240601);
  std::string buf;
  std::vector<uint64_t> u_values;
  std::vector<int64_t> s_values;
  for (int i = 0; i < 20000; ++i) {
    // Random bit widths so every encoded length is covered.
    const uint64_t u = rng() >> (rng() % 64);
    const auto s = static_cast<int64_t>(rng() >> (rng() % 64)) * ((rng() & 1) ? 1 : -1);
    u_values.push_back(u);
    s_values.push_back(s);
    PutVarint64(&buf, u);
    PutVarsint64(&buf, s);
  }
  std::string_view in = buf;
  for (size_t i = 0; i < u_values.size(); ++i) {
    uint64_t u = 0;
    int64_t s = 0;
    ASSERT_EQ(DecodeVarint64(&in, &u), VarintError::kOk);
    ASSERT_EQ(DecodeVarsint64(&in, &s), VarintError::kOk);
    ASSERT_EQ(u, u_values[i]);
    ASSERT_EQ(s, s_values[i]);
  }
  EXPECT_TRUE(in.empty());
}

TEST(VarintTest, ErrorNames) {
  EXPECT_EQ(VarintErrorName(VarintError::kOk), "ok");
  EXPECT_EQ(VarintErrorName(VarintError::kTruncated), "truncated");
  EXPECT_EQ(VarintErrorName(VarintError::kOverflow), "overflow");
  EXPECT_EQ(VarintErrorName(VarintError::kNonCanonical), "non-canonical");
}

TEST(FixedTest, LittleEndianLayout) {
  std::string s;
  PutFixed16(&s, 0x0102);
  PutFixed32(&s, 0x03040506u);
  PutFixed64(&s, 0x0708090a0b0c0d0eull);
  EXPECT_EQ(s, Bytes({0x02, 0x01, 0x06, 0x05, 0x04, 0x03, 0x0e, 0x0d, 0x0c, 0x0b, 0x0a, 0x09, 0x08,
                      0x07}));
  EXPECT_EQ(DecodeFixed16(s.data()), 0x0102);
  EXPECT_EQ(DecodeFixed32(s.data() + 2), 0x03040506u);
  EXPECT_EQ(DecodeFixed64(s.data() + 6), 0x0708090a0b0c0d0eull);
}

TEST(FixedTest, RoundTripsAtUnalignedOffsets) {
  std::mt19937_64 rng(7);
  char buf[16 + 8];
  for (int i = 0; i < 1000; ++i) {
    const uint64_t v = rng();
    const size_t off = i % 8;
    EncodeFixed16(buf + off, static_cast<uint16_t>(v));
    EXPECT_EQ(DecodeFixed16(buf + off), static_cast<uint16_t>(v));
    EncodeFixed32(buf + off, static_cast<uint32_t>(v));
    EXPECT_EQ(DecodeFixed32(buf + off), static_cast<uint32_t>(v));
    EncodeFixed64(buf + off, v);
    EXPECT_EQ(DecodeFixed64(buf + off), v);
  }
  for (uint64_t v : {uint64_t{0}, kU64Max, uint64_t{1} << 63}) {
    EncodeFixed64(buf, v);
    EXPECT_EQ(DecodeFixed64(buf), v);
  }
}

}  // namespace
}  // namespace urd
