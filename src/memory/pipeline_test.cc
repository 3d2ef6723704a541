// Copyright urd authors. The write pipeline: golden bytes, determinism, clocks,
// supersession, edges, staleness, atomicity, every semantic and emit error kind.

#include "memory/pipeline.h"

#include <fstream>
#include <iterator>

#include <gtest/gtest.h>

#include "memory/memory_log.h"

namespace urd::mem {
namespace {

constexpr ClockTime kNow = 1'713'350'400'000;  // 2024-04-17T10:40:00Z

// Compiles and commits one batch; returns its records.
std::vector<CanonicalRecord> Commit(MemoryState* st, std::string_view text, ClockTime now = kNow) {
  CompiledBatch b;
  Status s = CompileBatch(st, text, now, nullptr, &b);
  EXPECT_TRUE(s.ok()) << s.ToString() << "\n" << text;
  st->Commit();
  return b.records;
}

Status TryCommit(MemoryState* st, std::string_view text, ClockTime now = kNow) {
  CompiledBatch b;
  Status s = CompileBatch(st, text, now, nullptr, &b);
  st->Commit();
  return s;
}

std::string Encode(const std::vector<CanonicalRecord>& records) {
  std::string out;
  for (const auto& r : records) EncodeRecord(r, &out);
  return out;
}

// Every piece of state, encoded: equal digests mean equal states.
std::string Digest(const MemoryState& st) {
  std::string d;
  for (const auto& r : st.sem()) EncodeRecord(r, &d);
  for (const auto& r : st.epi()) EncodeRecord(r, &d);
  for (const auto& r : st.pro()) EncodeRecord(r, &d);
  for (const auto& r : st.inf()) EncodeRecord(r, &d);
  for (const auto& r : st.edges()) EncodeRecord(r, &d);
  for (SymbolId id = 0; id < st.symbols().next_id(); ++id) {
    const SymbolEntry* e = st.symbols().Find(id);
    if (e == nullptr) continue;
    d += e->canonical_name + "|" + std::to_string(static_cast<int>(e->kind)) +
         (e->retired ? "R" : "") + "|";
    for (const auto& a : e->aliases) d += a + ",";
  }
  for (const auto& e : st.episodes()) {
    d += std::to_string(e.id) + "@" + std::to_string(e.committed_at) + e.label + ";";
  }
  d += "clock=" + std::to_string(st.last_committed_at().value_or(0));
  d += " mem=" + std::to_string(st.next_memory_counter());
  d += " ep=" + std::to_string(st.next_episode_counter());
  return d;
}

std::string ErrorOf(MemoryState* st, std::string_view text, ClockTime now = kNow) {
  std::string before = Digest(*st);
  Status s = TryCommit(st, text, now);
  EXPECT_FALSE(s.ok()) << text;
  EXPECT_EQ(Digest(*st), before) << "a failed batch changed the state: " << text;
  return s.ToString();
}

size_t CountEdges(const std::vector<CanonicalRecord>& recs, EdgeKind kind) {
  size_t n = 0;
  for (const auto& r : recs) {
    if (const auto* e = std::get_if<EdgeRecord>(&r); e != nullptr && e->kind == kind) ++n;
  }
  return n;
}

TEST(PipelineTest, GoldenBatchMatchesMimirBytes) {
  std::ifstream f(URD_TESTDATA_DIR "/mimir_v1_sem_batch.golden", std::ios::binary);
  ASSERT_TRUE(f.good());
  std::string golden((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  ASSERT_EQ(golden.size(), 178u);
  MemoryState st;
  auto recs = Commit(&st, "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)");
  EXPECT_EQ(Encode(recs), golden.substr(kMimirLogHeaderSize));
  EXPECT_EQ(recs.size(), 8u);
}

TEST(PipelineTest, SameInputAndClockGiveIdenticalRecords) {
  const char* program =
      "(sem @a @p 1 :src @observation :c 0.5 :v 2024-01-01)"
      "(epi @ev1 @met (@a @b) @office :at 2024-01-02 :obs 2024-01-02 :src @observation :c 0.7)"
      "(pro @r1 \"when\" \"do\" :scp @global :src @policy :c 1.0)";
  const char* second = "(inf @a @q 2 (@__mem_0) @direct_lookup :c 0.4 :v 2024-01-03)";
  MemoryState a, b;
  EXPECT_EQ(Encode(Commit(&a, program)), Encode(Commit(&b, program)));
  EXPECT_EQ(Encode(Commit(&a, second, kNow + 9)), Encode(Commit(&b, second, kNow + 9)));
}

TEST(PipelineTest, CommitClockIsStrictlyMonotonic) {
  MemoryState st;
  ClockTime prev = 0;
  for (ClockTime now : {kNow, kNow, kNow - 5000, ClockTime{1}, kNow + 10}) {
    Commit(&st, "", now);
    ASSERT_TRUE(st.last_committed_at().has_value());
    EXPECT_GT(*st.last_committed_at(), prev);
    prev = *st.last_committed_at();
  }
  EXPECT_EQ(prev, kNow + 10);
  Commit(&st, "   ", 0);
  EXPECT_EQ(*st.last_committed_at(), kNow + 11);  // an empty batch advances by +1
}

TEST(PipelineTest, ForwardChainEmitsOneEdgePerStep) {
  MemoryState st;
  size_t edges = 0;
  for (int m = 1; m <= 4; ++m) {
    auto recs = Commit(&st, "(sem @alice @city @c" + std::to_string(m) +
                                " :src @observation :c 0.9 :v 2024-0" + std::to_string(m) +
                                "-01)");
    edges += CountEdges(recs, EdgeKind::kSupersedes);
  }
  EXPECT_EQ(edges, 3u);
  EXPECT_EQ(st.sem()[st.SemCurrent(0, 1)].valid_at, st.sem().back().valid_at);
}

TEST(PipelineTest, RetroactiveWriteKeepsCurrentAndSetsInvalidAt) {
  MemoryState st;
  Commit(&st, "(sem @alice @city @paris :src @observation :c 0.9 :v 2024-03-01)");
  auto recs = Commit(&st, "(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01)");
  const SemRecord& rome = st.sem()[1];
  ASSERT_TRUE(rome.invalid_at.has_value());
  EXPECT_EQ(*rome.invalid_at, st.sem()[0].valid_at);
  EXPECT_EQ(CountEdges(recs, EdgeKind::kSupersedes), 1u);
  EXPECT_EQ(st.SemCurrent(rome.s, rome.p), 0u);  // paris stays current
  // The next forward write supersedes paris, not rome.
  auto next = Commit(&st, "(sem @alice @city @oslo :src @observation :c 0.9 :v 2024-04-01)");
  bool found = false;
  for (const auto& r : next) {
    if (const auto* e = std::get_if<EdgeRecord>(&r)) {
      EXPECT_EQ(e->to, st.sem()[0].memory_id);
      found = true;
    }
  }
  EXPECT_TRUE(found);
}

TEST(PipelineTest, EqualValidAtIsAConflictAndChangesNothing) {
  MemoryState st;
  Commit(&st, "(sem @alice @city @paris :src @observation :c 0.9 :v 2024-03-01)");
  std::string err = ErrorOf(
      &st, "(sem @bob @x 1 :src @observation :c 0.9 :v 2024-03-01)"
           "(sem @alice @city @rome :src @observation :c 0.9 :v 2024-03-01)");
  EXPECT_NE(err.find("SemanticSupersessionConflict"), std::string::npos) << err;
  EXPECT_NE(err.find("line 1, column 55"), std::string::npos) << err;
  EXPECT_FALSE(st.symbols().Lookup("bob").has_value());
}

TEST(PipelineTest, IntraBatchSupersessionIsAllowed) {
  MemoryState st;
  auto recs = Commit(&st,
                     "(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)"
                     "(sem @a @p 2 :src @observation :c 0.9 :v 2024-01-02)");
  EXPECT_EQ(CountEdges(recs, EdgeKind::kSupersedes), 1u);
}

TEST(PipelineTest, ProceduralSupersessionByRuleAndByTriggerScope) {
  MemoryState st;
  Commit(&st, "(pro @r1 \"t1\" \"a1\" :scp @s :src @policy :c 1.0)");
  Commit(&st, "(pro @r2 \"t2\" \"a2\" :scp @s :src @policy :c 1.0)", kNow + 1);
  // Same rule id as r1 and same trigger+scope as r2: two edges.
  auto recs = Commit(&st, "(pro @r1 \"t2\" \"a3\" :scp @s :src @policy :c 1.0)", kNow + 2);
  EXPECT_EQ(CountEdges(recs, EdgeKind::kSupersedes), 2u);
  // Both old rules left both of their keys.
  SymbolId r2 = *st.symbols().Lookup("r2");
  EXPECT_EQ(st.ProCurrentByRule(r2), kNoRecord);
  // A duplicate in a later batch: one edge.
  auto dup = Commit(&st, "(pro @r1 \"t2\" \"a3\" :scp @s :src @policy :c 1.0)", kNow + 3);
  EXPECT_EQ(CountEdges(dup, EdgeKind::kSupersedes), 1u);
}

TEST(PipelineTest, ProceduralCollisionInsideABatchIsRejected) {
  MemoryState st;
  std::string err = ErrorOf(&st,
                            "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0)"
                            "(pro @r1 \"u\" \"b\" :scp @s :src @policy :c 1.0)");
  EXPECT_NE(err.find("ProceduralSupersessionConflict"), std::string::npos) << err;
  err = ErrorOf(&st,
                "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0)"
                "(pro @r2 \"t\" \"b\" :scp @s :src @policy :c 1.0)");
  EXPECT_NE(err.find("ProceduralSupersessionConflict"), std::string::npos) << err;
}

TEST(PipelineTest, StaleParentEdgesAndBornStaleInferentials) {
  MemoryState st;
  Commit(&st, "(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)");  // __mem_0
  Commit(&st, "(inf @a @q 2 (@__mem_0) @direct_lookup :c 0.5 :v 2024-01-02)");  // __mem_1
  auto recs = Commit(&st, "(sem @a @p 3 :src @observation :c 0.9 :v 2024-02-01)");
  EXPECT_EQ(CountEdges(recs, EdgeKind::kStaleParent), 1u);
  Commit(&st, "(inf @b @q 2 (@__mem_0) @direct_lookup :c 0.5 :v 2024-01-02)");
  EXPECT_FALSE(st.inf()[0].stale);
  EXPECT_TRUE(st.inf()[1].stale);
}

TEST(PipelineTest, AgentsCannotCreateReservedMemoryNames) {
  MemoryState st;
  std::string err = ErrorOf(&st, "(pin @__mem_0 :actor @mira)");
  EXPECT_NE(err.find("MemoryIdAllocation"), std::string::npos) << err;
  // Referring to an existing one is fine.
  Commit(&st, "(sem @a @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  Commit(&st, "(pin @__mem_0 :actor @mira)");
  EXPECT_TRUE(st.IsPinned(st.sem()[0].memory_id));
}

TEST(PipelineTest, FailedBatchRollsBackEarlierFormsOfTheSameBatch) {
  MemoryState st;
  Commit(&st, "(sem @x @p 1 :src @observation :c 0.9 :v 2024-01-01)");
  ErrorOf(&st,
          "(sem @n1 @p 1 :src @observation :c 0.9 :v 2024-01-01)"
          "(sem @x @p 2 :src @observation :c 0.9 :v 2024-02-01)"
          "(pin @__mem_1 :actor @m)"
          "(epi @e @k () @l :at 2024-01-02 :obs 2024-01-01 :src @observation :c 0.5)");
  // The state still accepts the same batch minus the bad form, with the same ids.
  auto recs = Commit(&st,
                     "(sem @n1 @p 1 :src @observation :c 0.9 :v 2024-01-01)"
                     "(sem @x @p 2 :src @observation :c 0.9 :v 2024-02-01)");
  EXPECT_EQ(st.sem()[1].memory_id + 0, *st.symbols().Lookup("__mem_1"));
}

struct ErrorCase {
  const char* text;
  const char* kind;
};

TEST(PipelineTest, EverySemanticAndEmitErrorKindIsReachable) {
  const ErrorCase cases[] = {
      {"(sem @a @p 1 :src @profile :c 0.99 :v 2024-01-01)", "ConfidenceExceedsSourceBound"},
      {"(pro @r \"t\" \"a\" :scp @s :src @observation :c 0.5)", "SourceKindNotAdmitted"},
      {"(sem @a @p 1 :src @observation :c 0.5 :v 2030-01-01)", "FutureValidity"},
      {"(inf @a @p 1 (@x) @direct_lookup :c 0.5 :v 2030-01-01)", "FutureValidity"},
      {"(epi @e @k () @l :at 2024-01-02 :obs 2024-01-01 :src @observation :c 0.5)",
       "InvalidClockOrder"},
      {"(inf @a @p 1 () @direct_lookup :c 0.5 :v 2024-01-01)", "EmptyDerivedFrom"},
      {"(correct @ep (epi @e @k () @l :at 2024-01-02 :obs 2024-01-01 :src @observation :c "
       "0.5))",
       "CorrectsNonEpisodic"},
      {"(episode :start :label \"a\") (episode :start :label \"b\")", "MultipleEpisodeDirectives"},
      {"(correct @x (epi @e @k () @l :at 2024-01-01 :obs 2024-01-01 :src @observation :c 0.5))",
       "Unsupported"},
      {"(promote @x)", "Unsupported"},
      {"(query :s @a)", "Unsupported"},
      {"(sem @a @b @__ep_7 :src @observation :c 0.5 :v 2024-01-01)", "MemoryIdAllocation"},
  };
  for (const ErrorCase& c : cases) {
    MemoryState st;
    std::string err = ErrorOf(&st, c.text);
    EXPECT_NE(err.find(c.kind), std::string::npos) << c.text << " -> " << err;
  }
  // Conflicts and the clock.
  MemoryState st;
  Commit(&st, "(inf @a @p 1 (@x) @direct_lookup :c 0.5 :v 2024-01-01)");
  EXPECT_NE(ErrorOf(&st, "(inf @a @p 2 (@x) @direct_lookup :c 0.5 :v 2024-01-01)")
                .find("InferentialSupersessionConflict"),
            std::string::npos);
  Commit(&st, "", kClockSentinel - 1);
  EXPECT_NE(ErrorOf(&st, "").find("ClockExhausted"), std::string::npos);
}

TEST(PipelineTest, ProjectedFutureFactsAreAccepted) {
  MemoryState st;
  Commit(&st, "(sem @a @p 1 :src @observation :c 0.5 :v 2030-01-01 :projected true)");
  EXPECT_TRUE(st.sem()[0].projected);
}

TEST(PipelineTest, EpisodeMetadataFromFormAndArgument) {
  MemoryState st;
  Commit(&st, "");  // __ep_0
  CompiledBatch b;
  BatchMetadata meta{std::string("from-arg"), std::string("__ep_0"), {}};
  ASSERT_TRUE(CompileBatch(&st, "(episode :start :label \"from-form\")", kNow, &meta, &b).ok());
  st.Commit();
  const auto* em = std::get_if<EpisodeMetaRecord>(&b.records[b.records.size() - 2]);
  ASSERT_NE(em, nullptr);
  EXPECT_EQ(em->label, "from-form");
  ASSERT_TRUE(em->parent.has_value());
  EXPECT_EQ(*em->parent, *st.symbols().Lookup("__ep_0"));
  const EpisodeInfo* info = st.FindEpisode(b.episode);
  ASSERT_NE(info, nullptr);
  EXPECT_EQ(info->label, "from-form");
  EXPECT_TRUE(std::holds_alternative<CheckpointRecord>(b.records.back()));
}

// Replaying the emitted records into a fresh state gives the live state.
TEST(PipelineTest, ReplayedStateEqualsLiveState) {
  MemoryState live;
  std::vector<CanonicalRecord> all;
  const char* batches[] = {
      "(sem @alice @city @paris :src @observation :c 0.9 :v 2024-03-01)",
      "(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01)"
      "(inf @alice @likes @pasta (@__mem_0) @direct_lookup :c 0.4 :v 2024-02-02)",
      "(sem @alice @city @oslo :src @observation :c 0.9 :v 2024-04-01) (retire @rome)",
      "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0) (alias @alice @al)",
      "(pro @r1 \"t\" \"b\" :scp @s :src @policy :c 1.0 :pre \"p\") (pin @__mem_0 :actor @m)",
      "(episode :start :label \"x\" :parent_episode @__ep_0) (rename @al @alicia)",
      "(epi @ev @met (@alice @bob) @cafe :at 2024-01-01 :obs 2024-01-02 :src @observation :c "
      "0.6)",
  };
  ClockTime now = kNow;
  for (const char* b : batches) {
    auto recs = Commit(&live, b, now++);
    all.insert(all.end(), recs.begin(), recs.end());
  }
  MemoryState replayed;
  for (const auto& r : all) ASSERT_TRUE(replayed.Apply(r, ApplyMode::kReplay).ok());
  EXPECT_EQ(Digest(replayed), Digest(live));
  // Post-replay writes still supersede through the replayed indices.
  EXPECT_EQ(Encode(Commit(&replayed, "(pro @r1 \"t\" \"c\" :scp @s :src @policy :c 1.0)", now)),
            Encode(Commit(&live, "(pro @r1 \"t\" \"c\" :scp @s :src @policy :c 1.0)", now)));
}

TEST(PipelineTest, CycleInReplayedEdgesIsRejected) {
  MemoryState st;
  ASSERT_TRUE(st.Apply(EdgeRecord{EdgeKind::kSupersedes, 1, 2, 5}, ApplyMode::kReplay).ok());
  ASSERT_TRUE(st.Apply(EdgeRecord{EdgeKind::kSupersedes, 2, 3, 5}, ApplyMode::kReplay).ok());
  EXPECT_FALSE(st.Apply(EdgeRecord{EdgeKind::kCorrects, 3, 1, 5}, ApplyMode::kReplay).ok());
  EXPECT_FALSE(st.Apply(EdgeRecord{EdgeKind::kSupersedes, 4, 4, 5}, ApplyMode::kReplay).ok());
  EXPECT_EQ(st.edges().size(), 2u);
}

}  // namespace
}  // namespace urd::mem
