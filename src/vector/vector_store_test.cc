// Copyright urd authors. VectorStore API tests: the nidus 0.3.0 behaviours we keep,
// the bugs we fix (docs/decisions.md), bad input, persistence, read-only refresh,
// compaction (including a failure at every I/O step), and concurrent readers.

#include "urd/vector_store.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstring>
#include <random>
#include <thread>

#include "storage/fault_env.h"
#include "storage/log_writer.h"
#include "vector/vector_format.h"

namespace urd {
namespace {

VectorRecord Rec(std::string id, std::vector<float> v, Attrs attrs = {}) {
  return VectorRecord{std::move(id), std::move(v), std::move(attrs)};
}

std::vector<std::string> Ids(const std::vector<Hit>& hits) {
  std::vector<std::string> out;
  for (const Hit& h : hits) out.push_back(h.collection + "/" + h.id);
  return out;
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/urd-vec-test-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { (void)std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

std::unique_ptr<VectorStore> Mem(size_t dim, VectorOptions o = {}) {
  auto s = VectorStore::OpenInMemory(dim, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return std::move(s).value();
}

TEST(VectorStoreTest, RankingAndOverwrite) {
  auto s = Mem(3);
  std::vector<VectorRecord> recs = {Rec("a", {1, 0, 0}), Rec("near", {0.9f, 0.1f, 0}),
                                    Rec("b", {0, 1, 0})};
  ASSERT_EQ(s->Upsert("docs", recs).value(), 3u);
  std::vector<float> q = {1, 0, 0};
  auto hits = s->Search(Scope::Collection("docs"), q, {}).value();
  ASSERT_EQ(Ids(hits), (std::vector<std::string>{"docs/a", "docs/near", "docs/b"}));
  EXPECT_NEAR(hits[0].score, 1.0f, 1e-6);
  std::vector<VectorRecord> again = {Rec("a", {0, 0, 1})};
  ASSERT_TRUE(s->Upsert("docs", again).ok());
  EXPECT_EQ(s->GetFootprint().doc_count, 3u);
  EXPECT_EQ(s->GetFootprint().dead_rows, 1u);
  hits = s->Search(Scope::Collection("docs"), q, {}).value();
  EXPECT_EQ(hits[0].id, "near");
}

TEST(VectorStoreTest, MultiCollectionSearchMergesAndAttributes) {
  auto s = Mem(2);
  std::vector<VectorRecord> x = {Rec("1", {1, 0})}, y = {Rec("2", {0.8f, 0.6f})};
  ASSERT_TRUE(s->Upsert("x", x).ok());
  ASSERT_TRUE(s->Upsert("y", y).ok());
  std::vector<float> q = {1, 0};
  EXPECT_EQ(Ids(s->Search(Scope::All(), q, {}).value()),
            (std::vector<std::string>{"x/1", "y/2"}));
  EXPECT_EQ(Ids(s->Search(Scope::Collections({"y"}), q, {}).value()),
            (std::vector<std::string>{"y/2"}));
  auto bad = s->Search(Scope::Collections({"y", "nope"}), q, {});
  ASSERT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().ToString().find("unknown collection 'nope'"), std::string::npos);
}

TEST(VectorStoreTest, TiesBreakByCollectionThenId) {
  auto s = Mem(2);
  std::vector<VectorRecord> b = {Rec("z", {1, 0}), Rec("a", {1, 0})};
  std::vector<VectorRecord> a = {Rec("m", {1, 0})};
  ASSERT_TRUE(s->Upsert("b", b).ok());
  ASSERT_TRUE(s->Upsert("a", a).ok());
  std::vector<float> q = {1, 0};
  SearchOptions o;
  o.top_k = 2;
  EXPECT_EQ(Ids(s->Search(Scope::All(), q, o).value()),
            (std::vector<std::string>{"a/m", "b/a"}));
}

TEST(VectorStoreTest, FilterAndMinScore) {
  auto s = Mem(2);
  std::vector<VectorRecord> recs = {Rec("f", {1, 0}, {{"kind", Value::String("file")}}),
                                    Rec("d", {1, 0.1f}, {{"kind", Value::String("dir")}}),
                                    Rec("o", {0, 1}, {{"kind", Value::String("file")}})};
  ASSERT_TRUE(s->Upsert("c", recs).ok());
  std::vector<float> q = {1, 0};
  SearchOptions o;
  o.filter = Filter::Eq("kind", Value::String("file"));
  EXPECT_EQ(Ids(s->Search(Scope::All(), q, o).value()), (std::vector<std::string>{"c/f", "c/o"}));
  o.min_score = 0.5f;
  EXPECT_EQ(Ids(s->Search(Scope::All(), q, o).value()), (std::vector<std::string>{"c/f"}));
  o.min_score = 1.0f;  // exactly at the floor is kept
  EXPECT_EQ(s->Search(Scope::All(), q, o).value().size(), 1u);
}

TEST(VectorStoreTest, FilteredSearchReturnsMinOfKAndMatches) {
  auto s = Mem(4);
  std::mt19937 rng(3);
  std::normal_distribution<float> g;
  std::vector<VectorRecord> recs;
  for (int i = 0; i < 500; i++) {
    recs.push_back(Rec("r" + std::to_string(i), {g(rng), g(rng), g(rng), g(rng)},
                       {{"m", Value::Int(i % 50)}}));
  }
  ASSERT_TRUE(s->Upsert("c", recs).ok());
  std::vector<float> q = {1, 2, 3, 4};
  for (size_t k : {1, 5, 10, 11, 100}) {
    SearchOptions o;
    o.top_k = k;
    o.filter = Filter::Eq("m", Value::Int(7));  // 10 rows match
    EXPECT_EQ(s->Search(Scope::All(), q, o).value().size(), std::min<size_t>(k, 10));
  }
}

TEST(VectorStoreTest, TopKZeroIsEmpty) {
  auto s = Mem(2);
  std::vector<VectorRecord> recs = {Rec("a", {1, 0})};
  ASSERT_TRUE(s->Upsert("c", recs).ok());
  SearchOptions o;
  o.top_k = 0;
  std::vector<float> q = {1, 0};
  EXPECT_TRUE(s->Search(Scope::All(), q, o).value().empty());
}

TEST(VectorStoreTest, BadInputIsRejectedAndChangesNothing) {
  auto s = Mem(3);
  std::vector<VectorRecord> good = {Rec("ok", {1, 2, 3})};
  ASSERT_TRUE(s->Upsert("c", good).ok());
  const float nan = std::nanf(""), inf = INFINITY;
  std::vector<std::pair<std::vector<VectorRecord>, std::string>> cases = {
      {{Rec("x", {1, 2})}, "2 components"},
      {{Rec("x", {1, nan, 3})}, "non-finite"},
      {{Rec("x", {1, inf, 3})}, "non-finite"},
      {{Rec("x", {0, 0, 0})}, "all zeros"},
      {{Rec("", {1, 2, 3})}, "id is empty"},
      {{Rec(std::string(2000, 'i'), {1, 2, 3})}, "exceeds the maximum"},
      {{Rec("x", {1, 2, 3}, {{"f", Value::Float(nan)}})}, "f"},
      {{Rec("fine", {1, 1, 1}), Rec("x", {1, 2})}, "record 1"},
  };
  for (auto& [recs, msg] : cases) {
    auto r = s->Upsert("c", recs);
    ASSERT_TRUE(r.status().IsInvalidArgument()) << msg << ": " << r.status().ToString();
    EXPECT_NE(r.status().ToString().find(msg), std::string::npos) << r.status().ToString();
  }
  EXPECT_EQ(s->GetFootprint().rows, 1u);
  EXPECT_FALSE(s->Get("c", "fine").ok());
  EXPECT_TRUE(s->Upsert("", good).status().IsInvalidArgument());
  std::vector<float> short_q = {1, 0};
  EXPECT_TRUE(s->Search(Scope::All(), short_q, {}).status().IsInvalidArgument());
  std::vector<float> zero_q = {0, 0, 0}, nan_q = {nan, 0, 0};
  EXPECT_TRUE(s->Search(Scope::All(), zero_q, {}).status().IsInvalidArgument());
  EXPECT_TRUE(s->Search(Scope::All(), nan_q, {}).status().IsInvalidArgument());
  std::vector<float> q = {1, 0, 0};
  SearchOptions o;
  o.mode = ScanMode::kInt8;
  EXPECT_TRUE(s->Search(Scope::All(), q, o).status().IsInvalidArgument());
  EXPECT_TRUE(VectorStore::OpenInMemory(0).status().IsInvalidArgument());
}

TEST(VectorStoreTest, CollectionsMetaGetDelete) {
  auto s = Mem(2);
  ASSERT_TRUE(s->CreateCollection("b").ok());
  ASSERT_TRUE(s->CreateCollection("a").ok());
  ASSERT_TRUE(s->CreateCollection("a").ok());
  EXPECT_EQ(s->ListCollections(), (std::vector<std::string>{"a", "b"}));
  ASSERT_TRUE(s->SetMeta("a", {{"model", "m1"}}).ok());
  ASSERT_TRUE(s->SetMeta("a", {{"owner", "me"}}).ok());  // replaces
  EXPECT_EQ(s->GetMeta("a").value(), (std::map<std::string, std::string>{{"owner", "me"}}));
  EXPECT_TRUE(s->GetMeta("zz").status().IsNotFound());
  std::vector<VectorRecord> recs = {Rec("1", {1, 0}, {{"k", Value::Int(1)}}),
                                    Rec("2", {0, 1}, {{"k", Value::Int(2)}}),
                                    Rec("3", {1, 1}, {{"k", Value::Int(2)}})};
  ASSERT_TRUE(s->Upsert("a", recs).ok());
  EXPECT_EQ(s->Get("a", "2").value().attrs.at("k"), Value::Int(2));
  EXPECT_EQ(s->CountRecords("a").value(), 3u);
  EXPECT_TRUE(s->CountRecords("zz").status().IsNotFound());
  EXPECT_TRUE(s->Get("a", "9").status().IsNotFound());
  std::vector<std::string> del = {"1", "9", "1"};
  EXPECT_EQ(s->Delete("a", del).value(), 1u);
  EXPECT_EQ(s->Delete("nope", del).value(), 0u);
  EXPECT_EQ(s->DeleteWhere("a", Filter::Eq("k", Value::Int(2))).value(), 2u);
  EXPECT_TRUE(s->GetAll("a").value().empty());
  ASSERT_TRUE(s->DropCollection("b").ok());
  ASSERT_TRUE(s->DropCollection("b").ok());
  EXPECT_FALSE(s->HasCollection("b"));
  EXPECT_EQ(s->GetFootprint().dead_rows, 3u);
  ASSERT_TRUE(s->Compact().ok());
  EXPECT_EQ(s->GetFootprint().rows, 0u);
}

TEST(VectorStoreTest, PersistenceReadOnlyAndRefresh) {
  TempDir dir;
  VectorOptions o;
  o.dimension = 3;
  {
    auto s = VectorStore::Open(dir.path(), o);
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    std::vector<VectorRecord> recs = {Rec("a", {1, 0, 0}, {{"t", Value::List({"x", "y"})}}),
                                      Rec("b", {0, 1, 0}, {{"f", Value::Float(0.5)}})};
    ASSERT_TRUE((*s)->Upsert("docs", recs).ok());
    ASSERT_TRUE((*s)->SetMeta("docs", {{"model", "hash"}}).ok());
  }
  VectorOptions ro;
  ro.read_only = true;
  auto r = VectorStore::Open(dir.path(), ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ((*r)->dimension(), 3u);
  EXPECT_EQ((*r)->GetAll("docs").value().size(), 2u);
  EXPECT_EQ((*r)->GetMeta("docs").value().at("model"), "hash");
  EXPECT_TRUE((*r)->CreateCollection("x").IsFailedPrecondition());
  // A writer opens beside the reader; the reader sees its commits after Refresh.
  auto w = VectorStore::Open(dir.path(), {});
  ASSERT_TRUE(w.ok()) << w.status().ToString();
  std::vector<VectorRecord> more = {Rec("c", {0, 0, 1})};
  ASSERT_TRUE((*w)->Upsert("docs", more).ok());
  std::vector<std::string> gone = {"a"};
  ASSERT_TRUE((*w)->Delete("docs", gone).ok());
  EXPECT_EQ((*r)->GetAll("docs").value().size(), 2u);
  ASSERT_TRUE((*r)->Refresh().ok());
  EXPECT_EQ((*r)->GetAll("docs").value().size(), 2u);
  EXPECT_TRUE((*r)->Get("docs", "c").ok());
  EXPECT_FALSE((*r)->Get("docs", "a").ok());
  // Compaction switches generations; the reader follows.
  ASSERT_TRUE((*w)->Compact().ok());
  EXPECT_EQ((*w)->GetFootprint().generation, 2u);
  ASSERT_TRUE((*r)->Refresh().ok());
  EXPECT_EQ((*r)->GetFootprint().generation, 2u);
  EXPECT_EQ((*r)->GetAll("docs").value().size(), 2u);
  // A second writer is refused while the first lives.
  auto w2 = VectorStore::Open(dir.path(), {});
  EXPECT_TRUE(w2.status().IsBusy()) << w2.status().ToString();
}

TEST(VectorStoreTest, ReopenWithWrongDimensionFails) {
  TempDir dir;
  VectorOptions o;
  o.dimension = 4;
  ASSERT_TRUE(VectorStore::Open(dir.path(), o).ok());
  o.dimension = 5;
  auto s = VectorStore::Open(dir.path(), o);
  ASSERT_TRUE(s.status().IsInvalidArgument());
  EXPECT_NE(s.status().ToString().find("dimension mismatch"), std::string::npos);
  o.dimension = 0;
  EXPECT_TRUE(VectorStore::Open(dir.path(), o).ok());
  TempDir fresh;
  EXPECT_TRUE(VectorStore::Open(fresh.path(), o).status().IsInvalidArgument());
}

TEST(VectorStoreTest, MaxVectorBytesRefusesUpsertAndOpen) {
  TempDir dir;
  VectorOptions o;
  o.dimension = 2;
  o.max_vector_bytes = 16;
  auto s = VectorStore::Open(dir.path(), o);
  ASSERT_TRUE(s.ok());
  std::vector<VectorRecord> two = {Rec("a", {1, 0}), Rec("b", {0, 1})}, one = {Rec("c", {1, 1})};
  ASSERT_TRUE((*s)->Upsert("c", two).ok());
  auto r = (*s)->Upsert("c", one);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().ToString().find("max_vector_bytes"), std::string::npos);
  s->reset();
  o.max_vector_bytes = 8;
  auto again = VectorStore::Open(dir.path(), o);
  ASSERT_FALSE(again.ok());
  EXPECT_NE(again.status().ToString().find("max_vector_bytes"), std::string::npos);
}

TEST(VectorStoreTest, AutoCompactOnReopen) {
  TempDir dir;
  VectorOptions o;
  o.dimension = 2;
  o.auto_compact = 0.3;
  {
    auto s = VectorStore::Open(dir.path(), o).value();
    std::vector<VectorRecord> recs = {Rec("1", {1, 0}), Rec("2", {0, 1}), Rec("3", {1, 1})};
    ASSERT_TRUE(s->Upsert("c", recs).ok());
    std::vector<VectorRecord> re = {Rec("1", {1, 2}), Rec("2", {2, 1})};
    ASSERT_TRUE(s->Upsert("c", re).ok());  // 2 dead of 5 = 0.4
  }
  auto s = VectorStore::Open(dir.path(), o).value();
  EXPECT_EQ(s->GetFootprint().rows, 3u);
  EXPECT_EQ(s->GetFootprint().dead_rows, 0u);
  EXPECT_EQ(s->GetFootprint().generation, 2u);
  EXPECT_NEAR(s->Get("c", "1").value().vector[1], 2 / std::sqrt(5.0f), 1e-6);
}

// Compaction fails at each I/O step in turn: the store stays on the old generation,
// usable, and reopens with every record.
TEST(VectorStoreTest, CompactionFailureAtEveryStepLeavesOldGeneration) {
  for (FaultOp op : {FaultOp::kOpen, FaultOp::kWrite, FaultOp::kSync, FaultOp::kRename,
                     FaultOp::kSyncDir}) {
    for (int nth = 1; nth <= 6; nth++) {
      TempDir dir;
      FaultInjectionEnv fault(Env::Default());
      VectorOptions o;
      o.dimension = 2;
      o.env = &fault;
      {
        auto s = VectorStore::Open(dir.path(), o).value();
        std::vector<VectorRecord> recs = {Rec("1", {1, 0}), Rec("2", {0, 1})};
        ASSERT_TRUE(s->Upsert("c", recs).ok());
        std::vector<VectorRecord> re = {Rec("1", {1, 1})};
        ASSERT_TRUE(s->Upsert("c", re).ok());
        fault.FailNth(op, nth);
        Status st = s->Compact();
        fault.ClearFaults();
        // Whatever happened, the handle either works on or refuses writes cleanly.
        std::vector<VectorRecord> more = {Rec("3", {2, 1})};
        auto up = s->Upsert("c", more);
        if (!up.ok()) {
          EXPECT_TRUE(up.status().IsFailedPrecondition()) << up.status().ToString();
        }
      }
      o.env = nullptr;
      auto s = VectorStore::Open(dir.path(), o);
      ASSERT_TRUE(s.ok()) << s.status().ToString();
      auto all = (*s)->GetAll("c").value();
      ASSERT_GE(all.size(), 2u) << "op " << static_cast<int>(op) << " nth " << nth;
      EXPECT_NEAR((*s)->Get("c", "1").value().vector[0], std::sqrt(0.5f), 1e-6);
    }
  }
}

TEST(VectorStoreTest, FailedUpsertWritesNothing) {
  for (FaultOp op : {FaultOp::kWrite, FaultOp::kSync}) {
    for (int nth = 1; nth <= 2; nth++) {
      TempDir dir;
      FaultInjectionEnv fault(Env::Default());
      VectorOptions o;
      o.dimension = 2;
      o.env = &fault;
      auto s = VectorStore::Open(dir.path(), o).value();
      std::vector<VectorRecord> recs = {Rec("1", {1, 0})}, bad = {Rec("2", {0, 1})};
      ASSERT_TRUE(s->Upsert("c", recs).ok());
      fault.SetPartialWriteBytes(5);
      fault.FailNth(op, nth);
      EXPECT_FALSE(s->Upsert("c", bad).ok());
      fault.ClearFaults();
      EXPECT_FALSE(s->Get("c", "2").ok());
      // A failed log fsync leaves the batch's fate to the disk: the store refuses
      // writes, and a reopen finds the batch either whole or absent.
      const bool log_sync_failed = op == FaultOp::kSync && nth == 2;
      if (log_sync_failed) {
        EXPECT_TRUE(s->Upsert("c", recs).status().IsFailedPrecondition());
      }
      s.reset();
      o.env = nullptr;
      auto again = VectorStore::Open(dir.path(), o).value();
      size_t n = again->GetAll("c").value().size();
      EXPECT_EQ(n, log_sync_failed ? 2u : 1u);
      EXPECT_EQ(again->GetFootprint().rows, n);
    }
  }
}

TEST(VectorStoreTest, CorruptRowIsDetectedOnOpen) {
  TempDir dir;
  VectorOptions o;
  o.dimension = 2;
  {
    auto s = VectorStore::Open(dir.path(), o).value();
    std::vector<VectorRecord> recs = {Rec("1", {1, 0}), Rec("2", {0, 1})};
    ASSERT_TRUE(s->Upsert("c", recs).ok());
  }
  std::string path = dir.path() + "/vectors.1";
  auto data = ReadFileToString(Env::Default(), path).value();
  data[vec::kVectorsHeaderSize + 64 + 1] ^= 1;  // second row
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path, data).ok());
  auto s = VectorStore::Open(dir.path(), o);
  ASSERT_TRUE(s.status().IsCorruption());
  EXPECT_NE(s.status().ToString().find("row 1"), std::string::npos) << s.status().ToString();
}

// A row whose UPSERT carries its checksum but which holds a NaN or an infinity was
// not written by urd (an upsert refuses them): Corruption, not NaN scores.
TEST(VectorStoreTest, NonFiniteRowIsCorruptEvenWithItsChecksum) {
  for (float bad : {std::nanf(""), INFINITY}) {
    std::unique_ptr<Env> env = NewMemEnv();
    const size_t dim = 2;
    std::string vectors = vec::EncodeVectorsHeader(dim, 1);
    const float rows[2][2] = {{1, 0}, {bad, 0}};
    std::string ops = EncodeLogHeader(LogKind::kVector);
    std::vector<std::string> records;
    vec::VectorOp create;
    create.collection = "c";
    vec::EncodeOp(create, &records.emplace_back());
    for (uint64_t r = 0; r < 2; r++) {
      std::string row(vec::RowStrideBytes(dim), '\0');
      std::memcpy(row.data(), rows[r], sizeof(rows[r]));
      vectors += row;
      vec::VectorOp up;
      up.type = vec::OpType::kUpsert;
      up.collection = "c";
      up.id = std::to_string(r);
      up.row = r;
      up.row_crc = vec::RowChecksum(rows[r], dim);
      vec::EncodeOp(up, &records.emplace_back());
    }
    std::vector<std::string_view> views(records.begin(), records.end());
    LogWriter::EncodeBatch(1, views, &ops);
    ASSERT_TRUE(env->CreateDir("/s").ok());
    ASSERT_TRUE(WriteFileAtomic(env.get(), "/s/" + vec::VectorsFileName(1), vectors).ok());
    ASSERT_TRUE(WriteFileAtomic(env.get(), "/s/" + vec::OpsFileName(1), ops).ok());
    ASSERT_TRUE(WriteFileAtomic(env.get(), "/s/" + vec::CurrentFileName(),
                                vec::EncodeCurrent({1, static_cast<uint32_t>(dim)}))
                    .ok());
    for (bool read_only : {false, true}) {
      VectorOptions o;
      o.env = env.get();
      o.read_only = read_only;
      auto s = VectorStore::Open("/s", o);
      ASSERT_TRUE(s.status().IsCorruption()) << s.status().ToString();
      const std::string why = s.status().ToString();
      EXPECT_NE(why.find("row 1"), std::string::npos) << why;
      EXPECT_NE(why.find("holds a non-finite component"), std::string::npos) << why;
    }
  }
}

TEST(VectorStoreTest, ConcurrentReadersDuringWrites) {
  auto s = Mem(8);
  std::atomic<bool> stop{false};
  std::atomic<int> searches{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 3; t++) {
    readers.emplace_back([&, t] {
      std::vector<float> q(8, 1.0f);
      q[t] = 2;
      while (!stop.load()) {
        auto hits = s->Search(Scope::All(), q, {});
        if (hits.ok()) {
          for (size_t i = 1; i < hits->size(); i++) {
            ASSERT_GE((*hits)[i - 1].score, (*hits)[i].score);
          }
        }
        searches++;
      }
    });
  }
  std::mt19937 rng(1);
  std::normal_distribution<float> g;
  // Write until the readers have run a fair number of searches alongside.
  for (int i = 0; i < 200 || (searches.load() < 50 && i < 20000); i++) {
    std::vector<VectorRecord> recs;
    for (int j = 0; j < 20; j++) {
      std::vector<float> v(8);
      for (float& x : v) x = g(rng);
      recs.push_back(Rec(std::to_string(i * 7 + j), v));
    }
    ASSERT_TRUE(s->Upsert(i % 2 ? "a" : "b", recs).ok());
    if (i % 50 == 49) {
      ASSERT_TRUE(s->Compact().ok());
    }
  }
  stop = true;
  for (auto& r : readers) r.join();
  EXPECT_GT(searches.load(), 0);
}

}  // namespace
}  // namespace urd
