// Copyright urd authors. Tests of app/vector_io: JSON vectors, JSONL records and
// queries, raw f32 and fvecs files (over the in-memory Env).

#include "app/vector_io.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <limits>
#include <string>
#include <vector>

namespace urd::app {
namespace {

using nlohmann::json;

// Asserts InvalidArgument whose message contains `needle`.
#define EXPECT_INVALID(expr, needle)                                               \
  do {                                                                             \
    auto r_ = (expr);                                                              \
    ASSERT_FALSE(r_.ok());                                                         \
    EXPECT_TRUE(r_.status().IsInvalidArgument()) << r_.status().ToString();        \
    EXPECT_NE(r_.status().ToString().find(needle), std::string::npos)              \
        << "message: " << r_.status().ToString() << "\nexpected to contain: " << needle; \
  } while (0)

TEST(VectorFromJsonTest, AcceptsIntegersAndFloats) {
  auto v = VectorFromJson(json::parse("[1, -2.5, 0, 3e2]"), "vector", 4);
  ASSERT_TRUE(v.ok()) << v.status().ToString();
  EXPECT_EQ(*v, (std::vector<float>{1.0f, -2.5f, 0.0f, 300.0f}));
  // dim 0: any length.
  EXPECT_EQ(VectorFromJson(json::parse("[0.5]"), "vector", 0)->size(), 1u);
}

TEST(VectorFromJsonTest, RejectsNonArraysAndEmpty) {
  EXPECT_INVALID(VectorFromJson(json::parse("{\"a\":1}"), "vector", 0),
                 "vector: must be an array of numbers, got object");
  EXPECT_INVALID(VectorFromJson(json::parse("\"1,2\""), "vector", 0), "got string");
  EXPECT_INVALID(VectorFromJson(json::parse("[]"), "vector", 0), "vector: is empty");
}

TEST(VectorFromJsonTest, RejectsNonNumbers) {
  EXPECT_INVALID(VectorFromJson(json::parse("[1, \"2\", 3]"), "vector", 3),
                 "vector[1]: expected a number, got string");
  EXPECT_INVALID(VectorFromJson(json::parse("[true, 1]"), "q", 2),
                 "q[0]: expected a number, got boolean");
  EXPECT_INVALID(VectorFromJson(json::parse("[1, null]"), "q", 2),
                 "q[1]: expected a number, got null");
  EXPECT_INVALID(VectorFromJson(json::parse("[[1], 2]"), "q", 2),
                 "q[0]: expected a number, got array");
}

TEST(VectorFromJsonTest, RejectsNonFiniteAndOutOfFloatRange) {
  json nan = json::array({1.0, std::numeric_limits<double>::quiet_NaN()});
  EXPECT_INVALID(VectorFromJson(nan, "vector", 2), "vector[1]: number is not finite");
  json inf = json::array({std::numeric_limits<double>::infinity(), 1.0});
  EXPECT_INVALID(VectorFromJson(inf, "vector", 2), "vector[0]: number is not finite");
  EXPECT_INVALID(VectorFromJson(json::parse("[1e39, 1]"), "vector", 2),
                 "vector[0]: 1e+39 is outside the range of a 32-bit float");
  EXPECT_INVALID(VectorFromJson(json::parse("[1, -1e300]"), "vector", 2), "outside the range");
}

TEST(VectorFromJsonTest, RejectsWrongDimensionAndZeros) {
  EXPECT_INVALID(VectorFromJson(json::parse("[1, 2]"), "vector", 3),
                 "vector has 2 components; the store's dimension is 3");
  EXPECT_INVALID(VectorFromJson(json::parse("[0, 0.0, 0]"), "vector", 3), "all zeros");
}

TEST(ParseVectorTextTest, NamesTheArgumentOnBadJson) {
  EXPECT_TRUE(ParseVectorText("[1,2,3]", "--vector", 3).ok());
  EXPECT_INVALID(ParseVectorText("[1,2,", "--vector", 3), "--vector: invalid JSON");
  EXPECT_INVALID(ParseVectorText("[NaN, 1]", "--vector", 2), "--vector: invalid JSON");
  EXPECT_INVALID(ParseVectorText("[1, Infinity]", "--vector", 2), "--vector: invalid JSON");
  EXPECT_INVALID(ParseVectorText("", "--vector", 2), "--vector: invalid JSON");
}

TEST(ParseJsonTextTest, RejectsIntegersBeyondInt64) {
  EXPECT_INVALID(ParseJsonText("{\"n\": 99999999999999999999}", "x"), "out of range");
  EXPECT_TRUE(ParseJsonText("{\"n\": 9223372036854775807}", "x").ok());
}

TEST(RecordFromJsonTest, ReadsIdVectorAttrs) {
  auto r = RecordFromJson(
      json::parse(R"({"id":"a","vector":[1,0],"attrs":{"k":"v","n":3,"f":1.5,"t":["x"]}})"), 2,
      1024);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->id, "a");
  EXPECT_EQ(r->vector, (std::vector<float>{1, 0}));
  EXPECT_EQ(r->attrs, (Attrs{{"f", Value::Float(1.5)},
                             {"k", Value::String("v")},
                             {"n", Value::Int(3)},
                             {"t", Value::List({"x"})}}));
  // attrs are optional; null means none.
  EXPECT_TRUE(RecordFromJson(json::parse(R"({"id":"a","vector":[1]})"), 1, 1024)->attrs.empty());
  EXPECT_TRUE(
      RecordFromJson(json::parse(R"({"id":"a","vector":[1],"attrs":null})"), 1, 1024).ok());
}

TEST(RecordFromJsonTest, RejectsMalformedRecords) {
  EXPECT_INVALID(RecordFromJson(json::parse("[1]"), 1, 1024), "expected a JSON object");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"vector":[1]})"), 1, 1024), "missing \"id\"");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"a"})"), 1, 1024), "missing \"vector\"");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":7,"vector":[1]})"), 1, 1024),
                 "id must be a string, got number");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"","vector":[1]})"), 1, 1024),
                 "record id is empty");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"abcd","vector":[1]})"), 1, 3),
                 "exceeds the maximum of 3");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"a","vector":[1],"atrs":{}})"), 1, 1024),
                 "unknown key \"atrs\"");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"a","vector":[1],"attrs":[1]})"), 1, 1024),
                 "attrs: must be an object, got array");
  EXPECT_INVALID(
      RecordFromJson(json::parse(R"({"id":"a","vector":[1],"attrs":{"o":{"x":1}}})"), 1, 1024),
      "attrs.o: an object is not a value");
  EXPECT_INVALID(
      RecordFromJson(json::parse(R"({"id":"a","vector":[1],"attrs":{"":1}})"), 1, 1024), "attrs");
  EXPECT_INVALID(RecordFromJson(json::parse(R"({"id":"a","vector":["x"]})"), 1, 1024),
                 "vector[0]: expected a number, got string");
}

TEST(ParseRecordsJsonlTest, SkipsBlankLinesAndInfersTheDimension) {
  const std::string text =
      "{\"id\":\"a\",\"vector\":[1,0,0]}\n"
      "\n"
      "   \t\r\n"
      "{\"id\":\"b\",\"vector\":[0,1,0],\"attrs\":{\"k\":1}}\r\n"
      "{\"id\":\"c\",\"vector\":[0,0,1]}";  // no final newline
  auto r = ParseRecordsJsonl(text, 0, 1024);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), 3u);
  EXPECT_EQ((*r)[1].id, "b");
  EXPECT_EQ((*r)[1].attrs, (Attrs{{"k", Value::Int(1)}}));
  EXPECT_EQ((*r)[2].vector, (std::vector<float>{0, 0, 1}));
  auto empty = ParseRecordsJsonl("\n\n", 3, 1024);
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->empty());
}

TEST(ParseRecordsJsonlTest, NamesTheLineOfTheFirstError) {
  // Blank lines count: the bad record is on line 4.
  const std::string good = "{\"id\":\"a\",\"vector\":[1,0,0]}\n";
  EXPECT_INVALID(ParseRecordsJsonl(good + "\n" + good + "{\"id\":\"b\",\"vector\":[1,0]}\n", 0,
                                   1024),
                 "line 4: vector has 2 components; the store's dimension is 3");
  EXPECT_INVALID(ParseRecordsJsonl(good + "{\"id\":\"b\",", 3, 1024), "line 2: invalid JSON");
  EXPECT_INVALID(ParseRecordsJsonl(good + "{\"id\":\"b\",\"vector\":[1,0,\"x\"]}", 3, 1024),
                 "line 2: vector[2]: expected a number, got string");
  EXPECT_INVALID(ParseRecordsJsonl("{\"id\":\"b\",\"vector\":[1,0]}", 3, 1024),
                 "line 1: vector has 2 components");
  EXPECT_INVALID(ParseRecordsJsonl(good + good + "[1,2,3]", 3, 1024),
                 "line 3: expected a JSON object");
}

TEST(ParseQueriesJsonlTest, ArraysAndObjects) {
  auto q = ParseQueriesJsonl("[1,0]\n\n{\"vector\":[0,2],\"note\":\"x\"}\n", 2);
  ASSERT_TRUE(q.ok()) << q.status().ToString();
  EXPECT_EQ(*q, (std::vector<float>{1, 0, 0, 2}));
  EXPECT_INVALID(ParseQueriesJsonl("[1,0]\n[1]\n", 2), "line 2: query has 1 components");
  EXPECT_INVALID(ParseQueriesJsonl("{\"v\":[1,0]}", 2), "line 1: missing \"vector\"");
  EXPECT_INVALID(ParseQueriesJsonl("\"x\"", 2), "line 1: expected an array of numbers");
  EXPECT_INVALID(ParseQueriesJsonl("[0,0]", 2), "line 1: query is all zeros");
  EXPECT_INVALID(ParseQueriesJsonl("\n \n", 2), "no queries");
}

// ---- binary files ----

std::string Floats(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  for (size_t i = 0; i < v.size(); i++) {
    uint32_t u;
    std::memcpy(&u, &v[i], 4);
    for (int b = 0; b < 4; b++) out[4 * i + b] = static_cast<char>((u >> (8 * b)) & 0xff);
  }
  return out;
}

std::string Int32(int32_t d) {
  std::string out(4, '\0');
  const auto u = static_cast<uint32_t>(d);
  for (int b = 0; b < 4; b++) out[b] = static_cast<char>((u >> (8 * b)) & 0xff);
  return out;
}

class VectorFileTest : public testing::Test {
 protected:
  void Put(const std::string& path, const std::string& data) {
    ASSERT_TRUE(WriteFileAtomic(env_.get(), path, data).ok());
  }
  struct Call {
    uint64_t first;
    std::vector<float> rows;
  };
  Status Read(const std::string& path, VectorFileFormat f, size_t dim, size_t batch) {
    calls_.clear();
    return ReadVectorFile(env_.get(), path, f, dim, batch,
                          [this](uint64_t first, std::span<const float> rows) {
                            calls_.push_back({first, {rows.begin(), rows.end()}});
                            return Status::OK();
                          });
  }
  std::unique_ptr<Env> env_ = NewMemEnv();
  std::vector<Call> calls_;
};

TEST_F(VectorFileTest, F32InBatches) {
  Put("/v.f32", Floats({1, 0, 0, 1, 1, 1, 2, 0, -1, 0, 3, 3}));  // 6 rows of dimension 2
  ASSERT_TRUE(Read("/v.f32", VectorFileFormat::kF32, 2, 4).ok());
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_EQ(calls_[0].first, 0u);
  EXPECT_EQ(calls_[0].rows, (std::vector<float>{1, 0, 0, 1, 1, 1, 2, 0}));
  EXPECT_EQ(calls_[1].first, 4u);
  EXPECT_EQ(calls_[1].rows, (std::vector<float>{-1, 0, 3, 3}));
}

TEST_F(VectorFileTest, F32EmptyFileHasNoRows) {
  Put("/e.f32", "");
  ASSERT_TRUE(Read("/e.f32", VectorFileFormat::kF32, 3, 10).ok());
  EXPECT_TRUE(calls_.empty());
}

TEST_F(VectorFileTest, F32SizeMustBeWholeRows) {
  Put("/v.f32", Floats({1, 2, 3, 4, 5}));
  Status s = Read("/v.f32", VectorFileFormat::kF32, 2, 10);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.ToString().find("/v.f32: 20 bytes is not a whole number of 8-byte rows (dimension 2)"),
            std::string::npos)
      << s.ToString();
  EXPECT_TRUE(calls_.empty());
}

TEST_F(VectorFileTest, F32BadRowsAreNamed) {
  Put("/nan.f32", Floats({1, 1, 1, 1, 1, std::numeric_limits<float>::quiet_NaN()}));
  Status s = Read("/nan.f32", VectorFileFormat::kF32, 2, 10);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.ToString().find("/nan.f32: row 2 has a non-finite component at index 1"),
            std::string::npos)
      << s.ToString();
  Put("/zero.f32", Floats({1, 1, 0, 0}));
  s = Read("/zero.f32", VectorFileFormat::kF32, 2, 1);
  EXPECT_NE(s.ToString().find("row 1 is all zeros"), std::string::npos) << s.ToString();
  EXPECT_EQ(calls_.size(), 1u);  // the batch before the bad row was delivered
}

TEST_F(VectorFileTest, MissingFileIsNotFound) {
  EXPECT_TRUE(Read("/nope", VectorFileFormat::kF32, 2, 1).IsNotFound());
  EXPECT_TRUE(FvecsDimension(env_.get(), "/nope").status().IsNotFound());
}

TEST_F(VectorFileTest, FvecsInBatches) {
  Put("/v.fvecs", Int32(3) + Floats({1, 2, 3}) + Int32(3) + Floats({4, 5, 6}) + Int32(3) +
                      Floats({7, 8, 9}));
  EXPECT_EQ(*FvecsDimension(env_.get(), "/v.fvecs"), 3u);
  ASSERT_TRUE(Read("/v.fvecs", VectorFileFormat::kFvecs, 3, 2).ok());
  ASSERT_EQ(calls_.size(), 2u);
  EXPECT_EQ(calls_[0].first, 0u);
  EXPECT_EQ(calls_[0].rows, (std::vector<float>{1, 2, 3, 4, 5, 6}));
  EXPECT_EQ(calls_[1].first, 2u);
  EXPECT_EQ(calls_[1].rows, (std::vector<float>{7, 8, 9}));
}

TEST_F(VectorFileTest, FvecsDimensionMismatchAndTruncation) {
  Put("/d.fvecs", Int32(2) + Floats({1, 2}) + Int32(3) + Floats({1, 2, 3}));
  Status s = Read("/d.fvecs", VectorFileFormat::kFvecs, 2, 10);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(s.ToString().find("/d.fvecs: vector 1 at offset 12 declares dimension 3; expected 2"),
            std::string::npos)
      << s.ToString();
  Put("/t.fvecs", Int32(2) + Floats({1, 2}) + Int32(2) + Floats({1}));
  s = Read("/t.fvecs", VectorFileFormat::kFvecs, 2, 10);
  EXPECT_NE(s.ToString().find("vector 1 at offset 12 is truncated"), std::string::npos)
      << s.ToString();
  Put("/h.fvecs", Int32(2) + Floats({1, 2}) + "\x02\x00");  // half a header
  s = Read("/h.fvecs", VectorFileFormat::kFvecs, 2, 10);
  EXPECT_NE(s.ToString().find("vector 1 at offset 12 is truncated"), std::string::npos)
      << s.ToString();
  Put("/z.fvecs", Int32(2) + Floats({0, 0}));
  s = Read("/z.fvecs", VectorFileFormat::kFvecs, 2, 10);
  EXPECT_NE(s.ToString().find("row 0 is all zeros"), std::string::npos) << s.ToString();
}

TEST_F(VectorFileTest, FvecsDimensionOfBadHeaders) {
  Put("/short", "\x01\x00");
  EXPECT_TRUE(FvecsDimension(env_.get(), "/short").status().IsInvalidArgument());
  Put("/neg", Int32(-4) + Floats({1}));
  EXPECT_INVALID(FvecsDimension(env_.get(), "/neg"), "declares dimension -4");
  Put("/zero", Int32(0));
  EXPECT_INVALID(FvecsDimension(env_.get(), "/zero"), "declares dimension 0");
}

TEST_F(VectorFileTest, CallbackErrorStopsTheRead) {
  Put("/v.f32", Floats({1, 0, 0, 1, 1, 1}));
  int calls = 0;
  Status s = ReadVectorFile(env_.get(), "/v.f32", VectorFileFormat::kF32, 2, 1,
                            [&](uint64_t, std::span<const float>) {
                              return ++calls == 2 ? Status::IOError("stop") : Status::OK();
                            });
  EXPECT_TRUE(s.IsIOError());
  EXPECT_EQ(calls, 2);
}

TEST_F(VectorFileTest, ReadInputReadsAFile) {
  Put("/in.jsonl", "abc\n");
  EXPECT_EQ(*ReadInput(env_.get(), "/in.jsonl"), "abc\n");
  EXPECT_TRUE(ReadInput(env_.get(), "/missing").status().IsNotFound());
}

}  // namespace
}  // namespace urd::app
