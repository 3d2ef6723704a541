// Copyright urd authors. Bad input to the `urd` command and to the MCP server
// (docs/reliability_inputs.md). Every case checks the exit code (or the JSON-RPC
// error / isError result) and the message, and that every file under the test's
// directory is byte for byte what it was before: bad input changes nothing.
//
// The CLI cases run the built command (URD_BINARY); the MCP cases feed lines to an
// McpServer in process, on a workspace with a memory and a knowledge-graph entity.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli_test_util.h"
#include "app/mcp_server.h"
#include "base/clock.h"
#include "storage/writer_lock.h"
#include "urd/workspace.h"

namespace urd::app {
namespace {

namespace fs = std::filesystem;
using cli_test::Contains;
using cli_test::Q;
using cli_test::ReadAll;
using cli_test::WriteAll;
using json = nlohmann::json;

constexpr uint64_t kNow = 1713350400000;  // 2024-04-17T10:40:00Z

// Every file and directory under `dir` (path -> bytes; directories as "<dir>"),
// except the test's own stdin and stderr captures.
std::map<std::string, std::string> Tree(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    const std::string rel = fs::relative(e.path(), dir).string();
    if (rel == ".stdin" || rel == ".stderr") continue;
    out[rel] = e.is_regular_file() ? ReadAll(e.path().string()) : std::string("<dir>");
  }
  return out;
}

class BadInputCliTest : public cli_test::CliFixture {
 protected:
  BadInputCliTest() : CliFixture("urd_bad_input_cli") {}

  // Expects exit `rc`, `needle` on stderr, and no file changed.
  void Fails(const std::string& args, int rc, const std::string& needle,
             const std::string& stdin_text = "") {
    const auto before = Tree(dir_);
    ExpectFails(args, rc, needle, stdin_text);
    EXPECT_TRUE(Tree(dir_) == before) << args << ": files changed";
  }

  // A workspace `ws` with a note and a fact; a vector store `v/vectors` of
  // dimension 3 with collection `docs`.
  void MakeStores() {
    Ok("remember --dir ws --now " + std::to_string(kNow) + " " + Q("the deploy key rotates on Fridays"));
    Ok("write --dir ws --now " + std::to_string(kNow + 1) + " " +
       Q("(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)"));
    Ok("vec create --dir v --collection docs --dim 3");
    WriteAll(Path("docs.jsonl"), "{\"id\":\"a\",\"vector\":[1,0,0],\"attrs\":{\"n\":1}}\n");
    Ok("vec upsert --dir v --collection docs --jsonl docs.jsonl");
  }
};

TEST_F(BadInputCliTest, UsageErrorsAreExit1) {
  MakeStores();
  Fails("", 1, "");  // no verb: the help, on stdout
  Fails("vec", 1, "A subcommand is required");
  Fails("bogus", 1, "The following argument was not expected: bogus");
  Fails("stats --dir ws --bogus", 1, "--bogus");
  Fails("query --dir ws", 1, "form is required");
  Fails("remember --dir ws", 1, "text is required");
  Fails("remember --dir ws --now abc hi", 1, "--now");
  Fails("init fresh --embedder word2vec", 1, "--embedder");
  Fails("mcp --dir ws --lock-wait 99999999", 1, "--lock-wait: Value 99999999 not in range");
  Fails("vec search --dir v --all --k -1 --vector '[1,0,0]'", 1, "--k");
  Fails("vec meta --dir v --collection docs --set a=b --clear", 1, "excludes");
  EXPECT_FALSE(fs::exists(Path("fresh")));
}

// Negative numbers for unsigned options were read as 2^64 - N: `--now -5` pushed the
// store's monotonic commit clock to the end of time for every later commit.
TEST_F(BadInputCliTest, NegativeClocksAreRefused) {
  MakeStores();
  Fails("write --dir ws --now -5 " + Q("(sem @bob @city @rome :src @observation :c 0.9 :v 2024-01-01)"),
        1, "--now");
  Fails("write --dir ws --now -5 ''", 1, "--now");
  Fails("remember --dir ws --now -5 hello", 1, "--now");
  Fails("log --dir ws --from -1", 1, "--from");
}

TEST_F(BadInputCliTest, WorkspaceVerbs) {
  MakeStores();
  const std::string k300(300, 'k');
  // init: bad embedder options create nothing; another embedder for ws is refused.
  Fails("init fresh --dim 3", 2, "EmbedderOptions.dimension: 3 is out of range for kind \"hash\"");
  Fails("init fresh --embedder openai", 2, "EmbedderOptions.base_url: required");
  Fails("init ws --embedder openai --model m --base-url http://127.0.0.1:1 --dim 8", 2,
        "the workspace was created with embedder hash (dimension 384)");
  Fails("init ws --dim 512", 2, "vectors of different embedders cannot be mixed");
  // remember
  Fails("remember --dir ws ''", 2, "remember: text 0 is empty");
  Fails("remember --dir ws ' '", 2, "remember: text 0 is empty");
  Fails("remember --dir ws " + Q(std::string(65537, 'x')), 2, "text 0 is 65537 bytes; at most 65536");
  Fails("remember --dir ws " + Q("caf\xff"), 2, "remember: text 0 is not valid UTF-8");
  Fails("remember --dir ws ok " + Q("caf\xff"), 2, "remember: text 1 is not valid UTF-8");
  Fails("remember --dir ws hi --kind fact", 2, "kind `fact` is not epi, sem or pro");
  Fails("remember --dir ws hi --subject Alice", 2, "subject `Alice` is not a symbol name");
  Fails("remember --dir ws hi --kind sem --predicate 'has space'", 2,
        "predicate `has space` is not a symbol name");
  Fails("remember --dir ws hi --source 'x-y'", 2, "source `x-y` is not a symbol name");
  Fails("remember --dir ws hi --confidence 2", 2, "confidence must be in [0, 1]");
  Fails("remember --dir ws hi --valid-at yesterday", 2, "--valid-at `yesterday` is not a timestamp");
  Fails("remember --dir ws hi --valid-at 2999-01-01", 2, "FutureValidity");
  Fails("remember --dir ws hi --attr novalue", 2, "--attr `novalue` is not key=value");
  Fails("remember --dir ws hi --attr =v", 2, "attribute key `` is empty or reserved");
  Fails("remember --dir ws hi --attr urd.kind=x", 2, "is empty or reserved (urd.*)");
  // The key is refused before the memories are committed (it used to commit them,
  // then fail to store their vectors, exit 2).
  Fails("remember --dir ws hi --attr " + Q(k300 + "=v"), 2, "has 300 bytes (must be 1..256)");
  Fails("remember --dir ws hi --source profile --confidence 0.99", 2,
        "SourceKindNotAdmitted: source `@profile` (profile) does not admit epi memories");
  Fails("remember --dir ws hi --kind sem --source profile --confidence 0.99", 2,
        "ConfidenceExceedsSourceBound");
  Fails("remember --dir no/such/parent hi", 3, "NotFound");
  // recall (read-only: never creates a workspace)
  Fails("recall --dir ws ' '", 2, "recall: empty query");
  Fails("recall --dir ws tea --k 0", 2, "recall: k must be in 1..10000");
  Fails("recall --dir ws tea --k 10001", 2, "recall: k must be in 1..10000");
  Fails("recall --dir ws tea --kind foo", 2, "recall: kind `foo` is not sem, epi, pro or inf");
  Fails("recall --dir ws tea --as-of nope", 2, "--as-of `nope` is not a timestamp");
  Fails("recall --dir ws tea --fusion max", 2, "--fusion must be rrf or weighted");
  Fails("recall --dir nowhere tea", 3, "nowhere: no urd workspace here (no workspace.json)");
  // reindex of a directory without a workspace: NotFound, nothing created (it used
  // to create an empty workspace there).
  Fails("reindex --dir nowhere", 3, "no urd workspace here");
  EXPECT_FALSE(fs::exists(Path("fresh")));
  EXPECT_FALSE(fs::exists(Path("nowhere")));
}

TEST_F(BadInputCliTest, MemoryVerbs) {
  MakeStores();
  Fails("write --dir ws " + Q("(sem @a @b"), 2, "line 1, column 11: UnexpectedEof");
  Fails("write --dir ws", 2, "line 1, column 11: UnexpectedEof", "(sem @a @b");
  Fails("write --dir ws -", 2, "UnknownOpcode", "(frobnicate @x)");
  Fails("write --dir ws " + Q("(retire @nobody)"), 2, "line 1, column 9: UnknownSymbol");
  Fails("write --dir ws " + Q("(sem @a @b \"\xff\" :src @observation :c 0.9 :v 2024-01-01)"), 2,
        "Lex: UnexpectedByte: invalid UTF-8 byte 0xFF");
  Fails("write --dir ws " + Q("(sem @alice @city @rome :src @observation :c 0.9 :v 2024-01-01)"), 2,
        "InvalidArgument");  // the same key and valid time as a stored fact
  Fails("write --dir ws " + Q("(query)"), 2, "Unsupported");
  Fails("write --dir ws --label " + Q(std::string(300, 'l')) + " ''", 2,
        "episode label is 300 bytes; at most 256");
  Fails("query --dir ws " + Q("(query :s"), 2, "line 1, column");
  Fails("query --dir ws ''", 2, "NotASingleQuery: expected exactly one (query …) form, got 0");
  Fails("query --dir ws " + Q("(query) (query)"), 2, "NotASingleQuery");
  Fails("query --dir ws " + Q("(query :kind foo)"), 2, "InvalidKind");
  Fails("query --dir nowhere " + Q("(query)"), 3, "NotFound");
  Fails("history --dir ws nobody", 3, "unknown symbol `@nobody`");
  Fails("history --dir ws ''", 3, "unknown symbol");
  Fails("history --dir nowhere alice", 3, "NotFound");
  Fails("log --dir nowhere", 3, "NotFound");
  Fails("verify --dir nowhere", 3, "NotFound");
  Fails("stats --dir nowhere", 3, "NotFound");
  EXPECT_FALSE(fs::exists(Path("nowhere")));
}

TEST_F(BadInputCliTest, DamagedFilesAreExit5AndLeftAlone) {
  MakeStores();
  // A memory.log that is not an urd log: every memory verb refuses it, untouched.
  fs::create_directories(Path("junk"));
  WriteAll(Path("junk/memory.log"), "this is not an urd log\n");
  // A writable open takes the directory's writer lock, creating an empty LOCK file
  // (docs/format.md §2) before it reads the log; that file is the only one it may add.
  WriteAll(Path("junk/LOCK"), "");
  for (const std::string verb :
       {"stats", "log", "verify", "query '(query)'", "history alice", "write ''"}) {
    Fails(verb + " --dir junk", 5, "not an urd log");
  }
  // Nor does a workspace verb make it a workspace (it used to leave a
  // workspace.json behind).
  for (const std::string verb : {"remember hi", "init", "mcp"}) {
    Fails(verb + " --dir junk", 5, "not an urd log");
  }
  // A damaged workspace.json: Corruption, exit 5 (it used to throw out of the
  // library: "internal error", exit 1).
  WriteAll(Path("ws/workspace.json"), "{\"format\": 7}");
  for (const std::string verb : {"recall tea", "remember hi", "reindex", "init"}) {
    Fails(verb + " --dir ws", 5, "not a urd workspace settings file");
  }
  WriteAll(Path("ws/workspace.json"),
           R"({"format":"urd-workspace","version":1,"embedder":{"kind":5,"dimension":384}})");
  Fails("recall tea --dir ws", 5, "bad embedder settings");
  Fails("mcp --dir ws", 5, "bad embedder settings");
  WriteAll(Path("ws/workspace.json"), R"({"format":"urd-workspace","version":"1"})");
  Fails("remember hi --dir ws", 5, "NotSupported: ");  // a newer settings file
  // Frames: a file that is not an urd log is refused by every frames verb, untouched.
  // (A good append first: the writer lock file of the directory exists from then on.)
  Ok("frames append ok.log --record x");
  WriteAll(Path("g.log"), "garbage");
  Fails("frames check g.log", 5, "not an urd log: header truncated to 7 bytes");
  Fails("frames dump g.log", 5, "not an urd log");
  Fails("frames recover g.log", 5, "not an urd log");
  Fails("frames recover g.log --salvage", 5, "not an urd log");
  Fails("frames append g.log --record x", 5, "not an urd log");
  Fails("frames check missing.log", 3, "missing.log");
  Fails("frames dump missing.log", 3, "missing.log");
  Fails("frames recover missing.log", 3, "no such log");
  Fails("frames append new.log --record x --fsync sometimes", 2,
        "--fsync must be every, caller or never, not 'sometimes'");
  EXPECT_FALSE(fs::exists(Path("new.log")));
}

TEST_F(BadInputCliTest, VectorVerbs) {
  MakeStores();
  Fails("vec create --dir fresh --collection docs", 2, "--dim");
  Fails("vec create --dir v --collection docs --dim 4", 2, "dimension mismatch");
  Fails("vec create --dir v --collection ''", 2, "collection name is empty");
  Fails("vec create --dir v --collection " + Q(std::string(257, 'c')), 2,
        "collection name is 257 bytes; the maximum is 256");
  Fails("vec create --dir v --collection " + Q("a\xff"), 2, "collection name is not valid UTF-8");
  Fails("vec meta --dir v --collection docs --set novalue", 2, "--set \"novalue\": expected KEY=VALUE");
  Fails("vec meta --dir v --collection docs --set =v", 2, "expected KEY=VALUE");
  Fails("vec meta --dir v --collection nope", 3, "no collection 'nope'");
  Fails("vec get --dir v --collection docs --id nope", 3, "no record \"nope\" in docs");
  Fails("vec get --dir v --collection nope --id a", 3, "no collection \"nope\"");
  Fails("vec search --dir v --collection nope --vector '[1,0,0]' --k 1", 2,
        "unknown collection 'nope' in search scope");
  Fails("vec search --dir v --all --vector '[1,0,0]' --k 1 --min-score nan", 2,
        "min_score must be a finite number");
  Fails("vec search --dir v --all --vector '[1,0,0]' --k 1 --filter '{\"range\":{\"n\":{}}}'", 2,
        "filter.range.n: needs at least one bound");
  Fails("vec search --dir v --all --queries missing.jsonl --k 1", 3, "missing.jsonl");
  WriteAll(Path("q.jsonl"), "[1,0,0]\n[1,0]\n");
  Fails("vec search --dir v --all --queries q.jsonl --k 1", 2, "line 2");
  Fails("vec upsert --dir v --collection docs --jsonl missing.jsonl", 3, "missing.jsonl");
  WriteAll(Path("bad.jsonl"), "{\"id\":\"b\",\"vector\":[0,1,0]}\n{\"id\":\"\",\"vector\":[1,1,1]}\n");
  Fails("vec upsert --dir v --collection docs --jsonl bad.jsonl", 2, "record id is empty");
  WriteAll(Path("attr.jsonl"), "{\"id\":\"b\",\"vector\":[0,1,0],\"attrs\":{\"f\":1e999}}\n");
  Fails("vec upsert --dir v --collection docs --jsonl attr.jsonl", 2, "attr.jsonl: line 1");
  Fails("vec delete --dir v --collection docs --filter '{\"eq\":{}}'", 2,
        "filter.eq: must name at least one attribute");
  Fails("vec list --dir nowhere", 3, "nowhere/vectors");
  EXPECT_FALSE(fs::exists(Path("fresh")));
  EXPECT_FALSE(fs::exists(Path("nowhere")));
}

// Another process (here: this test) holds the writer lock: exit 4 naming it, and the
// store is not touched.
TEST_F(BadInputCliTest, LockedStoresAreExit4) {
  MakeStores();
  LockOptions lo;
  lo.owner = "bad-input-test";
  auto ws_lock = WriterLock::Acquire(Path("ws"), lo);
  ASSERT_TRUE(ws_lock.ok()) << ws_lock.status().ToString();
  auto vec_lock = WriterLock::Acquire(Path("v/vectors"), lo);
  ASSERT_TRUE(vec_lock.ok()) << vec_lock.status().ToString();
  Fails("write --dir ws " + Q("(sem @bob @city @rome :src @observation :c 0.9 :v 2024-01-01)"), 4,
        "owner bad-input-test");
  Fails("vec create --dir v --collection other", 4, "owner bad-input-test");
  Fails("vec upsert --dir v --collection docs --jsonl docs.jsonl", 4, "owner bad-input-test");
}

TEST_F(BadInputCliTest, ImportAndExport) {
  MakeStores();
  Fails("import jsonl missing.jsonl --dir ws", 3, "missing.jsonl");
  WriteAll(Path("in.jsonl"), "{\"text\": \"a\"}\n");
  Fails("import jsonl in.jsonl --dir ws --batch 0", 2, "--batch must be at least 1");
  WriteAll(Path("bad.jsonl"), "{\"text\": \"a\"}\n{\"text\": \"b\", \"confidence\": 2}\n");
  Fails("import jsonl bad.jsonl --dir ws", 2, "bad.jsonl line 2: \"confidence\" 2 is outside [0, 1]");
  Fails("import jsonl - --dir ws", 2, "line 1", "not json\n");
  Fails("import mimir missing.log --dir fresh", 3, "NotFound");
  WriteAll(Path("m.log"), "MIMX\x01");
  Fails("import mimir m.log --dir fresh", 5, "");
  Fails("import nidus nowhere --dir fresh", 3, "nowhere");
  WriteAll(Path("out.jsonl"), "keep me\n");
  Fails("export jsonl out.jsonl --dir ws", 2, "out.jsonl exists: give --force to replace it");
  Fails("export mimir out.jsonl --dir ws", 2, "--force");
  Fails("export jsonl x.jsonl --dir nowhere", 3, "");
  Fails("export mimir x.log --dir nowhere", 3, "NotFound");
  EXPECT_FALSE(fs::exists(Path("fresh")));
  EXPECT_FALSE(fs::exists(Path("nowhere")));
}

// ---- the MCP server, in process ----

// Every file under `dir` except LOCK (which holds the pid of a writer while held).
std::map<std::string, std::string> Files(const std::string& dir) {
  std::map<std::string, std::string> out;
  for (const auto& e : fs::recursive_directory_iterator(dir)) {
    if (!e.is_regular_file() || e.path().filename() == "LOCK") continue;
    out[fs::relative(e.path(), dir).string()] = ReadAll(e.path().string());
  }
  return out;
}

class BadInputMcpTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = (fs::temp_directory_path() / ("urd_bad_input_mcp_" + std::to_string(getpid()))).string();
    fs::remove_all(dir_);
    auto ws = Workspace::Open(dir_, {});
    ASSERT_TRUE(ws.ok()) << ws.status().ToString();
    ws_ = std::move(*ws);
    McpOptions o;
    o.clock = &clock_;
    server_ = std::make_unique<McpServer>(ws_.get(), o);
    Send(R"({"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-11-25"}})");
    Send(R"({"jsonrpc":"2.0","method":"notifications/initialized"})");
    ASSERT_EQ(Call("remember", {{"text", "the deploy key rotates on Fridays"}})["isError"], false);
    ASSERT_EQ(Call("create_entities",
                   {{"entities", {{{"name", "Alice"}, {"entityType", "person"}, {"observations", {"tea"}}}}}})
                  ["isError"],
              false);
    files_ = Files(dir_);
  }
  void TearDown() override {
    server_.reset();
    ws_.reset();
    fs::remove_all(dir_);
  }

  std::vector<json> Send(const std::string& line) {
    std::vector<json> out;
    for (const std::string& reply : server_->HandleLine(line)) {
      json j = json::parse(reply, nullptr, false);
      EXPECT_FALSE(j.is_discarded()) << reply;
      out.push_back(j);
    }
    return out;
  }

  json Call(const std::string& tool, const json& arguments) {
    clock_.SetNowMicros(clock_.NowMicros() + 1000);
    std::vector<json> r = Send(json{{"jsonrpc", "2.0"}, {"id", 9}, {"method", "tools/call"},
                                    {"params", {{"name", tool}, {"arguments", arguments}}}}
                                   .dump());
    EXPECT_EQ(r.size(), 1u);
    return r.empty() ? json() : r.back().value("result", json::object());
  }

  // A tools/call that must be a tool error whose text contains `needle`, and change
  // no file of the workspace.
  void ToolFails(const std::string& tool, const json& arguments, const std::string& needle) {
    json r = Call(tool, arguments);
    EXPECT_EQ(r.value("isError", false), true) << tool << " " << arguments.dump() << " -> " << r.dump();
    const std::string text = r["content"][0].value("text", "");
    EXPECT_TRUE(Contains(text, needle)) << tool << " " << arguments.dump() << " -> " << text
                                        << "\nexpected to contain: " << needle;
    EXPECT_TRUE(Files(dir_) == files_) << tool << " " << arguments.dump() << ": files changed";
  }

  // A line that must get one JSON-RPC error `code` and change no file.
  void RpcFails(const std::string& line, int code) {
    std::vector<json> r = Send(line);
    ASSERT_EQ(r.size(), 1u) << line;
    EXPECT_EQ(r[0]["error"]["code"], code) << line << " -> " << r[0].dump();
    EXPECT_TRUE(Files(dir_) == files_) << line << ": files changed";
  }

  std::string dir_;
  ManualClock clock_{static_cast<int64_t>(kNow) * 1000};
  std::unique_ptr<Workspace> ws_;
  std::unique_ptr<McpServer> server_;
  std::map<std::string, std::string> files_;
};

TEST_F(BadInputMcpTest, JsonRpcErrorsChangeNothing) {
  RpcFails("not json", -32700);
  RpcFails("{\"jsonrpc\":\"2.0\",\"id\":1,\"method\":\"tools/call\",\"params\":{\"name\":\"remember\","
           "\"arguments\":{\"text\":\"caf\xff\"}}}",
           -32700);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":"remember"})", -32600);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":42})", -32600);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":[{"name":"remember"}]})", -32602);
  RpcFails(R"({"jsonrpc":"1.0","id":1,"method":"tools/call","params":{"name":"stats"}})", -32600);
  RpcFails(R"({"jsonrpc":"2.0","id":null,"method":"tools/call","params":{"name":"stats"}})", -32600);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/forget"})", -32601);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"forget"}})", -32602);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"remember","arguments":"x"}})",
           -32602);
  RpcFails(R"({"jsonrpc":"2.0","id":1,"method":"resources/read","params":{"uri":"memory://x"}})", -32002);
  RpcFails(R"([{"jsonrpc":"2.0","id":1,"method":"tools/call","params":{"name":"remember","arguments":{"text":"batched"}}}])",
           -32600);  // no batches under 2025-11-25
  RpcFails(std::string(70, '[') + std::string(70, ']'), -32600);
  // A notification naming a write is not run.
  EXPECT_TRUE(Send(R"({"jsonrpc":"2.0","method":"tools/call","params":{"name":"remember","arguments":{"text":"x"}}})")
                  .empty());
  EXPECT_TRUE(Files(dir_) == files_);
}

TEST_F(BadInputMcpTest, ToolErrorsChangeNothing) {
  const std::string invalid = "Invalid arguments for tool `remember`: ";
  ToolFails("remember", json::object(), "exactly one of `text`");
  ToolFails("remember", {{"text", "a"}, {"texts", {"b"}}}, "exactly one of `text`");
  ToolFails("remember", {{"texts", json::array()}}, invalid + "arguments.texts: must have at least 1 items");
  ToolFails("remember", {{"texts", std::vector<std::string>(1001, "x")}}, "at most 1000 items");
  ToolFails("remember", {{"text", ""}}, "");
  ToolFails("remember", {{"text", " \n"}}, "remember: text 0 is empty");
  ToolFails("remember", {{"text", std::string(65537, 'x')}}, "65537 bytes; at most 65536");
  ToolFails("remember", {{"texts", {"good", " "}}}, "text 1 is empty");
  ToolFails("remember", {{"text", 7}}, invalid + "arguments.text: must be of type");
  ToolFails("remember", {{"text", "a"}, {"kind", "fact"}}, "one of");
  ToolFails("remember", {{"text", "a"}, {"confidence", 1.5}}, "at most 1");
  ToolFails("remember", {{"text", "a"}, {"confidence", "high"}}, "must be of type");
  ToolFails("remember", {{"text", "a"}, {"valid_at", "yesterday"}}, "valid_at `yesterday` is not a timestamp");
  ToolFails("remember", {{"text", "a"}, {"valid_at", "2999-01-01"}}, "FutureValidity");
  ToolFails("remember", {{"text", "a"}, {"subject", "Not A Symbol"}}, "symbol");
  ToolFails("remember", {{"text", "a"}, {"attrs", {{"k", 1}}}}, "arguments.attrs.k");
  ToolFails("remember", {{"text", "a"}, {"attrs", {{"urd.x", "v"}}}}, "empty or reserved");
  ToolFails("remember", {{"text", "a"}, {"attrs", {{std::string(300, 'k'), "v"}}}},
            "has 300 bytes (must be 1..256)");
  ToolFails("remember", {{"text", "a"}, {"colour", "red"}}, "unknown property `colour`");
  ToolFails("recall", json::object(), "missing required property `query`");
  ToolFails("recall", {{"query", " "}}, "recall: empty query");
  ToolFails("recall", {{"query", "x"}, {"k", 0}}, "at least 1");
  ToolFails("recall", {{"query", "x"}, {"as_of", "soon"}}, "as_of `soon` is not a timestamp");
  ToolFails("memory_write", {{"forms", "(sem @a"}}, "memory_write failed: InvalidArgument: line 1, column");
  ToolFails("memory_write", {{"forms", "(sem @x @p 1 :src @observation :c 0.5 :v 2024-01-01) (retire @nobody)"}},
            "UnknownSymbol");
  ToolFails("memory_write", {{"forms", 3}}, "arguments.forms: must be of type");
  ToolFails("memory_query", {{"query", "(query) (query)"}}, "NotASingleQuery");
  ToolFails("memory_history", {{"symbol", "nobody"}}, "NotFound");
  ToolFails("stats", {{"verbose", true}}, "unknown property `verbose`");
  // Knowledge-graph tools.
  ToolFails("create_entities", {{"entities", "not an array"}}, "");
  ToolFails("create_entities",
            {{"entities", {{{"name", "Bob"}, {"entityType", "person"}, {"observations", json::array()}},
                           {{"name", "Carol"}, {"entityType", "person"},
                            {"observations", {std::string(65537, 'o')}}}}}},
            "65537 bytes; at most 65536");
  ToolFails("create_entities", {{"entities", {{{"name", "Bob"}}}}}, "");
  ToolFails("create_relations", {{"relations", {{{"from", "Alice"}, {"to", 3}, {"relationType", "knows"}}}}}, "");
  ToolFails("add_observations",
            {{"observations", {{{"entityName", "Alice"}, {"contents", {"runs"}}},
                               {{"entityName", "Zed"}, {"contents", {"x"}}}}}},
            "Entity with name Zed not found");
  ToolFails("delete_entities", {{"entityNames", "Alice"}}, "");
  ToolFails("search_nodes", {{"query", "x"}, {"mode", "fuzzy"}}, "");
  ToolFails("search_nodes", {{"query", "x"}, {"mode", "semantic"}, {"k", 0}}, "");
  ToolFails("open_nodes", json::object(), "");
  // After all of that, the workspace is as it was.
  json stats = Call("stats", json::object());
  EXPECT_EQ(stats["structuredContent"]["memory"]["epi"], 1);
  EXPECT_EQ(Call("read_graph", json::object())["structuredContent"]["entities"].size(), 1u);
}

}  // namespace
}  // namespace urd::app
