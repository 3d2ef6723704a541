// Copyright urd authors. Workspace: remember, recall (both legs, fusion, filters),
// persistence without re-embedding, embedder mismatch, repair after a crash
// between the memory commit and the vector upsert, bad input.

#include "urd/workspace.h"

#include <filesystem>

#include <gtest/gtest.h>

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("urd_ws_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<Workspace> OpenOk(const std::string& dir, WorkspaceOptions o = {}) {
  o.fsync = MemoryFsync::kNever;
  auto ws = Workspace::Open(dir, o);
  EXPECT_TRUE(ws.ok()) << ws.status().ToString();
  return ws.ok() ? std::move(*ws) : nullptr;
}

const std::vector<std::string> kNotes = {
    "Alice prefers Rust for systems programming",
    "Bob is allergic to peanuts and shellfish",
    "The team standup moved to 9:30 on Mondays",
    "Carol's cat is named Miso",
    "The database migration finished without errors",
};

TEST(WorkspaceTest, RememberThenRecallByWordsAndMeaning) {
  std::string dir = TempDir("basic");
  auto ws = OpenOk(dir);
  RememberOptions ro;
  ro.attrs["session"] = "s1";
  auto r = ws->Remember(kNotes, ro, kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  ASSERT_EQ(r->size(), kNotes.size());
  EXPECT_EQ((*r)[0].memory_id, "__mem_0");
  EXPECT_EQ((*r)[1].memory_id, "__mem_2");  // each epi note has a text fact
  auto hits = ws->Recall("what is carol's cat called?", RecallOptions{});
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].text, kNotes[3]);
  EXPECT_EQ((*hits)[0].kind, "epi");
  EXPECT_EQ((*hits)[0].attrs.at("session"), "s1");
  EXPECT_TRUE((*hits)[0].legs.bm25_rank.has_value());
  EXPECT_TRUE((*hits)[0].legs.vector_rank.has_value());
  EXPECT_FALSE((*hits)[0].why.empty());
  RecallOptions weighted;
  weighted.fusion = RecallOptions::Fusion::kWeighted;
  weighted.k = 2;
  hits = ws->Recall("peanut allergy", weighted);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].text, kNotes[1]);
  std::filesystem::remove_all(dir);
}

TEST(WorkspaceTest, FiltersKindSubjectPredicateSuperseded) {
  std::string dir = TempDir("filters");
  auto ws = OpenOk(dir);
  RememberOptions sem;
  sem.kind = "sem";
  sem.subject = "alice";
  sem.predicate = "city";
  sem.valid_at = kNow - 10 * 86'400'000ull;
  ASSERT_TRUE(ws->Remember(std::vector<std::string>{"Alice lives in Paris"}, sem, kNow).ok());
  sem.valid_at = kNow - 86'400'000ull;
  ASSERT_TRUE(ws->Remember(std::vector<std::string>{"Alice lives in Berlin"}, sem, kNow + 1).ok());
  ASSERT_TRUE(ws->Remember(std::vector<std::string>{"Alice visited Paris in May"}, {}, kNow + 2).ok());
  RecallOptions o;
  o.kind = "sem";
  auto hits = ws->Recall("where does alice live paris", o);
  ASSERT_TRUE(hits.ok());
  ASSERT_EQ(hits->size(), 1u);  // Paris was superseded by Berlin
  EXPECT_EQ((*hits)[0].text, "Alice lives in Berlin");
  o.include_superseded = true;
  hits = ws->Recall("where does alice live paris", o);
  ASSERT_EQ(hits->size(), 2u);
  EXPECT_EQ((*hits)[0].text, "Alice lives in Paris");
  RecallOptions by_pred;
  by_pred.predicate = "city";
  EXPECT_EQ(ws->Recall("paris", by_pred)->size(), 1u);
  RecallOptions epi;
  epi.kind = "epi";
  epi.subject = "user";
  hits = ws->Recall("paris", epi);
  ASSERT_EQ(hits->size(), 1u);
  EXPECT_EQ((*hits)[0].text, "Alice visited Paris in May");
  RecallOptions unknown;
  unknown.subject = "nobody";
  EXPECT_TRUE(ws->Recall("paris", unknown)->empty());
  std::filesystem::remove_all(dir);
}

TEST(WorkspaceTest, ReopenKeepsVectorsAndRefusesAnotherEmbedder) {
  std::string dir = TempDir("reopen");
  std::vector<RecallHit> before;
  {
    auto ws = OpenOk(dir);
    ASSERT_TRUE(ws->Remember(kNotes, {}, kNow).ok());
    before = *ws->Recall("rust programming", {});
  }
  auto ws = OpenOk(dir);
  EXPECT_EQ(ws->Stats().vectors, kNotes.size());
  auto after = ws->Recall("rust programming", {});
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->size(), before.size());
  EXPECT_EQ((*after)[0].memory_id, before[0].memory_id);
  EXPECT_DOUBLE_EQ((*after)[0].score, before[0].score);
  ws.reset();
  WorkspaceOptions other;
  other.embedder.dimension = 128;
  other.embedder_explicit = true;
  auto bad = Workspace::Open(dir, other);
  EXPECT_EQ(bad.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(bad.status().ToString().find("dimension 384"), std::string::npos)
      << bad.status().ToString();
  std::filesystem::remove_all(dir);
}

// A crash after the memory commit and before the vector upsert leaves memories
// without vectors; the next open embeds them. Memories written through the memory
// store directly (urd write) are picked up the same way.
TEST(WorkspaceTest, OpenRepairsMissingVectors) {
  std::string dir = TempDir("repair");
  {
    auto ws = OpenOk(dir);
    ASSERT_TRUE(ws->Remember(kNotes, {}, kNow).ok());
    auto c = ws->memory()->Commit(
        "(sem @dave @hobby \"Dave restores vintage motorcycles\" :src @observation :c 0.9 :v "
        "2024-01-01)",
        kNow + 1);
    ASSERT_TRUE(c.ok()) << c.status().ToString();
    EXPECT_EQ(ws->Stats().vectors, kNotes.size());
  }
  auto ws = OpenOk(dir);
  EXPECT_EQ(ws->Stats().vectors, kNotes.size() + 1);
  auto hits = ws->Recall("vintage motorcycles", {});
  ASSERT_TRUE(hits.ok());
  EXPECT_EQ((*hits)[0].text, "Dave restores vintage motorcycles");
  ASSERT_TRUE(ws->Reindex().ok());
  EXPECT_EQ(ws->Stats().vectors, kNotes.size() + 1);
  std::filesystem::remove_all(dir);
}

// Notes, facts with the default predicate and rules share one workspace: the
// forms Remember writes never need a symbol with two kinds.
TEST(WorkspaceTest, NotesFactsAndRulesCoexist) {
  std::string dir = TempDir("kinds");
  auto ws = OpenOk(dir);
  RememberOptions sem, pro;
  sem.kind = "sem";
  pro.kind = "pro";
  pro.subject = "deploy";
  uint64_t now = kNow;
  for (const RememberOptions& o : {RememberOptions{}, sem, pro, RememberOptions{}, sem, pro}) {
    auto r = ws->Remember(std::vector<std::string>{"text of kind " + o.kind}, o, ++now);
    ASSERT_TRUE(r.ok()) << o.kind << ": " << r.status().ToString();
  }
  EXPECT_EQ(ws->Stats().vectors, 6u);
  std::filesystem::remove_all(dir);
}

// A fact or a rule replaces the one with its key, so two in one call would collide:
// refused before anything is written (decision W6). Notes take many texts.
TEST(WorkspaceTest, FactsAndRulesTakeOneTextPerCall) {
  std::string dir = TempDir("one_text");
  auto ws = OpenOk(dir);
  const std::vector<std::string> two = {"first text", "second text"};
  for (const char* kind : {"sem", "pro"}) {
    RememberOptions o;
    o.kind = kind;
    auto r = ws->Remember(two, o, kNow);
    ASSERT_EQ(r.status().code(), StatusCode::kInvalidArgument) << kind;
    EXPECT_NE(r.status().message().find("takes one text per call (got 2)"), std::string::npos)
        << r.status().ToString();
  }
  EXPECT_EQ(ws->Stats().vectors, 0u);
  ASSERT_TRUE(ws->Remember(two, RememberOptions{}, kNow).ok());
  EXPECT_EQ(ws->Stats().vectors, 2u);
  std::filesystem::remove_all(dir);
}

// Typed writes through the workspace are recallable at once.
TEST(WorkspaceTest, WriteIndexesNewTextMemories) {
  std::string dir = TempDir("write");
  auto ws = OpenOk(dir);
  auto c = ws->Write(
      "(sem @erin @hobby \"Erin builds wooden sailboats\" :src @observation :c 0.9 :v 2024-01-01)"
      "(epi @ev1 @met (@erin) @dock :at 2024-01-02 :obs 2024-01-02 :src @observation :c 0.8)",
      kNow);
  ASSERT_TRUE(c.ok()) << c.status().ToString();
  EXPECT_EQ(ws->Stats().vectors, 1u);  // the event carries no text
  auto hits = ws->Recall("wooden sailboats", {});
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].text, "Erin builds wooden sailboats");
  EXPECT_EQ(ws->Write("(sem @oops", kNow).status().code(), StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST(WorkspaceTest, CallerVectorsAndBadInput) {
  std::string dir = TempDir("bad");
  auto ws = OpenOk(dir);
  RememberOptions ro;
  ro.vectors = {std::vector<float>(384, 0.0f)};
  ro.vectors[0][7] = 1;
  ASSERT_TRUE(ws->Remember(std::vector<std::string>{"custom vector note"}, ro, kNow).ok());
  RecallOptions q;
  q.vector = ro.vectors[0];
  auto hits = ws->Recall("", q);
  ASSERT_TRUE(hits.ok()) << hits.status().ToString();
  EXPECT_EQ((*hits)[0].text, "custom vector note");
  EXPECT_NEAR((*hits)[0].legs.vector_score, 1.0, 1e-6);
  const std::vector<std::string> one = {"x"};
  auto code = [&](RememberOptions o, std::vector<std::string> t = {"hello"}) {
    return ws->Remember(t, o, kNow).status().code();
  };
  RememberOptions o;
  o.vectors = {std::vector<float>(3, 1.0f)};
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = {};
  o.kind = "fact";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = {};
  o.subject = "Not A Symbol";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  o = {};
  o.attrs["urd.kind"] = "x";
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({}, {"   "}), StatusCode::kInvalidArgument);
  EXPECT_EQ(code({}, {std::string("\xff\xfe")}), StatusCode::kInvalidArgument);
  o = {};
  o.source = "profile";
  o.confidence = 0.99;  // above the profile bound: the memory store refuses it
  EXPECT_EQ(code(o), StatusCode::kInvalidArgument);
  EXPECT_EQ(ws->Stats().vectors, 1u);  // nothing of the failed calls was stored
  EXPECT_EQ(ws->Recall("hello", RecallOptions{.k = 0}).status().code(),
            StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace urd
