// Copyright urd authors. End-to-end tests of the memory verbs (`urd write`,
// `query`, `history`, `log`, `verify`, `stats`) and of `urd import mimir` /
// `urd export mimir`: they run the built command (URD_BINARY) in a fresh temporary
// directory and check its stdout, its --json output and its exit codes.

#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
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

const std::string kMimirGolden = URD_TESTDATA_DIR "/mimir_v1_sem_batch.golden";

// 2024-04-17T10:40:00Z, the golden file's commit clock.
constexpr uint64_t kNow = 1713350400000;

const char kAliceBob[] = "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)";
const char kAliceCarol[] =
    "(sem @alice @knows @carol :src @observation :c 0.9 :v 2024-02-15) "
    "(sem @alice @email \"a@x\" :src @observation :c 0.9 :v 2024-01-01)";
const char kDave[] = "(sem @dave @likes @rust :src @observation :c 0.7 :v 2024-03-01)";

class MemoryCliTest : public urd::cli_test::CliFixture {
 protected:
  MemoryCliTest() : CliFixture("urd_memory_cli_test") {}

  // Commits `forms` into `ws` at kNow + offset_ms; expects success.
  json Write(const std::string& ws, const std::string& forms, uint64_t offset_ms) {
    return Json("write --dir " + ws + " --now " + std::to_string(kNow + offset_ms) + " " +
                Q(forms));
  }

  // Three batches in `ws`: alice knows bob; alice knows carol (supersedes) and her
  // email; dave likes rust (from stdin, labelled).
  void MakeStore(const std::string& ws) {
    Write(ws, kAliceBob, 0);
    Write(ws, kAliceCarol, 1000);
    Outcome r =
        Urd("write --dir " + ws + " --now " + std::to_string(kNow + 2000) + " --label first-day -",
            kDave);
    ASSERT_EQ(r.rc, 0) << r.err;
  }
};

// ---- write, query, history ----

TEST_F(MemoryCliTest, WriteReportsEpisodeAndMemories) {
  Outcome r = Urd("write --dir ws --now " + std::to_string(kNow) + " " + Q(kAliceBob));
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "committed __ep_0 at 2024-04-17T10:40:00Z (1 memory: __mem_0)\n");
  EXPECT_TRUE(std::filesystem::exists(Path("ws/memory.log")));

  json j = Write("ws", kAliceCarol, 1000);
  EXPECT_EQ(j["episode"], "__ep_1");
  EXPECT_EQ(j["committed_at"], kNow + 1000);
  EXPECT_EQ(j["memory_ids"], (json{"__mem_1", "__mem_2"}));
  EXPECT_GT(j["records"].get<int>(), 3);

  // Forms from stdin (FORMS absent) and a label.
  r = Urd("write --dir ws --now " + std::to_string(kNow + 1500) + " --label later", kDave);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "committed __ep_2 at 2024-04-17T10:40:01.500Z (1 memory: __mem_3)\n");
  // An empty batch is a valid no-op that advances the clock, which is monotonic.
  r = Urd("write --dir ws --now 5 ''");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "committed __ep_3 at 2024-04-17T10:40:01.501Z (0 memories)\n");
}

TEST_F(MemoryCliTest, QueryHumanAndJson) {
  MakeStore("ws");
  json q = Json("query --dir ws " + Q("(query :s @alice :p @knows)"));
  ASSERT_EQ(q["records"].size(), 1u) << q.dump();
  const json& rec = q["records"][0];
  EXPECT_EQ(rec["memory_id"], "__mem_1");
  EXPECT_EQ(rec["kind"], "sem");
  EXPECT_TRUE(Contains(rec["form"].get<std::string>(), "@carol"));
  EXPECT_NEAR(rec["confidence"].get<double>(), 0.9, 1e-4);
  EXPECT_GT(rec["effective_confidence"].get<double>(), 0.0);
  EXPECT_LE(rec["effective_confidence"].get<double>(), rec["confidence"].get<double>());
  EXPECT_EQ(rec["committed_at"], kNow + 1000);
  EXPECT_TRUE(rec["invalid_at"].is_null());
  EXPECT_TRUE(rec["framing"].is_null());
  EXPECT_EQ(rec["superseded_by"], json::array());
  EXPECT_EQ(q["filtered"], json::array());
  EXPECT_EQ(q["flags"], json::array());
  EXPECT_EQ(q["flag_bits"], 0);
  EXPECT_EQ(q["query_committed_at"], kNow + 2000);

  Outcome h = Urd("query --dir ws " + Q("(query :s @alice :p @knows)"));
  ASSERT_EQ(h.rc, 0) << h.err;
  std::vector<std::string> lines = Lines(h.out);
  ASSERT_EQ(lines.size(), 2u) << h.out;
  EXPECT_TRUE(Contains(lines[0], "(sem @alice @knows @carol")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], "  # __mem_1 sem c=0.90 eff=")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], " committed 2024-04-17T10:40:01Z")) << lines[0];
  EXPECT_TRUE(Contains(lines[1], "# 1 records; flags: none;")) << lines[1];
  EXPECT_TRUE(Contains(lines[1], "query_committed_at 2024-04-17T10:40:02Z")) << lines[1];
}

TEST_F(MemoryCliTest, QueryFilteredFlagsAndFraming) {
  MakeStore("ws");
  Write("ws", "(retire @dave)", 3000);
  json q = Json("query --dir ws " + Q("(query :s @dave :explain_filtered true)"));
  EXPECT_EQ(q["records"], json::array());
  ASSERT_EQ(q["filtered"].size(), 1u) << q.dump();
  EXPECT_EQ(q["filtered"][0]["reason"], "retired_symbol");
  EXPECT_EQ(q["filtered"][0]["record"]["memory_id"], "__mem_3");
  EXPECT_EQ(q["flags"], (json{"explain_filtered_active"}));
  EXPECT_EQ(q["flag_bits"], 128);

  Outcome h = Urd("query --dir ws " + Q("(query :s @dave :explain_filtered true)"));
  ASSERT_EQ(h.rc, 0) << h.err;
  EXPECT_TRUE(Contains(h.out, "# filtered:\n(sem @dave @likes @rust")) << h.out;
  EXPECT_TRUE(Contains(h.out, "(retired_symbol)")) << h.out;
  EXPECT_TRUE(Contains(h.out, "flags: explain_filtered_active")) << h.out;

  q = Json("query --dir ws " + Q("(query :s @dave :include_retired true :show_framing true)"));
  ASSERT_EQ(q["records"].size(), 1u) << q.dump();
  EXPECT_TRUE(q["records"][0]["framing"].is_string());
  EXPECT_EQ(q["flags"], (json{"stale_symbol"}));
}

TEST_F(MemoryCliTest, HistoryShowsSupersession) {
  MakeStore("ws");
  json h = Json("history --dir ws @alice");
  EXPECT_EQ(h["symbol"], "@alice");
  ASSERT_EQ(h["records"].size(), 3u) << h.dump();
  EXPECT_EQ(h["records"][0]["memory_id"], "__mem_0");
  EXPECT_EQ(h["records"][0]["superseded_by"], (json{"__mem_1"}));
  EXPECT_TRUE(Contains(h["records"][0]["form"].get<std::string>(), "@bob"));
  EXPECT_EQ(h["records"][1]["superseded_by"], json::array());

  Outcome r = Urd("history --dir ws alice");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_EQ(lines.size(), 3u) << r.out;
  EXPECT_TRUE(Contains(lines[0], "# __mem_0 sem c=0.80")) << lines[0];
  EXPECT_TRUE(Contains(lines[0], "superseded_by __mem_1")) << lines[0];
}

// ---- log, verify, stats ----

TEST_F(MemoryCliTest, LogDecodesEveryBatch) {
  MakeStore("ws");
  Outcome r = Urd("log --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  std::vector<std::string> lines = Lines(r.out);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines[0], "# batch 1 @ offset 32");
  size_t batches = 0;
  for (const std::string& l : lines) batches += l.rfind("# batch ", 0) == 0 ? 1 : 0;
  EXPECT_EQ(batches, 3u);
  EXPECT_TRUE(Contains(r.out, "SYMBOL_ALLOC #0 alice Agent at 2024-04-17T10:40:00Z")) << r.out;
  EXPECT_TRUE(Contains(r.out, "SEM __mem_0 at 2024-04-17T10:40:00Z (sem @alice @knows @bob"))
      << r.out;
  EXPECT_TRUE(Contains(r.out, "SUPERSEDES __mem_1 -> __mem_0")) << r.out;
  EXPECT_TRUE(Contains(r.out, "label \"first-day\"")) << r.out;
  EXPECT_TRUE(Contains(r.out, "CHECKPOINT __ep_2")) << r.out;

  Outcome j = Urd("log --dir ws --from 3 --json");
  ASSERT_EQ(j.rc, 0) << j.err;
  std::vector<std::string> records = Lines(j.out);
  ASSERT_FALSE(records.empty());
  for (const std::string& line : records) {
    json rec = json::parse(line);
    EXPECT_EQ(rec["batch"], 3) << line;
    EXPECT_TRUE(rec["opcode"].is_string());
    EXPECT_TRUE(rec["text"].is_string());
  }
  EXPECT_EQ(json::parse(records.back())["opcode"], "CHECKPOINT");
  EXPECT_TRUE(Contains(j.out, "\"opcode\":\"SEM\"")) << j.out;
}

TEST_F(MemoryCliTest, VerifyAHealthyStore) {
  MakeStore("ws");
  json v = Json("verify --dir ws");
  EXPECT_EQ(v["healthy"], true);
  const json& m = v["memory"];
  EXPECT_EQ(m["batches"], 3);
  EXPECT_EQ(m["memory_records"], 4);
  EXPECT_EQ(m["checkpoints"], 3);
  EXPECT_EQ(m["dangling_symbols"], 0);
  EXPECT_EQ(m["opcodes"]["SEM"], 4);
  EXPECT_EQ(m["opcodes"]["SUPERSEDES"], 1);
  EXPECT_EQ(m["opcodes"]["CHECKPOINT"], 3);
  EXPECT_EQ(m["tail"]["state"], "clean");
  EXPECT_EQ(m["file_bytes"], std::filesystem::file_size(Path("ws/memory.log")));
  EXPECT_EQ(m["problems"], json::array());
  EXPECT_TRUE(v["vectors"].is_null());

  Outcome r = Urd("verify --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "opcodes: SEM 4, SUPERSEDES 1")) << r.out;
  EXPECT_EQ(Lines(r.out).back(), "ok");
}

TEST_F(MemoryCliTest, VerifyCorruptLogIsExit5) {
  Write("ws", kAliceBob, 0);
  const uintmax_t first_end = std::filesystem::file_size(Path("ws/memory.log"));
  Write("ws", kAliceCarol, 1000);
  std::string log = ReadAll(Path("ws/memory.log"));
  log[(32 + first_end) / 2] ^= 0x5a;  // inside the first batch, the second follows
  WriteAll(Path("ws/memory.log"), log);

  Outcome r = Urd("verify --dir ws");
  EXPECT_EQ(r.rc, 5) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "state: corrupt")) << r.out;
  EXPECT_TRUE(Contains(r.out, "CORRUPT")) << r.out;
  json v = Json("verify --dir ws", 5);
  EXPECT_EQ(v["healthy"], false);
  EXPECT_EQ(v["memory"]["tail"]["state"], "corrupt");
  EXPECT_EQ(v["memory"]["tail"]["reason"], "frame checksum mismatch");
  EXPECT_EQ(v["memory"]["problem_count"], 1);

  ExpectFails("log --dir ws", 5, "corrupt");
  ExpectFails("query --dir ws " + Q("(query)"), 5, "Corruption");
  ExpectFails("export mimir out.log --dir ws", 5, "nothing exported");
  EXPECT_FALSE(std::filesystem::exists(Path("out.log")));
}

TEST_F(MemoryCliTest, VerifyTornTailIsExit0) {
  MakeStore("ws");
  const std::string log = ReadAll(Path("ws/memory.log"));
  WriteAll(Path("ws/memory.log"), log.substr(0, log.size() - 3));  // cut the last frame

  Outcome r = Urd("verify --dir ws");
  EXPECT_EQ(r.rc, 0) << r.out << r.err;
  EXPECT_TRUE(Contains(r.out, "state: torn")) << r.out;
  EXPECT_TRUE(Contains(r.out, "ok: torn tail")) << r.out;
  json v = Json("verify --dir ws");
  EXPECT_EQ(v["healthy"], true);
  EXPECT_EQ(v["memory"]["batches"], 2);
  EXPECT_EQ(v["memory"]["tail"]["state"], "torn");
  EXPECT_GT(v["memory"]["tail"]["bytes"].get<int>(), 0);
  // Read-only verbs leave the file alone and see the two committed batches.
  EXPECT_EQ(ReadAll(Path("ws/memory.log")).size(), log.size() - 3);
  ExpectFails("log --dir ws", 0, "torn tail");
  EXPECT_EQ(Json("stats --dir ws")["memory"]["episodes"], 2);
}

TEST_F(MemoryCliTest, VerifyReportsDanglingSymbols) {
  // The golden file without bob's SYMBOL_ALLOC (logical bytes 55..70): its SEM names
  // symbol #2, which is never allocated. mimir-core does not check this, so the
  // import keeps it; verify reports it.
  const std::string golden = ReadAll(kMimirGolden);
  WriteAll(Path("dangling.log"), golden.substr(0, 8 + 55) + golden.substr(8 + 71));
  ASSERT_EQ(Urd("import mimir dangling.log --dir ws").rc, 0);
  json v = Json("verify --dir ws", 5);
  EXPECT_EQ(v["healthy"], false);
  EXPECT_EQ(v["memory"]["dangling_symbols"], 1);
  EXPECT_EQ(v["memory"]["tail"]["state"], "clean");
  Outcome r = Urd("verify --dir ws");
  EXPECT_EQ(r.rc, 5);
  EXPECT_TRUE(Contains(r.out,
                       "problem: dangling symbol #2 (never allocated), named by memory "
                       "__mem_0"))
      << r.out;
}

TEST_F(MemoryCliTest, StatsCountsAndVersion) {
  MakeStore("ws");
  json s = Json("stats --dir ws");
  EXPECT_FALSE(s["version"].get<std::string>().empty());
  EXPECT_FALSE(s["simd"].get<std::string>().empty());
  const json& m = s["memory"];
  EXPECT_EQ(m["sem"], 4);
  EXPECT_EQ(m["edges"], 1);
  EXPECT_EQ(m["episodes"], 3);
  EXPECT_EQ(m["last_committed_at"], kNow + 2000);
  EXPECT_EQ(m["log_bytes"], std::filesystem::file_size(Path("ws/memory.log")));
  EXPECT_TRUE(s["vectors"].is_null());

  Outcome r = Urd("stats --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(Lines(r.out)[0].rfind("urd ", 0), 0u) << r.out;
  EXPECT_TRUE(Contains(Lines(r.out)[0], "simd ")) << r.out;
  EXPECT_TRUE(Contains(r.out, "last committed at: 2024-04-17T10:40:02Z")) << r.out;

  // With a vector store beside it, stats and verify report its footprint.
  ASSERT_EQ(Urd("vec create --dir ws --collection docs --dim 3").rc, 0);
  s = Json("stats --dir ws");
  EXPECT_EQ(s["vectors"]["dimension"], 3);
  EXPECT_EQ(Json("verify --dir ws")["vectors"]["rows"], 0);
}

TEST_F(MemoryCliTest, ErrorsAndExitCodes) {
  ExpectFails("write --dir ws " + Q("(sem @a @b"), 2, "line 1, column");
  ExpectFails("write --dir ws", 2, "UnexpectedEof", "(sem @alice");
  ExpectFails("query --dir nowhere " + Q("(query)"), 3, "NotFound");
  ExpectFails("history --dir nowhere alice", 3, "NotFound");
  ExpectFails("log --dir nowhere", 3, "NotFound");
  ExpectFails("verify --dir nowhere", 3, "NotFound");
  ExpectFails("stats --dir nowhere", 3, "NotFound");
  ExpectFails("export mimir out.log --dir nowhere", 3, "NotFound");
  Write("ws", kAliceBob, 0);
  ExpectFails("query --dir ws " + Q("(query :s"), 2, "line 1, column");
  ExpectFails("history --dir ws nobody", 3, "unknown symbol");
  ExpectFails("query --dir ws", 1, "form");  // a usage error
}

// ---- import mimir / export mimir ----

TEST_F(MemoryCliTest, MimirGoldenImportQueryExport) {
  json imp = Json("import mimir " + Q(kMimirGolden) + " --dir ws");
  EXPECT_EQ(imp["batches"], 1);
  EXPECT_EQ(imp["records"], 8);
  EXPECT_EQ(imp["tail"], "clean");
  EXPECT_EQ(imp["ignored_tail_bytes"], 0);

  json q = Json("query --dir ws " + Q("(query :s @alice :p @knows)"));
  ASSERT_EQ(q["records"].size(), 1u) << q.dump();
  EXPECT_TRUE(Contains(q["records"][0]["form"].get<std::string>(), "@bob"));
  EXPECT_EQ(q["records"][0]["committed_at"], kNow);

  Outcome r = Urd("export mimir out.log --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_EQ(r.out, "exported 1 batches, 8 records to out.log (178 bytes)\n");
  EXPECT_EQ(ReadAll(Path("out.log")), ReadAll(kMimirGolden));
  EXPECT_EQ(Json("verify --dir ws")["healthy"], true);
}

TEST_F(MemoryCliTest, MimirExportImportExportIsLossless) {
  MakeStore("a");
  Write("a", "(retire @dave)", 3000);
  ASSERT_EQ(Urd("export mimir a.log --dir a").rc, 0);
  json imp = Json("import mimir a.log --dir b");
  EXPECT_EQ(imp["batches"], 4);
  ASSERT_EQ(Urd("export mimir b.log --dir b").rc, 0);
  EXPECT_EQ(ReadAll(Path("a.log")), ReadAll(Path("b.log")));

  for (const char* form : {"(query :s @alice)", "(query :s @alice :p @knows)",
                           "(query :s @dave :explain_filtered true)", "(query :kind sem)"}) {
    EXPECT_EQ(Json("query --dir a " + Q(form)), Json("query --dir b " + Q(form))) << form;
  }
  EXPECT_EQ(Json("history --dir a alice"), Json("history --dir b alice"));
  // The imported store goes on like the original.
  EXPECT_EQ(
      Write("b", "(sem @erin @likes @go :src @observation :c 0.7 :v 2024-03-05)", 5000)["episode"],
      "__ep_4");
}

TEST_F(MemoryCliTest, MimirImportRefusesANonEmptyStore) {
  Write("ws", kAliceBob, 0);
  const std::string before = ReadAll(Path("ws/memory.log"));
  ExpectFails("import mimir " + Q(kMimirGolden) + " --dir ws", 2, "import into an empty store");
  EXPECT_EQ(ReadAll(Path("ws/memory.log")), before);
}

TEST_F(MemoryCliTest, MimirImportRefusesACorruptFile) {
  WriteAll(Path("bad.log"), ReadAll(kMimirGolden) + std::string(1, '\x05'));
  ExpectFails("import mimir bad.log --dir ws", 5, "unknown opcode at offset 170");
  ExpectFails("import mimir bad.log --dir ws", 5, "nothing imported");
  EXPECT_FALSE(std::filesystem::exists(Path("ws")));
  WriteAll(Path("magic.log"), std::string("MIMX\x01\0\0\0", 8));
  ExpectFails("import mimir magic.log --dir ws", 5, "bad magic");
  ExpectFails("import mimir missing.log --dir ws", 3, "NotFound");
}

TEST_F(MemoryCliTest, MimirImportIgnoresAnOrphanTail) {
  const std::string golden = ReadAll(kMimirGolden);
  // The first two records again, without a CHECKPOINT: an uncommitted batch.
  WriteAll(Path("orphan.log"), golden + golden.substr(8, 42));
  Outcome r = Urd("import mimir orphan.log --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(Contains(r.out, "imported 1 batches, 8 records")) << r.out;
  EXPECT_TRUE(Contains(r.out, "orphan tail of 42 bytes at offset 170")) << r.out;
  ASSERT_EQ(Urd("export mimir out.log --dir ws").rc, 0);
  EXPECT_EQ(ReadAll(Path("out.log")), golden);
}

TEST_F(MemoryCliTest, MimirExportKeepsAnExistingFile) {
  ASSERT_EQ(Urd("import mimir " + Q(kMimirGolden) + " --dir ws").rc, 0);
  WriteAll(Path("out.log"), "keep me");
  ExpectFails("export mimir out.log --dir ws", 2, "--force");
  EXPECT_EQ(ReadAll(Path("out.log")), "keep me");
  json j = Json("export mimir out.log --dir ws --force");
  EXPECT_EQ(j["records"], 8);
  EXPECT_EQ(j["bytes"], 178);
  EXPECT_EQ(ReadAll(Path("out.log")), ReadAll(kMimirGolden));
  EXPECT_FALSE(std::filesystem::exists(Path("out.log.tmp")));
}

}  // namespace
