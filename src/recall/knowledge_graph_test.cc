// Copyright urd authors. KnowledgeGraph: server-memory's semantics call by call,
// atomicity, history kept, durability, search (substring and semantic), and two
// workspaces sharing one directory.

#include "urd/knowledge_graph.h"

#include <filesystem>

#include <gtest/gtest.h>

#include "urd/workspace.h"

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("urd_kg_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<Workspace> OpenOk(const std::string& dir, WorkspaceOptions o = {}) {
  o.fsync = MemoryFsync::kNever;
  auto ws = Workspace::Open(dir, o);
  EXPECT_TRUE(ws.ok()) << ws.status().ToString();
  return ws.ok() ? std::move(*ws) : nullptr;
}

std::vector<std::string> Names(const KgGraph& g) {
  std::vector<std::string> out;
  for (const KgEntity& e : g.entities) out.push_back(e.name);
  return out;
}

using Strings = std::vector<std::string>;

TEST(KnowledgeGraphTest, CreateIsIdempotentByNameAndKeepsOrder) {
  const std::string dir = TempDir("create");
  auto ws = OpenOk(dir);
  KnowledgeGraph* g = ws->graph();
  std::vector<KgEntity> first = {{"Alice", "person", {"likes tea", "lives in Paris"}},
                                 {"Bob", "person", {}},
                                 {"Alice", "robot", {"dup in one call"}}};
  auto created = g->CreateEntities(first, kNow);
  ASSERT_TRUE(created.ok()) << created.status().ToString();
  ASSERT_EQ(created->size(), 2u);  // the second "Alice" of the call is dropped (W4)
  EXPECT_EQ((*created)[0], first[0]);
  std::vector<KgEntity> again = {{"Bob", "cat", {"x"}}, {"Zoë ü", "pet", {"a", "a"}}};
  created = g->CreateEntities(again, kNow + 1);
  ASSERT_TRUE(created.ok());
  ASSERT_EQ(created->size(), 1u);
  EXPECT_EQ((*created)[0].observations, Strings({"a"}));
  auto graph = g->Read();
  ASSERT_TRUE(graph.ok());
  EXPECT_EQ(Names(*graph), Strings({"Alice", "Bob", "Zoë ü"}));
  EXPECT_EQ(graph->entities[1].entity_type, "person");  // existing entity untouched
  EXPECT_EQ(graph->entities[0].observations, Strings({"likes tea", "lives in Paris"}));
  std::filesystem::remove_all(dir);
}

TEST(KnowledgeGraphTest, RelationsObservationsAndDeletes) {
  const std::string dir = TempDir("ops");
  auto ws = OpenOk(dir);
  KnowledgeGraph* g = ws->graph();
  ASSERT_TRUE(g->CreateEntities(std::vector<KgEntity>{{"A", "t", {"o1"}}, {"B", "t", {}}}, kNow).ok());
  std::vector<KgRelation> rels = {{"A", "B", "knows"}, {"A", "Nobody", "knows"}, {"A", "B", "knows"}};
  auto made = g->CreateRelations(rels, kNow);
  ASSERT_TRUE(made.ok());
  EXPECT_EQ(made->size(), 2u);
  EXPECT_EQ(g->CreateRelations(rels, kNow)->size(), 0u);
  // An unknown entity fails the whole call: nothing of it is added.
  std::vector<KgObservations> add = {{"B", {"o2", "o3", "o2"}}, {"Ghost", {"x"}}};
  auto bad = g->AddObservations(add, kNow);
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.status().code(), StatusCode::kNotFound);
  EXPECT_NE(bad.status().ToString().find("Entity with name Ghost not found"), std::string::npos);
  EXPECT_TRUE(g->Read()->entities[1].observations.empty());
  add.pop_back();
  add.push_back({"B", {"o3", "o4"}});  // a second entry for B sees the first's additions
  auto added = g->AddObservations(add, kNow);
  ASSERT_TRUE(added.ok()) << added.status().ToString();
  EXPECT_EQ((*added)[0].observations, Strings({"o2", "o3"}));
  EXPECT_EQ((*added)[1].observations, Strings({"o4"}));
  ASSERT_TRUE(g->DeleteObservations(std::vector<KgObservations>{{"B", {"o3", "nope"}}, {"Ghost", {"x"}}}, kNow).ok());
  EXPECT_EQ(g->Read()->entities[1].observations, Strings({"o2", "o4"}));
  ASSERT_TRUE(g->AddObservations(std::vector<KgObservations>{{"B", {"o3"}}}, kNow).ok());
  EXPECT_EQ(g->Read()->entities[1].observations, Strings({"o2", "o4", "o3"}));  // re-added last
  ASSERT_TRUE(g->DeleteRelations(std::vector<KgRelation>{{"A", "Nobody", "knows"}}, kNow).ok());
  EXPECT_EQ(g->Read()->relations.size(), 1u);
  // Deleting an entity deletes its relations; re-creating it starts afresh, last.
  ASSERT_TRUE(g->DeleteEntities(Strings{"A", "A", "Unknown"}, kNow).ok());
  auto graph = g->Read();
  EXPECT_EQ(Names(*graph), Strings({"B"}));
  EXPECT_TRUE(graph->relations.empty());
  ASSERT_TRUE(g->CreateEntities(std::vector<KgEntity>{{"A", "t2", {"new"}}}, kNow).ok());
  graph = g->Read();
  EXPECT_EQ(Names(*graph), Strings({"B", "A"}));
  EXPECT_EQ(graph->entities[1].observations, Strings({"new"}));
  EXPECT_EQ(graph->entities[1].entity_type, "t2");
  EXPECT_TRUE(graph->relations.empty());
  // History is kept: the deleted observation is still in the memory store.
  auto history = ws->memory()->Dump();
  ASSERT_TRUE(history.ok());
  bool found = false;
  for (const MemoryHit& h : *history) found = found || h.form.find("\"o1\"") != std::string::npos;
  EXPECT_TRUE(found);
  std::filesystem::remove_all(dir);
}

TEST(KnowledgeGraphTest, SearchOpenAndSemantic) {
  const std::string dir = TempDir("search");
  auto ws = OpenOk(dir);
  KnowledgeGraph* g = ws->graph();
  ASSERT_TRUE(g->CreateEntities(std::vector<KgEntity>{{"Alice", "Person", {"Drinks green TEA"}},
                                                      {"Émile", "person", {"plays chess"}},
                                                      {"Rex", "dog", {"barks at the mailman"}}},
                                kNow)
                  .ok());
  ASSERT_TRUE(g->CreateRelations(std::vector<KgRelation>{{"Alice", "Rex", "owns"},
                                                         {"Émile", "Alice", "knows"}},
                                 kNow)
                  .ok());
  auto s = g->Search("tea");
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(Names(*s), Strings({"Alice"}));
  EXPECT_EQ(s->relations.size(), 2u);  // one endpoint in the result is enough
  EXPECT_EQ(Names(*g->Search("ÉMILE")), Strings({"Émile"}));
  EXPECT_EQ(Names(*g->Search("PERSON")), Strings({"Alice", "Émile"}));
  EXPECT_TRUE(g->Search("zebra")->entities.empty());
  auto open = g->OpenNodes(Strings{"Rex", "Nobody", "Alice"});
  ASSERT_TRUE(open.ok());
  EXPECT_EQ(Names(*open), Strings({"Alice", "Rex"}));  // creation order
  EXPECT_EQ(open->relations.size(), 2u);
  auto sem = g->SearchSemantic("the dog barks", 1);
  ASSERT_TRUE(sem.ok()) << sem.status().ToString();
  EXPECT_EQ(Names(*sem), Strings({"Rex"}));
  // Relation endpoints and types are not recalled as text; names and observations are.
  auto hits = ws->Recall("owns", RecallOptions{});
  ASSERT_TRUE(hits.ok());
  for (const RecallHit& h : *hits) EXPECT_NE(h.text, "owns");
  std::filesystem::remove_all(dir);
}

TEST(KnowledgeGraphTest, DurableAcrossReopen) {
  const std::string dir = TempDir("reopen");
  KgGraph before;
  {
    auto ws = OpenOk(dir);
    ASSERT_TRUE(ws->graph()->CreateEntities(std::vector<KgEntity>{{"A", "t", {"x", "y"}}}, kNow).ok());
    ASSERT_TRUE(ws->graph()->CreateRelations(std::vector<KgRelation>{{"A", "A", "self"}}, kNow).ok());
    ASSERT_TRUE(ws->graph()->DeleteObservations(std::vector<KgObservations>{{"A", {"x"}}}, kNow).ok());
    before = *ws->graph()->Read();
  }
  auto ws = OpenOk(dir);
  auto after = ws->graph()->Read();
  ASSERT_TRUE(after.ok());
  ASSERT_EQ(after->entities, before.entities);
  ASSERT_EQ(after->relations, before.relations);
  std::filesystem::remove_all(dir);
}

TEST(KnowledgeGraphTest, TwoWorkspacesShareOneGraph) {
  const std::string dir = TempDir("shared");
  WorkspaceOptions o;
  o.lock_per_write = true;
  o.lock_wait = std::chrono::milliseconds(5000);
  auto a = OpenOk(dir, o);
  auto b = OpenOk(dir, o);
  ASSERT_TRUE(a->graph()->CreateEntities(std::vector<KgEntity>{{"A", "t", {}}}, kNow).ok());
  // b decides against the current graph: A exists, so only B is created.
  auto made = b->graph()->CreateEntities(std::vector<KgEntity>{{"A", "t", {}}, {"B", "t", {}}}, kNow);
  ASSERT_TRUE(made.ok());
  ASSERT_EQ(made->size(), 1u);
  EXPECT_EQ((*made)[0].name, "B");
  ASSERT_TRUE(a->graph()->AddObservations(std::vector<KgObservations>{{"B", {"seen by a"}}}, kNow).ok());
  EXPECT_EQ(b->graph()->Read()->entities[1].observations, Strings({"seen by a"}));
  auto rb = b->Remember(Strings{"a note from b"}, RememberOptions{}, kNow);
  ASSERT_TRUE(rb.ok()) << rb.status().ToString();
  auto hits = a->Recall("note from b", RecallOptions{});
  ASSERT_TRUE(hits.ok());
  ASSERT_FALSE(hits->empty());
  EXPECT_EQ((*hits)[0].text, "a note from b");
  EXPECT_TRUE((*hits)[0].legs.vector_rank.has_value());  // b's vector is visible to a
  EXPECT_EQ(a->Stats().vectors, b->Stats().vectors);
  std::filesystem::remove_all(dir);
}

TEST(KnowledgeGraphTest, BadInputChangesNothing) {
  const std::string dir = TempDir("bad");
  auto ws = OpenOk(dir);
  const std::string huge(70 * 1024, 'x');
  auto r = ws->graph()->CreateEntities(std::vector<KgEntity>{{"ok", "t", {}}, {"big", "t", {huge}}}, kNow);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  auto r2 = ws->graph()->CreateEntities(std::vector<KgEntity>{{std::string("\xff\xfe"), "t", {}}}, kNow);
  EXPECT_EQ(r2.status().code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(ws->graph()->Read()->entities.empty());
  EXPECT_EQ(ws->memory()->Stats().sem, 0u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace urd
