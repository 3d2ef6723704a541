// Copyright urd authors. Two `urd mcp` servers (URD_BINARY) on one workspace:
// interleaved writes from both, each sees the other's; one is SIGKILLed in the
// middle of a write, and the other keeps writing; afterwards the memory log, the
// vectors and the text index agree.

#include <csignal>
#include <filesystem>
#include <random>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "app/mcp_process_test_util.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

using json = nlohmann::json;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("urd_mcpshare_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

struct IgnoreSigpipe {
  IgnoreSigpipe() : old(std::signal(SIGPIPE, SIG_IGN)) {}
  ~IgnoreSigpipe() { std::signal(SIGPIPE, old); }
  void (*old)(int);
};

void Initialize(McpProcess* p) {
  json r = Exchange(p, Req(0, "initialize",
                           {{"protocolVersion", "2025-11-25"},
                            {"capabilities", json::object()},
                            {"clientInfo", {{"name", "share-test"}, {"version", "1"}}}}));
  ASSERT_EQ(r["result"]["protocolVersion"], "2025-11-25");
  ASSERT_TRUE(p->Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
}

// A successful tool call's structuredContent.
json Call(McpProcess* p, int id, const std::string& tool, const json& args) {
  json r = Exchange(p, Req(id, "tools/call", {{"name", tool}, {"arguments", args}}));
  EXPECT_EQ(r["result"]["isError"], false) << tool << " " << args.dump() << " -> " << r.dump();
  return r["result"]["structuredContent"];
}

std::vector<std::string> EntityNames(const json& graph) {
  std::vector<std::string> out;
  for (const json& e : graph["entities"]) out.push_back(e["name"]);
  return out;
}

TEST(McpShareTest, TwoServersInterleaveAndSeeEachOther) {
  IgnoreSigpipe ignore;
  const std::string dir = TempDir("interleave");
  McpProcess a(dir), b(dir);
  ASSERT_TRUE(a.started() && b.started());
  Initialize(&a);
  Initialize(&b);
  std::vector<std::string> names;
  for (int i = 0; i < 8; ++i) {
    const std::string note = "note number " + std::to_string(i) + " written by server a";
    Call(&a, 10 + i, "remember", {{"text", note}});
    const std::string entity = "Entity " + std::to_string(i);
    Call(&b, 10 + i, "create_entities",
         {{"entities", {{{"name", entity}, {"entityType", "t"}, {"observations", {"from b"}}}}}});
    names.push_back(entity);
    // Each reads what the other wrote.
    EXPECT_EQ(EntityNames(Call(&a, 100 + i, "read_graph", json::object())), names);
    json hits = Call(&b, 100 + i, "recall", {{"query", note}, {"k", 1}});
    ASSERT_EQ(hits["hits"].size(), 1u);
    EXPECT_EQ(hits["hits"][0]["text"], note);
  }
  // The same entity from both: created once.
  json ra = Call(&a, 200, "create_entities",
                 {{"entities", {{{"name", "Shared"}, {"entityType", "t"}, {"observations", json::array()}}}}});
  json rb = Call(&b, 200, "create_entities",
                 {{"entities", {{{"name", "Shared"}, {"entityType", "t"}, {"observations", json::array()}}}}});
  EXPECT_EQ(ra["entities"].size() + rb["entities"].size(), 1u);
  json sa = Call(&a, 201, "stats", json::object());
  json sb = Call(&b, 201, "stats", json::object());
  EXPECT_EQ(sa["memory"], sb["memory"]);
  EXPECT_EQ(sa["vectors"], sb["vectors"]);
  a.CloseInput();
  b.CloseInput();
  EXPECT_EQ(a.Wait(), 0);
  EXPECT_EQ(b.Wait(), 0);
  std::filesystem::remove_all(dir);
}

TEST(McpShareTest, KilledServerNeverBlocksTheOther) {
  IgnoreSigpipe ignore;
  const std::string dir = TempDir("kill");
  McpProcess b(dir);
  ASSERT_TRUE(b.started());
  Initialize(&b);
  std::mt19937 rng(42);
  uint64_t epi_before = Call(&b, 1, "stats", json::object())["memory"]["epi"];
  for (int trial = 0; trial < 6; ++trial) {
    McpProcess a(dir);
    ASSERT_TRUE(a.started());
    Initialize(&a);
    // A large batch: 300 notes in one atomic remember; killed at a random instant.
    json texts = json::array();
    for (int i = 0; i < 300; ++i) {
      texts.push_back("bulk note " + std::to_string(trial) + "." + std::to_string(i) +
                      " about deployments and keys");
    }
    ASSERT_TRUE(a.Write(Req(5, "tools/call",
                            {{"name", "remember"},
                             {"arguments", {{"texts", texts},
                                            {"subject", "bulk_" + std::to_string(trial)}}}})
                            .dump()));
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % 40000));
    a.Kill();
    // The survivor writes at once: the dead server's lock is gone.
    const std::string note = "after kill " + std::to_string(trial);
    Call(&b, 10 + trial, "remember", {{"text", note}});
    json hits = Call(&b, 20 + trial, "recall", {{"query", note}, {"k", 1}});
    ASSERT_EQ(hits["hits"].size(), 1u);
    EXPECT_EQ(hits["hits"][0]["text"], note);
    // The killed batch is all there or not at all.
    json st = Call(&b, 30 + trial, "stats", json::object());
    // (The survivor's own note is one more.)
    const uint64_t epi = st["memory"]["epi"];
    EXPECT_TRUE(epi == epi_before + 1 || epi == epi_before + 301) << epi_before << " -> " << epi;
    epi_before = epi;
    // Log, vectors and text index agree (the survivor repaired what was missing).
    EXPECT_EQ(st["vectors"], st["text_docs"]) << st.dump();
  }
  b.CloseInput();
  EXPECT_EQ(b.Wait(), 0);
  WorkspaceOptions o;
  o.read_only = true;
  auto ws = Workspace::Open(dir, o);
  ASSERT_TRUE(ws.ok()) << ws.status().ToString();
  const WorkspaceStats st = (*ws)->Stats();
  EXPECT_EQ(st.vectors, st.text_docs);
  EXPECT_EQ(st.memory.epi, epi_before);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace urd::app
