// Copyright urd authors. Bad input to the VectorStore API (docs/reliability_inputs.md):
// every class of bad argument gets its error code, and the store — its files byte
// for byte and what a reader sees — is exactly as it was before the call.

#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "urd/vector_store.h"

namespace urd {
namespace {

namespace fs = std::filesystem;

VectorRecord Rec(std::string id, std::vector<float> v, Attrs attrs = {}) {
  return VectorRecord{std::move(id), std::move(v), std::move(attrs)};
}

std::string FreshDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() /
               ("urd_vec_bad_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p.string();
}

// Every regular file under `dir`, relative path -> bytes.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file()) continue;
    std::ifstream in(e.path(), std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    out[fs::relative(e.path(), dir).string()] = ss.str();
  }
  return out;
}

// What a reader of the store sees, as text.
std::string Observe(const VectorStore& s) {
  std::string out;
  for (const std::string& c : s.ListCollections()) {
    out += "[" + c + "]";
    auto meta = s.GetMeta(c);
    if (meta.ok()) {
      for (const auto& [k, v] : *meta) out += " " + k + "=" + v;
    }
    auto all = s.GetAll(c);
    if (!all.ok()) continue;
    for (const VectorRecord& r : *all) {
      out += " " + r.id + ":" + std::to_string(r.attrs.size());
      for (float f : r.vector) out += "," + std::to_string(f);
    }
    out += "\n";
  }
  const Footprint f = s.GetFootprint();
  out += "rows=" + std::to_string(f.rows) + " dead=" + std::to_string(f.dead_rows) +
         " gen=" + std::to_string(f.generation);
  return out;
}

// An on-disk store of dimension 3 with two records and metadata.
class VectorBadInputTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir(testing::UnitTest::GetInstance()->current_test_info()->name());
    VectorOptions o;
    o.dimension = 3;
    auto s = VectorStore::Open(dir_, o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    std::vector<VectorRecord> recs = {Rec("a", {1, 0, 0}, {{"n", Value::Int(1)}}),
                                      Rec("b", {0, 1, 0}, {{"n", Value::Int(2)}})};
    ASSERT_TRUE(store_->Upsert("docs", recs).ok());
    ASSERT_TRUE(store_->SetMeta("docs", {{"model", "m"}}).ok());
    files_ = Files(dir_);
    seen_ = Observe(*store_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  // The store and its files are as SetUp left them.
  void ExpectUnchanged(const std::string& what) {
    EXPECT_EQ(Observe(*store_), seen_) << what;
    EXPECT_TRUE(Files(dir_) == files_) << what << ": the store's files changed";
  }

  // `s` has `code` and its message contains `needle`; nothing changed.
  void Expect(const Status& s, StatusCode code, const std::string& needle, const std::string& what) {
    EXPECT_EQ(s.code(), code) << what << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(needle), std::string::npos)
        << what << ": " << s.ToString() << "\nexpected to contain: " << needle;
    ExpectUnchanged(what);
  }

  std::string dir_;
  std::unique_ptr<VectorStore> store_;
  std::map<std::string, std::string> files_;
  std::string seen_;
};

TEST_F(VectorBadInputTest, CollectionNames) {
  const std::string long_name(257, 'c');
  const std::string bad_utf8 = "a\xff";
  const std::string control = "a\nb";
  struct Case {
    std::string name;
    std::string needle;
  };
  const Case cases[] = {{"", "collection name is empty"},
                        {long_name, "collection name is 257 bytes; the maximum is 256"},
                        {bad_utf8, "collection name is not valid UTF-8"},
                        {control, "collection name contains a control character"}};
  const std::vector<VectorRecord> one = {Rec("x", {1, 1, 1})};
  for (const Case& c : cases) {
    Expect(store_->CreateCollection(c.name), StatusCode::kInvalidArgument, c.needle, "create");
    Expect(store_->SetMeta(c.name, {{"k", "v"}}), StatusCode::kInvalidArgument, c.needle, "meta");
    Expect(store_->Upsert(c.name, one).status(), StatusCode::kInvalidArgument, c.needle, "upsert");
  }
  EXPECT_TRUE(store_->CreateCollection(std::string(256, 'c')).ok());  // the limit itself
}

TEST_F(VectorBadInputTest, UpsertRecords) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  const float inf = std::numeric_limits<float>::infinity();
  struct Case {
    std::vector<VectorRecord> records;
    std::string needle;
  };
  const std::vector<Case> cases = {
      {{Rec("x", {1, 0})}, "record 0 ('x') vector has 2 components; the store's dimension is 3"},
      {{Rec("x", {1, 0, 0, 0})}, "has 4 components"},
      {{Rec("x", {})}, "has 0 components"},
      {{Rec("x", {1, nan, 0})}, "non-finite component at index 1"},
      {{Rec("x", {-inf, 0, 0})}, "non-finite component at index 0"},
      {{Rec("x", {0, 0, 0})}, "all zeros (cosine is undefined)"},
      {{Rec("", {1, 0, 0})}, "record id is empty"},
      {{Rec(std::string(1025, 'i'), {1, 0, 0})}, "record id of 1025 bytes exceeds the maximum of 1024"},
      {{Rec("\xc3", {1, 0, 0})}, "record id is not valid UTF-8"},
      {{Rec("x", {1, 0, 0}, {{"", Value::Int(1)}})}, "has 0 bytes (must be 1..256)"},
      {{Rec("x", {1, 0, 0}, {{std::string(257, 'k'), Value::Int(1)}})},
       "has 257 bytes (must be 1..256)"},
      {{Rec("x", {1, 0, 0}, {{"k\xff", Value::Int(1)}})}, "attribute key is not valid UTF-8"},
      {{Rec("x", {1, 0, 0}, {{"s", Value::String("\xff")}})}, "\"s\""},
      {{Rec("x", {1, 0, 0}, {{"l", Value::List({"ok", "\xc0"})}})}, "\"l\""},
      {{Rec("x", {1, 0, 0}, {{"f", Value::Float(nan)}})}, "float value NaN is not allowed"},
      {{Rec("x", {1, 0, 0}, {{"f", Value::Float(inf)}})}, "float value infinity is not allowed"},
      // One bad record refuses the whole call: the good ones before it are not written.
      {{Rec("a", {0, 0, 1}), Rec("c", {1, 1, 1}), Rec("d", {1, 1})}, "record 2 ('d')"},
  };
  for (const Case& c : cases) {
    Expect(store_->Upsert("docs", c.records).status(), StatusCode::kInvalidArgument, c.needle,
           c.needle);
    Expect(store_->Upsert("new_collection", c.records).status(), StatusCode::kInvalidArgument,
           c.needle, c.needle + " (new collection)");
  }
  EXPECT_FALSE(store_->HasCollection("new_collection"));
}

TEST_F(VectorBadInputTest, MetadataAndDeleteWhere) {
  Expect(store_->SetMeta("docs", {{"", "v"}}), StatusCode::kInvalidArgument,
         "metadata key is empty", "empty meta key");
  Expect(store_->SetMeta("docs", {{"bad\xff", "v"}}), StatusCode::kInvalidArgument,
         "a metadata key is not valid UTF-8", "meta key not UTF-8");
  Expect(store_->SetMeta("docs", {{"k", "\xc3("}}), StatusCode::kInvalidArgument,
         "metadata `k` is not valid UTF-8", "meta value not UTF-8");
  Expect(store_->DeleteWhere("docs", Filter::Range("n", std::nullopt, std::nullopt)).status(),
         StatusCode::kInvalidArgument, "needs at least one bound", "range without bounds");
  Expect(store_->DeleteWhere("docs", Filter::Eq("n", Value::Float(std::nan("")))).status(),
         StatusCode::kInvalidArgument, "number must be finite", "NaN in a filter");
  Expect(store_->DeleteWhere("docs", Filter::Eq("n", Value::String("\xff"))).status(),
         StatusCode::kInvalidArgument, "not valid UTF-8", "bad UTF-8 in a filter");
  Filter deep = Filter::Exists("n");
  for (int i = 0; i < Filter::kMaxDepth; ++i) deep = Filter::Not(std::move(deep));
  Expect(store_->DeleteWhere("docs", deep).status(), StatusCode::kInvalidArgument,
         "nesting deeper than 64 levels", "deep filter");
  // Absent things are not errors, and change nothing either.
  const std::vector<std::string> ids = {"zz", ""};
  auto d = store_->Delete("docs", ids);
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(*d, 0u);
  auto d2 = store_->Delete("nope", ids);
  ASSERT_TRUE(d2.ok());
  EXPECT_EQ(*d2, 0u);
  EXPECT_TRUE(store_->DropCollection("nope").ok());
  ExpectUnchanged("absent ids and collections");
}

TEST_F(VectorBadInputTest, ReadsOfAbsentThingsAreNotFound) {
  Expect(store_->Get("docs", "zz").status(), StatusCode::kNotFound, "no record 'zz'", "get id");
  Expect(store_->Get("nope", "a").status(), StatusCode::kNotFound, "no collection 'nope'", "get");
  Expect(store_->GetMeta("nope").status(), StatusCode::kNotFound, "no collection", "meta");
  Expect(store_->CountRecords("nope").status(), StatusCode::kNotFound, "no collection", "count");
  Expect(store_->GetAll("nope").status(), StatusCode::kNotFound, "no collection", "all");
}

TEST_F(VectorBadInputTest, SearchArguments) {
  const std::vector<float> q = {1, 0, 0};
  auto search = [&](std::vector<float> query, SearchOptions o = {},
                    Scope scope = Scope::All()) {
    return store_->Search(scope, query, o).status();
  };
  Expect(search({1, 0}), StatusCode::kInvalidArgument,
         "query has 2 components; the store's dimension is 3", "short query");
  Expect(search({0, 0, 0}), StatusCode::kInvalidArgument, "query is all zeros", "zero query");
  Expect(search({1, std::nanf(""), 0}), StatusCode::kInvalidArgument, "non-finite", "NaN query");
  Expect(search(q, {}, Scope::Collection("nope")), StatusCode::kInvalidArgument,
         "unknown collection 'nope' in search scope", "unknown collection");
  Expect(search(q, {}, Scope::Collections({})), StatusCode::kInvalidArgument,
         "search scope names no collection", "empty scope");
  SearchOptions o;
  o.min_score = std::nanf("");
  Expect(search(q, o), StatusCode::kInvalidArgument, "min_score must be a finite number", "nan");
  o = {};
  o.mode = ScanMode::kInt8;
  Expect(search(q, o), StatusCode::kInvalidArgument, "keeps no int8 copy", "int8");
  o.mode = ScanMode::kF16;
  Expect(search(q, o), StatusCode::kInvalidArgument, "keeps no f16 copy", "f16");
  o.rerank_factor = 0;
  Expect(search(q, o), StatusCode::kInvalidArgument, "rerank_factor must be at least 1", "rerank");
  o = {};
  o.filter = Filter::Glob("p", "\xff");
  Expect(search(q, o), StatusCode::kInvalidArgument, "pattern is not valid UTF-8", "filter");
  // Batches: a length that is not a whole number of queries, an empty batch.
  const std::vector<float> five = {1, 0, 0, 1, 0};
  Expect(store_->SearchBatch(Scope::All(), five, {}).status(), StatusCode::kInvalidArgument,
         "query has 5 components; the store's dimension is 3", "ragged batch");
  Expect(store_->SearchBatch(Scope::All(), std::vector<float>{}, {}).status(),
         StatusCode::kInvalidArgument, "query has 0 components", "empty batch");
  const std::vector<float> second_zero = {1, 0, 0, 0, 0, 0};
  Expect(store_->SearchBatch(Scope::All(), second_zero, {}).status(),
         StatusCode::kInvalidArgument, "query 1 is all zeros", "zero second query");
}

TEST_F(VectorBadInputTest, MutationsOfAReadOnlyStore) {
  VectorOptions ro;
  ro.read_only = true;
  auto r = VectorStore::Open(dir_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  VectorStore& s = **r;
  const std::vector<VectorRecord> one = {Rec("x", {1, 1, 1})};
  const std::vector<std::string> ids = {"a"};
  const std::string needle = "read-only store: mutations are not allowed";
  Expect(s.CreateCollection("x"), StatusCode::kFailedPrecondition, needle, "create");
  Expect(s.DropCollection("docs"), StatusCode::kFailedPrecondition, needle, "drop");
  Expect(s.SetMeta("docs", {}), StatusCode::kFailedPrecondition, needle, "meta");
  Expect(s.Upsert("docs", one).status(), StatusCode::kFailedPrecondition, needle, "upsert");
  Expect(s.Delete("docs", ids).status(), StatusCode::kFailedPrecondition, needle, "delete");
  Expect(s.DeleteWhere("docs", Filter()).status(), StatusCode::kFailedPrecondition, needle,
         "delete where");
  Expect(s.Compact(), StatusCode::kFailedPrecondition, needle, "compact");
  Expect(s.Flush(), StatusCode::kFailedPrecondition, needle, "flush");
  EXPECT_EQ(Observe(s), seen_);
}

TEST_F(VectorBadInputTest, OpenOfAnExistingStore) {
  VectorOptions o;
  o.dimension = 4;
  Expect(VectorStore::Open(dir_, o).status(), StatusCode::kBusy, "", "second writer");
  // Close the writer: its LOCK file is emptied (it held the writer's pid); every
  // other file stays as it was.
  store_.reset();
  const auto closed = Files(dir_);
  EXPECT_EQ(closed.at("LOCK"), "");
  for (const auto& [name, bytes] : files_) {
    if (name != "LOCK") {
      EXPECT_EQ(closed.at(name), bytes) << name;
    }
  }
  files_ = closed;
  EXPECT_EQ(VectorStore::Open(dir_, o).status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(Files(dir_) == files_);
  auto s = VectorStore::Open(dir_, o);
  EXPECT_NE(s.status().ToString().find("dimension mismatch: the store has dimension 3, 4 was "
                                       "requested"),
            std::string::npos)
      << s.status().ToString();
  o.dimension = 3;
  o.max_vector_bytes = 8;  // the store holds 2 rows of 12 bytes
  EXPECT_EQ(VectorStore::Open(dir_, o).status().code(), StatusCode::kFailedPrecondition);
  EXPECT_TRUE(Files(dir_) == files_);
  // A damaged CURRENT file: Corruption, and nothing is repaired or rewritten.
  const std::string current = dir_ + "/CURRENT";
  std::string bytes = files_.at("CURRENT");
  bytes[bytes.find("dimension 3") + 10] = '4';
  {
    std::ofstream out(current, std::ios::binary | std::ios::trunc);
    out << bytes;
  }
  auto damaged = Files(dir_);
  VectorOptions any;
  auto c = VectorStore::Open(dir_, any);
  EXPECT_EQ(c.status().code(), StatusCode::kCorruption) << c.status().ToString();
  EXPECT_NE(c.status().ToString().find("not a valid CURRENT file: checksum mismatch"),
            std::string::npos)
      << c.status().ToString();
  any.read_only = true;
  EXPECT_EQ(VectorStore::Open(dir_, any).status().code(), StatusCode::kCorruption);
  EXPECT_TRUE(Files(dir_) == damaged);
}

// Bad options and a missing store: the error, and no directory or file created.
TEST(VectorBadOpenTest, OptionsAndMissingStoresCreateNothing) {
  const std::string dir = FreshDir("open");
  struct Case {
    VectorOptions options;
    StatusCode code;
    std::string needle;
  };
  VectorOptions dim0;
  VectorOptions too_big;
  too_big.dimension = 65537;
  VectorOptions compact;
  compact.dimension = 3;
  compact.auto_compact = 1.5;
  VectorOptions compact_nan = compact;
  compact_nan.auto_compact = std::nan("");
  VectorOptions ids;
  ids.dimension = 3;
  ids.max_id_bytes = 0;
  VectorOptions wait;
  wait.dimension = 3;
  wait.lock_wait = std::chrono::milliseconds(-1);
  VectorOptions ro;
  ro.read_only = true;
  VectorOptions no_create;
  no_create.dimension = 3;
  no_create.create_if_missing = false;
  const Case cases[] = {
      {dim0, StatusCode::kInvalidArgument, "a dimension is required to create a vector store"},
      {too_big, StatusCode::kInvalidArgument, "dimension 65537 exceeds the maximum 65536"},
      {compact, StatusCode::kInvalidArgument, "auto_compact threshold must be within [0, 1]"},
      {compact_nan, StatusCode::kInvalidArgument, "auto_compact threshold"},
      {ids, StatusCode::kInvalidArgument, "max_id_bytes must be positive"},
      {wait, StatusCode::kInvalidArgument, "lock_wait must not be negative"},
      {ro, StatusCode::kNotFound, "no such vector store directory"},
      {no_create, StatusCode::kNotFound, "no such vector store directory"},
  };
  for (const Case& c : cases) {
    auto s = VectorStore::Open(dir, c.options);
    EXPECT_EQ(s.status().code(), c.code) << c.needle << ": " << s.status().ToString();
    EXPECT_NE(s.status().ToString().find(c.needle), std::string::npos) << s.status().ToString();
    EXPECT_FALSE(fs::exists(dir)) << c.needle << ": created " << dir;
    fs::remove_all(dir);
  }
  EXPECT_EQ(VectorStore::Open("", VectorOptions{}).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VectorStore::OpenInMemory(0).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(VectorStore::OpenInMemory(65537).status().code(), StatusCode::kInvalidArgument);
  // An existing directory without a store: read-only opens create nothing in it.
  fs::create_directories(dir);
  EXPECT_EQ(VectorStore::Open(dir, ro).status().code(), StatusCode::kNotFound);
  EXPECT_TRUE(fs::is_empty(dir));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace urd
