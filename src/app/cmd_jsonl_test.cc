// Copyright urd authors. End-to-end tests of `urd import jsonl` and `urd export
// jsonl` (memories as JSON lines, docs/format.md §8): they run the built command
// (URD_BINARY) in a fresh temporary directory and check its output, its exit codes
// and the files it writes.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

#include "app/cli_test_util.h"

namespace {

using urd::cli_test::Contains;
using urd::cli_test::Lines;
using urd::cli_test::Outcome;
using urd::cli_test::Q;
using urd::cli_test::ReadAll;
using urd::cli_test::WriteAll;

using nlohmann::json;
using nlohmann::ordered_json;

// `lines`, each ended by a newline.
std::string JsonLines(std::initializer_list<std::string> lines) {
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

// The lines of an exported file, parsed (key order kept).
std::vector<ordered_json> ParseLines(const std::string& text) {
  std::vector<ordered_json> out;
  for (const std::string& line : Lines(text)) out.push_back(ordered_json::parse(line));
  return out;
}

// The keys every exported line has, in this order.
const std::vector<std::string> kExportKeys = {"id",        "text",        "kind",       "subject",
                                              "predicate", "source",      "confidence", "valid_at",
                                              "attrs",     "committed_at"};

// Notes (with attributes, sources, confidences, valid times and awkward text) and
// facts (a supersession by valid time, two facts without valid_at at one key).
const std::string kMixed = JsonLines({
    R"({"text": "Alice likes green tea", "attrs": {"topic": "drinks", "lang": "en"}})",
    R"({"text": "Bob prefers coffee", "subject": "@bob", "confidence": 0.75, "valid_at": "2024-01-15T10:00:00Z"})",
    R"({"text": "alice lives in Paris", "kind": "sem", "subject": "alice", "predicate": "lives_in", "valid_at": "2024-01-15T10:00:00Z", "source": "profile", "confidence": 0.95})",
    R"({"text": "alice lives in Berlin", "kind": "sem", "subject": "alice", "predicate": "lives_in", "valid_at": "2024-03-01"})",
    R"({"text": "alice works at ACME", "kind": "sem", "subject": "alice", "predicate": "works_at"})",
    R"({"text": "alice works at Initech", "kind": "sem", "subject": "alice", "predicate": "works_at"})",
    R"({"text": "Quote \" backslash \\ newline \n tab \t unicode é 日本 \u0001", "subject": "carol", "source": "self_report", "confidence": 0.5, "valid_at": "2024-02-01T08:30:00.250Z"})",
    R"({"text": "carol visited the museum", "subject": "carol"})",
    R"({"text": "carol bought a bike", "subject": "carol"})",
});

// Rules only: in a workspace a rule and a note cannot share the `@workspace` symbol
// (see JsonlCliTest.ValidationErrorsNameTheLine).
const std::string kRules = JsonLines({
    R"({"text": "always answer in French", "kind": "pro", "subject": "alice"})",
    R"({"text": "prefer short answers", "kind": "pro", "subject": "bob", "source": "policy", "confidence": 1.0})",
    R"({"text": "answer in German", "kind": "pro", "subject": "alice", "attrs": {"k": "v"}})",
});

class JsonlCliTest : public urd::cli_test::CliFixture {
 protected:
  JsonlCliTest() : CliFixture("urd_jsonl_cli_test") {}

  // Runs `cmd` with sh in the temp directory; err is the file .stderr if written.
  Outcome Shell(const std::string& cmd) { return Run("sh -c " + Q(cmd)); }

  // `urd import jsonl FILE --dir WS --json [EXTRA]`, expected to succeed.
  json Import(const std::string& file, const std::string& ws, const std::string& extra = "") {
    Outcome r = Urd("import jsonl " + file + " --dir " + ws + " --json " + extra);
    EXPECT_EQ(r.rc, 0) << "import " << file << "\nstderr: " << r.err;
    try {
      return json::parse(r.out);
    } catch (const std::exception&) {
      ADD_FAILURE() << "import output is not JSON: " << r.out;
      return json();
    }
  }

  // `urd export jsonl - --dir WS`: the exported text.
  std::string Export(const std::string& ws) {
    Outcome r = Urd("export jsonl - --dir " + ws);
    EXPECT_EQ(r.rc, 0) << "export " << ws << "\nstderr: " << r.err;
    return r.out;
  }

  bool Exists(const std::string& rel) const { return std::filesystem::exists(Path(rel)); }
};

// `lines` without the keys that differ between two imports of the same memories.
std::vector<ordered_json> Without(std::vector<ordered_json> lines, bool pro_valid_at) {
  for (ordered_json& l : lines) {
    l.erase("committed_at");
    if (pro_valid_at && l["kind"] == "pro") l.erase("valid_at");
  }
  return lines;
}

// ---- round trip ----

TEST_F(JsonlCliTest, RoundTripKeepsEverythingButCommitTimes) {
  WriteAll(Path("in.jsonl"), kMixed);
  json r = Import("in.jsonl", "ws1");
  EXPECT_EQ(r["source"], "in.jsonl");
  EXPECT_EQ(r["target"], "ws1");
  EXPECT_EQ(r["lines"], 9);
  // Every line is its own batch except the last two notes (same options).
  EXPECT_EQ(r["batches"], 8);
  EXPECT_EQ(r["memories"], 14);  // 5 notes (event + text fact) and 4 facts

  Outcome e1 = Urd("export jsonl e1.jsonl --dir ws1 --json");
  ASSERT_EQ(e1.rc, 0) << e1.err;
  json summary = json::parse(e1.out);
  EXPECT_EQ(summary["memories"], 9);
  EXPECT_EQ(summary["skipped_inferred"], 0);
  EXPECT_EQ(summary["target"], "e1.jsonl");
  const std::string text1 = ReadAll(Path("e1.jsonl"));
  EXPECT_EQ(summary["bytes"], text1.size());
  EXPECT_EQ(Export("ws1"), text1);  // `-` writes the same to stdout

  std::vector<ordered_json> a = ParseLines(text1);
  ASSERT_EQ(a.size(), 9u) << text1;
  for (const ordered_json& l : a) {
    std::vector<std::string> keys;
    for (auto it = l.begin(); it != l.end(); ++it) keys.push_back(it.key());
    EXPECT_EQ(keys, kExportKeys) << l.dump();
  }
  // Commit order and what each line says.
  std::vector<std::string> ids;
  for (const ordered_json& l : a) ids.push_back(l["id"]);
  EXPECT_EQ(ids, (std::vector<std::string>{"__mem_0", "__mem_2", "__mem_4", "__mem_5", "__mem_6",
                                           "__mem_7", "__mem_8", "__mem_10", "__mem_12"}));
  EXPECT_EQ(a[0]["text"], "Alice likes green tea");
  EXPECT_EQ(a[0]["kind"], "epi");
  EXPECT_EQ(a[0]["subject"], "user");
  EXPECT_EQ(a[0]["predicate"], "note");
  EXPECT_EQ(a[0]["source"], "observation");
  EXPECT_EQ(a[0]["confidence"], 0.9);
  EXPECT_EQ(a[0]["attrs"], (ordered_json{{"lang", "en"}, {"topic", "drinks"}}));
  EXPECT_EQ(a[1]["subject"], "bob");
  EXPECT_EQ(a[1]["confidence"], 0.75);
  EXPECT_EQ(a[1]["valid_at"], "2024-01-15T10:00:00Z");
  EXPECT_EQ(a[1]["attrs"], ordered_json::object());
  EXPECT_EQ(a[2]["kind"], "sem");
  EXPECT_EQ(a[2]["subject"], "alice");
  EXPECT_EQ(a[2]["predicate"], "lives_in");
  EXPECT_EQ(a[2]["source"], "profile");
  EXPECT_EQ(a[2]["confidence"], 0.95);
  EXPECT_EQ(a[3]["valid_at"], "2024-03-01T00:00:00Z");
  EXPECT_EQ(a[3]["text"], "alice lives in Berlin");
  EXPECT_EQ(a[6]["text"], "Quote \" backslash \\ newline \n tab \t unicode é 日本 \x01");
  EXPECT_EQ(a[6]["source"], "self_report");
  EXPECT_EQ(a[6]["confidence"], 0.5);
  EXPECT_EQ(a[6]["valid_at"], "2024-02-01T08:30:00.250Z");
  // Facts without valid_at got distinct times (their batches' clocks), the later
  // line the later time; the last two notes share a batch and its time.
  EXPECT_LT(a[4]["valid_at"].get<std::string>(), a[5]["valid_at"].get<std::string>());
  EXPECT_EQ(a[7]["valid_at"], a[8]["valid_at"]);
  EXPECT_EQ(a[7]["committed_at"], a[8]["committed_at"]);
  for (const ordered_json& l : a) {
    EXPECT_LE(l["valid_at"].get<std::string>(), l["committed_at"].get<std::string>()) << l.dump();
  }

  // Import the export into a fresh workspace and export again: the same memories,
  // the same ids (memory ids follow the commit order), the same valid times; only
  // the commit times may differ.
  json r2 = Import("e1.jsonl", "ws2");
  EXPECT_EQ(r2["lines"], 9);
  EXPECT_EQ(r2["memories"], 14);
  std::vector<ordered_json> b = ParseLines(Export("ws2"));
  EXPECT_EQ(Without(b, false), Without(a, false));

  // A third generation through stdin: still the same.
  Outcome piped = Shell(Q(URD_BINARY) + " export jsonl - --dir ws2 2>/dev/null | " + Q(URD_BINARY) +
                        " import jsonl - --dir ws3 --json");
  ASSERT_EQ(piped.rc, 0) << piped.out;
  EXPECT_TRUE(Contains(piped.out, "\"source\":\"stdin\"")) << piped.out;
  EXPECT_EQ(Without(ParseLines(Export("ws3")), false), Without(a, false));
}

TEST_F(JsonlCliTest, RoundTripOfRules) {
  WriteAll(Path("rules.jsonl"), kRules);
  json r = Import("rules.jsonl", "ws1");
  EXPECT_EQ(r["lines"], 3);
  EXPECT_EQ(r["batches"], 3);
  EXPECT_EQ(r["memories"], 3);
  std::vector<ordered_json> a = ParseLines(Export("ws1"));
  ASSERT_EQ(a.size(), 3u);
  EXPECT_EQ(a[0]["kind"], "pro");
  EXPECT_EQ(a[0]["subject"], "alice");  // the rule's trigger
  EXPECT_EQ(a[0]["text"], "always answer in French");
  EXPECT_EQ(a[0]["source"], "agent_instruction");  // Remember's source for rules
  EXPECT_EQ(a[1]["source"], "policy");
  EXPECT_EQ(a[1]["confidence"], 1.0);
  EXPECT_EQ(a[2]["attrs"], (ordered_json{{"k", "v"}}));
  // A rule is valid from its commit.
  for (const ordered_json& l : a) EXPECT_EQ(l["valid_at"], l["committed_at"]) << l.dump();

  WriteAll(Path("e1.jsonl"), Export("ws1"));
  Import("e1.jsonl", "ws2");
  // Rules take effect when committed: valid_at is not carried over.
  EXPECT_EQ(Without(ParseLines(Export("ws2")), true), Without(a, true));
}

TEST_F(JsonlCliTest, BatchesGroupEqualNotes) {
  std::string file;
  for (int i = 0; i < 5; ++i) file += R"({"text": "note )" + std::to_string(i) + "\"}\n";
  file += JsonLines({R"({"text": "a note about bob", "subject": "bob"})"});
  file +=
      JsonLines({R"({"text": "fact one", "kind": "sem", "subject": "bob", "predicate": "likes"})"});
  file +=
      JsonLines({R"({"text": "fact two", "kind": "sem", "subject": "bob", "predicate": "likes"})"});
  WriteAll(Path("in.jsonl"), file);
  json r = Import("in.jsonl", "ws", "--batch 2");
  EXPECT_EQ(r["lines"], 8);
  EXPECT_EQ(r["batches"], 6);  // notes 2 + 2 + 1, bob's note, one per fact
  EXPECT_EQ(r["memories"], 14);
  std::vector<ordered_json> a = ParseLines(Export("ws"));
  ASSERT_EQ(a.size(), 8u);
  EXPECT_EQ(a[0]["committed_at"], a[1]["committed_at"]);
  EXPECT_NE(a[1]["committed_at"], a[2]["committed_at"]);
  EXPECT_EQ(a[2]["committed_at"], a[3]["committed_at"]);
  EXPECT_NE(a[3]["committed_at"], a[4]["committed_at"]);

  Outcome human = Urd("import jsonl in.jsonl --dir ws2");
  ASSERT_EQ(human.rc, 0) << human.err;
  EXPECT_EQ(human.out, "imported 8 lines in 4 batches (14 memories) from in.jsonl into ws2\n");
  EXPECT_EQ(human.err, "");  // no progress line: stderr is not a terminal

  Outcome zero = Urd("import jsonl in.jsonl --dir ws3 --batch 0");
  EXPECT_EQ(zero.rc, 2);
  EXPECT_TRUE(Contains(zero.err, "--batch must be at least 1")) << zero.err;
  EXPECT_FALSE(Exists("ws3"));
}

TEST_F(JsonlCliTest, BlankLinesCrlfAndByteOrderMark) {
  WriteAll(Path("in.jsonl"),
           "\xEF\xBB\xBF{\"text\": \"first\"}\r\n\r\n  \n{\"text\": \"second\"}\r\n\n");
  json r = Import("in.jsonl", "ws");
  EXPECT_EQ(r["lines"], 2);
  std::vector<ordered_json> a = ParseLines(Export("ws"));
  ASSERT_EQ(a.size(), 2u);
  EXPECT_EQ(a[0]["text"], "first");
  EXPECT_EQ(a[1]["text"], "second");
  // Blank lines count: the bad line is the file's sixth.
  WriteAll(Path("bad.jsonl"), "{\"text\": \"a\"}\r\n\n\n  \n{\"text\": \"b\"}\n{\"txt\": \"c\"}\n");
  Outcome bad = Urd("import jsonl bad.jsonl --dir ws");
  EXPECT_EQ(bad.rc, 2);
  EXPECT_TRUE(Contains(bad.err, "bad.jsonl line 6: unknown key \"txt\"")) << bad.err;
}

TEST_F(JsonlCliTest, EmptyFileCreatesNothing) {
  WriteAll(Path("empty.jsonl"), "\n\n");
  json r = Import("empty.jsonl", "ws");
  EXPECT_EQ(r["lines"], 0);
  EXPECT_EQ(r["batches"], 0);
  EXPECT_EQ(r["memories"], 0);
  EXPECT_FALSE(Exists("ws"));
}

// ---- validation ----

TEST_F(JsonlCliTest, ValidationErrorsNameTheLine) {
  const std::string good = JsonLines(
      {R"({"text": "first note"})",
       R"({"text": "alice likes tea", "kind": "sem", "subject": "alice", "predicate": "likes", "valid_at": "2024-01-01"})"});
  const std::vector<std::pair<std::string, std::string>> cases = {
      {R"({"text": "a",})", "bad JSON: column 14: syntax error while parsing object key"},
      {R"({"text": "a")", "bad JSON: "},
      {R"([1, 2])", "not a JSON object (an array)"},
      {R"("just text")", "not a JSON object (a string)"},
      {R"({"kind": "sem"})", "missing \"text\""},
      {R"({"text": null})", "missing \"text\""},
      {R"({"text": " \t "})", "\"text\" is empty"},
      {R"({"text": 5})", "\"text\" must be a string, not a number"},
      {R"({"text": "a", "colour": "red"})", "unknown key \"colour\""},
      {R"({"text": "a", "kind": "inf"})", "\"kind\" \"inf\" is not \"epi\", \"sem\" or \"pro\""},
      {R"({"text": "a", "kind": 1})", "\"kind\" must be a string, not a number"},
      {R"({"text": "a", "subject": "Alice"})", "\"subject\" \"Alice\" is not a symbol name"},
      {R"({"text": "a", "subject": 7})", "\"subject\" must be a string, not a number"},
      {R"({"text": "a", "predicate": "has space"})",
       "\"predicate\" \"has space\" is not a symbol name"},
      {R"({"text": "a", "source": ["x"]})", "\"source\" must be a string, not an array"},
      {R"({"text": "a", "subject": "note_3"})", "\"subject\" \"note_3\" is reserved"},
      {R"({"text": "a", "subject": "__mem_7"})", "\"subject\" \"__mem_7\" is reserved"},
      {R"({"text": "a", "confidence": 1.5})", "\"confidence\" 1.5 is outside [0, 1]"},
      {R"({"text": "a", "confidence": -0.1})", "\"confidence\" -0.1 is outside [0, 1]"},
      {R"({"text": "a", "confidence": "high"})", "\"confidence\" must be a number, not a string"},
      {R"({"text": "a", "confidence": true})", "\"confidence\" must be a number, not a boolean"},
      {R"({"text": "a", "source": "pending_verification"})",
       "\"confidence\" 0.9 exceeds 0.6, the bound of source kind pending_verification"},
      {R"({"text": "a", "kind": "pro", "confidence": 1})",
       "\"confidence\" 1.0 exceeds 0.95, the bound of source kind agent_instruction"},
      {R"({"text": "a", "kind": "pro", "source": "alice"})",
       "source \"alice\" (observation) does not admit pro memories"},
      // A note is an event and its text fact: the source must admit both.
      {R"({"text": "a", "source": "participant_report", "confidence": 0.5})",
       "source \"participant_report\" (participant_report) does not admit sem memories"},
      {R"({"text": "a", "valid_at": "yesterday"})",
       "\"valid_at\" \"yesterday\" is not a timestamp"},
      {R"({"text": "a", "valid_at": "2024-01-15T10:00:00"})",
       "\"valid_at\" \"2024-01-15T10:00:00\" is not a timestamp (2024-01-15 or "
       "2024-01-15T10:00:00Z)"},
      {R"({"text": "a", "valid_at": 1700000000000})",
       "\"valid_at\" must be a string, not a number"},
      {R"({"text": "a", "valid_at": "2999-01-01T00:00:00Z"})",
       "\"valid_at\" \"2999-01-01T00:00:00Z\" is in the future (now is "},
      {R"({"text": "a", "attrs": ["k"]})", "\"attrs\" must be an object of strings, not an array"},
      {R"({"text": "a", "attrs": {"k": 1}})",
       "\"attrs\" value of \"k\" must be a string, not a number"},
      {R"({"text": "a", "attrs": {"urd.x": "v"}})", "\"attrs\" key \"urd.x\" is empty or reserved"},
      {R"({"text": "a", "attrs": {"": "v"}})", "\"attrs\" key \"\" is empty or reserved"},
      {"{\"text\": \"caf\xff\"}", "not valid UTF-8"},
      {R"({"text": "caf\ud800"})", "bad JSON"},
      {"{\"text\": \"" + std::string(64 * 1024 + 1, 'x') + "\"}",
       "\"text\" is 65537 bytes; at most 65536"},
      // Across lines: the same fact key and valid time as line 2.
      {R"({"text": "alice likes coffee", "kind": "sem", "subject": "alice", "predicate": "likes", "valid_at": "2024-01-01T00:00:00Z"})",
       "a sem fact with subject `@alice`, predicate `@likes` and valid_at 2024-01-01T00:00:00Z is "
       "already on line 2"},
      // Symbol kinds: `@alice` is an Agent (line 2), `@likes` a Predicate.
      {R"({"text": "a", "kind": "sem", "subject": "likes", "predicate": "alice"})",
       "`@likes` would be an Agent symbol as \"subject\", but it is a Predicate symbol as "
       "\"predicate\" on line 2"},
      // A fact whose predicate is the notes' event type (an EventType symbol).
      {R"({"text": "a", "kind": "sem", "predicate": "remembered_note"})",
       "`@remembered_note` would be a Predicate symbol as \"predicate\", but it is an "
       "EventType symbol as the event type of notes on line 1"},
      // A server-memory knowledge graph.
      {R"({"type": "relation", "from": "a", "to": "b", "relationType": "knows"})",
       "a knowledge-graph relation in a file of memories (a memory.jsonl of "
       "@modelcontextprotocol/server-memory holds only entity and relation lines, from its "
       "first line on)"},
  };
  for (const auto& [line, expected] : cases) {
    WriteAll(Path("bad.jsonl"), good + line + "\n" + R"({"text": "after"})" + "\n");
    Outcome r = Urd("import jsonl bad.jsonl --dir ws");
    EXPECT_EQ(r.rc, 2) << line << "\nstderr: " << r.err;
    EXPECT_TRUE(Contains(r.err, "urd: InvalidArgument: bad.jsonl line 3: " + expected))
        << line << "\nstderr: " << r.err << "\nexpected: " << expected;
    EXPECT_TRUE(Contains(r.err, "; nothing imported")) << r.err;
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(Exists("ws")) << line;  // nothing written, not even the workspace
  }
}

TEST_F(JsonlCliTest, RefusedFileLeavesAWorkspaceUnchanged) {
  WriteAll(
      Path("in.jsonl"),
      JsonLines(
          {R"({"text": "a note"})",
           R"({"text": "bob likes tea", "kind": "sem", "subject": "bob", "predicate": "likes", "valid_at": "2024-01-01"})"}));
  Import("in.jsonl", "ws");
  const std::string before = Export("ws");
  const std::string log_before = ReadAll(Path("ws/memory.log"));
  // A bad last line: nothing of the good lines before it is written.
  WriteAll(Path("bad.jsonl"), JsonLines({R"({"text": "another note"})",
                                         R"({"text": "x", "kind": "epi", "confidence": 2})"}));
  Outcome r = Urd("import jsonl bad.jsonl --dir ws");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(Contains(r.err, "bad.jsonl line 2: \"confidence\" 2 is outside [0, 1]")) << r.err;
  // Conflicts with the workspace's memories are found before anything is written.
  WriteAll(
      Path("dup.jsonl"),
      JsonLines(
          {R"({"text": "another note"})",
           R"({"text": "bob likes coffee", "kind": "sem", "subject": "bob", "predicate": "likes", "valid_at": "2024-01-01T00:00:00Z"})"}));
  r = Urd("import jsonl dup.jsonl --dir ws");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(Contains(r.err,
                       "dup.jsonl line 2: a sem fact with subject `@bob`, predicate `@likes` "
                       "and valid_at 2024-01-01T00:00:00Z is already in the workspace"))
      << r.err;
  // A fact whose predicate is the notes' event type: the workspace's notes made
  // `@remembered_note` an event type.
  WriteAll(Path("kind.jsonl"),
           JsonLines({R"({"text": "a fact", "kind": "sem", "subject": "carol", "predicate": "remembered_note"})"}));
  r = Urd("import jsonl kind.jsonl --dir ws");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(Contains(r.err,
                       "kind.jsonl line 1: `@remembered_note` would be a Predicate symbol as "
                       "\"predicate\", but it is already an EventType symbol in the "
                       "workspace"))
      << r.err;
  EXPECT_EQ(Export("ws"), before);
  EXPECT_EQ(ReadAll(Path("ws/memory.log")), log_before);
  // A later valid time at the same key supersedes, as it should.
  WriteAll(
      Path("later.jsonl"),
      JsonLines(
          {R"({"text": "bob likes coffee", "kind": "sem", "subject": "bob", "predicate": "likes", "valid_at": "2024-02-01"})"}));
  EXPECT_EQ(Import("later.jsonl", "ws")["lines"], 1);
}

TEST_F(JsonlCliTest, KnowledgeGraphFileIsMergedIntoTheGraph) {
  // The memory.jsonl of @modelcontextprotocol/server-memory.
  const std::string entity =
      R"({"type":"entity","name":"John_Smith","entityType":"person","observations":["Speaks fluent Spanish"]})";
  const std::string relation =
      R"({"type":"relation","from":"John_Smith","to":"Anthropic","relationType":"works_at"})";
  WriteAll(Path("memory.jsonl"), JsonLines({entity, relation}));
  Outcome r = Urd("import jsonl memory.jsonl --dir ws --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  auto j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["entities_created"], 1);
  EXPECT_EQ(j["relations_created"], 1);
  // Again, with one more observation: merged into the existing entity.
  WriteAll(Path("more.jsonl"),
           JsonLines({R"({"type":"entity","name":"John_Smith","entityType":"robot","observations":["Speaks fluent Spanish","Plays oboe"]})",
                      relation}));
  r = Urd("import jsonl more.jsonl --dir ws --json");
  ASSERT_EQ(r.rc, 0) << r.err;
  j = nlohmann::json::parse(r.out);
  EXPECT_EQ(j["entities_created"], 0);
  EXPECT_EQ(j["observations_added"], 1);
  EXPECT_EQ(j["relations_created"], 0);
  // A bad line refuses the file and writes nothing.
  WriteAll(Path("bad.jsonl"), JsonLines({entity, R"({"type":"relation","from":"a","to":3})"}));
  r = Urd("import jsonl bad.jsonl --dir ws2");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(Contains(r.err, "bad.jsonl line 2: \"to\" must be a string; nothing imported"))
      << r.err;
  EXPECT_FALSE(Exists("ws2"));
}

TEST_F(JsonlCliTest, FailedBatchSaysWhatIsCommitted) {
  // An embedder that cannot be reached: the first batch fails (after the client's
  // retries, about 1.4 s), nothing is committed, and the error says so.
  Outcome init = Urd("init ws --embedder openai --base-url http://127.0.0.1:1 --model m --dim 8");
  ASSERT_EQ(init.rc, 0) << init.err;
  WriteAll(Path("in.jsonl"), JsonLines({R"({"text": "a"})", R"({"text": "b", "subject": "bob"})"}));
  Outcome r = Urd("import jsonl in.jsonl --dir ws");
  EXPECT_EQ(r.rc, 5) << r.err;
  EXPECT_TRUE(Contains(r.err,
                       "urd: IOError: in.jsonl line 1 (batch 1) failed; the 0 lines "
                       "before (0 batches) stay committed: embedding server"))
      << r.err;
  EXPECT_EQ(r.out, "");
  EXPECT_EQ(Export("ws"), "");
}

// ---- recall, export ----

TEST_F(JsonlCliTest, RecallFindsImportedLines) {
  WriteAll(
      Path("in.jsonl"),
      JsonLines(
          {R"({"text": "The quarterly budget review is scheduled for Friday", "attrs": {"source_file": "notes.md"}})",
           R"({"text": "Alice adopted a golden retriever named Biscuit", "subject": "alice"})",
           R"({"text": "The deployment pipeline uses blue green releases", "subject": "ops"})",
           R"({"text": "carol drinks oolong tea", "kind": "sem", "subject": "carol", "predicate": "drinks"})"}));
  Import("in.jsonl", "ws");
  Outcome r = Urd("recall --dir ws --json --k 2 " + Q("what dog did alice adopt"));
  ASSERT_EQ(r.rc, 0) << r.err;
  json hits = json::parse(r.out)["hits"];
  ASSERT_FALSE(hits.empty()) << r.out;
  EXPECT_EQ(hits[0]["text"], "Alice adopted a golden retriever named Biscuit");
  EXPECT_EQ(hits[0]["id"], "__mem_2");

  r = Urd("recall --dir ws --json --k 1 " + Q("budget review"));
  ASSERT_EQ(r.rc, 0) << r.err;
  hits = json::parse(r.out)["hits"];
  ASSERT_EQ(hits.size(), 1u) << r.out;
  EXPECT_EQ(hits[0]["text"], "The quarterly budget review is scheduled for Friday");
  EXPECT_EQ(hits[0]["attrs"], (json{{"source_file", "notes.md"}}));

  r = Urd("recall --dir ws --json --k 1 --kind sem " + Q("oolong"));
  ASSERT_EQ(r.rc, 0) << r.err;
  hits = json::parse(r.out)["hits"];
  ASSERT_EQ(hits.size(), 1u) << r.out;
  EXPECT_EQ(hits[0]["text"], "carol drinks oolong tea");
}

TEST_F(JsonlCliTest, ExportRefusesAnExistingFileWithoutForce) {
  WriteAll(Path("in.jsonl"), JsonLines({R"({"text": "one"})"}));
  Import("in.jsonl", "ws");
  WriteAll(Path("out.jsonl"), "keep me\n");
  Outcome r = Urd("export jsonl out.jsonl --dir ws");
  EXPECT_EQ(r.rc, 2);
  EXPECT_TRUE(Contains(r.err, "out.jsonl exists: give --force to replace it")) << r.err;
  EXPECT_EQ(ReadAll(Path("out.jsonl")), "keep me\n");

  r = Urd("export jsonl out.jsonl --dir ws --force");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "exported 1 memories to out.jsonl")) << r.out;
  std::vector<ordered_json> a = ParseLines(ReadAll(Path("out.jsonl")));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["text"], "one");
  EXPECT_FALSE(Exists("out.jsonl.tmp"));

  // `-` is stdout: never "exists"; the summary goes to stderr.
  r = Urd("export jsonl - --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, ReadAll(Path("out.jsonl")));
  EXPECT_TRUE(Contains(r.err, "exported 1 memories to stdout")) << r.err;

  // No workspace: not found, no file.
  r = Urd("export jsonl none.jsonl --dir nowhere");
  EXPECT_EQ(r.rc, 3) << r.err;
  EXPECT_FALSE(Exists("none.jsonl"));
  EXPECT_FALSE(Exists("nowhere"));
}

TEST_F(JsonlCliTest, ExportSkipsMemoriesWithoutTextAndInferences) {
  // Typed memories written with `urd write`: a fact with a symbol object (no text)
  // and one with a string object (text, no attributes: no vector record attrs).
  Outcome w = Urd("write --dir ws " +
                  Q("(sem @dave @knows @erin :src @observation :c 0.8 :v 2024-01-15) "
                    "(sem @dave @motto \"carpe diem\" :src @observation :c 0.8 :v 2024-01-15)"));
  ASSERT_EQ(w.rc, 0) << w.err;
  // An inferential memory with text: left out (import has no kind for it), counted.
  w = Urd("write --dir ws " + Q("(inf @dave @summary \"dave is social\" (@__mem_0) "
                                "@pattern_summarize :c 0.5 :v 2024-01-16)"));
  ASSERT_EQ(w.rc, 0) << w.err;
  Outcome e = Urd("export jsonl out.jsonl --dir ws --json");
  ASSERT_EQ(e.rc, 0) << e.err;
  json summary = json::parse(e.out);
  EXPECT_EQ(summary["memories"], 1);
  EXPECT_EQ(summary["skipped_inferred"], 1);
  e = Urd("export jsonl out2.jsonl --dir ws");
  ASSERT_EQ(e.rc, 0) << e.err;
  EXPECT_TRUE(Contains(e.out, "exported 1 memories to out2.jsonl")) << e.out;
  EXPECT_TRUE(Contains(e.out, "left out 1 inferred memories")) << e.out;
  std::vector<ordered_json> a = ParseLines(Export("ws"));
  ASSERT_EQ(a.size(), 1u);
  EXPECT_EQ(a[0]["id"], "__mem_1");
  EXPECT_EQ(a[0]["text"], "carpe diem");
  EXPECT_EQ(a[0]["subject"], "dave");
  EXPECT_EQ(a[0]["predicate"], "motto");
  EXPECT_EQ(a[0]["confidence"], 0.8);
  EXPECT_EQ(a[0]["valid_at"], "2024-01-15T00:00:00Z");
  EXPECT_EQ(a[0]["attrs"], ordered_json::object());
}

// ---- progress ----

TEST_F(JsonlCliTest, ProgressOnlyOnATerminal) {
  std::string file;
  for (int i = 0; i < 300; ++i) file += R"({"text": "note )" + std::to_string(i) + "\"}\n";
  WriteAll(Path("in.jsonl"), file);
  // Not a terminal: nothing on stderr.
  Outcome plain = Urd("import jsonl in.jsonl --dir ws1 --batch 50");
  ASSERT_EQ(plain.rc, 0) << plain.err;
  EXPECT_EQ(plain.err, "");
  if (access("/usr/bin/script", X_OK) != 0) {
    GTEST_SKIP() << "no /usr/bin/script to give the command a terminal";
  }
  // script(1) runs the command on a pseudo-terminal (stdout and stderr both).
  Outcome tty = Shell("/usr/bin/script -qec " +
                      Q(std::string(URD_BINARY) + " import jsonl in.jsonl --dir ws2 --batch 50") +
                      " /dev/null");
  ASSERT_EQ(tty.rc, 0) << tty.out;
  EXPECT_TRUE(Contains(tty.out, "\rimporting 0/300 lines")) << tty.out;
  EXPECT_TRUE(Contains(tty.out, "\rimporting 300/300 lines\r\n")) << tty.out;
  EXPECT_TRUE(Contains(tty.out, "imported 300 lines in 6 batches")) << tty.out;
}

}  // namespace
