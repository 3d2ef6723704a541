// Copyright urd authors.

#include "memory/canonical.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "base/varint.h"

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;    // the §5.8 commit clock
constexpr ClockTime kValid = 1'705'276'800'000;  // 2024-01-15T00:00:00Z

// "20 0a 2a" -> the three bytes.
std::string FromHex(std::string_view hex) {
  std::string out;
  int nibbles = 0;
  int acc = 0;
  for (char c : hex) {
    if (c == ' ' || c == '\n') continue;
    const int v = c <= '9' ? c - '0' : c - 'a' + 10;
    acc = acc * 16 + v;
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

std::string Encode(const CanonicalRecord& r) {
  std::string out;
  EncodeRecord(r, &out);
  return out;
}

// Frames a hand-made body.
std::string Frame(uint8_t op, std::string_view body) {
  std::string out(1, static_cast<char>(op));
  PutVarint64(&out, body.size());
  out.append(body);
  return out;
}

DecodeError DecodeOne(std::string_view bytes, CanonicalRecord* out = nullptr) {
  CanonicalRecord scratch;
  return DecodeRecord(&bytes, out != nullptr ? out : &scratch);
}

void ExpectError(std::string_view bytes, DecodeErrorKind kind, uint64_t offset) {
  std::string_view in = bytes;
  CanonicalRecord out = CheckpointRecord{99, 1, 2};
  const DecodeError e = DecodeRecord(&in, &out);
  EXPECT_EQ(e.kind, kind) << DecodeErrorKindName(e.kind) << " for " << ToHex(bytes);
  EXPECT_EQ(e.offset, offset) << ToHex(bytes);
  EXPECT_EQ(in.size(), bytes.size()) << "input advanced on error";
  EXPECT_EQ(out, CanonicalRecord(CheckpointRecord{99, 1, 2})) << "output changed on error";
}

// ---- §5.8 golden vectors ----

SymbolEventRecord Alloc(SymbolId id, std::string name, SymbolKind kind) {
  return SymbolEventRecord{SymbolEventKind::kAlloc, id, std::move(name), kind, kNow};
}

// The 8 records of the §5.8 batch, built by hand.
std::vector<CanonicalRecord> GoldenBatch() {
  SemRecord sem;
  sem.memory_id = 4;
  sem.s = 0;
  sem.p = 1;
  sem.o = Value::Symbol(2);
  sem.source = 3;
  sem.confidence = Confidence{52428};
  sem.valid_at = kValid;
  sem.observed_at = kNow;
  sem.committed_at = kNow;
  return {
      Alloc(5, "__ep_0", SymbolKind::kMemory),
      Alloc(0, "alice", SymbolKind::kAgent),
      Alloc(1, "knows", SymbolKind::kPredicate),
      Alloc(2, "bob", SymbolKind::kLiteral),
      Alloc(3, "observation", SymbolKind::kAgent),
      Alloc(4, "__mem_0", SymbolKind::kMemory),
      sem,
      CheckpointRecord{5, kNow, 1},
  };
}

// The same 170 bytes, transcribed from the specification.
std::string GoldenBatchBytes() {
  const std::string now = "00 58 a4 eb 8e 01 00 00 ";
  const std::string valid = "00 fc 6a 0a 8d 01 00 00 ";
  auto str = [](std::string_view s) { return ToHex(s); };
  return FromHex("30 11 05 06 " + str("__ep_0") + "05 " + now + "30 10 00 05 " + str("alice") +
                 "00 " + now + "30 10 01 05 " + str("knows") + "08 " + now + "30 0e 02 03 " +
                 str("bob") + "0b " + now + "30 16 03 0b " + str("observation") + "00 " + now +
                 "30 12 04 07 " + str("__mem_0") + "05 " + now + "01 29 04 00 01 01 02 03 cc cc " +
                 valid + now + now + "ff ff ff ff ff ff ff ff 00 " + "20 0a 05 " + now + "01");
}

std::string ReadGoldenFile() {
  std::ifstream f(URD_TESTDATA_DIR "/mimir_v1_sem_batch.golden", std::ios::binary);
  std::stringstream ss;
  ss << f.rdbuf();
  return ss.str();
}

TEST(CanonicalGoldenTest, CheckpointVector) {
  const CheckpointRecord cp{42, 1'700'000'000'000, 3};
  const std::string bytes = Encode(cp);
  EXPECT_EQ(ToHex(bytes), "20 0a 2a 00 68 e5 cf 8b 01 00 00 03 ");
  CanonicalRecord back;
  ASSERT_TRUE(DecodeOne(bytes, &back).ok());
  EXPECT_EQ(back, CanonicalRecord(cp));
}

TEST(CanonicalGoldenTest, SemBatchVectorByteForByte) {
  const std::string expected = GoldenBatchBytes();
  ASSERT_EQ(expected.size(), 170u);
  std::string encoded;
  for (const CanonicalRecord& r : GoldenBatch()) EncodeRecord(r, &encoded);
  EXPECT_EQ(ToHex(encoded), ToHex(expected));
  EXPECT_EQ(Encode(GoldenBatch()[6]).size(), 43u);  // a typical SEM record
}

TEST(CanonicalGoldenTest, GoldenFileDecodesAndReencodes) {
  const std::string file = ReadGoldenFile();
  ASSERT_EQ(file.size(), 178u) << "missing tests/testdata/mimir_v1_sem_batch.golden?";
  EXPECT_EQ(file.substr(0, 4), std::string(kMimirLogMagic, 4));
  EXPECT_EQ(DecodeFixed32(file.data() + 4), kMimirLogVersion);
  const std::string_view log = std::string_view(file).substr(kMimirLogHeaderSize);
  EXPECT_EQ(log, GoldenBatchBytes());

  std::vector<CanonicalRecord> records;
  const DecodeError e = DecodeAll(log, &records);
  ASSERT_TRUE(e.ok()) << e.ToString();
  EXPECT_EQ(records, GoldenBatch());

  std::string reencoded(file.substr(0, kMimirLogHeaderSize));
  for (const CanonicalRecord& r : records) EncodeRecord(r, &reencoded);
  EXPECT_EQ(reencoded, file);

  EXPECT_EQ(RecordName(records[0]), "SYMBOL_ALLOC #5");
  EXPECT_EQ(RecordName(records[6]), "SEM #4");
  EXPECT_EQ(RecordName(records[7]), "CHECKPOINT #5");
  for (const CanonicalRecord& r : records) EXPECT_EQ(CommitClock(r), kNow);
}

// Every strict prefix of every golden record fails cleanly: an empty input or a
// lone opcode is Truncated, anything longer (one-byte lengths here) has a body
// running past the end.
TEST(CanonicalGoldenTest, EveryPrefixOfEveryGoldenRecordFails) {
  std::vector<CanonicalRecord> records = GoldenBatch();
  records.push_back(CheckpointRecord{42, 1'700'000'000'000, 3});
  for (const CanonicalRecord& r : records) {
    const std::string bytes = Encode(r);
    for (size_t n = 0; n < bytes.size(); ++n) {
      const DecodeErrorKind want =
          n < 2 ? DecodeErrorKind::kTruncated : DecodeErrorKind::kLengthMismatch;
      SCOPED_TRACE(RecordName(r) + " cut at " + std::to_string(n));
      ExpectError(std::string_view(bytes).substr(0, n), want, n == 0 ? 0 : 1);
    }
  }
}

// ---- Random round trips ----

class RecordGen {
 public:
  explicit RecordGen(uint64_t seed) : rng_(seed) {}

  uint64_t U64() {
    switch (rng_() % 6) {
      case 0:
        return rng_() % 128;
      case 1:
        return rng_() % 300;
      case 2:
        return UINT64_MAX - rng_() % 3;
      case 3:
        return uint64_t{1} << (rng_() % 64);
      default:
        return rng_() >> (rng_() % 64);
    }
  }
  ClockTime Clock() {
    const uint64_t t = U64();
    return t == kClockSentinel ? t - 1 : t;
  }
  std::optional<ClockTime> OptClock() {
    if (rng_() % 3 == 0) return std::nullopt;
    return Clock();
  }
  Confidence Conf() { return Confidence{static_cast<uint16_t>(rng_())}; }
  bool Bool() { return rng_() % 2 == 0; }
  std::string Str() {
    static const char* kPieces[] = {"a", "Z", "_", "\xc3\xa9", "\xe2\x82\xac", "\xf0\x9f\x98\x80",
                                    " ", "\n"};
    std::string s;
    const size_t n = rng_() % 4 == 0 ? rng_() % 200 : rng_() % 8;
    for (size_t i = 0; i < n; ++i) {
      const size_t k = rng_() % 9;
      if (k == 8) {
        s.push_back('\0');
      } else {
        s += kPieces[k];
      }
    }
    return s;
  }
  std::vector<SymbolId> Ids() {
    std::vector<SymbolId> ids(rng_() % 6);
    for (SymbolId& id : ids) id = U64();
    return ids;
  }
  Value Val(bool allow_nan) {
    switch (rng_() % 6) {
      case 0:
        return Value::Symbol(U64());
      case 1:
        return Value::Integer(static_cast<int64_t>(U64()));
      case 2: {
        double d = std::bit_cast<double>(rng_());
        if (std::isnan(d) && !allow_nan) d = 1.5;
        if (rng_() % 4 == 0) d = -0.0;
        return Value::Float(d);
      }
      case 3:
        return Value::Boolean(Bool());
      case 4:
        return Value::String(Str());
      default:
        return Value::Timestamp(Clock());
    }
  }

  CanonicalRecord Make(Opcode op, bool allow_nan) {
    const auto code = static_cast<uint8_t>(op);
    switch (op) {
      case Opcode::kSem:
        return SemRecord{U64(),   U64(),   U64(),   Val(allow_nan), U64(), Conf(),
                         Clock(), Clock(), Clock(), OptClock(),     Bool()};
      case Opcode::kEpi:
        return EpiRecord{U64(),   U64(), U64(),  Ids(),   U64(),     Clock(),
                         Clock(), U64(), Conf(), Clock(), OptClock()};
      case Opcode::kPro: {
        std::optional<Value> pre;
        if (Bool()) pre = Val(allow_nan);
        return ProRecord{U64(), U64(),  Val(allow_nan), Val(allow_nan), pre,     U64(),
                         U64(), Conf(), Clock(),        Clock(),        Clock(), OptClock()};
      }
      case Opcode::kInf:
        return InfRecord{U64(),   U64(),   U64(),   Val(allow_nan), Ids(),  U64(), Conf(),
                         Clock(), Clock(), Clock(), OptClock(),     Bool(), Bool()};
      case Opcode::kSupersedes:
      case Opcode::kCorrects:
      case Opcode::kStaleParent:
      case Opcode::kReconfirms:
        return EdgeRecord{static_cast<EdgeKind>(code - 0x10), U64(), U64(), Clock()};
      case Opcode::kCheckpoint:
        return CheckpointRecord{U64(), Clock(), U64()};
      case Opcode::kEpisodeMeta: {
        std::optional<SymbolId> parent;
        if (Bool()) parent = U64();
        return EpisodeMetaRecord{U64(), Clock(), Str(), parent, Ids()};
      }
      case Opcode::kSymbolAlloc:
      case Opcode::kSymbolRename:
      case Opcode::kSymbolAlias:
      case Opcode::kSymbolRetire:
      case Opcode::kSymbolUnretire:
        return SymbolEventRecord{static_cast<SymbolEventKind>(code - 0x30), U64(), Str(),
                                 static_cast<SymbolKind>(rng_() % kSymbolKindCount), Clock()};
      case Opcode::kPin:
      case Opcode::kUnpin:
      case Opcode::kAuthoritativeSet:
      case Opcode::kAuthoritativeClear:
        return FlagRecord{static_cast<FlagKind>(code - 0x35), U64(), Clock(), U64()};
    }
    return CheckpointRecord{};
  }

  std::mt19937_64& rng() { return rng_; }

 private:
  std::mt19937_64 rng_;
};

TEST(CanonicalRoundTripTest, RandomRecordsOfEveryOpcode) {
  RecordGen gen(0x5eed1234);
  for (Opcode op : kAllOpcodes) {
    SCOPED_TRACE(OpcodeName(op));
    for (int i = 0; i < 500; ++i) {
      const CanonicalRecord r = gen.Make(op, /*allow_nan=*/false);
      ASSERT_EQ(OpcodeOf(r), op);
      const std::string bytes = Encode(r);
      ASSERT_EQ(static_cast<uint8_t>(bytes[0]), static_cast<uint8_t>(op));
      std::string_view in = bytes;
      CanonicalRecord back;
      const DecodeError e = DecodeRecord(&in, &back);
      ASSERT_TRUE(e.ok()) << e.ToString() << " " << ToHex(bytes);
      EXPECT_TRUE(in.empty());
      ASSERT_EQ(back, r) << ToHex(bytes);
      ASSERT_EQ(Encode(back), bytes);
    }
  }
}

TEST(CanonicalRoundTripTest, NaNFloatsKeepTheirBits) {
  RecordGen gen(99);
  const uint64_t nan_bits = 0x7ff8'0000'dead'beefULL;
  SemRecord sem;
  sem.o = Value::Float(std::bit_cast<double>(nan_bits));
  const std::string bytes = Encode(sem);
  CanonicalRecord back;
  ASSERT_TRUE(DecodeOne(bytes, &back).ok());
  EXPECT_EQ(std::bit_cast<uint64_t>(std::get<SemRecord>(back).o.float_value()), nan_bits);
  for (int i = 0; i < 500; ++i) {
    const CanonicalRecord r = gen.Make(Opcode::kPro, /*allow_nan=*/true);
    const std::string b = Encode(r);
    CanonicalRecord d;
    ASSERT_TRUE(DecodeOne(b, &d).ok());
    ASSERT_EQ(Encode(d), b);
  }
}

TEST(CanonicalRoundTripTest, StreamOfMixedRecords) {
  RecordGen gen(2024);
  std::vector<CanonicalRecord> records;
  std::string stream;
  for (int i = 0; i < 2000; ++i) {
    records.push_back(gen.Make(kAllOpcodes[gen.rng()() % kOpcodeCount], false));
    EncodeRecord(records.back(), &stream);
  }
  std::vector<CanonicalRecord> back;
  ASSERT_TRUE(DecodeAll(stream, &back).ok());
  EXPECT_EQ(back, records);
}

// Cutting a valid body short (and fixing its length) always reads as Truncated:
// every field read before the cut is valid.
TEST(CanonicalRoundTripTest, EveryShortenedBodyIsTruncated) {
  RecordGen gen(77);
  for (Opcode op : kAllOpcodes) {
    for (int i = 0; i < 20; ++i) {
      const std::string bytes = Encode(gen.Make(op, true));
      std::string_view rest = std::string_view(bytes).substr(1);
      uint64_t len = 0;
      ASSERT_TRUE(GetVarint64(&rest, &len));
      for (size_t n = 0; n < rest.size(); ++n) {
        const std::string cut = Frame(static_cast<uint8_t>(op), rest.substr(0, n));
        ASSERT_EQ(DecodeOne(cut).kind, DecodeErrorKind::kTruncated)
            << OpcodeName(op) << " body cut at " << n;
      }
    }
  }
}

// ---- One named test per decode error ----

std::string Clock(uint64_t t) {
  std::string s;
  PutFixed64(&s, t);
  return s;
}

std::string U16(uint16_t v) {
  std::string s;
  PutFixed16(&s, v);
  return s;
}

// A SEM body with object `o` and flags byte `flags` (ids 4 0 1, source 3).
std::string SemBody(std::string_view o, uint8_t flags = 0, uint64_t valid = kValid) {
  return FromHex("04 00 01") + std::string(o) + FromHex("03") + U16(52428) + Clock(valid) +
         Clock(kNow) + Clock(kNow) + Clock(kClockSentinel) + std::string(1, char(flags));
}

TEST(CanonicalDecodeErrorTest, Truncated) {
  ExpectError("", DecodeErrorKind::kTruncated, 0);
  ExpectError(FromHex("20"), DecodeErrorKind::kTruncated, 1);
  ExpectError(FromHex("20 80"), DecodeErrorKind::kTruncated, 1);  // length varint cut
  // CHECKPOINT whose body ends inside `at`.
  ExpectError(FromHex("20 05 2a 00 68 e5 cf"), DecodeErrorKind::kTruncated, 3);
  // A string longer than the body.
  ExpectError(Frame(0x30, FromHex("00 09 61 62")), DecodeErrorKind::kTruncated, 3);
}

TEST(CanonicalDecodeErrorTest, LengthMismatch) {
  ExpectError(FromHex("20 0b 2a 00 68 e5 cf 8b 01 00 00 03"), DecodeErrorKind::kLengthMismatch, 1);
  ExpectError(FromHex("01 ff ff 03"), DecodeErrorKind::kLengthMismatch, 1);
}

TEST(CanonicalDecodeErrorTest, UnknownOpcode) {
  for (int op : {0x00, 0x05, 0x0f, 0x14, 0x22, 0x2f, 0x39, 0x40, 0xfe, 0xff}) {
    ExpectError(std::string(1, static_cast<char>(op)) + FromHex("00"),
                DecodeErrorKind::kUnknownOpcode, 0);
    EXPECT_FALSE(OpcodeFromByte(static_cast<uint8_t>(op)).has_value());
  }
  ExpectError(FromHex("ff"), DecodeErrorKind::kUnknownOpcode, 0);
}

TEST(CanonicalDecodeErrorTest, UnknownValueTag) {
  ExpectError(Frame(0x01, SemBody(FromHex("07 02"))), DecodeErrorKind::kUnknownValueTag, 5);
  ExpectError(Frame(0x01, SemBody(FromHex("00 02"))), DecodeErrorKind::kUnknownValueTag, 5);
}

TEST(CanonicalDecodeErrorTest, InvalidString) {
  // SYMBOL_ALLOC name "\xff".
  ExpectError(Frame(0x30, FromHex("00 01 ff 00") + Clock(kNow)), DecodeErrorKind::kInvalidString,
              3);
  // A string value with a lone continuation byte.
  ExpectError(Frame(0x01, SemBody(FromHex("05 02 61 80"))), DecodeErrorKind::kInvalidString, 6);
  // An overlong encoding of '/'.
  ExpectError(Frame(0x01, SemBody(FromHex("05 02 c0 af"))), DecodeErrorKind::kInvalidString, 6);
  // EPISODE_META label.
  ExpectError(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("01 fe 00 00")),
              DecodeErrorKind::kInvalidString, 11);
}

TEST(CanonicalDecodeErrorTest, EpisodeMetaParentTagReportedAsInvalidString) {
  const std::string good = Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("02 68 69 01 07 00"));
  CanonicalRecord r;
  ASSERT_TRUE(DecodeOne(good, &r).ok());
  EXPECT_EQ(std::get<EpisodeMetaRecord>(r).label, "hi");
  EXPECT_EQ(std::get<EpisodeMetaRecord>(r).parent, SymbolId{7});
  for (int tag : {2, 3, 0x80, 0xff}) {
    ExpectError(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("00") +
                                std::string(1, static_cast<char>(tag)) + FromHex("00")),
                DecodeErrorKind::kInvalidString, 12);
  }
}

TEST(CanonicalDecodeErrorTest, ReservedClockSentinel) {
  ExpectError(Frame(0x20, FromHex("2a") + Clock(kClockSentinel) + FromHex("03")),
              DecodeErrorKind::kReservedClockSentinel, 3);
  ExpectError(Frame(0x01, SemBody(FromHex("01 02"), 0, kClockSentinel)),
              DecodeErrorKind::kReservedClockSentinel, 10);
  ExpectError(Frame(0x01, SemBody(FromHex("06") + Clock(kClockSentinel))),
              DecodeErrorKind::kReservedClockSentinel, 6);
  ExpectError(Frame(0x10, FromHex("01 02") + Clock(kClockSentinel)),
              DecodeErrorKind::kReservedClockSentinel, 4);
  // The sentinel in invalid_at is "none", not an error.
  CanonicalRecord r;
  ASSERT_TRUE(DecodeOne(Frame(0x01, SemBody(FromHex("01 02"))), &r).ok());
  EXPECT_FALSE(std::get<SemRecord>(r).invalid_at.has_value());
}

TEST(CanonicalDecodeErrorTest, UnknownSymbolKind) {
  for (int kind : {12, 13, 0x7f, 0xff}) {
    ExpectError(
        Frame(0x30, FromHex("00 01 61") + std::string(1, static_cast<char>(kind)) + Clock(kNow)),
        DecodeErrorKind::kUnknownSymbolKind, 5);
  }
  CanonicalRecord r;
  ASSERT_TRUE(DecodeOne(Frame(0x34, FromHex("00 01 61 0b") + Clock(kNow)), &r).ok());
  EXPECT_EQ(std::get<SymbolEventRecord>(r).symbol_kind, SymbolKind::kLiteral);
  EXPECT_EQ(std::get<SymbolEventRecord>(r).kind, SymbolEventKind::kUnretire);
}

TEST(CanonicalDecodeErrorTest, BodyUnderflow) {
  ExpectError(FromHex("20 0b 2a 00 68 e5 cf 8b 01 00 00 03 00"), DecodeErrorKind::kBodyUnderflow,
              12);
  ExpectError(Frame(0x01, SemBody(FromHex("01 02")) + "xy"), DecodeErrorKind::kBodyUnderflow, 43);
}

TEST(CanonicalDecodeErrorTest, VarintOverflow) {
  const std::string eleven = FromHex("ff ff ff ff ff ff ff ff ff ff 01");
  const std::string tenth_too_big = FromHex("ff ff ff ff ff ff ff ff ff 02");
  ExpectError("\x20" + eleven, DecodeErrorKind::kVarintOverflow, 1);
  ExpectError("\x20" + tenth_too_big, DecodeErrorKind::kVarintOverflow, 1);
  ExpectError(Frame(0x20, tenth_too_big + Clock(kNow) + FromHex("03")),
              DecodeErrorKind::kVarintOverflow, 2);
  // UINT64_MAX itself is fine.
  CanonicalRecord r;
  ASSERT_TRUE(
      DecodeOne(Frame(0x20, FromHex("ff ff ff ff ff ff ff ff ff 01") + Clock(kNow) + "\x03"), &r)
          .ok());
  EXPECT_EQ(std::get<CheckpointRecord>(r).episode_id, UINT64_MAX);
}

TEST(CanonicalDecodeErrorTest, NonCanonicalVarint) {
  ExpectError(FromHex("20 80 00"), DecodeErrorKind::kNonCanonicalVarint, 1);
  ExpectError(Frame(0x20, FromHex("80 00") + Clock(kNow) + FromHex("03")),
              DecodeErrorKind::kNonCanonicalVarint, 2);
  ExpectError(Frame(0x20, FromHex("2a") + Clock(kNow) + FromHex("83 00")),
              DecodeErrorKind::kNonCanonicalVarint, 11);
  // A zigzag integer value and an array count.
  ExpectError(Frame(0x01, SemBody(FromHex("02 82 00"))), DecodeErrorKind::kNonCanonicalVarint, 6);
}

TEST(CanonicalDecodeErrorTest, InvalidFlagBits) {
  for (int flags : {0x02, 0x04, 0x80, 0xff}) {
    ExpectError(Frame(0x01, SemBody(FromHex("01 02"), static_cast<uint8_t>(flags))),
                DecodeErrorKind::kInvalidFlagBits, 42);
  }
  InfRecord inf;
  inf.derived_from = {1};
  inf.projected = true;
  inf.stale = true;
  std::string bytes = Encode(inf);
  CanonicalRecord r;
  ASSERT_TRUE(DecodeOne(bytes, &r).ok());
  EXPECT_EQ(static_cast<uint8_t>(bytes.back()), 0x03);
  bytes.back() = 0x07;
  ExpectError(bytes, DecodeErrorKind::kInvalidFlagBits, bytes.size() - 1);
}

TEST(CanonicalDecodeErrorTest, InvalidDiscriminant) {
  ProRecord pro;
  pro.precondition = Value::Boolean(true);
  std::string bytes = Encode(pro);
  // memory_id 0, rule_id 0, trigger 01 00, action 01 00, then has_pre at body offset 6.
  ASSERT_EQ(static_cast<uint8_t>(bytes[2 + 6]), 1);
  for (int d : {2, 0xff}) {
    bytes[2 + 6] = static_cast<char>(d);
    ExpectError(bytes, DecodeErrorKind::kInvalidDiscriminant, 8);
  }
}

// ---- Other decoder rules ----

TEST(CanonicalDecodeTest, BooleanReaderAcceptsAnyNonZero) {
  for (int b : {1, 2, 0x7f, 0xff}) {
    CanonicalRecord r;
    ASSERT_TRUE(DecodeOne(Frame(0x01, SemBody(FromHex("04") + std::string(1, char(b)))), &r).ok());
    EXPECT_EQ(std::get<SemRecord>(r).o, Value::Boolean(true));
    // The writer always emits 1.
    EXPECT_EQ(Encode(r), Frame(0x01, SemBody(FromHex("04 01"))));
  }
  CanonicalRecord r;
  ASSERT_TRUE(DecodeOne(Frame(0x01, SemBody(FromHex("04 00"))), &r).ok());
  EXPECT_EQ(std::get<SemRecord>(r).o, Value::Boolean(false));
}

TEST(CanonicalDecodeTest, HugeCountsRejectedBeforeAllocation) {
  const std::string max = FromHex("ff ff ff ff ff ff ff ff ff 01");
  const std::string near_max = FromHex("fe ff ff ff ff ff ff ff ff 01");
  for (const std::string& count : {max, near_max, FromHex("80 80 80 80 80 80 80 80 40")}) {
    // EPI participants.
    ExpectError(Frame(0x02, FromHex("01 02 03") + count + FromHex("00 00 00")),
                DecodeErrorKind::kTruncated, 5);
    // INF derived_from.
    ExpectError(Frame(0x04, FromHex("01 02 03 01 04") + count + FromHex("00")),
                DecodeErrorKind::kTruncated, 7);
    // EPISODE_META retracted.
    ExpectError(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("00 00") + count),
                DecodeErrorKind::kTruncated, 13);
    // String lengths.
    ExpectError(Frame(0x30, FromHex("00") + count + FromHex("61 00")), DecodeErrorKind::kTruncated,
                3);
  }
  // A count equal to the bytes left is read element by element.
  CanonicalRecord r;
  ASSERT_TRUE(
      DecodeOne(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("00 00 02 07 08")), &r).ok());
  EXPECT_EQ(std::get<EpisodeMetaRecord>(r).retracted, (std::vector<SymbolId>{7, 8}));
  ExpectError(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("00 00 03 07 08")),
              DecodeErrorKind::kTruncated, 13);
}

TEST(CanonicalDecodeTest, EmptyLabelIsNone) {
  EpisodeMetaRecord meta{5, kNow, "", std::nullopt, {}};
  EXPECT_EQ(ToHex(Encode(meta)),
            ToHex(Frame(0x21, FromHex("05") + Clock(kNow) + FromHex("00 00 00"))));
}

TEST(CanonicalDecodeTest, DecodeAllReportsAbsoluteOffsets) {
  std::string stream;
  for (const CanonicalRecord& r : GoldenBatch()) EncodeRecord(r, &stream);
  stream += FromHex("20 80 00");
  std::vector<CanonicalRecord> records;
  const DecodeError e = DecodeAll(stream, &records);
  EXPECT_EQ(e.kind, DecodeErrorKind::kNonCanonicalVarint);
  EXPECT_EQ(e.offset, 171u);
  EXPECT_EQ(records.size(), 8u);
  EXPECT_TRUE(e.ToStatus().IsCorruption());
  EXPECT_EQ(e.ToString(), "non-canonical varint at offset 171");
}

TEST(CanonicalDecodeTest, DecodesOneRecordAndLeavesTheRest) {
  std::string stream = Encode(CheckpointRecord{1, 2, 3}) + "tail";
  std::string_view in = stream;
  CanonicalRecord r;
  ASSERT_TRUE(DecodeRecord(&in, &r).ok());
  EXPECT_EQ(in, "tail");
}

// Totality: random bytes and mutated records never crash the decoder; whatever
// decodes consumed only its own bytes.
TEST(CanonicalDecodeTest, RandomBytesNeverCrash) {
  RecordGen gen(31337);
  std::mt19937_64& rng = gen.rng();
  for (int i = 0; i < 20000; ++i) {
    std::string bytes;
    if (i % 2 == 0) {
      bytes = Encode(gen.Make(kAllOpcodes[rng() % kOpcodeCount], true));
      const int flips = 1 + static_cast<int>(rng() % 3);
      for (int f = 0; f < flips; ++f)
        bytes[rng() % bytes.size()] ^= static_cast<char>(1 + rng() % 255);
    } else {
      bytes.resize(rng() % 64);
      for (char& c : bytes) c = static_cast<char>(rng());
      if (!bytes.empty() && rng() % 2 == 0) {
        bytes[0] = static_cast<char>(kAllOpcodes[rng() % kOpcodeCount]);
      }
    }
    std::string_view in = bytes;
    CanonicalRecord r;
    const DecodeError e = DecodeRecord(&in, &r);
    if (e.ok()) {
      ASSERT_LT(in.size(), bytes.size());
    } else {
      ASSERT_EQ(in.size(), bytes.size());
      ASSERT_LE(e.offset, bytes.size());
    }
  }
}

// ---- Accessors ----

TEST(CanonicalRecordTest, OpcodesNamesAndCommitClocks) {
  RecordGen gen(1);
  EXPECT_EQ(static_cast<int>(kAllOpcodes[kOpcodeCount - 1]), 0x38);
  for (Opcode op : kAllOpcodes) {
    EXPECT_EQ(OpcodeFromByte(static_cast<uint8_t>(op)), op);
    const CanonicalRecord r = gen.Make(op, false);
    EXPECT_EQ(OpcodeOf(r), op);
    EXPECT_EQ(RecordName(r).rfind(std::string(OpcodeName(op)) + " #", 0), 0u) << RecordName(r);
  }
  EXPECT_EQ(OpcodeName(Opcode::kStaleParent), "STALE_PARENT");
  EXPECT_EQ(OpcodeName(Opcode::kAuthoritativeClear), "AUTHORITATIVE_CLEAR");

  SemRecord sem;
  sem.valid_at = 1;
  sem.committed_at = 7;
  EXPECT_EQ(CommitClock(sem), 7u);
  EpiRecord epi;
  epi.committed_at = 8;
  EXPECT_EQ(CommitClock(epi), 8u);
  ProRecord pro;
  pro.committed_at = 9;
  EXPECT_EQ(CommitClock(pro), 9u);
  InfRecord inf;
  inf.committed_at = 10;
  EXPECT_EQ(CommitClock(inf), 10u);
  EXPECT_EQ(CommitClock(EdgeRecord{EdgeKind::kStaleParent, 1, 2, 11}), 11u);
  EXPECT_EQ(CommitClock(CheckpointRecord{1, 12, 0}), 12u);
  EXPECT_EQ(CommitClock(EpisodeMetaRecord{1, 13, "", std::nullopt, {}}), 13u);
  EXPECT_EQ(
      CommitClock(SymbolEventRecord{SymbolEventKind::kRename, 1, "x", SymbolKind::kAgent, 14}),
      14u);
  EXPECT_EQ(CommitClock(FlagRecord{FlagKind::kUnpin, 1, 15, 2}), 15u);
  EXPECT_EQ(RecordName(EdgeRecord{EdgeKind::kSupersedes, 7, 3, 1}), "SUPERSEDES #7->#3");
  EXPECT_EQ(RecordName(FlagRecord{FlagKind::kPin, 4, 1, 2}), "PIN #4");
}

TEST(CanonicalRecordTest, EveryErrorKindHasAName) {
  for (int k = 0; k <= static_cast<int>(DecodeErrorKind::kInvalidDiscriminant); ++k) {
    EXPECT_NE(DecodeErrorKindName(static_cast<DecodeErrorKind>(k)), "unknown error") << k;
  }
}

}  // namespace
}  // namespace urd::mem
