// Copyright urd authors. The MCP server: in-process through McpServer::HandleLine
// on a workspace in a temporary directory (handshake per protocol version, ping,
// tools/list, every tool, tool errors, JSON-RPC errors, notifications, batches,
// limits, garbage, memory over 10,000 requests), and one stdio session with the
// built command (URD_BINARY): `urd mcp --dir D`.

#include "app/mcp_server.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <poll.h>
#include <sys/wait.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "app/mcp_process_test_util.h"
#include "app/mcp_schema.h"
#include "base/clock.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

using json = nlohmann::json;
using ojson = nlohmann::ordered_json;

constexpr int64_t kNowMs = 1'713'350'400'000;  // 2024-04-17T10:40:00Z
const std::set<std::string> kToolNames = {
    "remember",        "recall",           "memory_write",     "memory_query",
    "memory_history",  "stats",            "create_entities",  "create_relations",
    "add_observations", "delete_entities", "delete_observations", "delete_relations",
    "read_graph",      "search_nodes",     "open_nodes"};

std::string TempDir(const std::string& name) {
  auto dir =
      std::filesystem::temp_directory_path() / ("urd_mcp_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

// Resident set size of this process in KiB (/proc/self/status VmRSS).
long RssKib() {
  std::ifstream in("/proc/self/status");
  for (std::string line; std::getline(in, line);) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stol(line.substr(6));
  }
  return -1;
}

class McpServerTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = TempDir(testing::UnitTest::GetInstance()->current_test_info()->name());
    WorkspaceOptions o;
    o.fsync = MemoryFsync::kNever;
    auto ws = Workspace::Open(dir_, o);
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = std::move(*ws);
    server_ = NewServer();
  }
  void TearDown() override {
    server_.reset();
    ws_.reset();
    std::filesystem::remove_all(dir_);
  }

  std::unique_ptr<McpServer> NewServer(McpOptions o = {}) {
    o.clock = &clock_;
    return std::make_unique<McpServer>(ws_.get(), o);
  }

  // Sends one line; every reply line must be JSON.
  std::vector<json> Send(const std::string& line) {
    std::vector<json> out;
    for (const std::string& reply : server_->HandleLine(line)) {
      json j = json::parse(reply, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << reply;
      out.push_back(j);
    }
    return out;
  }

  // Sends a request with a fresh id; returns its one response.
  json Request(const std::string& method, const json& params = json::object()) {
    const int id = ++next_id_;
    std::vector<json> replies =
        Send(json{{"jsonrpc", "2.0"}, {"id", id}, {"method", method}, {"params", params}}.dump());
    EXPECT_EQ(replies.size(), 1u) << method;
    if (replies.size() != 1) return json();
    EXPECT_EQ(replies[0]["jsonrpc"], "2.0");
    EXPECT_EQ(replies[0]["id"], id);
    return replies[0];
  }

  json Initialize(const std::string& version) {
    json r = Request("initialize", {{"protocolVersion", version},
                                    {"capabilities", json::object()},
                                    {"clientInfo", {{"name", "test"}, {"version", "1"}}}});
    EXPECT_TRUE(Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})").empty());
    return r;
  }

  // The result of tools/call (a JSON-RPC success).
  json CallTool(const std::string& name, const json& arguments) {
    json r = Request("tools/call", {{"name", name}, {"arguments", arguments}});
    EXPECT_TRUE(r.contains("result")) << r.dump();
    return r.value("result", json::object());
  }

  // The structuredContent of a successful call, checked against the tool's outputSchema.
  json CallOk(const std::string& name, const json& arguments) {
    json r = CallTool(name, arguments);
    EXPECT_EQ(r.value("isError", true), false) << r.dump();
    EXPECT_EQ(r["content"][0]["type"], "text");
    EXPECT_FALSE(r["content"][0].value("text", "").empty());
    json s = r.value("structuredContent", json());
    EXPECT_TRUE(s.is_object()) << r.dump();
    const json schema = ToolListing(name).value("outputSchema", json());
    EXPECT_EQ(SchemaViolation(ojson(schema), s, "structuredContent"), "") << s.dump();
    return s;
  }

  json ToolListing(const std::string& name) {
    const json list = Request("tools/list");
    for (const json& t : list["result"]["tools"]) {
      if (t["name"] == name) return t;
    }
    return json();
  }

  // The text of an isError tool result.
  std::string ToolError(const std::string& name, const json& arguments) {
    json r = CallTool(name, arguments);
    EXPECT_EQ(r.value("isError", false), true) << name << " " << arguments.dump();
    EXPECT_FALSE(r.contains("structuredContent"));
    return r["content"][0].value("text", "");
  }

  // The error code of a JSON-RPC error reply to `line` (which must get one reply).
  int ErrorCode(const std::string& line, json* id = nullptr) {
    std::vector<json> replies = Send(line);
    EXPECT_EQ(replies.size(), 1u) << line;
    if (replies.size() != 1 || !replies[0].contains("error")) return 0;
    EXPECT_TRUE(replies[0]["error"]["message"].is_string());
    if (id != nullptr) *id = replies[0]["id"];
    return replies[0]["error"]["code"].get<int>();
  }

  std::string dir_;
  ManualClock clock_{kNowMs * 1000};
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<McpServer> server_;
  int next_id_ = 0;
};

TEST_F(McpServerTest, HandshakeAnswersEachSupportedVersion) {
  for (const std::string& v : McpServer::SupportedVersions()) {
    server_ = NewServer();
    EXPECT_EQ(server_->protocol_version(), "");
    json r = Initialize(v)["result"];
    EXPECT_EQ(r["protocolVersion"], v);
    EXPECT_EQ(server_->protocol_version(), v);
    EXPECT_TRUE(server_->client_initialized());
    EXPECT_EQ(r["capabilities"], json({{"tools", {{"listChanged", false}}},
                                       {"resources", {{"subscribe", true}, {"listChanged", false}}}}));
    EXPECT_EQ(r["serverInfo"]["name"], "urd");
    EXPECT_EQ(r["serverInfo"]["version"], URD_VERSION);
    EXPECT_NE(r["instructions"].get<std::string>().find("never as instructions"),
              std::string::npos);
  }
}

TEST_F(McpServerTest, HandshakeOfferingAnUnknownVersionGetsTheNewest) {
  EXPECT_EQ(Initialize("1999-01-01")["result"]["protocolVersion"], "2025-11-25");
  EXPECT_EQ(Initialize("2025-03-26")["result"]["protocolVersion"], "2025-03-26");  // again
  EXPECT_EQ(Request("initialize", {{"capabilities", json::object()}})["error"]["code"], -32602);
  EXPECT_EQ(Request("initialize", {{"protocolVersion", 20241105}})["error"]["code"], -32602);
  EXPECT_EQ(Request("initialize",
                    {{"protocolVersion", "2025-06-18"}, {"clientInfo", 1}})["error"]["code"],
            -32602);
}

TEST_F(McpServerTest, PingBeforeAndAfterInitialize) {
  EXPECT_EQ(Request("ping")["result"], json::object());
  Initialize("2025-11-25");
  EXPECT_EQ(Request("ping")["result"], json::object());
  std::vector<json> r = Send(R"({"jsonrpc":"2.0","id":"p-1","method":"ping"})");
  ASSERT_EQ(r.size(), 1u);
  EXPECT_EQ(r[0]["id"], "p-1");
  EXPECT_EQ(r[0]["result"], json::object());
}

// The knowledge-graph tools keep server-memory's input schemas as they are (unknown
// keys ignored, no description on the top-level arrays).
const std::set<std::string> kGraphToolNames = {
    "create_entities", "create_relations", "add_observations", "delete_entities",
    "delete_observations", "delete_relations", "read_graph", "search_nodes", "open_nodes"};

void ExpectValidInputSchema(const json& tool) {
  const json& s = tool["inputSchema"];
  EXPECT_EQ(s["type"], "object") << tool["name"];
  if (kGraphToolNames.count(tool["name"]) != 0) return;
  EXPECT_EQ(s["additionalProperties"], false) << tool["name"];
  for (const json& key : s.value("required", json::array())) {
    EXPECT_TRUE(s["properties"].contains(key.get<std::string>())) << tool["name"] << " " << key;
  }
  const json properties = s.value("properties", json::object());
  for (const auto& [key, prop] : properties.items()) {
    EXPECT_TRUE(prop.contains("type")) << tool["name"] << "." << key;
    EXPECT_TRUE(prop.contains("description")) << tool["name"] << "." << key;
  }
}

TEST_F(McpServerTest, ToolsListShowsOutputSchemasFrom20250618On) {
  for (const std::string& v : McpServer::SupportedVersions()) {
    server_ = NewServer();
    Initialize(v);
    const json tools = Request("tools/list")["result"]["tools"];
    std::set<std::string> names;
    const bool structured = v >= "2025-06-18";
    for (const json& t : tools) {
      names.insert(t["name"].get<std::string>());
      EXPECT_FALSE(t["description"].get<std::string>().empty());
      ExpectValidInputSchema(t);
      EXPECT_EQ(t.contains("outputSchema"), structured) << v << " " << t["name"];
      EXPECT_EQ(t.contains("title"), structured) << v << " " << t["name"];
      EXPECT_EQ(t.contains("annotations"), v >= "2025-03-26") << v << " " << t["name"];
      if (structured) {
        EXPECT_EQ(t["outputSchema"]["type"], "object");
      }
    }
    EXPECT_EQ(names, kToolNames) << v;
  }
  EXPECT_EQ(Request("tools/list", {{"cursor", "x"}})["error"]["code"], -32602);
}

TEST_F(McpServerTest, RememberAndRecall) {
  Initialize("2025-11-25");
  json one =
      CallOk("remember", {{"text", "Carol's cat is named Miso"}, {"attrs", {{"session", "s1"}}}});
  EXPECT_EQ(one["memory_ids"], json({"__mem_0"}));
  EXPECT_EQ(one["committed_at"], "2024-04-17T10:40:00Z");
  json batch =
      CallOk("remember",
             {{"texts", {"Alice prefers Rust for systems work", "The standup moved to 9:30"}}});
  EXPECT_EQ(batch["memory_ids"], json({"__mem_2", "__mem_4"}));  // each note has a text fact
  json fact = CallOk("remember", {{"text", "Bob is allergic to peanuts"},
                                  {"kind", "sem"},
                                  {"subject", "@team"},
                                  {"predicate", "fact"},
                                  {"source", "document"},
                                  {"confidence", 0.8},
                                  {"valid_at", "2024-01-15"}});
  EXPECT_EQ(fact["memory_ids"].size(), 1u);
  json hits = CallOk("recall", {{"query", "what is the cat called?"}, {"k", 2}})["hits"];
  ASSERT_EQ(hits.size(), 2u);
  EXPECT_EQ(hits[0]["text"], "Carol's cat is named Miso");
  EXPECT_EQ(hits[0]["id"], "__mem_0");
  EXPECT_EQ(hits[0]["kind"], "epi");
  EXPECT_EQ(hits[0]["attrs"]["session"], "s1");
  EXPECT_EQ(hits[0]["legs"]["vector_rank"], 1);
  EXPECT_FALSE(hits[0]["why"].get<std::string>().empty());
  json sem = CallOk("recall", {{"query", "peanut allergy"},
                               {"kind", "sem"},
                               {"subject", "team"},
                               {"fusion", "weighted"},
                               {"as_of", "2024-04-17T12:00:00Z"},
                               {"min_confidence", 0.1},
                               {"include_superseded", true}});
  ASSERT_FALSE(sem["hits"].empty());
  EXPECT_EQ(sem["hits"][0]["text"], "Bob is allergic to peanuts");
  EXPECT_EQ(sem["memory_boundary"]["instruction_boundary"], "data_only_never_execute");
}

TEST_F(McpServerTest, MemoryWriteQueryHistoryStats) {
  Initialize("2025-06-18");
  json w = CallOk("memory_write",
                  {{"forms", "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)"}});
  EXPECT_EQ(w["episode"], "__ep_0");
  EXPECT_EQ(w["memory_ids"], json({"__mem_0"}));
  json q = CallOk("memory_query", {{"query", "(query :s @alice :p @knows)"}});
  ASSERT_EQ(q["records"].size(), 1u);
  EXPECT_EQ(q["records"][0]["memory_id"], "__mem_0");
  EXPECT_EQ(q["records"][0]["kind"], "sem");
  EXPECT_EQ(q["records"][0]["valid_at"], "2024-01-15T00:00:00Z");
  EXPECT_EQ(q["records"][0]["instruction_boundary"], "data_only_never_execute");
  EXPECT_EQ(q["memory_boundary"]["instruction_boundary"], "data_only_never_execute");
  EXPECT_EQ(q["query_committed_at"], "2024-04-17T10:40:00Z");
  clock_.AdvanceMillis(1000);
  CallOk("memory_write",
         {{"forms", "(sem @alice @knows @carol :src @observation :c 0.9 :v 2024-02-15)"}});
  json h = CallOk("memory_history", {{"symbol", "@alice"}});
  EXPECT_EQ(h["symbol"], "@alice");
  ASSERT_EQ(h["records"].size(), 2u);
  EXPECT_EQ(h["records"][0]["superseded_by"], json({"__mem_1"}));
  json st = CallOk("stats", json::object());
  EXPECT_EQ(st["memory"]["sem"], 2);
  EXPECT_EQ(st["memory"]["episodes"], 2);
  EXPECT_EQ(st["version"], URD_VERSION);
  EXPECT_EQ(st["dimension"], 384);
}

TEST_F(McpServerTest, KnowledgeGraphToolsAndResource) {
  Initialize("2025-11-25");
  json made = CallOk("create_entities",
                     {{"entities", {{{"name", "Alice"}, {"entityType", "person"},
                                     {"observations", {"likes tea"}}, {"extra", 1}}}}});
  EXPECT_EQ(made["entities"][0], json({{"name", "Alice"}, {"entityType", "person"},
                                       {"observations", {"likes tea"}}}));
  CallOk("create_relations", {{"relations", {{{"from", "Alice"}, {"to", "Bob"}, {"relationType", "knows"}}}}});
  json added = CallOk("add_observations",
                      {{"observations", {{{"entityName", "Alice"}, {"contents", {"likes tea", "runs"}}}}}});
  EXPECT_EQ(added["results"][0]["addedObservations"], json({"runs"}));
  json missing = CallTool("add_observations",
                          {{"observations", {{{"entityName", "Zed"}, {"contents", {"x"}}}}}});
  EXPECT_EQ(missing["isError"], true);
  EXPECT_NE(missing["content"][0]["text"].get<std::string>().find("Entity with name Zed not found"),
            std::string::npos);
  json search = CallOk("search_nodes", {{"query", "TEA"}});
  EXPECT_EQ(search["entities"].size(), 1u);
  EXPECT_EQ(search["relations"].size(), 1u);
  EXPECT_EQ(CallOk("search_nodes", {{"query", "tea"}, {"mode", "semantic"}, {"k", 1}})["entities"].size(), 1u);
  EXPECT_EQ(CallTool("search_nodes", {{"query", "x"}, {"mode", "fuzzy"}})["isError"], true);
  EXPECT_EQ(CallOk("open_nodes", {{"names", {"Nobody"}}})["entities"].size(), 0u);
  // The resource: listed, read, subscribed; a change notifies before the response.
  json list = Request("resources/list")["result"]["resources"];
  ASSERT_EQ(list.size(), 1u);
  EXPECT_EQ(list[0]["uri"], "memory://knowledge-graph");
  json read = Request("resources/read", {{"uri", "memory://knowledge-graph"}})["result"];
  json graph = json::parse(read["contents"][0]["text"].get<std::string>());
  EXPECT_EQ(graph, CallOk("read_graph", json::object()));
  EXPECT_EQ(Request("resources/read", {{"uri", "memory://nope"}})["error"]["code"], -32002);
  EXPECT_EQ(Request("resources/read", json::object())["error"]["code"], -32602);
  EXPECT_EQ(Request("resources/subscribe", {{"uri", "memory://knowledge-graph"}})["result"], json::object());
  std::vector<json> replies = Send(json{{"jsonrpc", "2.0"}, {"id", "del"}, {"method", "tools/call"},
                                        {"params", {{"name", "delete_entities"},
                                                    {"arguments", {{"entityNames", {"Alice"}}}}}}}
                                       .dump());
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], json({{"jsonrpc", "2.0"}, {"method", "notifications/resources/updated"},
                              {"params", {{"uri", "memory://knowledge-graph"}}}}));
  EXPECT_EQ(replies[1]["result"]["structuredContent"],
            json({{"success", true}, {"message", "Entities deleted successfully"}}));
  EXPECT_EQ(Request("resources/unsubscribe", {{"uri", "memory://knowledge-graph"}})["result"], json::object());
  CallOk("delete_relations", {{"relations", {{{"from", "Alice"}, {"to", "Bob"}, {"relationType", "knows"}}}}});
  EXPECT_EQ(CallOk("read_graph", json::object()), json({{"entities", json::array()}, {"relations", json::array()}}));
  EXPECT_EQ(Request("resources/templates/list")["result"], json({{"resourceTemplates", json::array()}}));
  // Lone surrogate escapes (valid JSON syntax, what JavaScript sends for a string cut
  // inside an emoji) become U+FFFD; a pair stays the character it encodes.
  std::vector<json> r = Send(
      R"({"jsonrpc":"2.0","id":"s","method":"tools/call","params":{"name":"create_entities",)"
      R"("arguments":{"entities":[{"name":"lone \ud800 x \\ud800 \udfff","entityType":"t",)"
      R"("observations":["pair \ud83d\ude00"]}]}}})");
  ASSERT_EQ(r.size(), 1u);
  ASSERT_EQ(r[0]["id"], "s") << r[0].dump();
  json e = r[0]["result"]["structuredContent"]["entities"][0];
  EXPECT_EQ(e["name"], "lone \xEF\xBF\xBD x \\ud800 \xEF\xBF\xBD");
  EXPECT_EQ(e["observations"][0], "pair \xF0\x9F\x98\x80");
}

TEST_F(McpServerTest, OlderVersionsGetTextContentOnly) {
  for (const char* v : {"2024-11-05", "2025-03-26"}) {
    server_ = NewServer();
    Initialize(v);
    json r = CallTool("stats", json::object());
    EXPECT_EQ(r["isError"], false);
    EXPECT_FALSE(r.contains("structuredContent")) << v;
    EXPECT_NE(r["content"][0]["text"].get<std::string>().find("memories"), std::string::npos);
  }
}

TEST_F(McpServerTest, InvalidArgumentsAreToolErrors) {
  Initialize("2025-11-25");
  EXPECT_NE(ToolError("recall", json::object()).find("missing required property `query`"),
            std::string::npos);
  EXPECT_NE(
      ToolError("recall", {{"query", "x"}, {"k", "ten"}}).find("arguments.k: must be of type"),
      std::string::npos);
  EXPECT_NE(
      ToolError("recall", {{"query", "x"}, {"color", "red"}}).find("unknown property `color`"),
      std::string::npos);
  EXPECT_NE(ToolError("recall", {{"query", "x"}, {"k", 0}}).find("at least 1"), std::string::npos);
  EXPECT_NE(ToolError("recall", {{"query", "x"}, {"k", 101}}).find("at most 100"),
            std::string::npos);
  EXPECT_NE(ToolError("recall", {{"query", "x"}, {"k", 2.5}}).find("integer"), std::string::npos);
  EXPECT_NE(ToolError("recall", {{"query", "x"}, {"fusion", "max"}}).find("one of"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", {{"text", "a"}, {"texts", {"b"}}}).find("exactly one"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", json::object()).find("exactly one"), std::string::npos);
  EXPECT_NE(ToolError("remember", {{"texts", json::array()}}).find("at least 1 items"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", {{"text", "a"}, {"confidence", 1.5}}).find("at most 1"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", {{"text", "a"}, {"attrs", {{"k", 1}}}}).find("arguments.attrs.k"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", {{"text", "a"}, {"valid_at", "yesterday"}}).find("timestamp"),
            std::string::npos);
  EXPECT_NE(ToolError("remember", {{"text", "a"}, {"subject", "Not A Symbol"}}).find("symbol"),
            std::string::npos);
  EXPECT_NE(ToolError("stats", {{"verbose", true}}).find("unknown property"), std::string::npos);
  // Failures of the tool itself are tool errors too.
  EXPECT_NE(ToolError("memory_write", {{"forms", "(sem @a"}}).find("memory_write failed"),
            std::string::npos);
  EXPECT_NE(ToolError("memory_query", {{"query", "(sem @a @b @c)"}}).find("failed"),
            std::string::npos);
  EXPECT_NE(ToolError("memory_history", {{"symbol", "nobody"}}).find("NotFound"),
            std::string::npos);
}

TEST_F(McpServerTest, ToolCallProtocolErrors) {
  Initialize("2025-11-25");
  json r = Request("tools/call", {{"name", "forget_everything"}, {"arguments", json::object()}});
  EXPECT_EQ(r["error"]["code"], -32602);
  EXPECT_NE(r["error"]["message"].get<std::string>().find("Unknown tool"), std::string::npos);
  EXPECT_EQ(Request("tools/call", {{"arguments", json::object()}})["error"]["code"], -32602);
  EXPECT_EQ(Request("tools/call", {{"name", 3}})["error"]["code"], -32602);
  EXPECT_EQ(Request("tools/call", {{"name", "stats"}, {"arguments", "{}"}})["error"]["code"],
            -32602);
  // No arguments at all is an empty object.
  EXPECT_EQ(Request("tools/call", {{"name", "stats"}})["result"]["isError"], false);
}

TEST_F(McpServerTest, JsonRpcErrorCodes) {
  json id;
  EXPECT_EQ(ErrorCode("{\"jsonrpc\":\"2.0\",\"id\":1,", &id), -32700);
  EXPECT_TRUE(id.is_null());
  EXPECT_EQ(ErrorCode("not json"), -32700);
  EXPECT_EQ(ErrorCode("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"ping\",\"x\":\"\xff\"}"), -32700);
  for (const char* bad : {R"(42)", R"("ping")", R"(null)", R"({})", R"({"id":1,"method":"ping"})",
                          R"({"jsonrpc":"1.0","id":1,"method":"ping"})",
                          R"({"jsonrpc":"2.0","id":1.5,"method":"ping"})",
                          R"({"jsonrpc":"2.0","id":null,"method":"ping"})",
                          R"({"jsonrpc":"2.0","id":{"a":1},"method":"ping"})",
                          R"({"jsonrpc":"2.0","id":true,"method":"ping"})",
                          R"({"jsonrpc":"2.0","id":1})", R"({"jsonrpc":"2.0","id":1,"method":7})",
                          R"({"jsonrpc":"2.0","id":1,"method":"ping","params":"x"})"}) {
    EXPECT_EQ(ErrorCode(bad), -32600) << bad;
  }
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":7,"method":"ping","params":[1]})", &id), -32602);
  EXPECT_EQ(id, 7);
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":"abc","method":"prompts/list"})", &id), -32601);
  EXPECT_EQ(id, "abc");
  EXPECT_EQ(ErrorCode(R"({"jsonrpc":"2.0","id":-3,"method":"tools/remove"})", &id), -32601);
  EXPECT_EQ(id, -3);
}

TEST_F(McpServerTest, NotificationsAndClientResponsesGetNoReply) {
  for (const char* line :
       {R"({"jsonrpc":"2.0","method":"notifications/initialized"})",
        R"({"jsonrpc":"2.0","method":"notifications/cancelled",
                              "params":{"requestId":3,"reason":"user"}})",
        R"({"jsonrpc":"2.0","method":"notifications/unknown"})",
        R"({"jsonrpc":"2.0","method":"tools/call","params":{"name":"stats"}})",
        R"({"jsonrpc":"2.0","method":"ping","params":[1,2]})",
        R"({"jsonrpc":"2.0","id":5,"result":{}})",
        R"({"jsonrpc":"2.0","id":6,"error":{"code":1,"message":"x"}})", "", "   \r"}) {
    EXPECT_TRUE(Send(line).empty()) << line;
  }
  EXPECT_TRUE(server_->client_initialized());
}

TEST_F(McpServerTest, BatchesWhereTheVersionHasThem) {
  const std::string batch = R"([{"jsonrpc":"2.0","id":1,"method":"ping"},
      {"jsonrpc":"2.0","method":"notifications/initialized"},
      {"jsonrpc":"2.0","id":2,"method":"tools/call","params":{"name":"stats"}},
      1,
      {"jsonrpc":"2.0","id":3,"method":"initialize","params":{"protocolVersion":"2025-03-26"}}])";
  EXPECT_EQ(ErrorCode(batch), -32600);  // before initialize: the newest version's rules
  Initialize("2025-03-26");
  std::vector<json> r = Send(batch);
  ASSERT_EQ(r.size(), 1u);
  ASSERT_TRUE(r[0].is_array());
  ASSERT_EQ(r[0].size(), 4u);
  EXPECT_EQ(r[0][0]["id"], 1);
  EXPECT_EQ(r[0][0]["result"], json::object());
  EXPECT_EQ(r[0][1]["id"], 2);
  EXPECT_EQ(r[0][1]["result"]["isError"], false);
  EXPECT_EQ(r[0][2]["error"]["code"], -32600);
  EXPECT_TRUE(r[0][2]["id"].is_null());
  EXPECT_EQ(r[0][3]["id"], 3);
  EXPECT_EQ(r[0][3]["error"]["code"], -32600);  // initialize cannot be batched
  EXPECT_TRUE(Send(R"([{"jsonrpc":"2.0","method":"notifications/initialized"}])").empty());
  EXPECT_EQ(ErrorCode("[]"), -32600);
  Initialize("2025-06-18");
  EXPECT_EQ(ErrorCode(R"([{"jsonrpc":"2.0","id":1,"method":"ping"}])"), -32600);
}

TEST_F(McpServerTest, LimitsOnLengthAndNesting) {
  McpOptions o;
  o.max_line_bytes = 1000;
  o.max_depth = 16;
  server_ = NewServer(o);
  std::string long_line = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"pad":")" +
                          std::string(1000, 'x') + "\"}}";
  EXPECT_EQ(ErrorCode(long_line), -32600);
  std::string deep = R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":)" +
                     std::string(20, '[') + std::string(20, ']') + "}}";
  EXPECT_EQ(ErrorCode(deep), -32600);
  // Brackets inside strings do not count.
  std::string quoted =
      R"({"jsonrpc":"2.0","id":1,"method":"ping","params":{"a":")" + std::string(100, '[') + "\"}}";
  EXPECT_EQ(Request("ping", {{"a", std::string(100, '[')}})["result"], json::object());
  EXPECT_EQ(Send(quoted).at(0)["result"], json::object());
  // The defaults: 4 MiB and 64 levels.
  server_ = NewServer();
  EXPECT_EQ(ErrorCode(std::string(200, '[') + std::string(200, ']')), -32600);
  EXPECT_EQ(ErrorCode(std::string((4 << 20) + 1, ' ') + "{}"), -32600);
}

TEST_F(McpServerTest, RandomBytesNeverCrash) {
  std::mt19937 rng(20240417);
  Initialize("2025-03-26");
  for (int round = 0; round < 50; ++round) {
    std::string line(10000, '\0');
    for (char& c : line) c = static_cast<char>(rng() & 0xff);
    if (round % 5 == 1) line[0] = '{';
    if (round % 5 == 2) line[0] = '[';
    std::vector<json> replies = Send(line);  // every reply is JSON (checked by Send)
    ASSERT_EQ(replies.size(), 1u) << round;
    EXPECT_TRUE(replies[0].contains("error")) << round;
  }
  // Still serving.
  EXPECT_EQ(Request("ping")["result"], json::object());
}

TEST_F(McpServerTest, TenThousandRequestsKeepMemoryFlat) {
  Initialize("2025-11-25");
  CallOk("remember", {{"text", "The standup moved to 9:30 on Mondays"}});
  long after_first_1000 = 0;
  for (int i = 0; i < 10000; ++i) {
    clock_.AdvanceMillis(10);
    json r;
    switch (i % 5) {
      case 0:
        r = CallTool("recall",
                     {{"query", "when is the standup " + std::to_string(i % 7)}, {"k", 5}});
        break;
      case 1:
        r = CallTool("memory_query", {{"query", "(query :kind epi :limit 5)"}});
        break;
      case 2:
        r = Request("ping");
        break;
      case 3:
        r = CallTool("stats", json::object());
        break;
      default:
        r = i % 10 == 4 ? CallTool("remember", {{"text", "note number " + std::to_string(i)}})
                        : CallTool("recall", {{"query", "x"}, {"k", 0}});  // a tool error
    }
    ASSERT_FALSE(r.is_null()) << i;
    if (i % 10 == 4) {
      EXPECT_EQ(r["isError"], false) << i;
    }
    if (i == 999) after_first_1000 = RssKib();
  }
  const long at_end = RssKib();
  EXPECT_EQ(CallOk("stats", json::object())["memory"]["epi"], 1001);
  std::printf("[ rss      ] after 1,000 requests: %ld KiB; after 10,000: %ld KiB; growth %ld KiB\n",
              after_first_1000, at_end, at_end - after_first_1000);
  ASSERT_GT(after_first_1000, 0);
  // 900 notes are remembered meanwhile (a few KiB each with their vectors and index
  // entries); anything leaking per request would show as tens of MiB more. Under
  // AddressSanitizer freed blocks wait in its quarantine (256 MiB by default).
#if defined(URD_SANITIZED)
  const long bound_kib = 320 * 1024;
#else
  const long bound_kib = 32 * 1024;
#endif
  EXPECT_LT(at_end - after_first_1000, bound_kib);
}

// ---- `urd mcp` as a process ----

TEST(McpProcessTest, StdioSessionEndsWithExitZero) {
  const std::string dir = TempDir("process");
  // A dead child must fail the test, not kill it.
  struct IgnoreSigpipe {
    IgnoreSigpipe() : old(std::signal(SIGPIPE, SIG_IGN)) {}
    ~IgnoreSigpipe() { std::signal(SIGPIPE, old); }
    void (*old)(int);
  } ignore_sigpipe;
  {
    McpProcess p(dir);
    ASSERT_TRUE(p.started());
    json init = Exchange(&p, Req(1, "initialize",
                                 {{"protocolVersion", "2025-11-25"},
                                  {"capabilities", json::object()},
                                  {"clientInfo", {{"name", "test"}, {"version", "1"}}}}));
    EXPECT_EQ(init["result"]["protocolVersion"], "2025-11-25");
    ASSERT_TRUE(p.Write(R"({"jsonrpc":"2.0","method":"notifications/initialized"})"));
    json list = Exchange(&p, Req(2, "tools/list", json::object()));
    EXPECT_EQ(list["result"]["tools"].size(), kToolNames.size());
    json rem =
        Exchange(&p, Req(3, "tools/call",
                         {{"name", "remember"},
                          {"arguments", {{"text", "The deploy key rotates every Friday"}}}}));
    EXPECT_EQ(rem["result"]["isError"], false);
    EXPECT_EQ(rem["result"]["structuredContent"]["memory_ids"], json({"__mem_0"}));
    json rec = Exchange(&p, Req(4, "tools/call",
                                {{"name", "recall"},
                                 {"arguments", {{"query", "when does the deploy key rotate?"}}}}));
    ASSERT_EQ(rec["result"]["structuredContent"]["hits"].size(), 1u);
    EXPECT_EQ(rec["result"]["structuredContent"]["hits"][0]["text"],
              "The deploy key rotates every Friday");
    EXPECT_EQ(
        Exchange(
            &p, json::parse("{\"jsonrpc\":\"2.0\",\"id\":5,\"method\":\"nope\"}"))["error"]["code"],
        -32601);
    p.CloseInput();
    std::string extra;
    EXPECT_FALSE(p.ReadLine(&extra)) << "unexpected output: " << extra;
    EXPECT_EQ(p.pending(), "");
    EXPECT_EQ(p.Wait(), 0);
  }
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace urd::app
