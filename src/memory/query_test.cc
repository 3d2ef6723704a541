// Copyright urd authors. The read side: predicates, the bi-temporal resolver,
// flags, framing, decay, episodes, errors; and a brute-force resolver property.

#include "memory/query.h"

#include <random>

#include <gtest/gtest.h>

#include "memory/ir/timestamp.h"
#include "memory/pipeline.h"
#include "urd/memory_store.h"

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;  // 2024-04-17

ClockTime Day(std::string_view iso) { return *ParseTimestampMillis(iso); }

class QueryTest : public ::testing::Test {
 protected:
  void Write(std::string_view text, ClockTime now = 0) {
    CompiledBatch b;
    Status s = CompileBatch(&st_, text, now == 0 ? ++now_ : now, nullptr, &b);
    ASSERT_TRUE(s.ok()) << s.ToString();
    st_.Commit();
  }

  ReadResult Run(std::string_view q) {
    ReadResult r;
    Status s = ExecuteQuery(st_, decay_, q, &r);
    EXPECT_TRUE(s.ok()) << s.ToString() << " for " << q;
    return r;
  }

  std::string Error(std::string_view q) {
    ReadResult r;
    Status s = ExecuteQuery(st_, decay_, q, &r);
    EXPECT_FALSE(s.ok()) << q;
    return s.ToString();
  }

  // The objects (symbol names) of the semantic records of a result.
  std::vector<std::string> Objects(const ReadResult& r) {
    std::vector<std::string> out;
    for (const ReadRecord& rec : r.records) {
      if (rec.ref.kind != MemoryKind::kSem) continue;
      const Value& o = st_.sem()[rec.ref.index].o;
      out.push_back(o.is_symbol() ? st_.symbols().Find(o.symbol())->canonical_name
                                  : o.DebugString());
    }
    return out;
  }

  MemoryState st_;
  DecayConfig decay_;
  ClockTime now_ = kNow;
};

using Names = std::vector<std::string>;

TEST_F(QueryTest, CurrentStateAndAsOf) {
  Write("(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)");
  Write("(sem @alice @city @berlin :src @observation :c 0.9 :v 2024-03-01)");
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city)")), Names{"berlin"});
  EXPECT_EQ(Objects(Run("(query :s @alice :p city :as_of 2024-02-01)")), Names{"paris"});
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city :as_of 2023-12-01)")), Names{});
  // What did we know before the second commit?
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city :as_committed " +
                        FormatTimestampMillis(kNow + 1) + ")")),
            Names{"paris"});
}

// docs/decisions.md M1: a retroactive write does not hide the current fact.
TEST_F(QueryTest, RetroactiveWriteFillsThePast) {
  Write("(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)");
  Write("(sem @alice @city @berlin :src @observation :c 0.9 :v 2024-03-01)");
  Write("(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01)");
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city)")), Names{"berlin"});
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city :as_of 2024-03-15)")), Names{"berlin"});
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city :as_of 2024-02-15)")), Names{"rome"});
  EXPECT_EQ(Objects(Run("(query :s @alice :p @city :as_of 2024-01-15)")), Names{"paris"});
}

TEST_F(QueryTest, SubjectOnlyPredicateOnlyAndKinds) {
  Write("(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)"
        "(sem @alice @job @chef :src @observation :c 0.9 :v 2024-01-01)"
        "(sem @bob @city @rome :src @observation :c 0.9 :v 2024-01-01)"
        "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0)"
        "(epi @e1 @met (@alice @bob) @cafe :at 2024-01-02 :obs 2024-01-02 :src @observation :c "
        "0.7)");
  Write("(inf @alice @likes @cooking (@__mem_1) @direct_lookup :c 0.5 :v 2024-01-03)");
  EXPECT_EQ(Run("(query :s @alice)").records.size(), 3u);  // 2 sem + 1 inf
  EXPECT_EQ(Run("(query :p @city)").records.size(), 2u);
  EXPECT_EQ(Run("(query)").records.size(), 6u);
  EXPECT_EQ(Run("(query :kind pro)").records.size(), 1u);
  EXPECT_EQ(Run("(query :kind epi)").records.size(), 1u);  // decisions M2
  EXPECT_EQ(Run("(query :kind inf)").records.size(), 1u);
  EXPECT_EQ(Run("(query :s @nobody)").records.size(), 0u);  // unknown name: empty
}

// docs/decisions.md M15: flags describe the records returned; `truncated` says
// more matched.
TEST_F(QueryTest, LimitTruncatesAndFlagsDescribeReturnedRecords) {
  Write("(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)"
        "(sem @b @p 1 :src @observation :c 0.2 :v 2024-01-01)"
        "(sem @c @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  ReadResult r = Run("(query :limit 0)");
  EXPECT_EQ(r.records.size(), 0u);
  EXPECT_EQ(r.flags, kQueryTruncated);
  r = Run("(query :limit 1)");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.flags, kQueryTruncated);
  r = Run("(query :limit 2)");
  EXPECT_EQ(r.flags, kQueryTruncated | kQueryLowConfidence);
  r = Run("(query :limit 3)");
  EXPECT_EQ(r.flags, kQueryLowConfidence);
  r = Run("(query :limit 5 :confidence_threshold 0.1)");
  EXPECT_EQ(r.flags, 0u);
  // Commit order across kinds, oldest first.
  Write("(pro @r \"t\" \"a\" :scp @s :src @policy :c 1.0)");
  Write("(sem @d @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  r = Run("(query)");
  ASSERT_EQ(r.records.size(), 5u);
  EXPECT_EQ(r.records[3].ref.kind, MemoryKind::kPro);
  EXPECT_EQ(r.records[4].ref.kind, MemoryKind::kSem);
}

// §4.9's worked vector: 0.8 from an observation valid 2023-12-01, read at
// 2024-04-17: effective 30838 -> LOW_CONFIDENCE; pinned: 52428.
TEST_F(QueryTest, DecayWorkedVectorAndPin) {
  Write("(sem @alice @knows @bob :src @observation :c 0.8 :v 2023-12-01)", kNow);
  ReadResult r = Run("(query :s @alice :p @knows)");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(r.records[0].effective, 30838);
  EXPECT_EQ(r.flags, kQueryLowConfidence);
  Write("(pin @__mem_0 :actor @mira)", kNow - 10);  // clock: kNow + 1
  r = Run("(query :s @alice :p @knows :show_framing true)");
  EXPECT_EQ(r.records[0].effective, 52428);
  EXPECT_EQ(r.records[0].framing, Framing::kPinned);
  EXPECT_EQ(r.flags, 0u);
  Write("(unpin @__mem_0 :actor @mira) (authoritative_set @__mem_0 :actor @op)");
  r = Run("(query :show_framing true)");
  EXPECT_EQ(r.records[0].framing, Framing::kAuthoritative);
  Write("(authoritative_clear @__mem_0 :actor @op)");
  r = Run("(query :show_framing true :as_of 2024-01-01)");
  EXPECT_LT(r.records[0].effective, 52428);
  EXPECT_EQ(r.records[0].framing, Framing::kHistorical);
}

TEST_F(QueryTest, RetiredAndProjectedAreFilteredAndExplained) {
  Write("(sem @a @p @old :src @observation :c 0.9 :v 2024-01-01)"
        "(sem @b @p 1 :src @observation :c 0.9 :v 2030-01-01 :projected true)");
  Write("(retire @old)");
  ReadResult r = Run("(query :explain_filtered true)");
  EXPECT_EQ(r.records.size(), 0u);
  ASSERT_EQ(r.filtered.size(), 1u);  // the projected one is not authoritative yet
  EXPECT_EQ(r.filtered[0].second, FilterReason::kRetiredSymbol);
  EXPECT_EQ(r.flags, kQueryExplainFilteredActive);
  r = Run("(query :include_retired true :include_projected true)");
  EXPECT_EQ(r.records.size(), 2u);
  EXPECT_EQ(r.flags, kQueryStaleSymbol | kQueryProjectedPresent);
}

TEST_F(QueryTest, EpisodeFilters) {
  Write("(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)");  // __ep_0
  Write("(episode :start :parent_episode @__ep_0) (sem @b @p 1 :src @observation :c 0.9 :v "
        "2024-01-01)");  // __ep_1
  Write("(sem @c @p 1 :src @observation :c 0.9 :v 2024-01-01)");  // __ep_2
  EXPECT_EQ(Run("(query :in_episode @__ep_1)").records.size(), 1u);
  EXPECT_EQ(Run("(query :after_episode @__ep_0)").records.size(), 2u);
  EXPECT_EQ(Run("(query :before_episode @__ep_2)").records.size(), 2u);
  EXPECT_EQ(Run("(query :episode_chain @__ep_1)").records.size(), 2u);
  EXPECT_EQ(Run("(query :in_episode @__ep_9)").records.size(), 0u);
}

TEST_F(QueryTest, EveryReadErrorKind) {
  Write("");
  const std::pair<const char*, const char*> cases[] = {
      {"(query :s", "UnexpectedEof"},
      {"(query) (query)", "NotASingleQuery"},
      {"", "NotASingleQuery"},
      {"(sem @a @p 1 :src @o :c 0.5 :v 2024-01-01)", "NotAQuery"},
      {"(query @sel)", "UnsupportedPredicate"},
      {"(query :o @x)", "UnsupportedPredicate"},
      {"(query :read_after @x)", "UnsupportedPredicate"},
      {"(query :limit -1)", "InvalidPredicate"},
      {"(query :as_of 5)", "InvalidPredicate"},
      {"(query :in_episode @a :after_episode @b)", "InvalidPredicate"},
      {"(query :confidence_threshold 2)", "InvalidPredicate"},
      {"(query :kind fact)", "InvalidKind"},
      {"(query :kind pro :s @a)", "IncompatiblePredicates"},
  };
  for (const auto& [q, kind] : cases) {
    std::string err = Error(q);
    EXPECT_NE(err.find(kind), std::string::npos) << q << " -> " << err;
  }
}

TEST_F(QueryTest, EmptyStoreAnswersEmpty) {
  ReadResult r = Run("(query :explain_filtered true :as_of 2024-01-01)");
  EXPECT_TRUE(r.records.empty());
  EXPECT_EQ(r.flags, kQueryExplainFilteredActive);
  EXPECT_EQ(r.as_of, Day("2024-01-01"));
  EXPECT_EQ(r.query_committed_at, 0u);
}

// Property: for random forward writes on one key, the resolver returns the record
// with the latest valid_at not after the probe, as a brute-force scan does.
TEST_F(QueryTest, ResolverMatchesBruteForceOnForwardWrites) {
  std::mt19937_64 rng(42);
  std::vector<ClockTime> valids;
  ClockTime base = Day("2020-01-01");
  for (int i = 0; i < 60; ++i) {
    ClockTime v = base + (rng() % 1000) * kDayMs;
    if (std::find(valids.begin(), valids.end(), v) != valids.end()) continue;
    bool forward = valids.empty() || v > *std::max_element(valids.begin(), valids.end());
    if (!forward) continue;
    valids.push_back(v);
    Write("(sem @k @p " + std::to_string(i) + " :src @observation :c 0.9 :v " +
          FormatTimestampMillis(v) + ")");
  }
  for (int probe = 0; probe < 200; ++probe) {
    ClockTime at = base + (rng() % 1100) * kDayMs;
    std::optional<size_t> want;
    for (size_t i = 0; i < valids.size(); ++i) {
      if (valids[i] <= at && (!want || valids[i] > valids[*want])) want = i;
    }
    ReadResult r = Run("(query :s @k :p @p :as_of " + FormatTimestampMillis(at) + ")");
    ASSERT_EQ(r.records.size(), want ? 1u : 0u) << FormatTimestampMillis(at);
    if (want) {
      EXPECT_EQ(st_.sem()[r.records[0].ref.index].valid_at, valids[*want]);
    }
  }
}

// Every committed distinct inferential is returned by (query :kind inf), and
// supersession crosses episode (batch) boundaries.
TEST_F(QueryTest, EveryDistinctInferentialIsReturned) {
  Write("(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  for (int i = 0; i < 12; ++i) {
    Write("(inf @x" + std::to_string(i % 4) + " @q" + std::to_string(i / 4) +
          " 1 (@__mem_0) @direct_lookup :c 0.5 :v 2024-01-02)");
  }
  EXPECT_EQ(Run("(query :kind inf)").records.size(), 12u);
  Write("(inf @x0 @q0 2 (@__mem_0) @direct_lookup :c 0.5 :v 2024-01-03)");  // supersedes
  ReadResult r = Run("(query :kind inf :s @x0 :p @q0)");
  ASSERT_EQ(r.records.size(), 1u);
  EXPECT_EQ(st_.inf()[r.records[0].ref.index].o, Value::Integer(2));
  EXPECT_EQ(Run("(query :kind inf)").records.size(), 12u);
}

// Snapshot isolation: a read at an earlier as_committed ignores later commits.
TEST_F(QueryTest, AsCommittedIsASnapshot) {
  Write("(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  ClockTime t1 = *st_.last_committed_at();
  ReadResult before = Run("(query)");
  Write("(sem @a @p 2 :src @observation :c 0.9 :v 2024-02-01) (sem @z @p 1 :src @observation "
        ":c 0.9 :v 2024-01-01)");
  ReadResult snap = Run("(query :as_committed " + FormatTimestampMillis(t1) + ")");
  ASSERT_EQ(snap.records.size(), before.records.size());
  EXPECT_EQ(snap.records[0].ref.index, before.records[0].ref.index);
}

}  // namespace
}  // namespace urd::mem
