// Copyright urd authors. Property tests of the canonical record decoder
// (reference/mimir-core.md §5, §8 "Totality"): it is total over arbitrary bytes,
// it inverts the encoder for valid records of all 19 opcodes, every strict prefix
// of a valid record or stream fails with a predictable error, and an array count
// near 2^63 is rejected before anything is allocated.
//
// Deterministic: every generator is a std::mt19937_64 with the fixed seed named in
// the test; a failing assertion prints the seed, the case's index and the bytes.

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <limits>
#include <random>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/utf8.h"
#include "base/varint.h"
#include "memory/canonical.h"

namespace urd::mem {
namespace {

std::string ToHex(std::string_view bytes, size_t max = 96) {
  std::string out;
  char buf[4];
  for (size_t i = 0; i < bytes.size() && i < max; ++i) {
    std::snprintf(buf, sizeof(buf), "%02x ", static_cast<unsigned char>(bytes[i]));
    out += buf;
  }
  if (bytes.size() > max) out += "... (" + std::to_string(bytes.size()) + " bytes)";
  return out;
}

std::string Encode(const CanonicalRecord& r) {
  std::string out;
  EncodeRecord(r, &out);
  return out;
}

// What a generator produced, so that a test can show it covered every case.
struct Coverage {
  std::set<std::pair<Opcode, Value::Type>> values;  // value-carrying opcodes
  std::set<std::pair<Opcode, bool>> invalid_at;     // present / absent
  std::set<std::pair<Opcode, int>> flags;           // SEM 0..1, INF 0..3
  std::set<std::pair<Opcode, bool>> optional;       // PRO pre, EPISODE_META parent
  std::set<SymbolKind> symbol_kinds;
  std::set<size_t> length_bytes;  // bytes of the record's length varint
  bool negative_integer = false;
  bool multibyte_string = false;
};

// Valid records with fields spread over their whole encodings: ids and counts of
// every varint length, clocks up to kClockSentinel - 1, integers of both signs,
// floats (no NaN, which compares unequal to itself), UTF-8 strings of 1- to 4-byte
// characters, now and then long enough for a 2- or 3-byte record length.
class RecordGen {
 public:
  RecordGen(uint64_t seed, Coverage* cov) : rng_(seed), cov_(cov) {}

  uint64_t Below(uint64_t n) { return std::uniform_int_distribution<uint64_t>(0, n - 1)(rng_); }
  bool Coin() { return Below(2) == 0; }

  // A value whose varint takes 1 to 10 bytes, each length equally likely.
  uint64_t Varint() {
    const uint64_t len = 1 + Below(10);
    const uint64_t lo = len == 1 ? 0 : uint64_t{1} << (7 * (len - 1));
    const uint64_t hi = len == 10 ? UINT64_MAX : (uint64_t{1} << (7 * len)) - 1;
    return std::uniform_int_distribution<uint64_t>(lo, hi)(rng_);
  }

  ClockTime Clock() {
    switch (Below(4)) {
      case 0:
        return kClockSentinel - 1 - Below(2);
      case 1:
        return Below(3);
      default:
        return std::min<uint64_t>(rng_(), kClockSentinel - 1);
    }
  }

  std::optional<ClockTime> InvalidAt(Opcode op) {
    const bool present = Below(3) != 0;
    cov_->invalid_at.insert({op, present});
    return present ? std::optional<ClockTime>(Clock()) : std::nullopt;
  }

  int64_t Integer() {
    int64_t v;
    switch (Below(4)) {
      case 0:
        v = std::numeric_limits<int64_t>::min() + static_cast<int64_t>(Below(2));
        break;
      case 1:
        v = std::numeric_limits<int64_t>::max() - static_cast<int64_t>(Below(2));
        break;
      default:
        v = static_cast<int64_t>(Varint() >> 1) * (Coin() ? -1 : 1);
        break;
    }
    if (v < 0) cov_->negative_integer = true;
    return v;
  }

  double Float() {
    switch (Below(6)) {
      case 0:
        return std::numeric_limits<double>::infinity() * (Coin() ? -1 : 1);
      case 1:
        return std::numeric_limits<double>::denorm_min() * static_cast<double>(1 + Below(1000));
      case 2:
        return Coin() ? 0.0 : -0.0;
      default: {
        const double d = std::bit_cast<double>(rng_());
        return std::isnan(d) ? 0.5 : d;
      }
    }
  }

  uint32_t CodePoint() {
    switch (Below(4)) {
      case 0:
        return static_cast<uint32_t>(Below(0x80));  // NUL and quotes included
      case 1:
        return static_cast<uint32_t>(0x80 + Below(0x800 - 0x80));
      case 2: {
        const auto cp = static_cast<uint32_t>(0x800 + Below(0x10000 - 0x800));
        return cp >= 0xD800 && cp <= 0xDFFF ? 0xFFFD : cp;
      }
      default:
        return static_cast<uint32_t>(0x10000 + Below(0x110000 - 0x10000));
    }
  }

  // `long_ok`: now and then a string of thousands of characters.
  std::string Utf8(bool long_ok) {
    size_t n = Below(24);
    if (long_ok && Below(16) == 0) n = 40 + Below(200);
    if (long_ok && Below(64) == 0) n = 7000 + Below(1000);
    std::string s;
    for (size_t i = 0; i < n; ++i) AppendUtf8(CodePoint(), &s);
    if (s.size() != n) cov_->multibyte_string = true;
    return s;
  }

  std::vector<SymbolId> Ids() {
    std::vector<SymbolId> ids(Below(4) == 0 ? Below(40) : Below(5));
    for (SymbolId& id : ids) id = Varint();
    return ids;
  }

  Value Val(Opcode op, bool long_ok) {
    const auto type = static_cast<Value::Type>(1 + Below(6));
    cov_->values.insert({op, type});
    switch (type) {
      case Value::Type::kSymbol:
        return Value::Symbol(Varint());
      case Value::Type::kInteger:
        return Value::Integer(Integer());
      case Value::Type::kFloat:
        return Value::Float(Float());
      case Value::Type::kBoolean:
        return Value::Boolean(Coin());
      case Value::Type::kString:
        return Value::String(Utf8(long_ok));
      case Value::Type::kTimestamp:
        return Value::Timestamp(Clock());
    }
    return Value();
  }

  Confidence Conf() { return Confidence{static_cast<uint16_t>(Below(65536))}; }

  CanonicalRecord Make(Opcode op, bool long_ok) {
    const auto code = static_cast<uint8_t>(op);
    switch (op) {
      case Opcode::kSem: {
        SemRecord r{Varint(), Varint(), Varint(), Val(op, long_ok), Varint(), Conf(),
                    Clock(),  Clock(),  Clock(),  InvalidAt(op),    Coin()};
        cov_->flags.insert({op, r.projected ? 1 : 0});
        return r;
      }
      case Opcode::kEpi:
        return EpiRecord{Varint(), Varint(), Varint(), Ids(),   Varint(),     Clock(),
                         Clock(),  Varint(), Conf(),   Clock(), InvalidAt(op)};
      case Opcode::kPro: {
        ProRecord r{Varint(), Varint(), Val(op, long_ok), Val(op, long_ok)};
        const bool pre = Coin();
        cov_->optional.insert({op, pre});
        if (pre) r.precondition = Val(op, long_ok);
        r.scope = Varint();
        r.source = Varint();
        r.confidence = Conf();
        r.valid_at = Clock();
        r.observed_at = Clock();
        r.committed_at = Clock();
        r.invalid_at = InvalidAt(op);
        return r;
      }
      case Opcode::kInf: {
        InfRecord r{Varint(), Varint(), Varint(), Val(op, long_ok), Ids(),  Varint(), Conf(),
                    Clock(),  Clock(),  Clock(),  InvalidAt(op),    Coin(), Coin()};
        cov_->flags.insert({op, (r.projected ? 1 : 0) | (r.stale ? 2 : 0)});
        return r;
      }
      case Opcode::kSupersedes:
      case Opcode::kCorrects:
      case Opcode::kStaleParent:
      case Opcode::kReconfirms:
        return EdgeRecord{static_cast<EdgeKind>(code - 0x10), Varint(), Varint(), Clock()};
      case Opcode::kCheckpoint:
        return CheckpointRecord{Varint(), Clock(), Varint()};
      case Opcode::kEpisodeMeta: {
        EpisodeMetaRecord r{Varint(), Clock(), Utf8(long_ok)};
        const bool parent = Coin();
        cov_->optional.insert({op, parent});
        if (parent) r.parent = Varint();
        r.retracted = Ids();
        return r;
      }
      case Opcode::kSymbolAlloc:
      case Opcode::kSymbolRename:
      case Opcode::kSymbolAlias:
      case Opcode::kSymbolRetire:
      case Opcode::kSymbolUnretire: {
        const auto kind = static_cast<SymbolKind>(Below(kSymbolKindCount));
        cov_->symbol_kinds.insert(kind);
        return SymbolEventRecord{static_cast<SymbolEventKind>(code - 0x30), Varint(), Utf8(long_ok),
                                 kind, Clock()};
      }
      case Opcode::kPin:
      case Opcode::kUnpin:
      case Opcode::kAuthoritativeSet:
      case Opcode::kAuthoritativeClear:
        return FlagRecord{static_cast<FlagKind>(code - 0x35), Varint(), Clock(), Varint()};
    }
    return CheckpointRecord{};
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
  Coverage* cov_;
};

// The bytes of the record's length varint.
size_t LengthBytes(std::string_view record) {
  std::string_view rest = record.substr(1);
  uint64_t len = 0;
  EXPECT_TRUE(GetVarint64(&rest, &len));
  return record.size() - 1 - rest.size();
}

// Whether the record holds a Boolean value: the decoder reads any non-zero byte as
// true, the only place where a decoded record may re-encode to different bytes.
bool HasBooleanValue(const CanonicalRecord& record) {
  const auto is_bool = [](const Value& v) { return v.is_boolean(); };
  if (const auto* r = std::get_if<SemRecord>(&record)) return is_bool(r->o);
  if (const auto* r = std::get_if<InfRecord>(&record)) return is_bool(r->o);
  if (const auto* r = std::get_if<ProRecord>(&record)) {
    return is_bool(r->trigger) || is_bool(r->action) ||
           (r->precondition.has_value() && is_bool(*r->precondition));
  }
  return false;
}

// ---- Round trips and prefixes ----

// The error every strict prefix of one valid record gets: an empty input or a lone
// opcode is Truncated at the end; a prefix that ends inside the length varint is
// Truncated at the varint (offset 1); any longer one declares a body that runs
// past its end: LengthMismatch at the varint.
DecodeError PrefixError(size_t prefix, size_t length_bytes) {
  if (prefix == 0) return {DecodeErrorKind::kTruncated, 0};
  if (prefix < 1 + length_bytes) return {DecodeErrorKind::kTruncated, 1};
  return {DecodeErrorKind::kLengthMismatch, 1};
}

TEST(CanonicalPropsTest, EveryOpcodeRoundTripsAndEveryStrictPrefixFailsSeed7001) {
  constexpr uint64_t kSeed = 7001;
  constexpr int kPerOpcode = 200;
  Coverage cov;
  RecordGen gen(kSeed, &cov);
  for (Opcode op : kAllOpcodes) {
    for (int i = 0; i < kPerOpcode; ++i) {
      const CanonicalRecord record = gen.Make(op, /*long_ok=*/true);
      const std::string bytes = Encode(record);
      const std::string trace = "seed " + std::to_string(kSeed) + ", " +
                                std::string(OpcodeName(op)) + " #" + std::to_string(i) + ": " +
                                ToHex(bytes);
      const size_t length_bytes = LengthBytes(bytes);
      cov.length_bytes.insert(length_bytes);

      std::string_view in = bytes;
      CanonicalRecord back;
      const DecodeError e = DecodeRecord(&in, &back);
      ASSERT_TRUE(e.ok()) << trace << "\n" << e.ToString();
      ASSERT_TRUE(in.empty()) << trace;
      ASSERT_EQ(back, record) << trace;
      ASSERT_EQ(Encode(back), bytes) << trace;  // also tells -0.0 from 0.0

      for (size_t n = 0; n < bytes.size(); ++n) {
        const std::string_view prefix = std::string_view(bytes).substr(0, n);
        std::string_view cut = prefix;
        CanonicalRecord untouched = CheckpointRecord{1, 2, 3};
        const DecodeError got = DecodeRecord(&cut, &untouched);
        const DecodeError want = PrefixError(n, length_bytes);
        ASSERT_EQ(got.kind, want.kind) << trace << "\ncut at " << n << ": " << got.ToString();
        ASSERT_EQ(got.offset, want.offset) << trace << "\ncut at " << n;
        ASSERT_EQ(cut.size(), n) << trace << "\ninput advanced on error";
        ASSERT_EQ(untouched, CanonicalRecord(CheckpointRecord{1, 2, 3})) << trace;
      }
    }
  }
  // Every opcode × value type, invalid_at present and absent, every flag
  // combination, both shapes of each optional field, every symbol kind, and
  // record lengths of 1, 2 and 3 varint bytes were generated.
  EXPECT_EQ(cov.values.size(), 3u * 6u);
  EXPECT_EQ(cov.invalid_at.size(), 4u * 2u);
  EXPECT_EQ(cov.flags.size(), 2u + 4u);
  EXPECT_EQ(cov.optional.size(), 2u * 2u);
  EXPECT_EQ(cov.symbol_kinds.size(), static_cast<size_t>(kSymbolKindCount));
  EXPECT_EQ(cov.length_bytes, (std::set<size_t>{1, 2, 3}));
  EXPECT_TRUE(cov.negative_integer);
  EXPECT_TRUE(cov.multibyte_string);
}

// A stream cut anywhere decodes the records before the cut; the cut record fails
// at its own start + 1, as a lone record would.
TEST(CanonicalPropsTest, EveryPrefixOfAStreamFailsAtTheCutRecordSeed7002) {
  constexpr uint64_t kSeed = 7002;
  Coverage cov;
  RecordGen gen(kSeed, &cov);
  std::vector<CanonicalRecord> records;
  std::vector<size_t> starts;  // where each record starts; then the stream's end
  std::vector<size_t> length_bytes;
  std::string stream;
  for (int i = 0; i < 60; ++i) {
    records.push_back(gen.Make(kAllOpcodes[gen.Below(kOpcodeCount)], /*long_ok=*/false));
    starts.push_back(stream.size());
    const std::string bytes = Encode(records.back());
    length_bytes.push_back(LengthBytes(bytes));
    stream += bytes;
  }
  starts.push_back(stream.size());
  size_t k = 0;  // records wholly before the cut
  for (size_t n = 0; n <= stream.size(); ++n) {
    while (k + 1 < starts.size() && starts[k + 1] <= n) ++k;  // starts[k] <= n < starts[k + 1]
    std::vector<CanonicalRecord> out;
    const DecodeError e = DecodeAll(std::string_view(stream).substr(0, n), &out);
    const std::string trace =
        "seed " + std::to_string(kSeed) + ", cut at " + std::to_string(n) + ": " + e.ToString();
    ASSERT_EQ(out.size(), k) << trace;
    ASSERT_TRUE(std::equal(out.begin(), out.end(), records.begin())) << trace;
    if (n == starts[k]) {
      ASSERT_TRUE(e.ok()) << trace;
      continue;
    }
    const DecodeError want = PrefixError(n - starts[k], length_bytes[k]);
    ASSERT_EQ(e.kind, want.kind) << trace;
    ASSERT_EQ(e.offset, starts[k] + want.offset) << trace;
  }
}

// ---- Totality over arbitrary bytes ----

// Arbitrary inputs: uniformly random bytes; a valid opcode and length around a
// random body (so that the body reader, not the framing, meets the garbage); and
// valid streams after byte flips, insertions, deletions and truncations.
class ByteGen {
 public:
  explicit ByteGen(uint64_t seed) : cov_(), records_(seed ^ 0x9E3779B97F4A7C15ULL, &cov_) {}

  std::string Next(int i) {
    switch (i % 3) {
      case 0:
        return RandomBytes(Below(80));
      case 1: {
        std::string out(1, static_cast<char>(kAllOpcodes[Below(kOpcodeCount)]));
        const std::string body = RandomBytes(Below(60));
        PutVarint64(&out, body.size());
        return out + body;
      }
      default:
        return MutatedStream();
    }
  }

 private:
  uint64_t Below(uint64_t n) { return records_.Below(n); }

  std::string RandomBytes(size_t n) {
    std::string s(n, '\0');
    for (char& c : s) c = static_cast<char>(Below(256));
    return s;
  }

  std::string MutatedStream() {
    std::string s;
    const uint64_t n = 1 + Below(3);
    for (uint64_t k = 0; k < n; ++k) {
      EncodeRecord(records_.Make(kAllOpcodes[Below(kOpcodeCount)], false), &s);
    }
    const uint64_t edits = 1 + Below(4);
    for (uint64_t k = 0; k < edits && !s.empty(); ++k) {
      const size_t at = Below(s.size());
      switch (Below(5)) {
        case 0:
          s[at] ^= static_cast<char>(1u << Below(8));
          break;
        case 1:
          s[at] = static_cast<char>(Below(256));
          break;
        case 2:
          s.insert(at, 1, static_cast<char>(Below(256)));
          break;
        case 3:
          s.erase(at, 1 + Below(4));
          break;
        default:
          s.resize(at);
          break;
      }
    }
    return s;
  }

  Coverage cov_;
  RecordGen records_;
};

TEST(CanonicalPropsTest, RandomBytesNeverCrashOrReportAnOffsetPastTheInputSeed7003) {
  constexpr uint64_t kSeed = 7003;
  constexpr int kInputs = 20000;
  ByteGen gen(kSeed);
  int decoded = 0;
  std::set<DecodeErrorKind> kinds;
  for (int i = 0; i < kInputs; ++i) {
    const std::string bytes = gen.Next(i);
    const std::string trace =
        "seed " + std::to_string(kSeed) + ", input #" + std::to_string(i) + ": " + ToHex(bytes);

    // DecodeAll, and the same walk done record by record with DecodeRecord.
    std::vector<CanonicalRecord> all;
    const DecodeError all_error = DecodeAll(bytes, &all);
    std::string_view in = bytes;
    size_t records = 0;
    DecodeError error;
    while (!in.empty()) {
      const std::string_view before = in;
      const uint64_t start = bytes.size() - in.size();
      CanonicalRecord record = CheckpointRecord{1, 2, 3};
      error = DecodeRecord(&in, &record);
      if (!error.ok()) {
        ASSERT_EQ(in.size(), before.size()) << trace << "\ninput advanced on error";
        ASSERT_EQ(record, CanonicalRecord(CheckpointRecord{1, 2, 3})) << trace;
        ASSERT_LE(error.offset, before.size()) << trace << "\n" << error.ToString();
        ASSERT_NE(DecodeErrorKindName(error.kind), "unknown error") << trace;
        ASSERT_FALSE(error.ToString().empty());
        ASSERT_TRUE(error.ToStatus().IsCorruption()) << trace;
        error.offset += start;
        break;
      }
      // A decoded record re-encodes to exactly the bytes it was read from (but for
      // a Boolean value's byte), and to a record that decodes the same.
      const size_t consumed = before.size() - in.size();
      ASSERT_GE(consumed, 2u) << trace;
      const std::string again = Encode(record);
      ASSERT_EQ(again.size(), consumed) << trace;
      if (!HasBooleanValue(record)) {
        ASSERT_EQ(again, before.substr(0, consumed)) << trace;
      }
      ASSERT_TRUE(records < all.size() && Encode(all[records]) == again) << trace;
      ++records;
      ++decoded;
    }
    ASSERT_EQ(all.size(), records) << trace;
    ASSERT_EQ(all_error.kind, error.kind) << trace;
    ASSERT_EQ(all_error.offset, error.offset) << trace;
    ASSERT_LE(all_error.offset, bytes.size()) << trace;
    if (!error.ok()) kinds.insert(error.kind);
  }
  EXPECT_GT(decoded, kInputs / 10);
  EXPECT_EQ(kinds.size(), 12u);  // every kind but kOk was met
}

// ---- Counts near 2^63 ----

std::string Varint(uint64_t v) {
  std::string s;
  PutVarint64(&s, v);
  return s;
}

std::string Fixed64(uint64_t v) {
  std::string s;
  PutFixed64(&s, v);
  return s;
}

std::string Frame(uint8_t op, std::string_view body) {
  std::string out(1, static_cast<char>(op));
  PutVarint64(&out, body.size());
  out.append(body);
  return out;
}

// How this shows that nothing is allocated: a decoder that sized a container from
// the count would call reserve()/assign() with more than max_size() elements
// (std::length_error) or, for 2^40 ids, ask for 8 TiB (std::bad_alloc; an ASan
// build aborts). The counts are checked against the bytes left instead.
TEST(CanonicalPropsTest, CountsNearTwoToThe63AreTruncatedWithoutAllocating) {
  constexpr uint64_t kCounts[] = {(uint64_t{1} << 63) - 1, uint64_t{1} << 63,
                                  (uint64_t{1} << 63) + 1, uint64_t{1} << 40};
  const std::string now = Fixed64(1'713'350'400'000);
  for (uint64_t count : kCounts) {
    const std::string n = Varint(count);
    struct Case {
      const char* what;
      std::string record;
      uint64_t offset;  // of the count
    };
    const Case cases[] = {
        // EPI participants: memory_id event_id kind, then the count.
        {"EPI participants", Frame(0x02, "\x01\x02\x03" + n + "\x04\x05"), 5},
        // INF derived_from: after memory_id s p and a symbol value 01 07.
        {"INF derived_from", Frame(0x04, "\x01\x02\x03\x01\x07" + n + "\x08"), 7},
        // EPISODE_META retracted: after episode_id, at, an empty label, no parent.
        {"EPISODE_META retracted", Frame(0x21, "\x05" + now + std::string(2, '\0') + n), 13},
        // EPISODE_META label length.
        {"EPISODE_META label", Frame(0x21, "\x05" + now + n + "ab"), 11},
        // SYMBOL_ALLOC name length.
        {"SYMBOL_ALLOC name", Frame(0x30, "\x07" + n + "ab"), 3},
        // A string value (tag 05) as the SEM object.
        {"SEM string object", Frame(0x01, "\x01\x02\x03\x05" + n + "ab"), 6},
    };
    for (const Case& c : cases) {
      SCOPED_TRACE(std::string(c.what) + ", count " + std::to_string(count));
      std::string_view in = c.record;
      CanonicalRecord out;
      DecodeError e;
      ASSERT_NO_THROW(e = DecodeRecord(&in, &out));
      EXPECT_EQ(e.kind, DecodeErrorKind::kTruncated) << e.ToString();
      EXPECT_EQ(e.offset, c.offset);
      std::vector<CanonicalRecord> all;
      DecodeError from_all;
      ASSERT_NO_THROW(from_all = DecodeAll(c.record, &all));
      EXPECT_EQ(from_all.kind, DecodeErrorKind::kTruncated);
      EXPECT_TRUE(all.empty());
    }
  }
}

}  // namespace
}  // namespace urd::mem
