// Copyright urd authors. Tests of the nidus 0.3.0 store reader: golden stores made
// by tests/testdata/make_nidus_golden.py from the spec's byte rules, and in-memory
// stores for every header error, every decode failure class and every cut point.

#include "vector/nidus_reader.h"

#include <gtest/gtest.h>
#include <zlib.h>

#include <cstring>
#include <string>
#include <utility>
#include <vector>

namespace urd::vec {
namespace {

const std::string kGoldenDir = std::string(URD_TESTDATA_DIR) + "/nidus_v0.3.0";

// ---- an independent little encoder for the nidus formats ----

std::string U8(uint8_t v) { return std::string(1, static_cast<char>(v)); }
std::string U16(uint16_t v) { return {static_cast<char>(v & 0xFF), static_cast<char>(v >> 8)}; }
std::string U32(uint32_t v) {
  std::string s;
  for (int i = 0; i < 4; ++i) s.push_back(static_cast<char>((v >> (8 * i)) & 0xFF));
  return s;
}
std::string U64(uint64_t v) {
  return U32(static_cast<uint32_t>(v)) + U32(static_cast<uint32_t>(v >> 32));
}
std::string F32(float f) {
  uint32_t bits;
  std::memcpy(&bits, &f, 4);
  return U32(bits);
}
std::string Str(std::string_view s) { return U64(s.size()) + std::string(s); }

std::string VNull() { return U32(0); }
std::string VStr(std::string_view s) { return U32(1) + Str(s); }
std::string VInt(int64_t v) { return U32(2) + U64(static_cast<uint64_t>(v)); }
std::string VBool(bool b) { return U32(3) + U8(b ? 1 : 0); }
std::string VList(const std::vector<std::string>& items) {
  std::string s = U32(4) + U64(items.size());
  for (const auto& i : items) s += Str(i);
  return s;
}

// Map entries are written in the order given (so tests can write unsorted maps).
using RawMap = std::vector<std::pair<std::string, std::string>>;  // key, encoded value
std::string Map(const RawMap& m) {
  std::string s = U64(m.size());
  for (const auto& [k, v] : m) s += Str(k) + v;
  return s;
}
std::string MetaMap(const std::vector<std::pair<std::string, std::string>>& m) {
  std::string s = U64(m.size());
  for (const auto& [k, v] : m) s += Str(k) + Str(v);
  return s;
}

std::string OpCreate(std::string_view c) { return U32(0) + Str(c); }
std::string OpDrop(std::string_view c) { return U32(1) + Str(c); }
std::string OpSetMeta(std::string_view c,
                      const std::vector<std::pair<std::string, std::string>>& m) {
  return U32(2) + Str(c) + MetaMap(m);
}
std::string OpUpsert(std::string_view c, std::string_view id, uint64_t row,
                     const RawMap& attrs = {}) {
  return U32(3) + Str(c) + Str(id) + U64(row) + Map(attrs);
}
std::string OpDelete(std::string_view c, std::string_view id) { return U32(4) + Str(c) + Str(id); }

uint32_t Crc(std::string_view p) {
  return static_cast<uint32_t>(
      crc32(0L, reinterpret_cast<const Bytef*>(p.data()), static_cast<uInt>(p.size())));
}
std::string Frame(std::string_view payload) {
  return U32(static_cast<uint32_t>(payload.size())) + std::string(payload) + U32(Crc(payload));
}

std::string Header(uint32_t dim, uint16_t version = 1) {
  std::string h = std::string("NIDUS", 5) + std::string(1, '\0') + U16(version) + U32(dim);
  h.resize(64, '\0');
  return h;
}
std::string DataFile(uint32_t dim, const std::vector<std::vector<float>>& rows) {
  std::string s = Header(dim);
  for (const auto& r : rows) {
    for (float f : r) s += F32(f);
  }
  return s;
}

// A dim-2 data file with `n` distinct rows: row i = [i, -i].
std::string Rows2(int n) {
  std::vector<std::vector<float>> rows;
  for (int i = 0; i < n; ++i) rows.push_back({static_cast<float>(i), -static_cast<float>(i)});
  return DataFile(2, rows);
}

// ---- helpers ----

class NidusMem : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(env_->CreateDir("/s").ok()); }

  void Put(const std::string& name, std::string_view bytes) {
    auto f = env_->NewWritableFile("/s/" + name, WriteMode::kTruncate);
    ASSERT_TRUE(f.ok()) << f.status().ToString();
    ASSERT_TRUE((*f)->Append(bytes).ok());
    ASSERT_TRUE((*f)->Close().ok());
  }
  void PutStore(std::string_view data, std::string_view log) {
    Put("data", data);
    Put("log", log);
  }
  Result<NidusStore> Read() { return ReadNidusStore(env_.get(), "/s"); }

  std::unique_ptr<Env> env_ = NewMemEnv();
};

std::string ReadBytes(const std::string& path) {
  auto s = ReadFileToString(Env::Default(), path);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? *s : std::string();
}

Result<NidusStore> ReadGolden(const std::string& name) {
  return ReadNidusStore(Env::Default(), kGoldenDir + "/" + name);
}

std::vector<std::string> DocIds(const NidusCollection& c) {
  std::vector<std::string> ids;
  for (const auto& d : c.docs) ids.push_back(d.id);
  return ids;
}

// The expected state of the `full` golden store (see make_nidus_golden.py).
void ExpectFullState(const NidusStore& s) {
  EXPECT_EQ(s.dimension, 4u);
  EXPECT_EQ(s.rows, 7u);
  EXPECT_EQ(s.dead_rows, 3u);  // docs/a overwritten, docs/b deleted, tmp dropped (1 doc)
  EXPECT_EQ(s.ops, 19u);
  EXPECT_EQ(s.skipped_upserts, 2u);

  std::vector<std::string> names;
  for (const auto& [n, c] : s.collections) names.push_back(n);
  EXPECT_EQ(names, (std::vector<std::string>{"docs", "meta_only", "notes"}));

  const NidusCollection& docs = s.collections.at("docs");
  EXPECT_EQ(docs.meta, (std::map<std::string, std::string>{{"model", "m1"}, {"owner", "ann"}}));
  ASSERT_EQ(DocIds(docs), std::vector<std::string>{"a"});
  EXPECT_EQ(docs.docs[0].vector, (std::vector<float>{0.5f, 0.5f, 0.5f, 0.5f}));
  EXPECT_EQ(docs.docs[0].attrs, (Attrs{{"lo", Value::Int(INT64_MIN)}, {"s", Value::String("y")}}));

  const NidusCollection& meta_only = s.collections.at("meta_only");
  EXPECT_EQ(meta_only.meta, (std::map<std::string, std::string>{{"k", "v"}}));
  EXPECT_TRUE(meta_only.docs.empty());

  const NidusCollection& notes = s.collections.at("notes");
  EXPECT_TRUE(notes.meta.empty());  // SetMeta replaces, the last one was empty
  ASSERT_EQ(DocIds(notes), (std::vector<std::string>{"n1",
                                                     "\xc3\xb1"
                                                     "2"}));
  EXPECT_EQ(notes.docs[0].vector, (std::vector<float>{0.6f, 0.8f, 0.0f, 0.0f}));
  EXPECT_TRUE(notes.docs[0].attrs.empty());
  EXPECT_EQ(notes.docs[1].vector, (std::vector<float>{0.0f, 0.0f, -1.0f, 0.0f}));
  EXPECT_EQ(notes.docs[1].attrs, (Attrs{{"e", Value::String("")},
                                        {"t\xc3\xa9", Value::String("\xe6\x97\xa5\xe6\x9c\xac")},
                                        {"x", Value::List({"", "\xc3\xa9"})}}));
}

// ---- golden stores ----

TEST(NidusGolden, Basic) {
  auto s = ReadGolden("basic");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->dimension, 3u);
  EXPECT_EQ(s->rows, 1u);
  EXPECT_EQ(s->dead_rows, 0u);
  EXPECT_EQ(s->ops, 2u);
  EXPECT_EQ(s->ignored_partial_row_bytes, 0u);
  EXPECT_EQ(s->ignored_torn_log_bytes, 0u);
  EXPECT_EQ(s->skipped_upserts, 0u);
  ASSERT_EQ(s->collections.size(), 1u);
  const NidusCollection& docs = s->collections.at("docs");
  EXPECT_TRUE(docs.meta.empty());
  ASSERT_EQ(docs.docs.size(), 1u);
  EXPECT_EQ(docs.docs[0].id, "a");
  EXPECT_EQ(docs.docs[0].vector, (std::vector<float>{1.0f, 0.0f, 0.0f}));
  EXPECT_EQ(docs.docs[0].attrs, (Attrs{{"kind", Value::String("file")}}));
}

// The golden bytes are the spec's §2.3 example; our encoder must produce them too.
TEST(NidusGolden, BasicBytesMatchTheSpecExample) {
  const std::string log = ReadBytes(kGoldenDir + "/basic/log");
  const std::string expected =
      Frame(OpCreate("docs")) + Frame(OpUpsert("docs", "a", 0, {{"kind", VStr("file")}}));
  EXPECT_EQ(log, expected);
  ASSERT_EQ(log.size(), 101u);
  EXPECT_EQ(log.substr(20, 4), "\x81\x84\xae\x9f");
  EXPECT_EQ(log.substr(97, 4), "\xf3\x53\x0b\x84");
  EXPECT_EQ(ReadBytes(kGoldenDir + "/basic/data"), DataFile(3, {{1.0f, 0.0f, 0.0f}}));
}

TEST(NidusGolden, Full) {
  auto s = ReadGolden("full");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFullState(*s);
  EXPECT_EQ(s->ignored_partial_row_bytes, 0u);
  EXPECT_EQ(s->ignored_torn_log_bytes, 0u);
}

TEST(NidusGolden, TornTailsAreIgnoredAndCounted) {
  auto s = ReadGolden("torn");
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFullState(*s);
  EXPECT_EQ(s->ignored_partial_row_bytes, 6u);
  EXPECT_EQ(s->ignored_torn_log_bytes, 72u);  // a 77-byte frame that lost 5 bytes
}

TEST(NidusGolden, CorruptMiddleFrameIsAnError) {
  auto s = ReadGolden("corrupt");
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  const std::string msg(s.status().message());
  EXPECT_NE(msg.find("log corruption at offset 128: checksum mismatch"), std::string::npos) << msg;
  EXPECT_NE(msg.find("corrupt/log"), std::string::npos) << msg;
}

TEST(NidusGolden, ReadingChangesNothing) {
  const std::string dir = kGoldenDir + "/torn";
  const std::string data = ReadBytes(dir + "/data");
  const std::string log = ReadBytes(dir + "/log");
  auto before = Env::Default()->GetChildren(dir);
  ASSERT_TRUE(before.ok());
  ASSERT_TRUE(ReadGolden("torn").ok());
  EXPECT_EQ(ReadBytes(dir + "/data"), data);  // the partial row is not truncated
  EXPECT_EQ(ReadBytes(dir + "/log"), log);    // nor the torn frame
  auto after = Env::Default()->GetChildren(dir);
  ASSERT_TRUE(after.ok());
  EXPECT_EQ(*after, *before);  // no lock file, no temp files
  EXPECT_EQ(*after, (std::vector<std::string>{"data", "log"}));
}

// The same bytes through MemEnv give the same state (the Env is all that is used).
TEST_F(NidusMem, GoldenFullThroughMemEnv) {
  PutStore(ReadBytes(kGoldenDir + "/full/data"), ReadBytes(kGoldenDir + "/full/log"));
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  ExpectFullState(*s);
}

// ---- directory and `data` header ----

TEST_F(NidusMem, MissingDirectoryIsNotFound) {
  auto s = ReadNidusStore(env_.get(), "/nope");
  EXPECT_TRUE(s.status().IsNotFound()) << s.status().ToString();
}

TEST_F(NidusMem, EmptyDirectoryIsAnEmptyStore) {
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->dimension, 0u);
  EXPECT_EQ(s->rows, 0u);
  EXPECT_TRUE(s->collections.empty());
}

TEST_F(NidusMem, EmptyDataAndLogIsAnEmptyStore) {
  PutStore("", "");
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->dimension, 0u);
  EXPECT_EQ(s->ops, 0u);
}

TEST_F(NidusMem, MissingDataWithLogIsCorruption) {
  Put("log", Frame(OpCreate("c")));
  auto s = Read();
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("missing"), std::string::npos);
}

TEST_F(NidusMem, EmptyDataWithLogIsCorruption) {
  PutStore("", Frame(OpCreate("c")));
  auto s = Read();
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("empty"), std::string::npos);
}

TEST_F(NidusMem, DataWithoutLogHasRowsButNoCollections) {
  Put("data", Rows2(3));
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->dimension, 2u);
  EXPECT_EQ(s->rows, 3u);
  EXPECT_EQ(s->dead_rows, 0u);  // orphans are not dead
  EXPECT_TRUE(s->collections.empty());
}

TEST_F(NidusMem, HeaderOnlyDataHasNoRows) {
  PutStore(Header(5), Frame(OpCreate("c")) + Frame(OpUpsert("c", "x", 0)));
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->rows, 0u);
  EXPECT_EQ(s->skipped_upserts, 1u);
  EXPECT_TRUE(s->collections.at("c").docs.empty());
}

TEST_F(NidusMem, DataShorterThanHeaderIsTruncated) {
  for (size_t len = 1; len < kNidusHeaderSize; ++len) {
    PutStore(Header(2).substr(0, len), "");
    auto s = Read();
    ASSERT_TRUE(s.status().IsCorruption()) << len << ": " << s.status().ToString();
    const std::string msg(s.status().message());
    EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
    EXPECT_NE(msg.find("/s/data"), std::string::npos) << msg;
  }
}

TEST_F(NidusMem, DimensionZeroIsCorruption) {
  PutStore(Header(0), "");
  auto s = Read();
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("dimension is 0"), std::string::npos);
}

TEST_F(NidusMem, BadMagicIsCorruption) {
  std::string data = Rows2(1);
  data[0] = 'M';
  PutStore(data, "");
  auto s = Read();
  EXPECT_TRUE(s.status().IsCorruption()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("bad magic"), std::string::npos);
  data = Rows2(1);
  data[5] = '!';  // the NUL of the magic
  PutStore(data, "");
  EXPECT_TRUE(Read().status().IsCorruption());
}

TEST_F(NidusMem, Version2IsNotSupported) {
  PutStore(Header(2, 2), "");
  auto s = Read();
  EXPECT_TRUE(s.status().IsNotSupported()) << s.status().ToString();
  EXPECT_NE(s.status().message().find("version 2"), std::string::npos);
}

TEST_F(NidusMem, Version0IsCorruption) {
  PutStore(Header(2, 0), "");
  EXPECT_TRUE(Read().status().IsCorruption());
}

TEST_F(NidusMem, NonCosineMetricIsNotSupported) {
  const std::pair<uint8_t, const char*> cases[] = {
      {1, "Euclidean"}, {2, "DotProduct"}, {7, "unknown"}};
  for (const auto& [byte, name] : cases) {
    std::string data = Rows2(1);
    data[12] = static_cast<char>(byte);
    PutStore(data, "");
    auto s = Read();
    ASSERT_TRUE(s.status().IsNotSupported()) << s.status().ToString();
    const std::string msg(s.status().message());
    EXPECT_NE(msg.find(name), std::string::npos) << msg;
    EXPECT_NE(msg.find("metric"), std::string::npos) << msg;
  }
}

TEST_F(NidusMem, NonZeroHeaderPaddingIsNotSupported) {
  for (size_t i = 13; i < kNidusHeaderSize; ++i) {
    std::string data = Rows2(1);
    data[i] = 1;
    PutStore(data, "");
    EXPECT_TRUE(Read().status().IsNotSupported()) << i;
  }
}

TEST_F(NidusMem, PartialTrailingRowIsIgnoredAndCounted) {
  for (size_t extra = 1; extra < 8; ++extra) {
    PutStore(Rows2(2) + std::string(extra, '\x7f'),
             Frame(OpUpsert("c", "a", 1)) + Frame(OpUpsert("c", "b", 2)));
    auto s = Read();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->rows, 2u);
    EXPECT_EQ(s->ignored_partial_row_bytes, extra);
    EXPECT_EQ(s->skipped_upserts, 1u);  // row 2 is the partial one
    ASSERT_EQ(DocIds(s->collections.at("c")), std::vector<std::string>{"a"});
    EXPECT_EQ(s->collections.at("c").docs[0].vector, (std::vector<float>{1.0f, -1.0f}));
  }
}

// ---- replay rules (§2.5) ----

TEST_F(NidusMem, ReplayRules) {
  std::string log;
  log += Frame(OpUpsert("c", "x", 0, {{"v", VInt(1)}}));  // implicit create
  log += Frame(OpUpsert("c", "x", 1, {{"v", VInt(2)}}));  // overwrite: dead 1
  log += Frame(OpUpsert("c", "x", 9, {{"v", VInt(3)}}));  // skipped: keeps row 1, no dead
  log += Frame(OpUpsert("c", "y", 2));
  log += Frame(OpUpsert("d", "z", 3));
  log += Frame(OpUpsert("d", "w", 3));  // two docs may share a row
  log += Frame(OpCreate("c"));          // ensure: keeps docs
  log += Frame(OpDelete("c", "y"));     // dead 2
  log += Frame(OpDelete("c", "y"));     // already gone
  log += Frame(OpDrop("d"));            // dead 4
  log += Frame(OpCreate("d"));          // fresh and empty
  log += Frame(OpSetMeta("e", {{"a", "1"}, {"b", "2"}}));
  log += Frame(OpSetMeta("e", {{"c", "3"}}));  // replace, not merge
  PutStore(Rows2(4), log);
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ops, 13u);
  EXPECT_EQ(s->dead_rows, 4u);
  EXPECT_EQ(s->skipped_upserts, 1u);
  const NidusCollection& c = s->collections.at("c");
  ASSERT_EQ(DocIds(c), std::vector<std::string>{"x"});
  EXPECT_EQ(c.docs[0].vector, (std::vector<float>{1.0f, -1.0f}));
  EXPECT_EQ(c.docs[0].attrs, (Attrs{{"v", Value::Int(2)}}));
  EXPECT_TRUE(s->collections.at("d").docs.empty());
  EXPECT_EQ(s->collections.at("e").meta, (std::map<std::string, std::string>{{"c", "3"}}));
  EXPECT_TRUE(s->collections.at("e").docs.empty());
}

TEST_F(NidusMem, SharedRowAndSortedIds) {
  std::string log;
  for (const char* id : {"b", "\xc3\xa9", "A", "a", ""}) log += Frame(OpUpsert("c", id, 1));
  PutStore(Rows2(2), log);
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const NidusCollection& c = s->collections.at("c");
  EXPECT_EQ(DocIds(c), (std::vector<std::string>{"", "A", "a", "b", "\xc3\xa9"}));  // byte order
  for (const auto& d : c.docs) EXPECT_EQ(d.vector, (std::vector<float>{1.0f, -1.0f})) << d.id;
}

TEST_F(NidusMem, ManyRowsAcrossReadChunks) {
  // dim 300 -> 1200-byte rows, 873 rows per 1 MiB chunk; 2000 rows span 3 chunks.
  const uint32_t dim = 300;
  const int n = 2000;
  std::string data = Header(dim);
  for (int r = 0; r < n; ++r) {
    for (uint32_t k = 0; k < dim; ++k)
      data += F32(static_cast<float>(r * 1000 + static_cast<int>(k)));
  }
  std::string log;
  for (int r = n - 1; r >= 0; r -= 3) log += Frame(OpUpsert("c", "id" + std::to_string(r), r));
  PutStore(data, log);
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  const NidusCollection& c = s->collections.at("c");
  ASSERT_EQ(c.docs.size(), 667u);
  for (const auto& d : c.docs) {
    const int r = std::stoi(d.id.substr(2));
    ASSERT_EQ(d.vector.size(), dim);
    for (uint32_t k = 0; k < dim; ++k) {
      ASSERT_EQ(d.vector[k], static_cast<float>(r * 1000 + static_cast<int>(k))) << d.id;
    }
  }
}

// ---- op decoding ----

TEST(NidusDecode, EveryOpAndValue) {
  NidusOp op;
  ASSERT_TRUE(DecodeNidusOp(OpCreate("c"), &op).ok());
  EXPECT_EQ(op.type, NidusOpType::kCreateCollection);
  EXPECT_EQ(op.collection, "c");
  ASSERT_TRUE(DecodeNidusOp(OpDrop(""), &op).ok());
  EXPECT_EQ(op.type, NidusOpType::kDropCollection);
  EXPECT_EQ(op.collection, "");
  ASSERT_TRUE(DecodeNidusOp(OpSetMeta("m", {{"k", "v"}}), &op).ok());
  EXPECT_EQ(op.type, NidusOpType::kSetMeta);
  EXPECT_EQ(op.meta, (std::map<std::string, std::string>{{"k", "v"}}));
  ASSERT_TRUE(DecodeNidusOp(OpDelete("c", "i"), &op).ok());
  EXPECT_EQ(op.type, NidusOpType::kDelete);
  EXPECT_EQ(op.id, "i");
  const RawMap attrs = {{"b", VBool(true)},      {"f", VBool(false)}, {"i", VInt(-7)},
                        {"l", VList({"x", ""})}, {"n", VNull()},      {"s", VStr("\xe2\x82\xac")}};
  ASSERT_TRUE(DecodeNidusOp(OpUpsert("c", "i", 0xFFFFFFFFFFull, attrs), &op).ok());
  EXPECT_EQ(op.type, NidusOpType::kUpsert);
  EXPECT_EQ(op.row, 0xFFFFFFFFFFull);
  EXPECT_EQ(op.attrs, (Attrs{{"b", Value::Bool(true)},
                             {"f", Value::Bool(false)},
                             {"i", Value::Int(-7)},
                             {"l", Value::List({"x", ""})},
                             {"n", Value::Null()},
                             {"s", Value::String("\xe2\x82\xac")}}));
}

TEST(NidusDecode, UnsortedAndRepeatedKeysAsSerde) {
  NidusOp op;
  ASSERT_TRUE(
      DecodeNidusOp(OpUpsert("c", "i", 0, {{"z", VInt(1)}, {"a", VInt(2)}, {"z", VInt(3)}}), &op)
          .ok());
  EXPECT_EQ(op.attrs, (Attrs{{"a", Value::Int(2)}, {"z", Value::Int(3)}}));
}

// One malformed payload per decode-failure class, with a word its reason must carry.
struct BadPayload {
  const char* name;
  std::string payload;
  const char* reason;
};

std::vector<BadPayload> BadPayloads() {
  const std::string bad_utf8[] = {"\xff",     "\xc0\xaf", "\xed\xa0\x80", "\xf4\x90\x80\x80",
                                  "\xe2\x82", "a\x80"};
  std::vector<BadPayload> v = {
      {"empty payload", "", "ends early"},
      {"op variant 5", U32(5) + Str("c"), "unknown op variant 5"},
      {"op variant huge", U32(0xFFFFFFFF), "unknown op variant"},
      {"value variant 5", OpUpsert("c", "i", 0, {{"k", U32(5)}}), "unknown value variant 5"},
      {"bool byte 2", OpUpsert("c", "i", 0, {{"k", U32(3) + U8(2)}}), "invalid bool byte 2"},
      {"bool byte ff", OpUpsert("c", "i", 0, {{"k", U32(3) + U8(0xff)}}), "invalid bool"},
      {"trailing byte", OpCreate("c") + "x", "1 trailing bytes"},
      {"trailing upsert", OpUpsert("c", "i", 0) + U32(0), "4 trailing bytes"},
      {"string too long", U32(0) + U64(5) + "abc", "exceeds"},
      {"string len 2^64-1", U32(0) + U64(~uint64_t{0}), "exceeds"},
      {"meta count huge", U32(2) + Str("c") + U64(uint64_t{1} << 62), "exceeds"},
      {"meta count 1 no room", U32(2) + Str("c") + U64(1) + U64(0), "exceeds"},
      {"attrs count huge", U32(3) + Str("c") + Str("i") + U64(0) + U64(~uint64_t{0}), "exceeds"},
      {"list count huge", OpUpsert("c", "i", 0, {{"k", U32(4) + U64(uint64_t{1} << 60)}}),
       "exceeds"},
      {"missing row", U32(3) + Str("c") + Str("i") + "\x01\x02", "ends early"},
      {"missing value", U32(3) + Str("c") + Str("i") + U64(0) + U64(1) + Str("k") + "\x01\x02\x03",
       "ends early"},
      {"int cut", OpUpsert("c", "i", 0, {{"k", U32(2) + "\x01\x02\x03"}}), "ends early"},
  };
  for (const std::string& b : bad_utf8) {
    v.push_back({"utf8 collection", OpCreate(b), "UTF-8"});
    v.push_back({"utf8 id", OpDelete("c", b), "UTF-8"});
    v.push_back({"utf8 attr key", OpUpsert("c", "i", 0, {{b, VNull()}}), "UTF-8"});
    v.push_back({"utf8 str value", OpUpsert("c", "i", 0, {{"k", VStr(b)}}), "UTF-8"});
    v.push_back({"utf8 list item", OpUpsert("c", "i", 0, {{"k", VList({"ok", b})}}), "UTF-8"});
    v.push_back({"utf8 meta key", OpSetMeta("c", {{b, "v"}}), "UTF-8"});
    v.push_back({"utf8 meta value", OpSetMeta("c", {{"k", b}}), "UTF-8"});
  }
  return v;
}

TEST(NidusDecode, EachFailureClassIsRejected) {
  for (const BadPayload& bad : BadPayloads()) {
    NidusOp op;
    Status s = DecodeNidusOp(bad.payload, &op);
    ASSERT_TRUE(s.IsCorruption()) << bad.name << ": " << s.ToString();
    EXPECT_NE(s.message().find(bad.reason), std::string::npos) << bad.name << ": " << s.ToString();
  }
}

TEST(NidusDecode, ValidUtf8Accepted) {
  for (const char* s : {"", "plain", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80", "\xed\x9f\xbf",
                        "\xee\x80\x80", "\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf"}) {
    NidusOp op;
    EXPECT_TRUE(DecodeNidusOp(OpCreate(s), &op).ok()) << s;
  }
}

// A bad frame followed by anything is corruption at its offset; as the last frame
// it is a torn tail.
TEST_F(NidusMem, DecodeFailureInTheMiddleIsCorruptionAtTheEndIsTorn) {
  const std::string good = Frame(OpCreate("c")) + Frame(OpUpsert("c", "a", 0));
  for (const BadPayload& bad : BadPayloads()) {
    const std::string bad_frame = Frame(bad.payload);
    PutStore(Rows2(1), good + bad_frame + Frame(OpDelete("c", "a")));
    auto s = Read();
    ASSERT_TRUE(s.status().IsCorruption()) << bad.name << ": " << s.status().ToString();
    const std::string msg(s.status().message());
    EXPECT_NE(msg.find("log corruption at offset " + std::to_string(good.size()) + ": "),
              std::string::npos)
        << bad.name << ": " << msg;
    EXPECT_NE(msg.find(bad.reason), std::string::npos) << bad.name << ": " << msg;

    PutStore(Rows2(1), good + bad_frame);
    s = Read();
    ASSERT_TRUE(s.ok()) << bad.name << ": " << s.status().ToString();
    EXPECT_EQ(s->ops, 2u) << bad.name;
    EXPECT_EQ(s->ignored_torn_log_bytes, bad_frame.size()) << bad.name;
    EXPECT_EQ(DocIds(s->collections.at("c")), std::vector<std::string>{"a"}) << bad.name;
  }
}

TEST_F(NidusMem, CrcMismatchInTheMiddleIsCorruptionAtTheEndIsTorn) {
  const std::string first = Frame(OpCreate("c"));
  std::string second = Frame(OpUpsert("c", "a", 0));
  for (size_t i = 4; i < second.size(); ++i) {  // any payload or CRC byte
    std::string bad = second;
    bad[i] = static_cast<char>(bad[i] ^ 0x20);
    PutStore(Rows2(1), first + bad + Frame(OpDelete("c", "a")));
    auto s = Read();
    ASSERT_TRUE(s.status().IsCorruption()) << i;
    EXPECT_NE(s.status().message().find("log corruption at offset " + std::to_string(first.size())),
              std::string::npos)
        << s.status().ToString();

    PutStore(Rows2(1), first + bad);
    s = Read();
    ASSERT_TRUE(s.ok()) << i << ": " << s.status().ToString();
    EXPECT_EQ(s->ops, 1u);
    EXPECT_EQ(s->ignored_torn_log_bytes, bad.size());
    EXPECT_TRUE(s->collections.at("c").docs.empty());
  }
}

// ---- torn tails ----

TEST_F(NidusMem, ShortLengthFieldIsTorn) {
  for (size_t n = 1; n < 4; ++n) {
    PutStore(Rows2(1), Frame(OpCreate("c")) + std::string(n, '\x01'));
    auto s = Read();
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    EXPECT_EQ(s->ops, 1u);
    EXPECT_EQ(s->ignored_torn_log_bytes, n);
  }
}

// nidus's observed edge, kept: a length pointing past the end of the file makes
// everything from that frame on a torn tail, even if good frames follow.
TEST_F(NidusMem, MidFileLengthPastEofIsTornUpTo1MiB) {
  const std::string first = Frame(OpCreate("c"));
  std::string tail = U32(0x7FFFFFFF) + Frame(OpCreate("d")) + Frame(OpCreate("e"));
  PutStore(Rows2(1), first + tail);
  auto s = Read();
  ASSERT_TRUE(s.ok()) << s.status().ToString();
  EXPECT_EQ(s->ops, 1u);
  EXPECT_EQ(s->ignored_torn_log_bytes, tail.size());
  EXPECT_EQ(s->collections.count("d"), 0u);
}

TEST_F(NidusMem, TornTailOver1MiBIsCorruption) {
  const std::string first = Frame(OpCreate("c"));
  for (uint64_t torn : {kNidusMaxTornTailBytes, kNidusMaxTornTailBytes + 1}) {
    std::string tail = U32(0xFFFFFFFF);
    tail.resize(static_cast<size_t>(torn), 'z');
    PutStore(Rows2(1), first + tail);
    auto s = Read();
    if (torn <= kNidusMaxTornTailBytes) {
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      EXPECT_EQ(s->ignored_torn_log_bytes, torn);
    } else {
      ASSERT_TRUE(s.status().IsCorruption()) << s.status().ToString();
      const std::string msg(s.status().message());
      EXPECT_NE(msg.find("log corruption at offset " + std::to_string(first.size())),
                std::string::npos)
          << msg;
      EXPECT_NE(msg.find("torn tail of " + std::to_string(torn) + " bytes"), std::string::npos)
          << msg;
    }
  }
}

// A huge final frame with a bad CRC ends exactly at EOF but is still over the cap.
TEST_F(NidusMem, HugeBadLastFrameIsCorruption) {
  std::string payload = OpCreate(std::string(kNidusMaxTornTailBytes, 'x'));
  std::string frame = Frame(payload);
  frame.back() = static_cast<char>(frame.back() ^ 1);
  PutStore(Rows2(1), frame);
  EXPECT_TRUE(Read().status().IsCorruption());
}

TEST_F(NidusMem, LogCutAtEveryOffset) {
  const std::string full_log = ReadBytes(kGoldenDir + "/full/log");
  const std::string data = ReadBytes(kGoldenDir + "/full/data");
  std::vector<uint64_t> ends;  // end offset of each frame
  for (uint64_t off = 0; off < full_log.size();) {
    uint64_t len = 0;
    for (int k = 3; k >= 0; --k) len = (len << 8) | static_cast<uint8_t>(full_log[off + k]);
    off += 8 + len;
    ends.push_back(off);
  }
  ASSERT_EQ(ends.size(), 19u);
  ASSERT_EQ(ends.back(), full_log.size());
  for (size_t cut = 0; cut <= full_log.size(); ++cut) {
    PutStore(data, full_log.substr(0, cut));
    auto s = Read();
    ASSERT_TRUE(s.ok()) << cut << ": " << s.status().ToString();
    uint64_t whole = 0, boundary = 0;
    for (uint64_t e : ends) {
      if (e <= cut) {
        ++whole;
        boundary = e;
      }
    }
    EXPECT_EQ(s->ops, whole) << cut;
    EXPECT_EQ(s->ignored_torn_log_bytes, cut - boundary) << cut;
    if (cut == full_log.size()) ExpectFullState(*s);
  }
}

TEST_F(NidusMem, DataCutAtEveryOffset) {
  const std::string log = ReadBytes(kGoldenDir + "/full/log");
  const std::string full_data = ReadBytes(kGoldenDir + "/full/data");
  for (size_t cut = 0; cut <= full_data.size(); ++cut) {
    PutStore(full_data.substr(0, cut), log);
    auto s = Read();
    if (cut < kNidusHeaderSize) {
      ASSERT_TRUE(s.status().IsCorruption()) << cut << ": " << s.status().ToString();
      continue;
    }
    ASSERT_TRUE(s.ok()) << cut << ": " << s.status().ToString();
    EXPECT_EQ(s->rows, (cut - kNidusHeaderSize) / 16) << cut;
    EXPECT_EQ(s->ignored_partial_row_bytes, (cut - kNidusHeaderSize) % 16) << cut;
    EXPECT_EQ(s->ops, 19u);
  }
}

// Flip each byte of the log: never a crash or a sanitizer report; the result is
// either a (possibly smaller) store or Corruption.
TEST_F(NidusMem, LogByteFlipsNeverCrash) {
  const std::string log = ReadBytes(kGoldenDir + "/full/log");
  const std::string data = ReadBytes(kGoldenDir + "/full/data");
  for (size_t i = 0; i < log.size(); ++i) {
    for (uint8_t mask : {0x01, 0x80, 0xFF}) {
      std::string bad = log;
      bad[i] = static_cast<char>(bad[i] ^ mask);
      PutStore(data, bad);
      auto s = Read();
      if (!s.ok()) {
        EXPECT_TRUE(s.status().IsCorruption()) << i << ": " << s.status().ToString();
      } else {
        EXPECT_LE(s->ops, 19u) << i;
      }
    }
  }
}

}  // namespace
}  // namespace urd::vec
