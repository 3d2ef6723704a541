// Copyright urd authors. The Attrs codec (vector/attr_codec.h): golden bytes, seeded
// round trips, one test per class of malformed input, and ValidateAttrs().

#include "vector/attr_codec.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <limits>
#include <random>
#include <string>
#include <vector>

#include "base/varint.h"

namespace urd::vec {
namespace {

using V = Value;

std::string Encode(const Attrs& attrs) {
  std::string out;
  EncodeAttrs(attrs, &out);
  return out;
}

// Decodes all of `bytes`, expecting success and nothing left over.
Attrs DecodeAll(const std::string& bytes) {
  std::string_view in = bytes;
  Attrs out;
  const Status s = DecodeAttrs(&in, &out);
  EXPECT_TRUE(s.ok()) << s.ToString();
  EXPECT_TRUE(in.empty());
  return out;
}

// Expects Corruption whose message contains `reason`, with the input untouched
// and the output cleared.
void ExpectCorrupt(const std::string& bytes, const std::string& reason) {
  std::string_view in = bytes;
  Attrs out = {{"stale", V::Int(1)}};
  const Status s = DecodeAttrs(&in, &out);
  ASSERT_TRUE(s.IsCorruption()) << s.ToString();
  EXPECT_NE(s.message().find(reason), std::string_view::npos) << s.message();
  EXPECT_EQ(in.size(), bytes.size());
  EXPECT_TRUE(out.empty());
}

std::string Bytes(std::initializer_list<int> bytes) {
  std::string s;
  for (int b : bytes) s.push_back(static_cast<char>(b));
  return s;
}

TEST(AttrCodecTest, GoldenBytes) {
  // The example in the header.
  EXPECT_EQ(Encode({{"n", V::Int(-2)}, {"t", V::String("ab")}}),
            Bytes({0x02, 0x01, 'n', 0x02, 0x03, 0x01, 't', 0x01, 0x02, 'a', 'b'}));
  EXPECT_EQ(Encode({}), Bytes({0x00}));
  EXPECT_EQ(Encode({{"z", V::Null()}}), Bytes({0x01, 0x01, 'z', 0x00}));
  EXPECT_EQ(Encode({{"b", V::Bool(true)}}), Bytes({0x01, 0x01, 'b', 0x04, 0x01}));
  EXPECT_EQ(Encode({{"f", V::Float(1.0)}}),
            Bytes({0x01, 0x01, 'f', 0x03, 0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 0xF0, 0x3F}));
  EXPECT_EQ(Encode({{"l", V::List({"x", ""})}}),
            Bytes({0x01, 0x01, 'l', 0x05, 0x02, 0x01, 'x', 0x00}));
  EXPECT_EQ(Encode({{"i", V::Int(64)}}), Bytes({0x01, 0x01, 'i', 0x02, 0x80, 0x01}));
  for (const std::string& golden :
       {Bytes({0x02, 0x01, 'n', 0x02, 0x03, 0x01, 't', 0x01, 0x02, 'a', 'b'}), Bytes({0x00})}) {
    EXPECT_EQ(Encode(DecodeAll(golden)), golden);
  }
}

TEST(AttrCodecTest, ExtremeValues) {
  const Attrs attrs = {
      {"max", V::Int(std::numeric_limits<int64_t>::max())},
      {"min", V::Int(std::numeric_limits<int64_t>::min())},
      {"neg0", V::Float(-0.0)},
      {"tiny", V::Float(std::numeric_limits<double>::denorm_min())},
      {"big", V::Float(std::numeric_limits<double>::max())},
      {"empty", V::String("")},
      {"nul", V::String(std::string("a\0b", 3))},
      {"emptylist", V::List({})},
      {std::string(256, 'k'), V::Bool(false)},
  };
  const Attrs back = DecodeAll(Encode(attrs));
  EXPECT_EQ(back, attrs);
  EXPECT_TRUE(std::signbit(back.at("neg0").as_float()));
}

TEST(AttrCodecTest, FloatBitsSurvive) {
  // The codec is structural: even a NaN payload comes back bit for bit.
  const double nan = std::bit_cast<double>(uint64_t{0x7FF8000000000123});
  const Attrs back = DecodeAll(Encode({{"x", V::Float(nan)}}));
  EXPECT_EQ(std::bit_cast<uint64_t>(back.at("x").as_float()), uint64_t{0x7FF8000000000123});
}

class AttrsGen {
 public:
  explicit AttrsGen(uint32_t seed) : rng_(seed) {}

  Attrs Make() {
    Attrs attrs;
    for (int n = Uniform(0, 8); n > 0; --n) attrs[Str(1, 12)] = AnyValue();
    return attrs;
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }

  std::string Str(int min_len, int max_len) {
    static const char* const kPieces[] = {
        "a", "b", "Z", "0", "_", "\xC3\xA9", "\xE6\x97\xA5", "\xF0\x9F\x98\x80", " "};
    std::string s;
    const int len = Uniform(min_len, max_len);
    while (static_cast<int>(s.size()) < len) {
      const int i = Uniform(0, std::size(kPieces));
      if (i == static_cast<int>(std::size(kPieces))) {
        s.push_back('\0');
      } else {
        s += kPieces[i];
      }
    }
    return s;
  }

  Value AnyValue() {
    switch (Uniform(0, 5)) {
      case 0:
        return V::Null();
      case 1:
        return V::String(Str(0, 300));
      case 2: {
        // Any sign, any magnitude (arithmetic shift of a random 64-bit pattern).
        const auto v = static_cast<int64_t>(std::uniform_int_distribution<uint64_t>()(rng_));
        return V::Int(v >> Uniform(0, 63));
      }
      case 3: {
        double d;
        do {
          d = std::bit_cast<double>(std::uniform_int_distribution<uint64_t>()(rng_));
        } while (!std::isfinite(d));
        return V::Float(d);
      }
      case 4:
        return V::Bool(Uniform(0, 1) == 1);
      default: {
        std::vector<std::string> l(Uniform(0, 5));
        for (auto& s : l) s = Str(0, 20);
        return V::List(std::move(l));
      }
    }
  }

  std::mt19937 rng_;
};

TEST(AttrCodecTest, RandomRoundTripsLeaveTrailingBytes) {
  AttrsGen gen(7);
  for (int i = 0; i < 2000; ++i) {
    const Attrs attrs = gen.Make();
    std::string bytes = Encode(attrs);
    const size_t size = bytes.size();
    bytes += "tail";
    std::string_view in = bytes;
    Attrs back;
    ASSERT_TRUE(DecodeAttrs(&in, &back).ok());
    ASSERT_EQ(back, attrs);
    ASSERT_EQ(in, "tail");
    ASSERT_EQ(bytes.size() - in.size(), size);
    ASSERT_TRUE(ValidateAttrs(attrs).ok());
  }
}

TEST(AttrCodecTest, EveryTruncationIsCorruption) {
  AttrsGen gen(11);
  for (int i = 0; i < 200; ++i) {
    const std::string bytes = Encode(gen.Make());
    for (size_t cut = 0; cut < bytes.size(); ++cut) {
      ExpectCorrupt(bytes.substr(0, cut), "");
    }
  }
  // One entry of each type, cut everywhere.
  const std::string all = Encode({{"b", V::Bool(true)},
                                  {"f", V::Float(2.5)},
                                  {"i", V::Int(-300)},
                                  {"l", V::List({"xy", "z"})},
                                  {"n", V::Null()},
                                  {"s", V::String("hello")}});
  for (size_t cut = 0; cut < all.size(); ++cut) ExpectCorrupt(all.substr(0, cut), "");
  ExpectCorrupt(all.substr(0, 0), "truncated varint for count");
}

TEST(AttrCodecTest, UnknownTypeByte) {
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x06}), "attrs entry 0 (key \"k\"): unknown type 6");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0xFF}), "unknown type 255");
}

TEST(AttrCodecTest, BoolByteNotZeroOrOne) {
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x04, 0x02}), "bool byte 2 is not 0 or 1");
}

TEST(AttrCodecTest, NonCanonicalVarints) {
  ExpectCorrupt(Bytes({0x81, 0x00}), "non-canonical varint for count");
  ExpectCorrupt(Bytes({0x01, 0x81, 0x00, 'k', 0x00}), "non-canonical varint for key length");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x01, 0x82, 0x00, 'a', 'b'}),
                "non-canonical varint for string length");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x02, 0x80, 0x00}), "non-canonical varint for int");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x05, 0x81, 0x00, 0x00}),
                "non-canonical varint for list count");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x05, 0x01, 0x80, 0x00}),
                "non-canonical varint for list element length");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x02, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF,
                       0xFF, 0x01}),
                "overflow varint for int");
}

TEST(AttrCodecTest, KeysMustAscend) {
  ExpectCorrupt(Bytes({0x02, 0x01, 'b', 0x00, 0x01, 'a', 0x00}),
                "attrs entry 1 (key \"a\"): keys out of order");
  ExpectCorrupt(Bytes({0x02, 0x01, 'a', 0x00, 0x01, 'a', 0x00}),
                "attrs entry 1 (key \"a\"): duplicate key");
  ExpectCorrupt(Bytes({0x02, 0x02, 'a', 'b', 0x00, 0x01, 'a', 0x00}), "keys out of order");
  // Byte order is unsigned: 0xC3 sorts after 'z'.
  EXPECT_EQ(DecodeAll(Bytes({0x02, 0x01, 'z', 0x00, 0x02, 0xC3, 0xA9, 0x00})).size(), 2u);
  ExpectCorrupt(Bytes({0x02, 0x02, 0xC3, 0xA9, 0x00, 0x01, 'z', 0x00}), "keys out of order");
}

TEST(AttrCodecTest, KeyLengthOutOfRange) {
  ExpectCorrupt(Bytes({0x01, 0x00, 0x00, 0x00}), "key length 0 is not in 1..256");
  std::string long_key = Bytes({0x01});
  PutVarint64(&long_key, 257);
  long_key += std::string(257, 'k');
  long_key.push_back(0x00);
  ExpectCorrupt(long_key, "key length 257 is not in 1..256");
}

TEST(AttrCodecTest, CountsLargerThanTheInputAreRejected) {
  // None of these may allocate in proportion to the claimed count.
  std::string huge_count;
  PutVarint64(&huge_count, uint64_t{1} << 40);
  ExpectCorrupt(huge_count, "count 1099511627776 is more than the 0 bytes left can hold");
  // Two entries need at least 6 bytes; 5 are left.
  ExpectCorrupt(Bytes({0x02, 0x01, 'a', 0x00, 0x01, 'b'}), "count 2 is more than");
  std::string huge_string = Bytes({0x01, 0x01, 'k', 0x01});
  PutVarint64(&huge_string, std::numeric_limits<uint64_t>::max());
  ExpectCorrupt(huge_string, "string length 18446744073709551615 is more than the 0 bytes left");
  std::string huge_list = Bytes({0x01, 0x01, 'k', 0x05});
  PutVarint64(&huge_list, uint64_t{1} << 62);
  huge_list += "abc";
  ExpectCorrupt(huge_list, "list count 4611686018427387904 is more than the 3 bytes left");
  ExpectCorrupt(Bytes({0x01, 0x05, 'k', 'x'}), "key length 5 is more than the 2 bytes left");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x03, 0, 0, 0, 0, 0, 0, 0}), "truncated float");
  ExpectCorrupt(Bytes({0x01, 0x01, 'k', 0x04}), "truncated bool");
  ExpectCorrupt(Bytes({0x02, 0x01, 'a', 0x00, 0x03, 'b', 'c', 'd'}),
                "attrs entry 1 (key \"bcd\"): truncated type");
}

TEST(AttrCodecTest, EveryByteFlipDecodesOrFailsCleanly) {
  // Not a spec of what a flip gives, only that decoding never crashes or overreads.
  AttrsGen gen(5);
  for (int i = 0; i < 50; ++i) {
    const std::string bytes = Encode(gen.Make());
    for (size_t pos = 0; pos < bytes.size(); ++pos) {
      for (int bit = 0; bit < 8; ++bit) {
        std::string damaged = bytes;
        damaged[pos] = static_cast<char>(damaged[pos] ^ (1 << bit));
        std::string_view in = damaged;
        Attrs out;
        const Status s = DecodeAttrs(&in, &out);
        if (s.ok()) {
          EXPECT_LE(in.size(), damaged.size());
        } else {
          EXPECT_TRUE(s.IsCorruption());
        }
      }
    }
  }
}

TEST(AttrValidateTest, AcceptsGoodAttrs) {
  EXPECT_TRUE(ValidateAttrs({}).ok());
  EXPECT_TRUE(ValidateAttrs({{"k", V::Null()},
                             {std::string(256, 'x'), V::Float(-1e308)},
                             {"\xC3\xA9", V::List({"\xF0\x9F\x98\x80", ""})}})
                  .ok());
}

TEST(AttrValidateTest, RejectsWithTheKeyNamed) {
  struct Case {
    Attrs attrs;
    std::string message;
  };
  const Case cases[] = {
      {{{"", V::Int(1)}}, "attribute key \"\" has 0 bytes (must be 1..256)"},
      {{{std::string(257, 'k'), V::Int(1)}},
       "attribute key \"" + std::string(64, 'k') + "...\" has 257 bytes (must be 1..256)"},
      {{{"a\xFF", V::Int(1)}}, "attribute key is not valid UTF-8"},
      {{{"s", V::String("\xC0\x80")}}, "attribute \"s\": string value is not valid UTF-8"},
      {{{"t", V::List({"ok", "\xED\xA0\x80"})}},
       "attribute \"t\": list element is not valid UTF-8"},
      {{{"x", V::Float(std::nan(""))}},
       "attribute \"x\": float value NaN is not allowed (floats must be finite)"},
      {{{"y", V::Float(INFINITY)}},
       "attribute \"y\": float value infinity is not allowed (floats must be finite)"},
      {{{"z", V::Float(-INFINITY)}},
       "attribute \"z\": float value infinity is not allowed (floats must be finite)"},
  };
  for (const Case& c : cases) {
    const Status s = ValidateAttrs(c.attrs);
    EXPECT_TRUE(s.IsInvalidArgument());
    EXPECT_EQ(s.message(), c.message);
  }
}

}  // namespace
}  // namespace urd::vec
