// Copyright urd authors. TextIndex against a brute-force BM25 written straight from
// the formula in text_index.h, after seeded random sequences of Add (new ids and
// replacements), Remove (present and absent ids) and Compact, with random queries,
// k and filters.

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <map>
#include <random>
#include <string>
#include <vector>

#include "recall/text_index.h"

namespace urd::recall {
namespace {

// Recomputes everything from the documents on every query.
class BruteBm25 {
 public:
  void Add(uint64_t id, std::vector<std::string> terms) { docs_[id] = std::move(terms); }
  bool Remove(uint64_t id) { return docs_.erase(id) != 0; }
  size_t size() const { return docs_.size(); }

  size_t TermCount() const {
    std::vector<std::string> all;
    for (const auto& [id, terms] : docs_) all.insert(all.end(), terms.begin(), terms.end());
    std::sort(all.begin(), all.end());
    return static_cast<size_t>(std::unique(all.begin(), all.end()) - all.begin());
  }

  std::vector<TextHit> Search(const std::vector<std::string>& query_terms, size_t k,
                              const TextIndex::Filter& filter) const {
    std::vector<std::string> query;  // distinct, first appearance first
    for (const std::string& t : query_terms) {
      if (std::find(query.begin(), query.end(), t) == query.end()) query.push_back(t);
    }
    const double n = static_cast<double>(docs_.size());
    uint64_t total = 0;
    for (const auto& [id, terms] : docs_) total += terms.size();
    const double avgdl = static_cast<double>(total) / n;

    std::vector<TextHit> hits;
    for (const auto& [id, terms] : docs_) {
      double score = 0.0;
      bool matched = false;
      for (const std::string& t : query) {
        const auto tf = static_cast<double>(std::count(terms.begin(), terms.end(), t));
        if (tf == 0) continue;
        double df = 0;
        for (const auto& [other_id, other] : docs_) {
          df += std::find(other.begin(), other.end(), t) != other.end() ? 1 : 0;
        }
        const double idf = std::log(1.0 + (n - df + 0.5) / (df + 0.5));
        const double norm =
            TextIndex::kK1 *
            (1.0 - TextIndex::kB + TextIndex::kB * static_cast<double>(terms.size()) / avgdl);
        score += idf * (tf * (TextIndex::kK1 + 1.0)) / (tf + norm);
        matched = true;
      }
      if (matched && (!filter || filter(id))) hits.push_back({id, score});
    }
    std::sort(hits.begin(), hits.end(), [](const TextHit& a, const TextHit& b) {
      return a.score != b.score ? a.score > b.score : a.doc_id < b.doc_id;
    });
    if (hits.size() > k) hits.resize(k);
    return hits;
  }

 private:
  std::map<uint64_t, std::vector<std::string>> docs_;
};

// Terms t0..t39, low numbers far more frequent (the min of two uniform draws).
std::string RandomTerm(std::mt19937_64& rng) {
  std::uniform_int_distribution<int> u(0, 39);
  return "t" + std::to_string(std::min(u(rng), u(rng)));
}

std::vector<std::string> RandomTerms(std::mt19937_64& rng, int max_len) {
  std::vector<std::string> terms(std::uniform_int_distribution<int>(0, max_len)(rng));
  for (auto& t : terms) t = RandomTerm(rng);
  return terms;
}

void CheckQuery(const TextIndex& index, const BruteBm25& brute, std::mt19937_64& rng,
                const std::string& where) {
  std::vector<std::string> query = RandomTerms(rng, 4);
  if (rng() % 5 == 0) query.push_back("unknown");
  if (rng() % 5 == 0 && !query.empty()) query.push_back(query[0]);  // a repeat
  static const size_t kKs[] = {0, 1, 2, 3, 5, 10, 1000};
  const size_t k = kKs[rng() % std::size(kKs)];
  TextIndex::Filter filter;
  switch (rng() % 4) {
    case 0:
      break;
    case 1:
      filter = [](uint64_t id) { return id % 2 == 0; };
      break;
    case 2:
      filter = [](uint64_t id) { return id % 3 != 0; };
      break;
    case 3:
      filter = [](uint64_t id) { return id < 20; };
      break;
  }
  const auto want = brute.Search(query, k, filter);
  const auto got = index.SearchTerms(query, k, filter);
  ASSERT_EQ(got.size(), want.size()) << where;
  for (size_t i = 0; i < got.size(); i++) {
    ASSERT_EQ(got[i].doc_id, want[i].doc_id) << where << " rank " << i;
    ASSERT_NEAR(got[i].score, want[i].score, 1e-9) << where << " rank " << i;
  }
}

TEST(TextIndexPropsTest, MatchesBruteForceUnderRandomEdits) {
  for (uint64_t seed = 1; seed <= 6; seed++) {
    std::mt19937_64 rng(seed);
    TextIndex index;
    BruteBm25 brute;
    // Few ids, so that replacements and removals of present ids are common.
    const uint64_t id_space = seed % 2 == 0 ? 40 : 150;
    for (int step = 0; step < 3000; step++) {
      const std::string where = "seed " + std::to_string(seed) + " step " + std::to_string(step);
      const uint64_t id = rng() % id_space;
      const int op = static_cast<int>(rng() % 100);
      if (op < 60) {
        std::vector<std::string> terms = RandomTerms(rng, 12);
        index.AddTerms(id, terms);
        brute.Add(id, std::move(terms));
      } else if (op < 98) {
        ASSERT_EQ(index.Remove(id), brute.Remove(id)) << where;
      } else {
        index.Compact();
        ASSERT_EQ(index.dead_docs(), 0u);
      }
      ASSERT_EQ(index.size(), brute.size()) << where;
      if (step % 5 == 0) {
        ASSERT_EQ(index.term_count(), brute.TermCount()) << where;
        CheckQuery(index, brute, rng, where);
      }
    }
    for (int q = 0; q < 50; q++) CheckQuery(index, brute, rng, "final");
  }
}

// Whole texts through the tokenizer, with removals that empty the index entirely.
TEST(TextIndexPropsTest, DrainAndRefill) {
  std::mt19937_64 rng(99);
  TextIndex index;
  BruteBm25 brute;
  for (int round = 0; round < 4; round++) {
    for (uint64_t id = 0; id < 300; id++) {
      std::vector<std::string> terms = RandomTerms(rng, 8);
      index.AddTerms(id, terms);
      brute.Add(id, std::move(terms));
    }
    for (int q = 0; q < 20; q++) CheckQuery(index, brute, rng, "full");
    for (uint64_t id = 0; id < 300; id++) {
      ASSERT_TRUE(index.Remove(id));
      brute.Remove(id);
      if (id % 50 == 0) CheckQuery(index, brute, rng, "draining");
    }
    EXPECT_EQ(index.size(), 0u);
    EXPECT_EQ(index.term_count(), 0u);
    EXPECT_TRUE(index.SearchTerms(std::vector<std::string>{"t0"}, 10).empty());
  }
}

}  // namespace
}  // namespace urd::recall
