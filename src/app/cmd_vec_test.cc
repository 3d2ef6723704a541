// Copyright urd authors. End-to-end tests of `urd vec` and `urd import nidus`: they
// run the built command (URD_BINARY) in a fresh temporary directory and check its
// stdout, its --json output and its exit codes.

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "app/cli_test_util.h"

namespace {

using urd::cli_test::Outcome;
using urd::cli_test::Q;
using urd::cli_test::WriteAll;

using nlohmann::json;

const std::string kGolden = URD_TESTDATA_DIR "/nidus_v0.3.0";

std::string Floats(const std::vector<float>& v) {
  std::string out(v.size() * 4, '\0');
  std::memcpy(out.data(), v.data(), out.size());  // x86-64 / aarch64: little-endian
  return out;
}

class CliTest : public urd::cli_test::CliFixture {
 protected:
  CliTest() : CliFixture("urd_cli_test") {}

  std::string File(const std::string& name, const std::string& data) {
    WriteAll(Path(name), data);
    return name;
  }

  // A store in ws/ with collection "docs" (dimension 3) and four records.
  void MakeDocs() {
    ASSERT_EQ(Urd("vec create --dir ws --collection docs --dim 3").rc, 0);
    File("recs.jsonl",
         "{\"id\":\"a\",\"vector\":[1,0,0],\"attrs\":{\"kind\":\"file\",\"n\":1}}\n"
         "{\"id\":\"b\",\"vector\":[0.9,0.1,0],\"attrs\":{\"kind\":\"dir\",\"n\":2}}\n"
         "\n"
         "{\"id\":\"c\",\"vector\":[0,2,0],\"attrs\":{\"kind\":\"file\",\"n\":3}}\n"
         "{\"id\":\"d\",\"vector\":[0,0,1],\"attrs\":{\"kind\":\"file\",\"path\":\"src/x\"}}\n");
    json up = Json("vec upsert --dir ws --collection docs --jsonl recs.jsonl --batch 3");
    EXPECT_EQ(up["upserted"], 4);
    EXPECT_EQ(up["batches"], 2);
  }

  static std::vector<std::string> Ids(const json& hits) {
    std::vector<std::string> ids;
    for (const json& h : hits) ids.push_back(h["id"].get<std::string>());
    return ids;
  }
};

using Strings = std::vector<std::string>;

// ---- the main path ----

TEST_F(CliTest, CreateUpsertSearch) {
  Outcome create = Urd("vec create --dir ws --collection docs --dim 3");
  ASSERT_EQ(create.rc, 0) << create.err;
  EXPECT_NE(create.out.find("created collection docs (dimension 3)"), std::string::npos);
  File("recs.jsonl", "{\"id\":\"a\",\"vector\":[1,0,0],\"attrs\":{\"kind\":\"file\"}}\n");
  Outcome up = Urd("vec upsert --dir ws --collection docs --jsonl recs.jsonl");
  ASSERT_EQ(up.rc, 0) << up.err;
  EXPECT_NE(up.out.find("upserted 1 records into docs"), std::string::npos) << up.out;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/ws/vectors"));

  json out = Json("vec search --dir ws --collection docs --vector '[2,0,0]' --k 5");
  ASSERT_EQ(out["hits"].size(), 1u);
  const json& h = out["hits"][0];
  EXPECT_EQ(h["collection"], "docs");
  EXPECT_EQ(h["id"], "a");
  EXPECT_NEAR(h["score"].get<double>(), 1.0, 1e-6);
  EXPECT_EQ(h["attrs"], json::parse(R"({"kind":"file"})"));
  EXPECT_EQ(out.size(), 1u);  // exactly {"hits": [...]}
  EXPECT_EQ(h.size(), 4u);
}

TEST_F(CliTest, SearchRanksFiltersAndCuts) {
  MakeDocs();
  json out = Json("vec search --dir ws --collection docs --vector '[1,0,0]' --k 3");
  // a (1.0), b (0.99), then c and d tie at 0: by id.
  EXPECT_EQ(Ids(out["hits"]), (Strings{"a", "b", "c"}));
  EXPECT_GT(out["hits"][0]["score"].get<double>(), out["hits"][1]["score"].get<double>());

  out = Json("vec search --dir ws --all --vector '[1,0,0]' --k 10 --filter " +
             Q(R"({"eq":{"kind":"file"}})"));
  EXPECT_EQ(Ids(out["hits"]), (Strings{"a", "c", "d"}));
  out = Json("vec search --dir ws --all --vector '[0,1,0]' --k 10 --filter " +
             Q(R"({"range":{"n":{"gte":2}}})"));
  EXPECT_EQ(Ids(out["hits"]), (Strings{"c", "b"}));
  out = Json("vec search --dir ws --collection docs --vector '[1,0,0]' --k 10 --min-score 0.5");
  EXPECT_EQ(Ids(out["hits"]), (Strings{"a", "b"}));
  out = Json("vec search --dir ws --collection docs --vector '[1,0,0]' --k 0");
  EXPECT_TRUE(out["hits"].empty());

  Outcome human = Urd("vec search --dir ws --collection docs --vector '[1,0,0]' --k 2");
  ASSERT_EQ(human.rc, 0) << human.err;
  EXPECT_NE(human.out.find("rank"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("   1   1.000000  docs"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("{\"kind\":\"file\",\"n\":1}"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("   2   0.993884  docs"), std::string::npos) << human.out;
}

TEST_F(CliTest, SearchModesAndThreadsAgree) {
  MakeDocs();
  const std::string base = "vec search --dir ws --collection docs --vector '[1,0.2,0]' --k 4";
  json exact = Json(base);
  for (const char* extra : {" --mode int8", " --mode f16 --rerank 2", " --threads 1"}) {
    json other = Json(base + extra);
    EXPECT_EQ(Ids(other["hits"]), Ids(exact["hits"])) << extra;
    EXPECT_NEAR(other["hits"][0]["score"].get<double>(), exact["hits"][0]["score"].get<double>(),
                1e-6);
  }
  ExpectFails(base + " --mode fp8", 1, "fp8");
}

TEST_F(CliTest, SearchBatchOfQueries) {
  MakeDocs();
  File("q.jsonl", "[1,0,0]\n\n{\"vector\":[0,0,1]}\n");
  json out = Json("vec search --dir ws --all --queries q.jsonl --k 1");
  ASSERT_EQ(out["results"].size(), 2u);
  EXPECT_EQ(Ids(out["results"][0]["hits"]), (Strings{"a"}));
  EXPECT_EQ(Ids(out["results"][1]["hits"]), (Strings{"d"}));
  Outcome human = Urd("vec search --dir ws --all --queries - --k 1", "[0,1,0]\n[0,0,1]\n");
  ASSERT_EQ(human.rc, 0) << human.err;
  EXPECT_NE(human.out.find("query 2:"), std::string::npos) << human.out;
  File("bad.jsonl", "[1,0,0]\n[1,0]\n");
  ExpectFails("vec search --dir ws --all --queries bad.jsonl --k 1", 2,
              "bad.jsonl: line 2: query has 2 components");
}

TEST_F(CliTest, SearchScopes) {
  MakeDocs();
  ASSERT_EQ(Urd("vec create --dir ws --collection other").rc, 0);
  File("o.jsonl", "{\"id\":\"a\",\"vector\":[1,0,0]}\n");
  ASSERT_EQ(Urd("vec upsert --dir ws --collection other --jsonl o.jsonl").rc, 0);
  json out = Json("vec search --dir ws --all --vector '[1,0,0]' --k 2");
  ASSERT_EQ(out["hits"].size(), 2u);  // docs/a and other/a tie: by collection
  EXPECT_EQ(out["hits"][0]["collection"], "docs");
  EXPECT_EQ(out["hits"][1]["collection"], "other");
  out = Json("vec search --dir ws --collection other --collection docs --vector '[1,0,0]' --k 3");
  EXPECT_EQ(out["hits"].size(), 3u);
  ExpectFails("vec search --dir ws --collection nope --vector '[1,0,0]' --k 3", 2, "nope");
}

TEST_F(CliTest, GetDeleteStatsCompactListMetaDrop) {
  MakeDocs();
  Outcome get = Urd("vec get --dir ws --collection docs --id a c");
  ASSERT_EQ(get.rc, 0) << get.err;
  EXPECT_NE(get.out.find("a  {\"kind\":\"file\",\"n\":1}  [1, 0, 0]"), std::string::npos)
      << get.out;
  EXPECT_NE(get.out.find("c  {\"kind\":\"file\",\"n\":3}  [0, 1, 0]"), std::string::npos)
      << get.out;
  json g = Json("vec get --dir ws --collection docs --id c");
  ASSERT_EQ(g["records"].size(), 1u);
  EXPECT_EQ(g["records"][0]["vector"], json::parse("[0.0, 1.0, 0.0]"));  // stored unit-length
  Outcome missing = Urd("vec get --dir ws --collection docs --id a zz");
  EXPECT_EQ(missing.rc, 3);
  EXPECT_NE(missing.err.find("no record \"zz\""), std::string::npos) << missing.err;
  EXPECT_EQ(Urd("vec get --dir ws --collection nope --id a").rc, 3);

  EXPECT_EQ(Json("vec delete --dir ws --collection docs --id a zz")["deleted"], 1);
  EXPECT_EQ(Json("vec delete --dir ws --collection docs --filter " +
                 Q(R"({"eq":{"kind":"dir"}})"))["deleted"], 1);
  json out = Json("vec search --dir ws --collection docs --vector '[1,0,0]' --k 5");
  EXPECT_EQ(Ids(out["hits"]), (Strings{"c", "d"}));

  json st = Json("vec stats --dir ws");
  EXPECT_EQ(st["docs"], 2);
  EXPECT_EQ(st["dimension"], 3);
  EXPECT_EQ(st["rows"], 4);
  EXPECT_EQ(st["dead_rows"], 2);
  EXPECT_EQ(st["collections"], json::parse(R"([{"name":"docs","count":2}])"));
  EXPECT_FALSE(st["simd"].get<std::string>().empty());
  for (const char* k : {"vector_bytes", "memory_bytes", "file_bytes", "generation"}) {
    EXPECT_TRUE(st[k].is_number_unsigned()) << k;
  }
  Outcome human = Urd("vec stats --dir ws");
  EXPECT_NE(human.out.find("dead rows: 2"), std::string::npos) << human.out;
  EXPECT_NE(human.out.find("  docs: 2 records"), std::string::npos) << human.out;

  ASSERT_EQ(Urd("vec compact --dir ws").rc, 0);
  json after = Json("vec stats --dir ws");
  EXPECT_EQ(after["rows"], 2);
  EXPECT_EQ(after["dead_rows"], 0);
  EXPECT_GT(after["generation"].get<uint64_t>(), st["generation"].get<uint64_t>());
  out = Json("vec search --dir ws --collection docs --vector '[0,1,0]' --k 5");
  EXPECT_EQ(Ids(out["hits"]), (Strings{"c", "d"}));

  EXPECT_EQ(Urd("vec list --dir ws").out, "docs\n");
  EXPECT_EQ(Json("vec list --dir ws"),
            json::parse(R"({"collections":[{"name":"docs","count":2}]})"));
  ASSERT_EQ(Urd("vec meta --dir ws --collection docs --set owner=ann model=m=1").rc, 0);
  EXPECT_EQ(Urd("vec meta --dir ws --collection docs").out, "model=m=1\nowner=ann\n");
  EXPECT_EQ(Json("vec meta --dir ws --collection docs")["meta"],
            json::parse(R"({"model":"m=1","owner":"ann"})"));
  ASSERT_EQ(Urd("vec meta --dir ws --collection docs --clear").rc, 0);
  EXPECT_EQ(Urd("vec meta --dir ws --collection docs").out, "");
  ExpectFails("vec meta --dir ws --collection docs --set novalue", 2, "KEY=VALUE");
  ExpectFails("vec meta --dir ws --collection nope", 3, "nope");

  ASSERT_EQ(Urd("vec drop --dir ws --collection docs").rc, 0);
  EXPECT_EQ(Urd("vec list --dir ws").out, "");
  EXPECT_EQ(Json("vec drop --dir ws --collection docs")["dropped"], false);
}

// ---- sources ----

TEST_F(CliTest, UpsertF32AndFvecs) {
  File("v.f32", Floats({1, 0, 0, 1, 3, 4}));
  Outcome r = Urd("vec upsert --dir ws --collection raw --f32 v.f32");
  EXPECT_EQ(r.rc, 2);
  EXPECT_NE(r.err.find("--dim"), std::string::npos) << r.err;
  json up = Json("vec upsert --dir ws --collection raw --f32 v.f32 --dim 2 --id-prefix r --batch 2");
  EXPECT_EQ(up["upserted"], 3);
  EXPECT_EQ(up["batches"], 2);
  json g = Json("vec get --dir ws --collection raw --id r2");
  EXPECT_NEAR(g["records"][0]["vector"][0].get<double>(), 0.6, 1e-6);

  std::string fv;
  for (const auto& row : std::vector<std::vector<float>>{{0, 2}, {5, 5}}) {
    const int32_t d = 2;
    fv += std::string(reinterpret_cast<const char*>(&d), 4) + Floats(row);
  }
  File("v.fvecs", fv);
  up = Json("vec upsert --dir ws --collection fv --fvecs v.fvecs");
  EXPECT_EQ(up["upserted"], 2);
  json out = Json("vec search --dir ws --collection fv --vector '[0,1]' --k 1");
  EXPECT_EQ(Ids(out["hits"]), (Strings{"0"}));

  // A new store takes its dimension from an fvecs file.
  json up2 = Json("vec upsert --dir ws2 --collection fv --fvecs v.fvecs");
  EXPECT_EQ(up2["upserted"], 2);
  EXPECT_EQ(Json("vec stats --dir ws2")["dimension"], 2);
}

TEST_F(CliTest, UpsertFromStdinAndDefaultDirs) {
  const std::string rec = "{\"id\":\"s\",\"vector\":[0,1]}\n";
  // No store yet: the dimension comes from the records.
  Outcome r = Urd("vec upsert --collection c --jsonl -", rec);
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/.urd/vectors"));
  r = Urd("vec upsert --collection c --jsonl -", rec, "URD_DIR=envws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_TRUE(std::filesystem::exists(dir_ + "/envws/vectors"));
  EXPECT_EQ(Urd("vec list", "", "URD_DIR=envws").out, "c\n");
  EXPECT_EQ(Urd("vec list").out, "c\n");
}

TEST_F(CliTest, UpsertOfBadInputWritesNothing) {
  MakeDocs();
  File("bad.jsonl",
       "{\"id\":\"x\",\"vector\":[1,1,1]}\n"
       "{\"id\":\"y\",\"vector\":[1,1,1],\n");
  ExpectFails("vec upsert --dir ws --collection docs --jsonl bad.jsonl --batch 1", 2,
              "bad.jsonl: line 2: invalid JSON");
  File("dim.jsonl", "{\"id\":\"x\",\"vector\":[1,1,1]}\n{\"id\":\"y\",\"vector\":[1,1]}\n");
  ExpectFails("vec upsert --dir ws --collection docs --jsonl dim.jsonl", 2,
              "line 2: vector has 2 components; the store's dimension is 3");
  File("nan.jsonl", "{\"id\":\"x\",\"vector\":[1,\"NaN\",1]}\n");
  ExpectFails("vec upsert --dir ws --collection docs --jsonl nan.jsonl", 2,
              "line 1: vector[1]: expected a number, got string");
  File("zero.jsonl", "{\"id\":\"x\",\"vector\":[0,0,0]}\n");
  ExpectFails("vec upsert --dir ws --collection docs --jsonl zero.jsonl", 2, "all zeros");
  File("attrs.jsonl", "{\"id\":\"x\",\"vector\":[1,0,0],\"attrs\":{\"o\":{}}}\n");
  ExpectFails("vec upsert --dir ws --collection docs --jsonl attrs.jsonl", 2, "attrs.o");
  File("v.f32", Floats({1, 0, 0, 1}));
  ExpectFails("vec upsert --dir ws --collection docs --f32 v.f32", 2,
              "16 bytes is not a whole number of 12-byte rows");
  File("nan.f32", Floats({1, 0, 0, 0, 0, std::numeric_limits<float>::infinity()}));
  ExpectFails("vec upsert --dir ws --collection docs --f32 nan.f32 --batch 1", 2,
              "row 1 has a non-finite component");
  ExpectFails("vec upsert --dir ws --collection docs --f32 missing.f32", 3, "missing.f32");
  EXPECT_EQ(Json("vec stats --dir ws")["docs"], 4);  // nothing of the above was written

  // A bad first import into a new store creates nothing.
  ExpectFails("vec upsert --dir fresh --collection docs --jsonl bad.jsonl", 2, "line 2");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/fresh/vectors"));
}

// ---- errors ----

TEST_F(CliTest, BadInputIsExit2) {
  MakeDocs();
  ExpectFails("vec create --dir new --collection docs", 2, "--dim");
  ExpectFails("vec create --dir ws --collection docs --dim 4", 2, "dimension");
  ExpectFails("vec create --dir ws --collection " + Q("bad\x01name"), 2, "collection name");
  ExpectFails("vec create --dir new2 --dim 3 --collection " + Q("bad\x01name"), 2,
              "collection name");
  File("one.jsonl", "{\"id\":\"x\",\"vector\":[1,1,1]}\n");
  ExpectFails("vec upsert --dir new3 --jsonl one.jsonl --collection " + Q("bad\x01name"), 2,
              "collection name");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/new2/vectors"));
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/new3/vectors"));
  ExpectFails("vec search --dir ws --all --vector '[1,0' --k 1", 2, "--vector: invalid JSON");
  ExpectFails("vec search --dir ws --all --vector '[1,0]' --k 1", 2,
              "--vector has 2 components; the store's dimension is 3");
  ExpectFails("vec search --dir ws --all --vector '[1,true,0]' --k 1", 2,
              "--vector[1]: expected a number, got boolean");
  ExpectFails("vec search --dir ws --all --vector '[1,0,1e39]' --k 1", 2,
              "outside the range of a 32-bit float");
  ExpectFails("vec search --dir ws --all --vector '[0,0,0]' --k 1", 2, "all zeros");
  ExpectFails("vec search --dir ws --all --vector '[1,0,0]' --k 1 --filter '{\"eq\":'", 2,
              "filter");
  ExpectFails("vec search --dir ws --all --vector '[1,0,0]' --k 1 --filter '{\"bogus\":1}'", 2,
              "bogus");
  ExpectFails("vec delete --dir ws --collection docs --filter '[]'", 2, "filter");
}

TEST_F(CliTest, MissingStoreIsExit3) {
  for (const char* verb : {"vec list", "vec stats", "vec compact", "vec drop --collection c",
                           "vec meta --collection c", "vec meta --collection c --set a=b",
                           "vec get --collection c --id a", "vec delete --collection c --id a",
                           "vec search --all --vector '[1]' --k 1"}) {
    Outcome r = Urd(std::string(verb) + " --dir nowhere");
    EXPECT_EQ(r.rc, 3) << verb << "\nstderr: " << r.err;
    EXPECT_NE(r.err.find("nowhere/vectors"), std::string::npos) << verb << ": " << r.err;
  }
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/nowhere/vectors/CURRENT"));
}

TEST_F(CliTest, UsageErrorsAreExit1) {
  MakeDocs();
  EXPECT_EQ(Urd("vec upsert --dir ws --collection docs").rc, 1);
  EXPECT_EQ(Urd("vec upsert --dir ws --collection docs --jsonl a --f32 b").rc, 1);
  EXPECT_EQ(Urd("vec search --dir ws --vector '[1,0,0]' --k 1").rc, 1);
  EXPECT_EQ(Urd("vec search --dir ws --all --collection docs --vector '[1,0,0]' --k 1").rc, 1);
  EXPECT_EQ(Urd("vec search --dir ws --all --k 1").rc, 1);
  EXPECT_EQ(Urd("vec search --dir ws --all --vector '[1,0,0]'").rc, 1);  // --k is required
  EXPECT_EQ(Urd("vec delete --dir ws --collection docs").rc, 1);
  EXPECT_EQ(Urd("vec create --dir ws").rc, 1);
  EXPECT_EQ(Urd("vec").rc, 1);
  Outcome help = Urd("vec upsert --help");
  EXPECT_EQ(help.rc, 0);
  EXPECT_NE(help.out.find("earlier batches stay committed"), std::string::npos) << help.out;
}

// ---- import nidus ----

TEST_F(CliTest, ImportNidusBasic) {
  Outcome r = Urd("import nidus " + Q(kGolden + "/basic") + " --dir ws");
  ASSERT_EQ(r.rc, 0) << r.err;
  EXPECT_NE(r.out.find("imported 1 collections, 1 records (dimension 3)"), std::string::npos)
      << r.out;
  json g = Json("vec get --dir ws --collection docs --id a");
  ASSERT_EQ(g["records"].size(), 1u);
  EXPECT_EQ(g["records"][0]["vector"], json::parse("[1.0, 0.0, 0.0]"));
  EXPECT_EQ(g["records"][0]["attrs"], json::parse(R"({"kind":"file"})"));
  EXPECT_EQ(Json("vec stats --dir ws")["dimension"], 3);
}

TEST_F(CliTest, ImportNidusFull) {
  json s = Json("import nidus " + Q(kGolden + "/full") + " --dir ws");
  EXPECT_EQ(s["collections"], 3);
  EXPECT_EQ(s["records"], 3);
  EXPECT_EQ(s["dimension"], 4);
  EXPECT_EQ(s["skipped_upserts"], 2);
  EXPECT_EQ(s["ignored_torn_log_bytes"], 0);
  EXPECT_EQ(Urd("vec list --dir ws").out, "docs\nmeta_only\nnotes\n");
  json a = Json("vec get --dir ws --collection docs --id a");
  EXPECT_EQ(a["records"][0]["vector"], json::parse("[0.5, 0.5, 0.5, 0.5]"));
  EXPECT_EQ(a["records"][0]["attrs"],
            json::parse(R"({"s":"y","lo":-9223372036854775808})"));
  EXPECT_EQ(Urd("vec get --dir ws --collection docs --id b").rc, 3);  // deleted in nidus
  EXPECT_EQ(Json("vec meta --dir ws --collection docs")["meta"],
            json::parse(R"({"model":"m1","owner":"ann"})"));
  EXPECT_EQ(Json("vec meta --dir ws --collection meta_only")["meta"],
            json::parse(R"({"k":"v"})"));
  json n = Json("vec get --dir ws --collection notes --id n1 " + Q("\u00f12"));
  ASSERT_EQ(n["records"].size(), 2u);
  EXPECT_EQ(n["records"][1]["attrs"],
            json::parse("{\"t\u00e9\":\"\u65e5\u672c\",\"e\":\"\",\"x\":[\"\",\"\u00e9\"]}"));
  json out = Json("vec search --dir ws --collection notes --vector '[0.6,0.8,0,0]' --k 1");
  EXPECT_EQ(Ids(out["hits"]), (Strings{"n1"}));

  // Importing again changes nothing; the human summary names the skipped upserts.
  Outcome again = Urd("import nidus " + Q(kGolden + "/full") + " --dir ws");
  ASSERT_EQ(again.rc, 0) << again.err;
  EXPECT_NE(again.out.find("skipped upserts (row beyond the data file): 2"), std::string::npos);
  EXPECT_EQ(Json("vec stats --dir ws")["docs"], 3);
}

TEST_F(CliTest, ImportNidusChecksAndErrors) {
  json torn = Json("import nidus " + Q(kGolden + "/torn") + " --dir t");
  EXPECT_GT(torn["ignored_torn_log_bytes"].get<uint64_t>(), 0u);
  EXPECT_EQ(torn["ignored_partial_row_bytes"], 6);
  // --dim-check reads and checks, writes nothing.
  json check = Json("import nidus " + Q(kGolden + "/full") + " --dir c --dim-check");
  EXPECT_EQ(check["checked_only"], true);
  EXPECT_EQ(check["records"], 3);
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/c/vectors"));
  // A store of another dimension is refused, checked or not.
  ASSERT_EQ(Urd("import nidus " + Q(kGolden + "/basic") + " --dir ws").rc, 0);
  ExpectFails("import nidus " + Q(kGolden + "/full") + " --dir ws", 2, "dimension");
  ExpectFails("import nidus " + Q(kGolden + "/full") + " --dir ws --dim-check", 2, "dimension");
  ExpectFails("import nidus " + Q(kGolden + "/corrupt") + " --dir x", 5, "corruption");
  ExpectFails("import nidus nowhere --dir x", 3, "nowhere");
  EXPECT_FALSE(std::filesystem::exists(dir_ + "/x"));
}

}  // namespace
