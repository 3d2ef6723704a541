// Copyright urd authors. Tests of the scan engine (search.h), its top-k collector
// (topk.h) and thread pool (thread_pool.h), against a naive reference: every live
// record scored in double precision, fully sorted by (score desc, collection asc,
// id asc).
//
// Two kinds of seeded data:
//   grid     components are multiples of 1/4 in [-3/4, 3/4]: every dot product is a
//            multiple of 1/16 that float arithmetic computes exactly in any summation
//            order, so scores equal the reference exactly and exact ties abound —
//            results must be IDENTICAL to the reference.
//   gaussian unit vectors: float scores differ from the double reference by rounding
//            (~1e-7), so two rows whose exact scores are closer than that may come out
//            in either order; the comparison allows exactly those swaps (and counts
//            them), nothing else.
// Both kinds hold several collections (byte-order traps: "Zed" < "alpha" < "é"),
// overwritten, deleted and dropped records (dead rows), and duplicate vectors under
// other ids and collections (exact score ties).

#include "vector/search.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <optional>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "vector/kernels.h"
#include "vector/thread_pool.h"
#include "vector/topk.h"

namespace urd::vec {
namespace {

// ---------------------------------------------------------------------------
// Fixture: a RowStore + StoreState built through their public methods, and a plain
// model of the live records for the reference.

struct Rec {
  std::vector<float> v;
  Attrs attrs;
};

using Key = std::pair<std::string, std::string>;  // (collection, id)

class Data {
 public:
  Data(size_t dim, bool keep_int8, bool keep_f16) : rows(dim, keep_int8, keep_f16) {}

  void Upsert(const std::string& coll, const std::string& id, const std::vector<float>& v,
              const Attrs& attrs) {
    VectorOp op;
    op.type = OpType::kUpsert;
    op.collection = coll;
    op.id = id;
    op.row = rows.Append(v.data());
    op.attrs = attrs;
    ASSERT_TRUE(state.Apply(op, rows.rows()).ok());
    model[{coll, id}] = Rec{v, attrs};
  }

  void Delete(const std::string& coll, const std::string& id) {
    VectorOp op;
    op.type = OpType::kDelete;
    op.collection = coll;
    op.id = id;
    ASSERT_TRUE(state.Apply(op, rows.rows()).ok());
    model.erase({coll, id});
  }

  void Drop(const std::string& coll) {
    VectorOp op;
    op.type = OpType::kDropCollection;
    op.collection = coll;
    ASSERT_TRUE(state.Apply(op, rows.rows()).ok());
    for (auto it = model.begin(); it != model.end();) {
      it = it->first.first == coll ? model.erase(it) : std::next(it);
    }
  }

  // in_scope for the named collections (empty: all live collections).
  std::vector<char> Scope(const std::set<std::string>& names = {}) const {
    std::vector<char> in(state.slots(), 0);
    for (size_t s = 0; s < state.slots(); ++s) {
      const CollectionState* c = state.BySlot(static_cast<int32_t>(s));
      if (c != nullptr && (names.empty() || names.count(c->name) != 0)) in[s] = 1;
    }
    return in;
  }

  RowStore rows;
  StoreState state;
  std::map<Key, Rec> model;
};

enum class Kind { kGrid, kGaussian };

const std::vector<std::string>& Collections() {
  static const std::vector<std::string> names = {"alpha",  "beta",  "Zed", "\xc3\xa9t\xc3\xa9",
                                                 "alpha2", "doomed"};
  return names;
}

std::vector<float> RandomVector(Kind kind, size_t dim, std::mt19937_64& rng) {
  std::vector<float> v(dim);
  if (kind == Kind::kGrid) {
    std::uniform_int_distribution<int> g(-3, 3);
    bool any = false;
    for (float& x : v) {
      x = static_cast<float>(g(rng)) / 4.0f;
      any = any || x != 0;
    }
    if (!any) v[0] = 0.25f;
    return v;
  }
  std::normal_distribution<float> g;
  double norm = 0;
  for (float& x : v) {
    x = g(rng);
    norm += static_cast<double>(x) * x;
  }
  for (float& x : v) x = static_cast<float>(x / std::sqrt(norm));
  return v;
}

Attrs MakeAttrs(uint64_t i, std::mt19937_64& rng) {
  Attrs a;
  a["cat1"] = Value::Int(static_cast<int64_t>(i % 100));   // Eq: 1%
  a["cat10"] = Value::Int(static_cast<int64_t>(i % 10));   // Eq: 10%
  a["half"] = Value::String(i % 2 == 0 ? "even" : "odd");  // Eq: 50%
  a["path"] = Value::String("src/d" + std::to_string(i % 7) + "/f" + std::to_string(i) +
                            (i % 3 == 0 ? ".cc" : ".h"));
  a["n"] = Value::Float(std::uniform_real_distribution<double>(0, 100)(rng));
  if (i % 5 == 0) a["tag"] = Value::Null();
  return a;
}

// `n` upserts spread over the collections, then ~10% overwritten, ~5% deleted and
// one collection dropped; ~5% of the vectors duplicate an earlier one.
std::unique_ptr<Data> Build(Kind kind, size_t dim, size_t n, uint64_t seed, bool keep_int8 = false,
                            bool keep_f16 = false) {
  auto d = std::make_unique<Data>(dim, keep_int8, keep_f16);
  std::mt19937_64 rng(seed);
  const auto& colls = Collections();
  std::vector<Key> keys;
  std::vector<std::vector<float>> vecs;
  for (uint64_t i = 0; i < n; ++i) {
    std::vector<float> v =
        (i > 10 && rng() % 20 == 0) ? vecs[rng() % vecs.size()] : RandomVector(kind, dim, rng);
    // Ids whose byte order is not numeric order ("r10" < "r9").
    Key key{colls[rng() % colls.size()], "r" + std::to_string(rng() % (n * 2))};
    d->Upsert(key.first, key.second, v, MakeAttrs(i, rng));
    keys.push_back(key);
    vecs.push_back(std::move(v));
  }
  for (size_t i = 0; i < n / 10; ++i) {
    const Key& key = keys[rng() % keys.size()];
    d->Upsert(key.first, key.second, RandomVector(kind, dim, rng), MakeAttrs(rng(), rng));
  }
  for (size_t i = 0; i < n / 20; ++i) {
    const Key& key = keys[rng() % keys.size()];
    d->Delete(key.first, key.second);
  }
  d->Drop("doomed");
  return d;
}

// Queries: random vectors and copies of stored ones (which have duplicates, so the
// best scores are exact ties).
std::vector<float> Queries(const Data& d, Kind kind, size_t nq, uint64_t seed) {
  std::mt19937_64 rng(seed);
  const size_t dim = d.rows.dimension();
  std::vector<const Rec*> recs;
  for (const auto& [key, rec] : d.model) recs.push_back(&rec);
  std::vector<float> q;
  for (size_t j = 0; j < nq; ++j) {
    std::vector<float> v =
        (j % 2 == 1 && !recs.empty()) ? recs[rng() % recs.size()]->v : RandomVector(kind, dim, rng);
    q.insert(q.end(), v.begin(), v.end());
  }
  return q;
}

// ---------------------------------------------------------------------------
// Reference.

struct RefHit {
  const std::string* coll;
  const std::string* id;
  double score;
  size_t rank;  // position of (coll, id) in the model, which is sorted by (coll, id)
};

double ExactDot(const float* a, const float* b, size_t dim) {
  double s = 0;
  for (size_t k = 0; k < dim; ++k) s += static_cast<double>(a[k]) * b[k];
  return s;
}

// Every matching live record; the first min(limit, size) of them best first, by
// (score desc, collection asc, id asc), the rest in no particular order.
std::vector<RefHit> Reference(const Data& d, const float* q, const std::vector<char>& in_scope,
                              const SearchOptions& o, size_t limit = 1000) {
  std::set<std::string> scope;
  for (size_t s = 0; s < in_scope.size(); ++s) {
    if (in_scope[s]) scope.insert(d.state.BySlot(static_cast<int32_t>(s))->name);
  }
  std::vector<RefHit> out;
  size_t rank = 0;
  for (const auto& [key, rec] : d.model) {
    ++rank;
    if (scope.count(key.first) == 0 || !o.filter.Matches(rec.attrs)) continue;
    const double s = ExactDot(q, rec.v.data(), d.rows.dimension());
    if (o.min_score && s < *o.min_score) continue;
    out.push_back({&key.first, &key.second, s, rank});
  }
  const auto sorted_end = out.begin() + static_cast<ptrdiff_t>(std::min(limit, out.size()));
  std::partial_sort(out.begin(), sorted_end, out.end(), [](const RefHit& a, const RefHit& b) {
    if (a.score != b.score) return a.score > b.score;
    return a.rank < b.rank;
  });
  return out;
}

std::vector<Hit> SearchOne(const Data& d, const float* q, const std::vector<char>& scope,
                           const SearchOptions& o, int threads, ThreadPool* pool,
                           SearchStats* stats = nullptr) {
  SearchRequest req;
  req.queries = q;
  req.nq = 1;
  req.in_scope = &scope;
  req.options = &o;
  req.threads = threads;
  req.stats = stats;
  return RunSearch(d.rows, d.state, req, pool).at(0);
}

// The hits are in the contract's order by their own scores.
void ExpectOrdered(const std::vector<Hit>& hits) {
  for (size_t i = 1; i < hits.size(); ++i) {
    const Hit& a = hits[i - 1];
    const Hit& b = hits[i];
    const bool ordered = a.score > b.score ||
                         (a.score == b.score && (a.collection < b.collection ||
                                                 (a.collection == b.collection && a.id < b.id)));
    ASSERT_TRUE(ordered) << "hits " << i - 1 << " and " << i << " out of order: " << a.collection
                         << "/" << a.id << " " << a.score << " then " << b.collection << "/" << b.id
                         << " " << b.score;
  }
}

// Compares hits with the first min(k, ref.size()) reference hits. `near_tie` is 0 for
// identical results; otherwise a position may hold a different record when the exact
// scores of both differ by less than near_tie. Returns the number of such swaps.
int ExpectMatchesReference(const Data& d, const float* q, const std::vector<Hit>& hits,
                           const std::vector<RefHit>& ref, size_t k, double near_tie,
                           const std::string& what) {
  SCOPED_TRACE(what);
  const size_t want = std::min(k, ref.size());
  EXPECT_EQ(hits.size(), want);
  EXPECT_LE(want, 1000u) << "Reference() sorts only the first 1000";
  ExpectOrdered(hits);
  int swaps = 0;
  std::set<Key> seen;
  for (size_t i = 0; i < std::min(want, hits.size()); ++i) {
    const Hit& h = hits[i];
    EXPECT_TRUE(seen.insert({h.collection, h.id}).second) << "duplicate hit " << h.id;
    auto it = d.model.find({h.collection, h.id});
    if (it == d.model.end()) {
      ADD_FAILURE() << "hit " << h.collection << "/" << h.id << " is not a live record";
      continue;
    }
    EXPECT_EQ(h.attrs, it->second.attrs);
    const double exact = ExactDot(q, it->second.v.data(), d.rows.dimension());
    EXPECT_NEAR(h.score, exact, 1e-5);
    if (h.collection == *ref[i].coll && h.id == *ref[i].id) continue;
    if (near_tie > 0 && std::abs(exact - ref[i].score) < near_tie) {
      ++swaps;
      continue;
    }
    ADD_FAILURE() << "position " << i << ": got " << h.collection << "/" << h.id << " " << h.score
                  << ", want " << *ref[i].coll << "/" << *ref[i].id << " " << ref[i].score;
  }
  return swaps;
}

// Bitwise equality of two results.
void ExpectSameHits(const std::vector<Hit>& a, const std::vector<Hit>& b, const std::string& what) {
  SCOPED_TRACE(what);
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    EXPECT_EQ(a[i].collection, b[i].collection) << i;
    EXPECT_EQ(a[i].id, b[i].id) << i;
    EXPECT_EQ(a[i].score, b[i].score) << i;
    EXPECT_EQ(a[i].attrs, b[i].attrs) << i;
  }
}

struct NamedFilter {
  std::string name;
  Filter filter;
};

std::vector<NamedFilter> TestFilters() {
  return {
      {"all", Filter()},
      {"eq1%", Filter::Eq("cat1", Value::Int(7))},
      {"eq10%", Filter::Eq("cat10", Value::Int(3))},
      {"eq50%", Filter::Eq("half", Value::String("odd"))},
      {"glob", Filter::Glob("path", "src/d3/*.cc")},
      {"range", Filter::Range("n", Filter::Bound{Value::Float(20), true},
                              Filter::Bound{Value::Int(35), false})},
      {"or", Filter::Or({Filter::Eq("cat1", Value::Int(3)), Filter::Glob("path", "*/f1?.h"),
                         Filter::Exists("tag")})},
      {"not", Filter::Not(Filter::Eq("cat10", Value::Int(0)))},
      {"and", Filter::And({Filter::Eq("cat10", Value::Int(4)), Filter::Lt("n", Value::Int(50))})},
      {"none", Filter::In("cat1", {})},
  };
}

// ---------------------------------------------------------------------------
// TopK

TEST(TopKTest, KeepsTheBestUnderRowOrder) {
  std::mt19937_64 rng(1);
  for (size_t k : {1, 2, 5, 64, 1000}) {
    std::vector<Candidate> all;
    TopK<ByRowOrder> top(k);
    for (uint32_t r = 0; r < 500; ++r) {
      const float s = static_cast<float>(rng() % 50) / 8.0f;  // many ties
      all.push_back({s, r});
      top.Push(s, r);
    }
    std::sort(all.begin(), all.end(), ByRowOrder());
    all.resize(std::min(k, all.size()));
    const std::vector<Candidate> got = top.Take();
    ASSERT_EQ(got.size(), all.size());
    for (size_t i = 0; i < got.size(); ++i) {
      EXPECT_EQ(got[i].row, all[i].row);
      EXPECT_EQ(got[i].score, all[i].score);
    }
  }
}

TEST(TopKTest, ThresholdRejectsWorseOnceFull) {
  TopK<ByRowOrder> top(3);
  EXPECT_EQ(top.threshold(), -std::numeric_limits<float>::infinity());
  EXPECT_TRUE(top.Push(0.1f, 0));
  EXPECT_TRUE(top.Push(0.5f, 1));
  EXPECT_EQ(top.threshold(), -std::numeric_limits<float>::infinity());  // not full
  EXPECT_TRUE(top.Push(0.3f, 2));
  EXPECT_EQ(top.threshold(), 0.1f);
  EXPECT_FALSE(top.Push(0.05f, 3));
  EXPECT_FALSE(top.Push(0.1f, 4));  // equal score, later row: worse
  EXPECT_TRUE(top.Push(0.2f, 5));
  EXPECT_EQ(top.threshold(), 0.2f);
  const auto got = top.Take();
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[0].row, 1u);
  EXPECT_EQ(got[1].row, 2u);
  EXPECT_EQ(got[2].row, 5u);
}

TEST(TopKTest, FloorIsMinScore) {
  TopK<ByRowOrder> top(10, ByRowOrder(), 0.5f);
  EXPECT_FALSE(top.Push(0.49f, 0));
  EXPECT_TRUE(top.Push(0.5f, 1));  // score >= min_score is kept
  EXPECT_TRUE(top.Push(0.9f, 2));
  EXPECT_EQ(top.Take().size(), 2u);
}

TEST(TopKTest, MergeEqualsOneCollector) {
  std::mt19937_64 rng(2);
  std::vector<TopK<ByRowOrder>> parts(4, TopK<ByRowOrder>(20));
  TopK<ByRowOrder> whole(20);
  for (uint32_t r = 0; r < 2000; ++r) {
    const float s = static_cast<float>(rng() % 100);
    whole.Push(s, r);
    parts[r % 4].Push(s, r);
  }
  for (size_t p = 1; p < parts.size(); ++p) parts[0].Merge(parts[p]);
  const auto a = whole.Take();
  const auto b = parts[0].Take();
  ASSERT_EQ(a.size(), b.size());
  for (size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i].row, b[i].row);
}

TEST(TopKTest, NaNOrdersLastAndKeepsAStrictWeakOrder) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  ByRowOrder better;
  const Candidate a{nan, 0}, b{0.5f, 1}, c{-1.0f, 2}, d{nan, 3};
  EXPECT_TRUE(better(b, a));
  EXPECT_TRUE(better(c, a));
  EXPECT_FALSE(better(a, c));
  EXPECT_TRUE(better(a, d));  // NaNs tie, row breaks it
  EXPECT_FALSE(better(a, a));
  TopK<ByRowOrder> top(2);
  for (const Candidate& x : {a, b, c, d}) top.Push(x.score, x.row);
  const auto got = top.Take();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].row, 1u);
  EXPECT_EQ(got[1].row, 2u);
}

TEST(TopKTest, NameOrderBreaksTiesByCollectionThenId) {
  Data d(4, false, false);
  const std::vector<float> v = {0.5f, 0.5f, 0.5f, 0.5f};
  d.Upsert("beta", "b", v, {});      // row 0
  d.Upsert("alpha", "z", v, {});     // row 1
  d.Upsert("alpha", "a", v, {});     // row 2
  d.Upsert("Zed", "q", v, {});       // row 3 ('Z' < 'a' in byte order)
  d.Upsert("\xc3\xa9", "a", v, {});  // row 4 (0xC3 sorts after ASCII)
  TopK<ByNameOrder> top(4, ByNameOrder(d.state));
  for (uint32_t r = 0; r < 5; ++r) top.Push(1.0f, r);
  top.Push(1.5f, 0);  // a better score wins over any name
  const auto got = top.Take();
  ASSERT_EQ(got.size(), 4u);
  EXPECT_EQ(got[0].row, 0u);
  EXPECT_EQ(got[0].score, 1.5f);
  EXPECT_EQ(got[1].row, 3u);
  EXPECT_EQ(got[2].row, 2u);
  EXPECT_EQ(got[3].row, 1u);
}

// ---------------------------------------------------------------------------
// ThreadPool

TEST(ThreadPoolTest, RunsEveryIndexExactlyOnce) {
  for (size_t workers : {0, 1, 3}) {
    ThreadPool pool(workers);
    EXPECT_EQ(pool.workers(), workers);
    for (size_t n : {0, 1, 2, 7, 100}) {
      std::vector<std::atomic<int>> hits(n);
      pool.ParallelFor(n, [&](size_t i) { hits[i].fetch_add(1); });
      for (size_t i = 0; i < n; ++i) EXPECT_EQ(hits[i].load(), 1) << workers << " " << n;
    }
  }
}

TEST(ThreadPoolTest, NestedCallsDoNotDeadlock) {
  ThreadPool pool(2);
  std::atomic<int> total{0};
  pool.ParallelFor(4, [&](size_t) { pool.ParallelFor(4, [&](size_t) { total.fetch_add(1); }); });
  EXPECT_EQ(total.load(), 16);
}

TEST(ThreadPoolTest, ConcurrentCallersShareTheWorkers) {
  ThreadPool pool(2);
  std::atomic<int> total{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&] {
      for (int round = 0; round < 50; ++round) {
        pool.ParallelFor(5, [&](size_t) { total.fetch_add(1); });
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(total.load(), 4 * 50 * 5);
}

// ---------------------------------------------------------------------------
// Search against the reference.

// Runs every filter x min_score x query against the reference for each k and thread
// count. Returns the number of near-tie swaps.
int CheckAgainstReference(const Data& d, Kind kind, ThreadPool* pool, size_t nq,
                          const std::vector<size_t>& ks, const std::vector<int>& threads,
                          const std::vector<std::optional<float>>& min_scores) {
  const std::vector<float> queries = Queries(d, kind, nq, 99);
  const std::vector<char> scope = d.Scope();
  const double near_tie = kind == Kind::kGrid ? 0 : 1e-6;
  int swaps = 0;
  for (const NamedFilter& nf : TestFilters()) {
    for (const auto& min_score : min_scores) {
      for (size_t j = 0; j < nq; ++j) {
        const float* q = queries.data() + j * d.rows.dimension();
        SearchOptions o;
        o.filter = nf.filter;
        o.min_score = min_score;
        const std::vector<RefHit> ref = Reference(d, q, scope, o);
        for (size_t k : ks) {
          o.top_k = k;
          for (int t : threads) {
            const std::string what = nf.name + " k=" + std::to_string(k) +
                                     " t=" + std::to_string(t) + " q=" + std::to_string(j) +
                                     (min_score ? " min=" + std::to_string(*min_score) : "");
            swaps += ExpectMatchesReference(d, q, SearchOne(d, q, scope, o, t, pool), ref, k,
                                            near_tie, what);
            if (::testing::Test::HasFailure()) return swaps;
          }
        }
      }
    }
  }
  return swaps;
}

TEST(SearchTest, ExactIsIdenticalToReferenceOnGridData) {
  // 30000 records + 3000 overwrites: enough rows for the scan to be split.
  auto d = Build(Kind::kGrid, 24, 30000, 7);
  ThreadPool pool(3);
  const int swaps = CheckAgainstReference(*d, Kind::kGrid, &pool, 3, {1, 5, 10, 100, 1000},
                                          {1, 2, 4}, {std::nullopt, 0.5f});
  EXPECT_EQ(swaps, 0);
}

TEST(SearchTest, ExactMatchesReferenceOnGaussianData) {
  auto d = Build(Kind::kGaussian, 45, 30000, 8);
  ThreadPool pool(3);
  const int swaps = CheckAgainstReference(*d, Kind::kGaussian, &pool, 2, {1, 5, 10, 100, 1000},
                                          {1, 2, 4}, {std::nullopt, 0.1f});
  std::printf("[ near-tie swaps (|exact score difference| < 1e-6): %d ]\n", swaps);
}

TEST(SearchTest, SmallStoreAndTopKBeyondRows) {
  auto d = Build(Kind::kGrid, 5, 300, 9);
  ThreadPool pool(2);
  const int swaps = CheckAgainstReference(*d, Kind::kGrid, &pool, 4, {1, 5, 10, 100, 1000},
                                          {1, 2, 4}, {std::nullopt, 0.0f, 10.0f});
  EXPECT_EQ(swaps, 0);
}

TEST(SearchTest, ThreadCountsGiveBitIdenticalResults) {
  auto d = Build(Kind::kGaussian, 40, 50000, 10);
  ThreadPool pool(3);
  const std::vector<char> scope = d->Scope();
  const std::vector<float> queries = Queries(*d, Kind::kGaussian, 4, 11);
  for (const NamedFilter& nf : TestFilters()) {
    SearchOptions o;
    o.top_k = 50;
    o.filter = nf.filter;
    for (size_t j = 0; j < 4; ++j) {
      const float* q = queries.data() + j * 40;
      SearchStats s1, s4;
      const auto one = SearchOne(*d, q, scope, o, 1, &pool, &s1);
      const auto four = SearchOne(*d, q, scope, o, 4, &pool, &s4);
      EXPECT_EQ(s1.parts, 1u);
      if (!s4.gathered) {
        EXPECT_EQ(s4.parts, 4u) << nf.name;
      }
      ExpectSameHits(one, four, nf.name);
      ExpectSameHits(one, SearchOne(*d, q, scope, o, 2, nullptr), nf.name + " no pool");
    }
  }
}

TEST(SearchTest, ScopeCoversOnlyTheNamedCollections) {
  auto d = Build(Kind::kGrid, 16, 5000, 12);
  ThreadPool pool(2);
  const std::vector<float> queries = Queries(*d, Kind::kGrid, 4, 13);
  for (const std::set<std::string>& names : std::vector<std::set<std::string>>{
           {"alpha"}, {"Zed", "\xc3\xa9t\xc3\xa9"}, {"beta", "alpha2"}}) {
    const std::vector<char> scope = d->Scope(names);
    for (const NamedFilter& nf : TestFilters()) {
      SearchOptions o;
      o.top_k = 20;
      o.filter = nf.filter;
      for (size_t j = 0; j < 4; ++j) {
        const float* q = queries.data() + j * 16;
        ExpectMatchesReference(*d, q, SearchOne(*d, q, scope, o, 2, &pool),
                               Reference(*d, q, scope, o), 20, 0, nf.name);
      }
    }
  }
}

TEST(SearchTest, BatchAnswersEachQueryExactlyAsAlone) {
  const size_t dim = 37, max_nq = 70;
  auto d = Build(Kind::kGaussian, dim, 6000, 14);
  ThreadPool pool(3);
  const std::vector<char> scope = d->Scope();
  const std::vector<float> queries = Queries(*d, Kind::kGaussian, max_nq, 15);
  // Options depend on nq: top_k 10 (even nq) or 7 (odd), min_score for nq 33.
  auto options_for = [](size_t nq, const Filter& filter) {
    SearchOptions o;
    o.top_k = nq % 2 == 0 ? 10 : 7;
    o.filter = filter;
    if (nq == 33) o.min_score = 0.2f;
    return o;
  };
  for (const NamedFilter& nf : TestFilters()) {
    std::map<std::pair<size_t, bool>, std::vector<std::vector<Hit>>> alone;  // (k, min)
    for (size_t nq : {1, 2, 3, 31, 32, 33, 70}) {
      const SearchOptions o = options_for(nq, nf.filter);
      auto& singles = alone[{o.top_k, o.min_score.has_value()}];
      while (singles.size() < nq) {  // each query alone, checked against the reference
        const float* q = queries.data() + singles.size() * dim;
        singles.push_back(SearchOne(*d, q, scope, o, 1, &pool));
        ExpectMatchesReference(*d, q, singles.back(), Reference(*d, q, scope, o), o.top_k, 1e-6,
                               nf.name + " alone");
      }
      for (int threads : {1, 2, 4}) {
        SearchRequest req;
        req.queries = queries.data();
        req.nq = nq;
        req.in_scope = &scope;
        req.options = &o;
        req.threads = threads;
        const auto batch = RunSearch(d->rows, d->state, req, &pool);
        ASSERT_EQ(batch.size(), nq);
        for (size_t j = 0; j < nq; ++j) {
          ExpectSameHits(batch[j], singles[j],
                         nf.name + " nq=" + std::to_string(nq) + " j=" + std::to_string(j) +
                             " t=" + std::to_string(threads));
        }
        if (::testing::Test::HasFailure()) return;
      }
    }
  }
}

// A filter whose matching rows all score at the very bottom must still fill the
// top-k: min(k, matching) hits, on the gather path and on the full scan.
TEST(SearchTest, FilteredSearchReturnsMinOfKAndMatching) {
  const size_t dim = 8;
  Data d(dim, true, true);
  std::mt19937_64 rng(16);
  std::vector<float> up(dim, 0.0f), down(dim, 0.0f);
  up[0] = 1.0f;
  down[0] = -1.0f;
  std::vector<Attrs> attrs;  // [rare * 4 + bucket]
  for (bool rare : {false, true}) {
    for (int64_t bucket = 0; bucket < 4; ++bucket) {
      attrs.push_back(Attrs{{"rare", Value::Bool(rare)}, {"bucket", Value::Int(bucket)}});
    }
  }
  for (int i = 0; i < 20000; ++i) {
    const bool rare = i % 500 == 0;  // 40 rare rows, all scoring -1
    d.Upsert(i % 3 == 0 ? "a" : "b", "id" + std::to_string(i), rare ? down : up,
             attrs[(rare ? 4 : 0) + i % 4]);
  }
  ThreadPool pool(2);
  const std::vector<char> scope = d.Scope();
  const std::vector<std::pair<Filter, size_t>> filters = {
      {Filter::Eq("rare", Value::Bool(true)), 40},
      {Filter::And({Filter::Eq("rare", Value::Bool(true)), Filter::Eq("bucket", Value::Int(0))}),
       40},
      {Filter::Not(Filter::Eq("rare", Value::Bool(false))), 40},  // likely a full scan
      {Filter::Glob("nothing", "*"), 0},
  };
  for (const auto& [filter, matching] : filters) {
    for (ScanMode mode : {ScanMode::kExact, ScanMode::kInt8, ScanMode::kF16}) {
      for (size_t k : {1, 10, 39, 40, 41, 1000}) {
        for (int threads : {1, 2}) {
          SearchOptions o;
          o.top_k = k;
          o.filter = filter;
          o.mode = mode;
          o.rerank_factor = 1;
          SearchStats stats;
          const auto hits = SearchOne(d, up.data(), scope, o, threads, &pool, &stats);
          EXPECT_EQ(hits.size(), std::min(k, matching))
              << filter.ToJson() << " k=" << k << " mode=" << static_cast<int>(mode)
              << " gathered=" << stats.gathered;
          for (const Hit& h : hits) EXPECT_EQ(h.score, -1.0f);
          ExpectOrdered(hits);
        }
      }
    }
  }
}

TEST(SearchTest, SelectiveFilterUsesTheGatherPlanWithTheSameResults) {
  auto d = Build(Kind::kGaussian, 32, 30000, 17);
  const std::vector<char> scope = d->Scope();
  const std::vector<float> queries = Queries(*d, Kind::kGaussian, 3, 18);
  SearchOptions o;
  o.top_k = 10;
  o.filter = Filter::Eq("cat1", Value::Int(42));
  SearchStats stats;
  for (size_t j = 0; j < 3; ++j) {
    const float* q = queries.data() + j * 32;
    const auto hits = SearchOne(*d, q, scope, o, 1, nullptr, &stats);
    ExpectMatchesReference(*d, q, hits, Reference(*d, q, scope, o), 10, 1e-6, "eq 1%");
  }
  // Informational: whether the attribute index planned the gather.
  std::printf("[ eq 1%% filter: gathered=%d rows_examined=%llu ]\n", stats.gathered ? 1 : 0,
              static_cast<unsigned long long>(stats.rows_examined));
  o.filter = Filter();
  SearchOne(*d, queries.data(), scope, o, 1, nullptr, &stats);
  EXPECT_FALSE(stats.gathered);
}

TEST(SearchTest, EmptyStoreAndEmptyScope) {
  Data d(8, true, true);
  ThreadPool pool(1);
  std::vector<float> q(8, 0.25f);
  SearchOptions o;
  std::vector<char> scope = d.Scope();
  EXPECT_TRUE(SearchOne(d, q.data(), scope, o, 2, &pool).empty());
  d.Upsert("a", "x", q, {});
  d.Upsert("b", "y", q, {});
  scope = d.Scope({"b"});
  const auto hits = SearchOne(d, q.data(), scope, o, 2, &pool);
  ASSERT_EQ(hits.size(), 1u);
  EXPECT_EQ(hits[0].id, "y");
  scope.assign(scope.size(), 0);
  EXPECT_TRUE(SearchOne(d, q.data(), scope, o, 2, &pool).empty());
}

// ---------------------------------------------------------------------------
// Compressed modes.

// Recall@10 against the exact search, with exact scores returned.
void CheckCompressed(ScanMode mode) {
  const size_t dim = 64;
  auto d = Build(Kind::kGaussian, dim, 20000, 19, true, true);
  ThreadPool pool(2);
  const std::vector<char> scope = d->Scope();
  const size_t nq = 50;
  const std::vector<float> queries = Queries(*d, Kind::kGaussian, nq, 20);
  const Kernels& kernels = GetKernels();
  for (const NamedFilter& nf : TestFilters()) {
    size_t found = 0, wanted = 0;
    for (size_t j = 0; j < nq; ++j) {
      const float* q = queries.data() + j * dim;
      SearchOptions o;
      o.top_k = 10;
      o.filter = nf.filter;
      const auto exact = SearchOne(*d, q, scope, o, 1, &pool);
      o.mode = mode;
      o.rerank_factor = 4;
      const auto approx = SearchOne(*d, q, scope, o, j % 2 == 0 ? 1 : 2, &pool);
      ASSERT_EQ(approx.size(), exact.size()) << nf.name;
      ExpectOrdered(approx);
      std::set<Key> truth;
      for (const Hit& h : exact) truth.insert({h.collection, h.id});
      for (const Hit& h : approx) {
        const Rec& rec = d->model.at({h.collection, h.id});
        EXPECT_EQ(h.score, kernels.dot_f32(q, rec.v.data(), dim)) << "score not exact";
        found += truth.count({h.collection, h.id});
      }
      wanted += exact.size();
    }
    if (wanted == 0) continue;
    const double recall = static_cast<double>(found) / static_cast<double>(wanted);
    std::printf("[ mode %d filter %-6s recall@10 = %.4f ]\n", static_cast<int>(mode),
                nf.name.c_str(), recall);
    EXPECT_GE(recall, 0.95) << nf.name;
  }
}

TEST(SearchTest, CompressedInt8RecallAndExactScores) { CheckCompressed(ScanMode::kInt8); }
TEST(SearchTest, CompressedF16RecallAndExactScores) { CheckCompressed(ScanMode::kF16); }

// When top_k * rerank_factor covers every row, the re-rank sees every matching row,
// so the result is the exact search's, bit for bit (min_score included).
TEST(SearchTest, CompressedWithFullRerankEqualsExact) {
  for (Kind kind : {Kind::kGrid, Kind::kGaussian}) {
    auto d = Build(kind, 20, 600, 21, true, true);
    ThreadPool pool(2);
    const std::vector<char> scope = d->Scope();
    const std::vector<float> queries = Queries(*d, kind, 6, 22);
    for (const NamedFilter& nf : TestFilters()) {
      for (size_t k : {1, 5, 10, 100}) {
        for (size_t j = 0; j < 6; ++j) {
          const float* q = queries.data() + j * 20;
          SearchOptions o;
          o.top_k = k;
          o.filter = nf.filter;
          o.min_score = j % 3 == 0 ? std::optional<float>(0.25f) : std::nullopt;
          const auto exact = SearchOne(*d, q, scope, o, 1, &pool);
          if (kind == Kind::kGrid) {
            ExpectMatchesReference(*d, q, exact, Reference(*d, q, scope, o), k, 0, nf.name);
          }
          o.rerank_factor = (d->rows.rows() + k - 1) / k;
          for (ScanMode mode : {ScanMode::kInt8, ScanMode::kF16}) {
            o.mode = mode;
            ExpectSameHits(exact, SearchOne(*d, q, scope, o, 2, &pool),
                           nf.name + " mode " + std::to_string(static_cast<int>(mode)) +
                               " k=" + std::to_string(k));
          }
        }
      }
    }
  }
}

// ---------------------------------------------------------------------------
// Concurrency (run under TSan too).

TEST(SearchConcurrentTest, ManyCallersShareOnePool) {
  auto d = Build(Kind::kGaussian, 32, 40000, 23, true, true);
  ThreadPool pool(2);
  const std::vector<char> scope = d->Scope();
  const std::vector<float> queries = Queries(*d, Kind::kGaussian, 8, 24);
  const std::vector<NamedFilter> filters = TestFilters();
  auto options = [&](size_t i) {
    SearchOptions o;
    o.top_k = 10 + i % 3;
    o.filter = filters[i % filters.size()].filter;
    o.mode = static_cast<ScanMode>(i % 3);
    return o;
  };
  auto run = [&](size_t i, int threads) {
    const SearchOptions o = options(i);
    SearchRequest req;
    req.queries = queries.data() + (i % 4) * 32;
    req.nq = 1 + i % 5;
    req.in_scope = &scope;
    req.options = &o;
    req.threads = threads;
    return RunSearch(d->rows, d->state, req, &pool);
  };
  const size_t kinds = 24;
  std::vector<std::vector<std::vector<Hit>>> expected;
  for (size_t i = 0; i < kinds; ++i) expected.push_back(run(i, 1));
  std::atomic<int> mismatches{0};
  std::vector<std::thread> callers;
  for (int t = 0; t < 4; ++t) {
    callers.emplace_back([&, t] {
      for (size_t round = 0; round < 12; ++round) {
        const size_t i = (round * 7 + static_cast<size_t>(t) * 5) % kinds;
        const auto got = run(i, 1 + t % 3);
        bool same = got.size() == expected[i].size();
        for (size_t j = 0; same && j < got.size(); ++j) {
          same = got[j].size() == expected[i][j].size();
          for (size_t h = 0; same && h < got[j].size(); ++h) {
            same = got[j][h].id == expected[i][j][h].id &&
                   got[j][h].collection == expected[i][j][h].collection &&
                   got[j][h].score == expected[i][j][h].score;
          }
        }
        if (!same) mismatches.fetch_add(1);
      }
    });
  }
  for (std::thread& t : callers) t.join();
  EXPECT_EQ(mismatches.load(), 0);
}

// ---------------------------------------------------------------------------
// Timing (logged, not asserted): 200k x 384 exact, one and two threads.

TEST(SearchTiming, Exact200kx384) {
#ifdef URD_SANITIZED
  GTEST_SKIP() << "timing is meaningless under sanitizers";
#endif
  const size_t dim = 384, n = 200000, nq = 8;
  Data d(dim, false, false);
  std::mt19937_64 rng(25);
  for (size_t i = 0; i < n; ++i) {
    VectorOp op;
    op.type = OpType::kUpsert;
    op.collection = "c";
    op.id = std::to_string(i);
    const std::vector<float> v = RandomVector(Kind::kGaussian, dim, rng);
    op.row = d.rows.Append(v.data());
    ASSERT_TRUE(d.state.Apply(op, d.rows.rows()).ok());
  }
  const std::vector<float> queries = Queries(d, Kind::kGaussian, nq, 26);
  const std::vector<char> scope = d.Scope();
  ThreadPool pool(1);
  SearchOptions o;
  o.top_k = 10;
  std::vector<Hit> first;
  for (int threads : {1, 2}) {
    SearchStats stats;
    SearchOne(d, queries.data(), scope, o, threads, &pool, &stats);  // warm up
    const auto start = std::chrono::steady_clock::now();
    for (size_t j = 0; j < nq; ++j) {
      auto hits = SearchOne(d, queries.data() + j * dim, scope, o, threads, &pool, &stats);
      if (j == 0 && threads == 1) first = hits;
      if (j == 0 && threads == 2) ExpectSameHits(first, hits, "1 vs 2 threads");
    }
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
            .count() /
        nq;
    std::printf("[ timing ] exact 200000x384 top10 %s threads=%d parts=%zu: %.2f ms/query\n",
                SimdLevelName(GetKernels().level), threads, stats.parts, ms);
  }
  SearchRequest req;
  req.queries = queries.data();
  req.nq = nq;
  req.in_scope = &scope;
  req.options = &o;
  req.threads = 2;
  const auto start = std::chrono::steady_clock::now();
  const auto batch = RunSearch(d.rows, d.state, req, &pool);
  const double ms =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count() /
      nq;
  ExpectSameHits(first, batch[0], "batch");
  std::printf("[ timing ] exact 200000x384 top10 batch nq=%zu threads=2: %.2f ms/query\n", nq, ms);
}

}  // namespace
}  // namespace urd::vec
