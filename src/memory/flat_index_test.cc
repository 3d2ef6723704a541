// Copyright urd authors. FlatIndex against a reference multimap: random inserts,
// replaces and erases with deliberately colliding hashes.

#include "memory/flat_index.h"

#include <map>
#include <random>
#include <set>

#include <gtest/gtest.h>

namespace urd::mem {
namespace {

TEST(FlatIndexTest, MatchesAReferenceUnderRandomOperations) {
  std::mt19937_64 rng(5);
  FlatIndex index;
  std::set<std::pair<uint32_t, uint32_t>> model;  // (hash, value)
  uint32_t next_value = 0;
  for (int step = 0; step < 50000; ++step) {
    uint32_t hash = static_cast<uint32_t>(rng() % 4096) * 0x01000193u;  // colliding hashes
    int op = static_cast<int>(rng() % 10);
    if (op < 5 || model.empty()) {
      index.Insert(hash, next_value);
      model.insert({hash, next_value++});
    } else {
      auto it = model.begin();
      std::advance(it, static_cast<long>(rng() % std::min<size_t>(model.size(), 64)));
      auto [h, v] = *it;
      model.erase(it);
      if (op < 8) {
        ASSERT_TRUE(index.Erase(h, v));
      } else {
        ASSERT_TRUE(index.Replace(h, v, next_value));
        model.insert({h, next_value++});
      }
    }
    if (step % 997 == 0) {
      ASSERT_EQ(index.size(), model.size());
      for (auto [h, v] : model) {
        uint32_t want = v;
        ASSERT_EQ(index.Find(h, [&](uint32_t x) { return x == want; }), v);
      }
      EXPECT_EQ(index.Find(12345, [](uint32_t) { return true; }), FlatIndex::kEmpty);
    }
  }
  size_t seen = 0;
  index.ForEach([&](uint32_t v) {
    ++seen;
    EXPECT_TRUE(std::any_of(model.begin(), model.end(), [&](auto& e) { return e.second == v; }));
  });
  EXPECT_EQ(seen, model.size());
  EXPECT_FALSE(index.Erase(1, next_value + 1));
  EXPECT_FALSE(index.Replace(1, next_value + 1, 0));
}

}  // namespace
}  // namespace urd::mem
