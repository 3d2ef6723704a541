// Copyright urd authors. AttrIndex: planning rules, and a seeded property test that
// candidates are a sorted superset of the true matches (exact for Eq/In trees).

#include "vector/attr_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <string>
#include <vector>

namespace urd::vec {
namespace {

using V = Value;
using Rows = std::vector<uint32_t>;

TEST(AttrIndexTest, EqAndIn) {
  AttrIndex index;
  index.Add(0, {{"kind", V::String("doc")}, {"n", V::Int(1)}});
  index.Add(1, {{"kind", V::String("code")}, {"n", V::Float(1.0)}});
  index.Add(2, {{"kind", V::String("doc")}, {"tags", V::List({"a", "b"})}});
  index.Add(5, {{"kind", V::Null()}});
  EXPECT_EQ(index.row_limit(), 6u);

  EXPECT_EQ(index.Candidates(Filter::Eq("kind", V::String("doc"))), Rows({0, 2}));
  EXPECT_EQ(index.Candidates(Filter::Eq("kind", V::String("none"))), Rows());
  EXPECT_EQ(index.Candidates(Filter::Eq("missing", V::Int(1))), Rows());
  EXPECT_EQ(index.Candidates(Filter::Eq("kind", V::Null())), Rows({5}));
  // Int(1) and Float(1.0) are different values.
  EXPECT_EQ(index.Candidates(Filter::Eq("n", V::Int(1))), Rows({0}));
  EXPECT_EQ(index.Candidates(Filter::Eq("n", V::Float(1.0))), Rows({1}));
  // Lists are whole values.
  EXPECT_EQ(index.Candidates(Filter::Eq("tags", V::List({"a", "b"}))), Rows({2}));
  EXPECT_EQ(index.Candidates(Filter::Eq("tags", V::List({"b", "a"}))), Rows());
  EXPECT_EQ(index.Candidates(Filter::Eq("tags", V::String("a"))), Rows());

  EXPECT_EQ(index.Candidates(Filter::In("kind", {V::String("code"), V::Null(), V::String("doc")})),
            Rows({0, 1, 2, 5}));
  EXPECT_EQ(index.Candidates(Filter::In("kind", {V::String("doc"), V::String("doc")})),
            Rows({0, 2}));
  EXPECT_EQ(index.Candidates(Filter::In("kind", {})), Rows());

  EXPECT_EQ(index.EstimateCount(Filter::Eq("kind", V::String("doc"))), 2u);
  EXPECT_EQ(index.EstimateCount(Filter::In("kind", {V::String("doc"), V::Null()})), 3u);
  EXPECT_EQ(index.EstimateCount(Filter::In("kind", {})), 0u);
}

TEST(AttrIndexTest, UnplannableFilters) {
  AttrIndex index;
  index.Add(0, {{"k", V::String("a")}});
  index.Add(1, {{"k", V::String("b")}});
  for (const Filter& f : {Filter(), Filter::Glob("k", "a*"), Filter::Ge("k", V::String("a")),
                          Filter::Exists("k"), Filter::Not(Filter::Eq("k", V::String("a"))),
                          Filter::And({Filter::Exists("k"), Filter::Glob("k", "*")}),
                          Filter::Or({Filter::Eq("k", V::String("a")), Filter::Exists("k")})}) {
    EXPECT_FALSE(index.Candidates(f).has_value()) << f.ToJson();
    EXPECT_EQ(index.EstimateCount(f), 2u) << f.ToJson();
  }
}

TEST(AttrIndexTest, AndOr) {
  AttrIndex index;
  for (uint32_t row = 0; row < 20; ++row) {
    index.Add(row, {{"mod2", V::Int(row % 2)}, {"mod3", V::Int(row % 3)}});
  }
  const Filter even = Filter::Eq("mod2", V::Int(0));
  const Filter third = Filter::Eq("mod3", V::Int(0));
  EXPECT_EQ(index.Candidates(Filter::And({even, third})), Rows({0, 6, 12, 18}));
  // Unplannable children are skipped: still a superset.
  EXPECT_EQ(index.Candidates(Filter::And({Filter::Glob("x", "*"), third})),
            Rows({0, 3, 6, 9, 12, 15, 18}));
  EXPECT_EQ(index.Candidates(Filter::Or({Filter::Eq("mod3", V::Int(1)), third})),
            Rows({0, 1, 3, 4, 6, 7, 9, 10, 12, 13, 15, 16, 18, 19}));
  EXPECT_EQ(index.Candidates(Filter::Or({})), Rows());  // matches nothing
  EXPECT_EQ(index.Candidates(Filter::And({even, Filter::Eq("mod2", V::Int(1))})), Rows());
  EXPECT_EQ(index.EstimateCount(Filter::And({even, third})), 7u);  // min(10, 7)
  EXPECT_EQ(index.EstimateCount(Filter::Or({even, third})), 17u);  // 10 + 7
  EXPECT_EQ(index.EstimateCount(Filter::Or({even, Filter::Eq("mod2", V::Int(1)), third})), 20u);
}

TEST(AttrIndexTest, OutOfOrderAddsStaySorted) {
  AttrIndex index;
  index.Add(10, {{"k", V::Int(1)}});
  index.Add(3, {{"k", V::Int(1)}});
  index.Add(7, {{"k", V::Int(1)}});
  index.Add(7, {{"k", V::Int(1)}});
  EXPECT_EQ(index.Candidates(Filter::Eq("k", V::Int(1))), Rows({3, 7, 10}));
  EXPECT_EQ(index.row_limit(), 11u);
}

TEST(AttrIndexTest, NanIsNotIndexed) {
  AttrIndex index;
  index.Add(0, {{"f", V::Float(std::nan(""))}, {"g", V::Float(1.5)}});
  index.Add(1, {{"f", V::Float(-0.0)}});
  EXPECT_EQ(index.Candidates(Filter::Eq("f", V::Float(std::nan("")))), Rows());
  EXPECT_EQ(index.Candidates(Filter::Eq("g", V::Float(1.5))), Rows({0}));
  // -0.0 == 0.0 as Values, and the index agrees.
  EXPECT_EQ(index.Candidates(Filter::Eq("f", V::Float(0.0))), Rows({1}));
}

TEST(AttrIndexTest, MemoryAndClear) {
  AttrIndex index;
  const size_t empty = index.memory_bytes();
  for (uint32_t row = 0; row < 1000; ++row) {
    index.Add(row,
              {{"id", V::String("value-number-" + std::to_string(row))}, {"b", V::Bool(true)}});
  }
  const size_t full = index.memory_bytes();
  EXPECT_GT(full, empty + 1000 * (sizeof(uint32_t) + 16));
  EXPECT_LT(full, empty + 1000 * 512);
  index.Clear();
  EXPECT_EQ(index.memory_bytes(), empty);
  EXPECT_EQ(index.row_limit(), 0u);
  EXPECT_EQ(index.Candidates(Filter::Eq("b", V::Bool(true))), Rows());
}

// ---- Seeded property test ----

class Domain {
 public:
  explicit Domain(uint32_t seed) : rng_(seed) {}

  Attrs RandomAttrs() {
    Attrs attrs;
    for (const char* key : {"a", "b", "c", "d"}) {
      if (Uniform(0, 3) != 0) attrs[key] = RandomValue();
    }
    return attrs;
  }

  // Eq/In/And/Or only (`pure`), or anything.
  Filter RandomFilter(int depth, bool pure) {
    const int hi = depth >= 3 ? 1 : (pure ? 3 : 8);
    switch (Uniform(0, hi)) {
      case 0:
        return Filter::Eq(Key(), RandomValue());
      case 1: {
        std::vector<Value> vs(Uniform(0, 3));
        for (auto& v : vs) v = RandomValue();
        return Filter::In(Key(), std::move(vs));
      }
      case 2:
      case 3: {
        std::vector<Filter> fs(Uniform(pure ? 1 : 0, 3));
        for (auto& f : fs) f = RandomFilter(depth + 1, pure);
        return Uniform(0, 1) ? Filter::Or(std::move(fs)) : Filter::And(std::move(fs));
      }
      case 4:
        return Filter::Not(RandomFilter(depth + 1, pure));
      case 5:
        return Filter::Exists(Key());
      case 6:
        return Filter::Glob(Key(), Uniform(0, 1) ? "x*" : "?");
      case 7:
        return Filter::Ge(Key(), V::Int(Uniform(0, 3)));
      default:
        return Filter();
    }
  }

 private:
  int Uniform(int lo, int hi) { return std::uniform_int_distribution<int>(lo, hi)(rng_); }
  std::string Key() {
    return std::string(1, static_cast<char>('a' + Uniform(0, 4)));
  }  // 'e' absent

  Value RandomValue() {
    switch (Uniform(0, 5)) {
      case 0:
        return V::Null();
      case 1:
        return V::Int(Uniform(0, 3));
      case 2:
        return V::Float(Uniform(0, 3));
      case 3:
        return V::String(std::string(1, static_cast<char>('x' + Uniform(0, 2))));
      case 4:
        return V::Bool(Uniform(0, 1) == 1);
      default:
        return Uniform(0, 1) ? V::List({"x", "y"}) : V::List({"y"});
    }
  }

  std::mt19937 rng_;
};

TEST(AttrIndexTest, CandidatesAreASupersetOfMatches) {
  Domain domain(99);
  constexpr uint32_t kRows = 2000;
  std::vector<Attrs> rows(kRows);
  AttrIndex index;
  for (uint32_t r = 0; r < kRows; ++r) {
    rows[r] = domain.RandomAttrs();
    index.Add(r, rows[r]);
  }
  int planned = 0, exact_checked = 0;
  for (int i = 0; i < 1500; ++i) {
    const bool pure = i % 2 == 0;
    const Filter f = domain.RandomFilter(0, pure);
    Rows truth;
    for (uint32_t r = 0; r < kRows; ++r) {
      if (f.Matches(rows[r])) truth.push_back(r);
    }
    const auto candidates = index.Candidates(f);
    const size_t estimate = index.EstimateCount(f);
    ASSERT_GE(estimate, truth.size()) << f.ToJson();
    if (!candidates) {
      ASSERT_FALSE(pure) << f.ToJson();
      ASSERT_EQ(estimate, kRows) << f.ToJson();
      continue;
    }
    ++planned;
    ASSERT_TRUE(std::is_sorted(candidates->begin(), candidates->end())) << f.ToJson();
    ASSERT_EQ(std::adjacent_find(candidates->begin(), candidates->end()), candidates->end())
        << f.ToJson();
    ASSERT_TRUE(std::includes(candidates->begin(), candidates->end(), truth.begin(), truth.end()))
        << f.ToJson();
    ASSERT_GE(estimate, candidates->size()) << f.ToJson();
    if (pure) {
      ++exact_checked;
      ASSERT_EQ(*candidates, truth) << f.ToJson();
    }
  }
  EXPECT_GT(planned, 900);  // the generator exercises the planner, not only the fallback
  EXPECT_EQ(exact_checked, 750);
}

}  // namespace
}  // namespace urd::vec
