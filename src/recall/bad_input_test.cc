// Copyright urd authors. Bad input to the Workspace and KnowledgeGraph APIs
// (docs/reliability_inputs.md): every class of bad argument gets its error code,
// and the workspace — every file under its directory, byte for byte, and what a
// reader sees — is exactly as it was before the call. Also bad workspace settings
// files and bad embedder options at open, which create nothing.

#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "urd/workspace.h"

namespace urd {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kNow = 1'713'350'400'000;  // 2024-04-17T10:40:00Z

std::string FreshDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("urd_ws_bad_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
}

// Every regular file under `dir` except LOCK (which holds the pid of whoever holds
// the writer lock, by design), relative path -> bytes.
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> out;
  if (!fs::exists(dir)) return out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename() == "LOCK") continue;
    out[fs::relative(e.path(), dir).string()] = ReadFile(e.path().string());
  }
  return out;
}

std::string Observe(Workspace* ws) {
  const WorkspaceStats st = ws->Stats();
  std::string out = "vectors=" + std::to_string(st.vectors) + " docs=" +
                    std::to_string(st.text_docs) + " sem=" + std::to_string(st.memory.sem) +
                    " epi=" + std::to_string(st.memory.epi) + " pro=" +
                    std::to_string(st.memory.pro) + " symbols=" + std::to_string(st.memory.symbols) +
                    " episodes=" + std::to_string(st.memory.episodes) + "\n";
  auto dump = ws->memory()->Dump();
  if (dump.ok()) {
    for (const MemoryHit& h : *dump) out += h.memory_id + " " + h.form + "\n";
  }
  auto graph = ws->graph()->Read();
  if (graph.ok()) {
    for (const KgEntity& e : graph->entities) {
      out += "entity " + e.name + " " + e.entity_type + " " + std::to_string(e.observations.size()) + "\n";
    }
    out += "relations " + std::to_string(graph->relations.size()) + "\n";
  }
  return out;
}

class WorkspaceBadInputTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir(testing::UnitTest::GetInstance()->current_test_info()->name());
    auto ws = Workspace::Open(dir_, {});
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = std::move(*ws);
    auto r = ws_->Remember(std::vector<std::string>{"the deploy key rotates on Fridays"}, {}, kNow);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    auto e = ws_->graph()->CreateEntities(std::vector<KgEntity>{{"Alice", "person", {"likes tea"}}},
                                          kNow + 1);
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    Snapshot();
  }
  void TearDown() override {
    ws_.reset();
    fs::remove_all(dir_);
  }

  void Snapshot() {
    files_ = Files(dir_);
    seen_ = Observe(ws_.get());
  }

  void ExpectUnchanged(const std::string& what) {
    EXPECT_EQ(Observe(ws_.get()), seen_) << what;
    EXPECT_TRUE(Files(dir_) == files_) << what << ": the workspace's files changed";
  }

  void Expect(const Status& s, StatusCode code, const std::string& needle, const std::string& what) {
    EXPECT_EQ(s.code(), code) << what << ": " << s.ToString();
    EXPECT_NE(s.ToString().find(needle), std::string::npos)
        << what << ": " << s.ToString() << "\nexpected to contain: " << needle;
    ExpectUnchanged(what);
  }

  std::string dir_;
  std::unique_ptr<Workspace> ws_;
  std::map<std::string, std::string> files_;
  std::string seen_;
};

TEST_F(WorkspaceBadInputTest, Remember) {
  const float nan = std::numeric_limits<float>::quiet_NaN();
  auto remember = [&](RememberOptions o, std::vector<std::string> texts = {"hello"}) {
    return ws_->Remember(texts, o, kNow + 10).status();
  };
  RememberOptions o;
  Expect(remember(o, {}), StatusCode::kInvalidArgument, "remember: no text", "no text");
  Expect(remember(o, {""}), StatusCode::kInvalidArgument, "remember: text 0 is empty", "empty");
  Expect(remember(o, {"ok", " \t\r\n"}), StatusCode::kInvalidArgument, "text 1 is empty", "blank");
  Expect(remember(o, {std::string(64 * 1024 + 1, 'x')}), StatusCode::kInvalidArgument,
         "text 0 is 65537 bytes; at most 65536", "long");
  Expect(remember(o, {"caf\xc3"}), StatusCode::kInvalidArgument, "text 0 is not valid UTF-8",
         "utf8");
  o.kind = "fact";
  Expect(remember(o), StatusCode::kInvalidArgument, "kind `fact` is not epi, sem or pro", "kind");
  o = {};
  o.confidence = 1.5;
  Expect(remember(o), StatusCode::kInvalidArgument, "confidence must be in [0, 1]", "c 1.5");
  o.confidence = std::nan("");
  Expect(remember(o), StatusCode::kInvalidArgument, "confidence must be in [0, 1]", "c NaN");
  o = {};
  o.subject = "Alice Smith";
  Expect(remember(o), StatusCode::kInvalidArgument,
         "subject `Alice Smith` is not a symbol name ([a-z_][a-z0-9_]*)", "subject");
  o = {};
  o.kind = "sem";
  o.predicate = "1st";
  Expect(remember(o), StatusCode::kInvalidArgument, "predicate `1st` is not a symbol name", "pred");
  o = {};
  o.source = "";
  Expect(remember(o), StatusCode::kInvalidArgument, "source `` is not a symbol name", "source");
  o = {};
  o.attrs[""] = "v";
  Expect(remember(o), StatusCode::kInvalidArgument, "attribute key `` is empty or reserved", "key");
  o = {};
  o.attrs["urd.kind"] = "v";
  Expect(remember(o), StatusCode::kInvalidArgument, "is empty or reserved (urd.*)", "reserved");
  o = {};
  o.attrs["k\xff"] = "v";
  Expect(remember(o), StatusCode::kInvalidArgument, "is not valid UTF-8", "key utf8");
  o = {};
  o.attrs["k"] = "\xff";
  Expect(remember(o), StatusCode::kInvalidArgument, "attribute `k` is not valid UTF-8", "value");
  // Keys the vector index cannot hold are refused before the memories are committed.
  o = {};
  o.attrs[std::string(257, 'k')] = "v";
  Expect(remember(o), StatusCode::kInvalidArgument, "has 257 bytes (must be 1..256)", "long key");
  // Caller-supplied vectors: one per text, of the workspace's dimension, finite, not zero.
  o = {};
  o.vectors = {std::vector<float>(384, 1.0f), std::vector<float>(384, 1.0f)};
  Expect(remember(o), StatusCode::kInvalidArgument, "remember: 2 vectors for 1 texts", "count");
  o.vectors = {std::vector<float>(3, 1.0f)};
  Expect(remember(o), StatusCode::kInvalidArgument,
         "vector 0 has 3 components; the workspace's dimension is 384", "dimension");
  o.vectors = {std::vector<float>(384, 0.0f)};
  Expect(remember(o), StatusCode::kInvalidArgument, "vector 0 is all zeros", "zero vector");
  o.vectors = {std::vector<float>(384, 1.0f)};
  o.vectors[0][5] = nan;
  Expect(remember(o), StatusCode::kInvalidArgument, "vector 0 has a non-finite component at index 5",
         "NaN vector");
  // The memory store's own checks (docs/language.md): nothing of the batch is written.
  o = {};
  o.source = "profile";
  o.confidence = 0.99;
  Expect(remember(o), StatusCode::kInvalidArgument, "SourceKindNotAdmitted", "profile epi");
  o.kind = "sem";
  Expect(remember(o), StatusCode::kInvalidArgument, "ConfidenceExceedsSourceBound", "bound");
  o = {};
  o.valid_at = kNow + 365ull * 24 * 3600 * 1000;
  Expect(remember(o), StatusCode::kInvalidArgument, "FutureValidity", "future");
  // Two texts, the second bad: the first is not remembered either.
  Expect(remember({}, {"a good note", std::string("\xff")}), StatusCode::kInvalidArgument,
         "text 1 is not valid UTF-8", "second text bad");
}

TEST_F(WorkspaceBadInputTest, RecallAndWrite) {
  auto recall = [&](std::string query, RecallOptions o) { return ws_->Recall(query, o).status(); };
  Expect(recall("tea", RecallOptions{.k = 0}), StatusCode::kInvalidArgument,
         "recall: k must be in 1..10000", "k 0");
  Expect(recall("tea", RecallOptions{.k = 10001}), StatusCode::kInvalidArgument,
         "recall: k must be in 1..10000", "k 10001");
  RecallOptions o;
  o.kind = "fact";
  Expect(recall("tea", o), StatusCode::kInvalidArgument, "recall: kind `fact` is not", "kind");
  Expect(recall(" \n", {}), StatusCode::kInvalidArgument, "recall: empty query", "empty");
  o = {};
  o.rrf_k = 0;
  Expect(recall("tea", o), StatusCode::kInvalidArgument, "rrf_k must be > 0", "rrf_k");
  o = {};
  o.recency_weight = 2;
  Expect(recall("tea", o), StatusCode::kInvalidArgument, "weights in [0, 1]", "weight");
  o = {};
  o.vector = std::vector<float>(5, 1.0f);
  Expect(recall("", o), StatusCode::kInvalidArgument,
         "query has 5 components; the store's dimension is 384", "vector dimension");
  o.vector = std::vector<float>(384, 0.0f);
  Expect(recall("", o), StatusCode::kInvalidArgument, "query is all zeros", "zero vector");
  // Filters that match nothing are not errors.
  o = {};
  o.subject = "Not A Symbol";
  auto none = ws_->Recall("tea", o);
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->empty());
  // Write: a batch that fails anywhere writes nothing, and indexes nothing.
  for (const char* forms :
       {"(sem @oops", "(sem @erin @hobby \"sailing\" :src @observation :c 0.9 :v 2024-01-01) (retire @x)",
        "(sem @a @b \"t\" :src @observation :c 0.9 :v 2024-01-01) (query)"}) {
    Expect(ws_->Write(forms, kNow + 10).status(), StatusCode::kInvalidArgument, "line 1, column",
           forms);
  }
}

TEST_F(WorkspaceBadInputTest, KnowledgeGraph) {
  KnowledgeGraph* g = ws_->graph();
  const std::string huge(64 * 1024 + 1, 'x');
  const std::string bad = "\xff\xfe";
  Expect(g->CreateEntities(std::vector<KgEntity>{{"Bob", "person", {}}, {"Carol", "t", {huge}}},
                           kNow + 10)
             .status(),
         StatusCode::kInvalidArgument, "an observation of Carol is 65537 bytes; at most 65536",
         "huge observation");
  Expect(g->CreateEntities(std::vector<KgEntity>{{bad, "t", {}}}, kNow + 10).status(),
         StatusCode::kInvalidArgument, "entity name is not valid UTF-8", "bad name");
  Expect(g->CreateEntities(std::vector<KgEntity>{{"Dan", bad, {}}}, kNow + 10).status(),
         StatusCode::kInvalidArgument, "entity type of Dan is not valid UTF-8", "bad type");
  Expect(g->CreateRelations(std::vector<KgRelation>{{"Alice", "Bob", "knows"}, {"Alice", bad, "x"}},
                            kNow + 10)
             .status(),
         StatusCode::kInvalidArgument, "relation target is not valid UTF-8", "bad relation");
  Expect(g->CreateRelations(std::vector<KgRelation>{{"Alice", "Bob", huge}}, kNow + 10).status(),
         StatusCode::kInvalidArgument, "relation type is 65537 bytes", "long relation type");
  // An unknown entity fails the whole call: the good entry before it is not added.
  Expect(g->AddObservations(std::vector<KgObservations>{{"Alice", {"runs"}}, {"Zed", {"x"}}},
                            kNow + 10)
             .status(),
         StatusCode::kNotFound, "Entity with name Zed not found", "unknown entity");
  Expect(g->AddObservations(std::vector<KgObservations>{{"Alice", {bad}}}, kNow + 10).status(),
         StatusCode::kInvalidArgument, "an observation of Alice is not valid UTF-8", "bad obs");
  KgGraph merge;
  merge.entities = {{"Eve", "person", {"ok"}}, {"Fay", "person", {bad}}};
  Expect(g->Merge(merge, kNow + 10).status(), StatusCode::kInvalidArgument, "not valid UTF-8",
         "merge");
}

TEST_F(WorkspaceBadInputTest, WritesThroughAReadOnlyWorkspace) {
  WorkspaceOptions ro;
  ro.read_only = true;
  auto r = Workspace::Open(dir_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  Workspace* w = r->get();
  Expect(w->Remember(std::vector<std::string>{"x"}, {}, kNow + 10).status(),
         StatusCode::kFailedPrecondition, "workspace is read-only", "remember");
  Expect(w->Write("(sem @a @b @c :src @observation :c 0.5 :v 2024-01-01)", kNow + 10).status(),
         StatusCode::kFailedPrecondition, "workspace is read-only", "write");
  Expect(w->Reindex(), StatusCode::kFailedPrecondition, "workspace is read-only", "reindex");
}

// A damaged workspace.json: the open fails with Corruption (or NotSupported for a
// newer version) and never throws; nothing in the directory is touched.
TEST(WorkspaceBadSettingsTest, DamagedSettingsFile) {
  const std::string dir = FreshDir("settings");
  {
    auto ws = Workspace::Open(dir, {});
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  }
  const std::string path = dir + "/workspace.json";
  const std::string good = ReadFile(path);
  struct Case {
    std::string text;
    StatusCode code;
    std::string needle;
  };
  const std::string hash_settings =
      R"("embedder":{"kind":"hash","dimension":384,"model":"","base_url":""},"fingerprint":"hash-v1:dim=384")";
  const Case cases[] = {
      {"", StatusCode::kCorruption, "not a urd workspace settings file"},
      {"{not json", StatusCode::kCorruption, "not a urd workspace settings file"},
      {"[1, 2]", StatusCode::kCorruption, "not a urd workspace settings file"},
      {R"({"format": 7})", StatusCode::kCorruption, "not a urd workspace settings file"},
      {R"({"format":"urd-workspace","version":"1",)" + hash_settings + "}",
       StatusCode::kNotSupported, "settings version \"1\""},
      {R"({"format":"urd-workspace","version":2,)" + hash_settings + "}",
       StatusCode::kNotSupported, "settings version 2 (this urd reads version 1)"},
      {R"({"format":"urd-workspace","version":1})", StatusCode::kCorruption,
       "missing embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":[1]})", StatusCode::kCorruption,
       "missing embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":5,"dimension":384}})",
       StatusCode::kCorruption, "embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":"384"}})",
       StatusCode::kCorruption, "embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":-1}})",
       StatusCode::kCorruption, "embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":384,"model":[]}})",
       StatusCode::kCorruption, "embedder settings"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":384},"fingerprint":1})",
       StatusCode::kCorruption, "fingerprint"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":384},"fingerprint":"hash-v1:dim=999"})",
       StatusCode::kInvalidArgument, "embedder fingerprint changed from `hash-v1:dim=999`"},
      {R"({"format":"urd-workspace","version":1,"embedder":{"kind":"hash","dimension":3},"fingerprint":"x"})",
       StatusCode::kInvalidArgument, "EmbedderOptions.dimension"},
  };
  for (const Case& c : cases) {
    WriteFile(path, c.text);
    const auto before = Files(dir);
    for (bool read_only : {false, true}) {
      WorkspaceOptions o;
      o.read_only = read_only;
      Result<std::unique_ptr<Workspace>> ws = Status::OK();
      EXPECT_NO_THROW(ws = Workspace::Open(dir, o)) << c.text;
      EXPECT_EQ(ws.status().code(), c.code) << c.text << " -> " << ws.status().ToString();
      EXPECT_NE(ws.status().ToString().find(c.needle), std::string::npos)
          << c.text << " -> " << ws.status().ToString();
      EXPECT_TRUE(Files(dir) == before) << c.text;
    }
  }
  WriteFile(path, good);
  EXPECT_TRUE(Workspace::Open(dir, {}).ok());
  fs::remove_all(dir);
}

// Bad options for a new workspace create nothing: no directory, no LOCK file.
TEST(WorkspaceBadOpenTest, BadOptionsAndMissingWorkspacesCreateNothing) {
  const std::string dir = FreshDir("open");
  struct Case {
    WorkspaceOptions options;
    StatusCode code;
    std::string needle;
  };
  WorkspaceOptions small;
  small.embedder.dimension = 3;
  WorkspaceOptions kind;
  kind.embedder.kind = "word2vec";
  WorkspaceOptions openai;
  openai.embedder.kind = "openai";
  WorkspaceOptions ro;
  ro.read_only = true;
  WorkspaceOptions no_create;
  no_create.create_if_missing = false;
  const Case cases[] = {
      {small, StatusCode::kInvalidArgument, "EmbedderOptions.dimension: 3 is out of range"},
      {kind, StatusCode::kInvalidArgument, "EmbedderOptions.kind"},
      {openai, StatusCode::kInvalidArgument, "EmbedderOptions."},
      {ro, StatusCode::kNotFound, "no urd workspace here (no workspace.json)"},
      {no_create, StatusCode::kNotFound, "no urd workspace here"},
  };
  for (const Case& c : cases) {
    auto ws = Workspace::Open(dir, c.options);
    EXPECT_EQ(ws.status().code(), c.code) << c.needle << ": " << ws.status().ToString();
    EXPECT_NE(ws.status().ToString().find(c.needle), std::string::npos) << ws.status().ToString();
    EXPECT_FALSE(fs::exists(dir)) << c.needle << ": created " << dir;
    fs::remove_all(dir);
  }
  EXPECT_EQ(Workspace::Open("", {}).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace urd
