// Copyright urd authors. TextIndex: BM25 against a hand-computed example, the search
// contract (replacement, removal, filter before the cut, ties, k), compaction, and
// a timing run over 100k short notes (printed, never asserted).

#include "recall/text_index.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <vector>

#include "recall/tokenizer.h"

namespace urd::recall {
namespace {

std::vector<uint64_t> Ids(const std::vector<TextHit>& hits) {
  std::vector<uint64_t> ids;
  for (const TextHit& h : hits) ids.push_back(h.doc_id);
  return ids;
}

using IdList = std::vector<uint64_t>;

// Three documents; their terms after tokenizing (tokenizer_test checks the stems):
//   d1 "apple banana apple"        -> appl appl banana   |d1| = 3
//   d2 "banana cherry"             -> banana cherri      |d2| = 2
//   d3 "cherry cherry cherry date" -> cherri x3 date     |d3| = 4
// N = 3, avgdl = 9 / 3 = 3.
// df: appl 1, banana 2, cherri 2, date 1, so
//   idf(df 1) = ln(1 + (3 - 1 + 0.5) / (1 + 0.5)) = ln(1 + 2.5/1.5) = ln(8/3) = 0.98082925301...
//   idf(df 2) = ln(1 + (3 - 2 + 0.5) / (2 + 0.5)) = ln(1 + 1.5/2.5) = ln(1.6) = 0.47000362924...
// Length normalisation k1 * (1 - b + b * |d| / avgdl):
//   |d| = 3: 1.2 * (0.25 + 0.75)     = 1.2
//   |d| = 2: 1.2 * (0.25 + 0.5)      = 0.9
//   |d| = 4: 1.2 * (0.25 + 1.0)      = 1.5
// Term weight tf * 2.2 / (tf + norm):
//   d1 appl   tf 2: 4.4 / 3.2 = 1.375      d1 banana tf 1: 2.2 / 2.2 = 1
//   d2 banana tf 1: 2.2 / 1.9              d2 cherri tf 1: 2.2 / 1.9
//   d3 cherri tf 3: 6.6 / 4.5              d3 date   tf 1: 2.2 / 2.5 = 0.88
class Bm25ExampleTest : public ::testing::Test {
 protected:
  void SetUp() override {
    index_.Add(1, "apple banana apple");
    index_.Add(2, "banana cherry");
    index_.Add(3, "cherry cherry cherry date");
  }

  static constexpr double kIdf1 = 0.98082925301172619;  // ln(8/3)
  static constexpr double kIdf2 = 0.47000362924573558;  // ln(1.6)
  TextIndex index_;
};

TEST_F(Bm25ExampleTest, Idf) {
  EXPECT_NEAR(kIdf1, std::log(8.0 / 3.0), 1e-15);
  EXPECT_NEAR(kIdf2, std::log(1.6), 1e-15);
}

TEST_F(Bm25ExampleTest, AppleBanana) {
  // d1 = 1.375 * ln(8/3) + 1 * ln(1.6) = 1.8186438521...
  // d2 = 2.2 / 1.9 * ln(1.6)           = 0.5442147286...
  // d3 holds neither term: no hit.
  const auto hits = index_.Search("Apple, BANANA!", 10);
  ASSERT_EQ(Ids(hits), IdList({1, 2}));
  EXPECT_NEAR(hits[0].score, 1.375 * kIdf1 + kIdf2, 1e-9);
  EXPECT_NEAR(hits[0].score, 1.8186438521368590, 1e-9);
  EXPECT_NEAR(hits[1].score, 2.2 / 1.9 * kIdf2, 1e-9);
  EXPECT_NEAR(hits[1].score, 0.5442147286003255, 1e-9);
}

TEST_F(Bm25ExampleTest, CherryDate) {
  // d3 = 6.6 / 4.5 * ln(1.6) + 0.88 * ln(8/3) = 1.5524683988...
  // d2 = 2.2 / 1.9 * ln(1.6)                  = 0.5442147286...
  const auto hits = index_.Search("cherries and dates", 10);
  ASSERT_EQ(Ids(hits), IdList({3, 2}));
  EXPECT_NEAR(hits[0].score, 6.6 / 4.5 * kIdf2 + 0.88 * kIdf1, 1e-9);
  EXPECT_NEAR(hits[0].score, 1.5524683988773980, 1e-9);
  EXPECT_NEAR(hits[1].score, 2.2 / 1.9 * kIdf2, 1e-9);
}

TEST_F(Bm25ExampleTest, BananaCherry) {
  // d2 = 2 * 2.2 / 1.9 * ln(1.6) = 1.0884294572...
  // d3 = 6.6 / 4.5 * ln(1.6)     = 0.6893386562...
  // d1 = 1 * ln(1.6)             = 0.4700036292...
  const auto hits = index_.Search("banana cherry", 10);
  ASSERT_EQ(Ids(hits), IdList({2, 3, 1}));
  EXPECT_NEAR(hits[0].score, 2 * 2.2 / 1.9 * kIdf2, 1e-9);
  EXPECT_NEAR(hits[1].score, 6.6 / 4.5 * kIdf2, 1e-9);
  EXPECT_NEAR(hits[2].score, kIdf2, 1e-9);
  // k cuts after the best.
  EXPECT_EQ(Ids(index_.Search("banana cherry", 2)), IdList({2, 3}));
  EXPECT_EQ(Ids(index_.Search("banana cherry", 1)), IdList({2}));
}

TEST_F(Bm25ExampleTest, RepeatedQueryTermsCountOnce) {
  const auto once = index_.Search("apple banana", 10);
  const auto twice = index_.Search("apples apple banana apple", 10);
  ASSERT_EQ(Ids(once), Ids(twice));
  for (size_t i = 0; i < once.size(); i++) EXPECT_EQ(once[i].score, twice[i].score);
}

TEST_F(Bm25ExampleTest, NoHits) {
  EXPECT_TRUE(index_.Search("apple", 0).empty());
  EXPECT_TRUE(index_.Search("", 10).empty());
  EXPECT_TRUE(index_.Search("the and of", 10).empty());  // stop words only
  EXPECT_TRUE(index_.Search("durian", 10).empty());
  EXPECT_TRUE(TextIndex().Search("apple", 10).empty());
}

TEST_F(Bm25ExampleTest, EmptyDocumentCountsInN) {
  // A document with no terms joins N (and avgdl), so idf and lengths change:
  // N = 4, avgdl = 9 / 4; d2: idf(df 2) = ln(1 + 2.5 / 2.5) = ln 2,
  // norm = 1.2 * (0.25 + 0.75 * 2 / 2.25) = 1.1, weight = 2.2 / 2.1.
  index_.Add(9, "the of and");
  EXPECT_EQ(index_.size(), 4u);
  const auto hits = index_.Search("banana", 10);
  ASSERT_EQ(Ids(hits), IdList({2, 1}));
  EXPECT_NEAR(hits[0].score, 2.2 / 2.1 * std::log(2.0), 1e-9);
  EXPECT_TRUE(index_.Remove(9));
  EXPECT_NEAR(index_.Search("banana", 10)[0].score, 2.2 / 1.9 * kIdf2, 1e-9);
}

TEST_F(Bm25ExampleTest, ReplacementChangesResults) {
  index_.Add(1, "durian");  // replaces d1
  EXPECT_EQ(index_.size(), 3u);
  EXPECT_TRUE(index_.Search("apple", 10).empty());
  EXPECT_EQ(Ids(index_.Search("durian", 10)), IdList({1}));
  // banana is now only in d2: df 1, N 3, avgdl (1 + 2 + 4) / 3.
  const auto hits = index_.Search("banana", 10);
  ASSERT_EQ(Ids(hits), IdList({2}));
  const double norm = 1.2 * (0.25 + 0.75 * 2.0 / (7.0 / 3.0));
  EXPECT_NEAR(hits[0].score, kIdf1 * 2.2 / (1.0 + norm), 1e-9);
}

TEST_F(Bm25ExampleTest, RemovalChangesResults) {
  EXPECT_TRUE(index_.Remove(2));
  EXPECT_FALSE(index_.Remove(2));
  EXPECT_FALSE(index_.Remove(77));
  EXPECT_FALSE(index_.Contains(2));
  EXPECT_EQ(index_.size(), 2u);
  EXPECT_EQ(Ids(index_.Search("banana cherry", 10)), IdList({3, 1}));

  // The same scores as an index that never held d2.
  TextIndex fresh;
  fresh.Add(1, "apple banana apple");
  fresh.Add(3, "cherry cherry cherry date");
  for (const char* q : {"banana cherry", "apple", "date apple", "cherry"}) {
    const auto a = index_.Search(q, 10);
    const auto b = fresh.Search(q, 10);
    ASSERT_EQ(Ids(a), Ids(b)) << q;
    for (size_t i = 0; i < a.size(); i++) EXPECT_EQ(a[i].score, b[i].score) << q;
  }
  EXPECT_EQ(index_.term_count(), fresh.term_count());

  // Re-adding brings it back.
  index_.Add(2, "banana cherry");
  EXPECT_EQ(Ids(index_.Search("banana cherry", 10)), IdList({2, 3, 1}));
}

TEST(TextIndexTest, FilterAppliedBeforeTheCut) {
  TextIndex index;
  // Ids not divisible by 10 hold "apple" twice (they score higher); multiples of
  // 10 hold it once.
  for (uint64_t id = 0; id < 100; id++) {
    index.Add(id, id % 10 == 0 ? "apple pear" : "apple apple");
  }
  const TextIndex::Filter tens = [](uint64_t id) { return id % 10 == 0; };
  EXPECT_EQ(Ids(index.Search("apple", 5, tens)), IdList({0, 10, 20, 30, 40}));
  // min(k, matches): 10 match the filter.
  EXPECT_EQ(index.Search("apple", 20, tens).size(), 10u);
  EXPECT_EQ(index.Search("apple", 1000).size(), 100u);
  EXPECT_TRUE(index.Search("apple", 5, [](uint64_t) { return false; }).empty());
  // Unfiltered, the higher-scoring ids come first.
  EXPECT_EQ(Ids(index.Search("apple", 3)), IdList({1, 2, 3}));
}

TEST(TextIndexTest, FilterSeesOnlyMatches) {
  TextIndex index;
  index.Add(1, "apple");
  index.Add(2, "pear");
  index.Add(3, "apple pear");
  std::vector<uint64_t> seen;
  const auto hits = index.Search("apple", 10, [&](uint64_t id) {
    seen.push_back(id);
    return true;
  });
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, IdList({1, 3}));
  EXPECT_EQ(hits.size(), 2u);
}

TEST(TextIndexTest, TiesBreakByIdAscending) {
  std::vector<uint64_t> ids = {42, 7, UINT64_MAX, 0, 1000, 13, 8, 99};
  std::mt19937_64 rng(7);
  for (int round = 0; round < 5; round++) {
    std::shuffle(ids.begin(), ids.end(), rng);
    TextIndex index;
    for (uint64_t id : ids) index.Add(id, "shared words text");
    index.Add(5, "unrelated");
    const IdList expected = {0, 7, 8, 13, 42, 99, 1000, UINT64_MAX};
    const auto hits = index.Search("shared words", 100);
    EXPECT_EQ(Ids(hits), expected);
    for (const TextHit& h : hits) EXPECT_EQ(h.score, hits[0].score);
    EXPECT_EQ(Ids(index.Search("shared words", 3)), IdList({0, 7, 8}));
    // Removing and re-adding (a new slot at the end) does not change the order.
    index.Add(0, "shared words text");
    EXPECT_EQ(Ids(index.Search("shared words", 3)), IdList({0, 7, 8}));
  }
}

TEST(TextIndexTest, CompactionKeepsResults) {
  TextIndex index;
  for (uint64_t id = 0; id < 500; id++) {
    index.Add(id, "note " + std::to_string(id % 37) + " about topic" + std::to_string(id % 11));
  }
  const auto before = index.Search("note topic3 12", 50);
  const size_t terms_before = index.term_count();
  // Add and remove documents with fresh words: dead weight, then compaction.
  size_t max_dead = 0;
  for (uint64_t id = 1000; id < 2500; id++) {
    index.Add(id, "temporary filler words number" + std::to_string(id));
    ASSERT_TRUE(index.Remove(id));
    max_dead = std::max(max_dead, index.dead_docs());
  }
  EXPECT_GE(max_dead, 64u);
  EXPECT_LT(index.dead_docs(), max_dead);  // compacted on its own at least once
  EXPECT_EQ(index.size(), 500u);
  EXPECT_EQ(index.term_count(), terms_before);
  auto check = [&] {
    const auto after = index.Search("note topic3 12", 50);
    ASSERT_EQ(Ids(after), Ids(before));
    for (size_t i = 0; i < after.size(); i++) EXPECT_EQ(after[i].score, before[i].score);
  };
  check();
  index.Compact();
  EXPECT_EQ(index.dead_docs(), 0u);
  check();
  EXPECT_TRUE(index.Search("temporary filler", 10).empty());
}

TEST(TextIndexTest, ClearAndCounts) {
  TextIndex index;
  const size_t empty_bytes = index.ApproxMemoryBytes();
  index.Add(1, "red green blue");
  index.Add(2, "green yellow");
  EXPECT_EQ(index.size(), 2u);
  EXPECT_EQ(index.term_count(), 4u);
  EXPECT_TRUE(index.Contains(1));
  EXPECT_GT(index.ApproxMemoryBytes(), empty_bytes);
  EXPECT_TRUE(index.Remove(2));
  EXPECT_EQ(index.term_count(), 3u);
  index.Clear();
  EXPECT_EQ(index.size(), 0u);
  EXPECT_EQ(index.term_count(), 0u);
  EXPECT_TRUE(index.Search("green", 10).empty());
  index.Add(3, "green");
  EXPECT_EQ(Ids(index.Search("green", 10)), IdList({3}));
}

TEST(TextIndexTest, AddTermsMatchesAdd) {
  TextIndex a, b;
  const std::string text = "Alice's cats were chasing the neighbour's dog";
  a.Add(1, text);
  const std::vector<std::string> terms = Tokenize(text);
  b.AddTerms(1, terms);
  const auto ha = a.Search("cat chase", 10);
  const auto hb = b.SearchTerms(Tokenize("cat chase"), 10);
  ASSERT_EQ(Ids(ha), IdList({1}));
  ASSERT_EQ(Ids(hb), IdList({1}));
  EXPECT_EQ(ha[0].score, hb[0].score);
}

// The timing run: 100k notes of 20 words drawn from a Zipf(1) vocabulary of 10k
// words, 200 five-word queries for the top 10. Prints the times; asserts only that
// results come back.
TEST(TextIndexPerfTest, HundredThousandShortNotes) {
  constexpr size_t kDocs = 100'000, kWords = 20, kVocab = 10'000, kQueries = 200;
  std::mt19937_64 rng(2024);
  const char* syllables[] = {"ka",  "lo",  "mi",  "ne",  "ru",  "sa",   "ti",   "vo",  "ber",
                             "dan", "gor", "hil", "mar", "pel", "ston", "wick", "ing", "er"};
  std::vector<std::string> vocab;
  for (size_t i = 0; vocab.size() < kVocab; i++) {
    std::string w;
    for (size_t x = i + 1; x > 0; x /= 18) w += syllables[x % 18];
    vocab.push_back(w);
  }
  std::vector<double> cdf(kVocab);
  double sum = 0;
  for (size_t r = 0; r < kVocab; r++) cdf[r] = sum += 1.0 / static_cast<double>(r + 1);
  std::uniform_real_distribution<double> uni(0.0, sum);
  auto word = [&]() -> const std::string& {
    const size_t r = std::lower_bound(cdf.begin(), cdf.end(), uni(rng)) - cdf.begin();
    return vocab[std::min(r, kVocab - 1)];
  };

  TextIndex index;
  const auto t0 = std::chrono::steady_clock::now();
  std::string text;
  for (size_t d = 0; d < kDocs; d++) {
    text.clear();
    for (size_t w = 0; w < kWords; w++) (text += word()) += ' ';
    index.Add(d, text);
  }
  const auto t1 = std::chrono::steady_clock::now();

  std::vector<std::string> queries;
  for (size_t q = 0; q < kQueries; q++) {
    std::string s;
    for (int w = 0; w < 5; w++) (s += word()) += ' ';
    queries.push_back(s);
  }
  std::vector<double> ms;
  size_t hits = 0;
  for (const std::string& q : queries) {
    const auto a = std::chrono::steady_clock::now();
    hits += index.Search(q, 10).size();
    const auto b = std::chrono::steady_clock::now();
    ms.push_back(std::chrono::duration<double, std::milli>(b - a).count());
  }
  EXPECT_EQ(hits, 10 * kQueries);
  std::sort(ms.begin(), ms.end());
  double mean = 0;
  for (double m : ms) mean += m;
  mean /= static_cast<double>(ms.size());
  std::printf(
      "[ timing ] TextIndex %zu notes x %zu words (Zipf vocab %zu): build %.0f ms, %.1f MB; "
      "5-word query top-10: p50 %.3f ms, p95 %.3f ms, max %.3f ms, mean %.3f ms\n",
      kDocs, kWords, kVocab, std::chrono::duration<double, std::milli>(t1 - t0).count(),
      static_cast<double>(index.ApproxMemoryBytes()) / 1e6, ms[ms.size() / 2],
      ms[ms.size() * 95 / 100], ms.back(), mean);
}

}  // namespace
}  // namespace urd::recall
