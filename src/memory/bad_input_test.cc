// Copyright urd authors. Bad input to the MemoryStore API (docs/reliability_inputs.md):
// one batch of every error family (lex, parse, bind, semantic, emit, conflicts,
// metadata) committed to an on-disk store gets InvalidArgument with its kind and
// position, and memory.log stays byte for byte what it was, as does everything a
// reader sees; so do reads with bad forms, and opens of bad or missing logs.

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

#include "urd/memory_store.h"

namespace urd {
namespace {

namespace fs = std::filesystem;

constexpr uint64_t kNow = 1'713'350'400'000;  // 2024-04-17T10:40:00Z

std::string FreshDir(const std::string& name) {
  fs::path p = fs::temp_directory_path() / ("urd_mem_bad_" + name + "_" + std::to_string(getpid()));
  fs::remove_all(p);
  return p.string();
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

// Everything a reader can observe, as text.
std::string Observe(const MemoryStore& store) {
  std::string out;
  auto dump = store.Dump();
  EXPECT_TRUE(dump.ok());
  if (dump.ok()) {
    for (const MemoryHit& h : *dump) out += h.memory_id + " " + h.form + "\n";
  }
  const MemoryStats st = store.Stats();
  out += "symbols=" + std::to_string(st.symbols) + " episodes=" + std::to_string(st.episodes) +
         " edges=" + std::to_string(st.edges) + " pinned=" + std::to_string(st.pinned) +
         " clock=" + std::to_string(st.last_committed_at) + " bytes=" + std::to_string(st.log_bytes);
  return out;
}

class MemoryBadInputTest : public testing::Test {
 protected:
  void SetUp() override {
    dir_ = FreshDir(testing::UnitTest::GetInstance()->current_test_info()->name());
    auto s = MemoryStore::Open(dir_, {});
    ASSERT_TRUE(s.ok()) << s.status().ToString();
    store_ = std::move(*s);
    for (const char* batch :
         {"(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)",
          "(epi @ev @met (@alice @bob) @bar :at 2024-03-03 :obs 2024-03-03 :src @observation :c 0.6)"
          " (pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0)"}) {
      auto r = store_->Commit(batch, kNow);
      ASSERT_TRUE(r.ok()) << r.status().ToString();
    }
    log_ = ReadFile(store_->log_path());
    seen_ = Observe(*store_);
  }
  void TearDown() override {
    store_.reset();
    fs::remove_all(dir_);
  }

  void ExpectUnchanged(const std::string& what) {
    EXPECT_EQ(Observe(*store_), seen_) << what;
    EXPECT_TRUE(ReadFile(store_->log_path()) == log_) << what << ": memory.log changed";
  }

  std::string dir_;
  std::unique_ptr<MemoryStore> store_;
  std::string log_, seen_;
};

TEST_F(MemoryBadInputTest, EveryErrorFamilyOfACommitWritesNothing) {
  const std::string deep = "(sem @a @b " + std::string(300, '(') + "1" + std::string(300, ')') +
                           " :src @observation :c 0.5 :v 2024-01-01)";
  struct Case {
    std::string forms;
    std::string message;  // the start of the status message
  };
  const Case cases[] = {
      // Lex errors.
      {"(sem @a @b \"abc", "line 1, column 12: Lex: UnterminatedString"},
      {"(sem @a @b \"caf\xff\" :src @observation :c 0.5 :v 2024-01-01)",
       "line 1, column 16: Lex: UnexpectedByte"},
      {"(sem @Alice @b @c :src @observation :c 0.5 :v 2024-01-01)",
       "line 1, column 6: Lex: InvalidIdentifier"},
      {"(sem @a @b 1.2.3 :src @observation :c 0.5 :v 2024-01-01)",
       "line 1, column 12: Lex: InvalidNumber"},
      // Parse errors.
      {"(sem @a @b", "line 1, column 11: UnexpectedEof"},
      {"(frobnicate @x)", "line 1, column 2: UnknownOpcode"},
      {"(sem @a @b @c :src @observation :c 0.5 :v 2024-01-01 :bogus 1)",
       "line 1, column 54: BadKeyword"},
      {"(sem @a @b @c :src @observation :c 0.5)", "line 1, column 1: MissingRequiredKeyword"},
      {deep, "NestingTooDeep"},
      // Bind errors: a good form before the bad one is not written either.
      {"(sem @x @p 1 :src @observation :c 0.5 :v 2024-01-01) (retire @nobody)",
       "line 1, column 62: UnknownSymbol"},
      {"(sem @x @p 1 :src @observation :c 1.5 :v 2024-01-01)", "line 1, column 35: ConfidenceOutOfRange"},
      {"(sem @x @p 1 :src @observation :c 0.5 :v 2024-99-01)", "InvalidTimestampKeyword"},
      {"(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01 :projected 7)",
       "InvalidKeywordValue"},
      // Semantic and emit errors.
      {"(sem @a @p 1 :src @profile :c 0.99 :v 2024-01-01)", "ConfidenceExceedsSourceBound"},
      {"(pro @r \"t\" \"a\" :scp @s :src @observation :c 0.5)", "SourceKindNotAdmitted"},
      {"(sem @a @p 1 :src @observation :c 0.5 :v 2030-01-01)", "FutureValidity"},
      {"(epi @e @k () @l :at 2024-01-02 :obs 2024-01-01 :src @observation :c 0.5)",
       "InvalidClockOrder"},
      {"(inf @a @p 1 () @direct_lookup :c 0.5 :v 2024-01-01)", "EmptyDerivedFrom"},
      {"(query :s @alice)", "line 1, column 1: Unsupported"},
      {"(sem @__mem_9 @b @c :src @observation :c 0.9 :v 2024-01-01)",
       "line 1, column 1: MemoryIdAllocation"},
      {"(pin @__mem_99 :actor @m)", ""},
      // A conflict with a stored memory: the same key and valid time.
      {"(sem @alice @city @rome :src @observation :c 0.9 :v 2024-01-01)", ""},
      // Symbol kinds: @alice is an Agent, @city a Predicate.
      {"(sem @city @alice @x :src @observation :c 0.9 :v 2024-01-01)", ""},
      {"(alias @nobody @none)", ""},
  };
  for (const Case& c : cases) {
    auto r = store_->Commit(c.forms, kNow + 1000);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << c.forms << " -> "
                                                               << r.status().ToString();
    const std::string msg(r.status().message());
    if (!c.message.empty()) {
      EXPECT_NE(msg.find(c.message), std::string::npos) << c.forms << " -> " << msg;
    }
    ExpectUnchanged(c.forms);
  }
  // The store still takes good batches after all of that, and its ids go on.
  auto ok = store_->Commit("(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01)", kNow);
  ASSERT_TRUE(ok.ok()) << ok.status().ToString();
  EXPECT_EQ(ok->episode, "__ep_2");
}

TEST_F(MemoryBadInputTest, EpisodeMetadata) {
  EpisodeMetadata label;
  label.label = std::string(257, 'l');
  auto r = store_->Commit("", kNow, &label);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().ToString().find("episode label is 257 bytes; at most 256"),
            std::string::npos)
      << r.status().ToString();
  ExpectUnchanged("long label");
  EpisodeMetadata parent;
  parent.parent = "__ep_77";
  r = store_->Commit("", kNow, &parent);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_NE(r.status().ToString().find("episode metadata: unknown episode `__ep_77`"),
            std::string::npos)
      << r.status().ToString();
  ExpectUnchanged("unknown parent");
  EpisodeMetadata retracts;
  retracts.retracts = {"__ep_0", "__ep_88"};
  r = store_->Commit("", kNow, &retracts);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  ExpectUnchanged("unknown retracted episode");
}

TEST_F(MemoryBadInputTest, BadReadsChangeNothing) {
  for (const char* q : {"(query :s", "(query) (query)", "", "(sem @a @p 1 :src @o :c 0.5 :v 2024-01-01)",
                        "(query :kind fact)", "(query :limit -1)", "(query :s @Alice)"}) {
    auto r = store_->Query(q);
    EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument) << q;
    EXPECT_EQ(r.status().message().rfind("line ", 0), 0u) << r.status().ToString();
  }
  // An unknown symbol in a query is no error: it matches nothing.
  auto none = store_->Query("(query :s @nobody)");
  ASSERT_TRUE(none.ok()) << none.status().ToString();
  EXPECT_TRUE(none->records.empty());
  for (const char* name : {"nobody", "", "@", "Not A Name"}) {
    auto h = store_->History(name);
    EXPECT_EQ(h.status().code(), StatusCode::kNotFound) << name;
    EXPECT_NE(h.status().ToString().find("unknown symbol"), std::string::npos)
        << h.status().ToString();
  }
  auto d = store_->Dump("fact");
  EXPECT_EQ(d.status().code(), StatusCode::kInvalidArgument) << d.status().ToString();
  ExpectUnchanged("reads");
}

TEST_F(MemoryBadInputTest, WritesToAReadOnlyStore) {
  MemoryOptions ro;
  ro.read_only = true;
  auto r = MemoryStore::Open(dir_, ro);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  auto c = (*r)->Commit("(sem @x @p 1 :src @observation :c 0.5 :v 2024-01-01)", kNow);
  EXPECT_EQ(c.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_NE(c.status().ToString().find("open read-only"), std::string::npos);
  ExpectUnchanged("read-only commit");
}

// memory.log files that are not memory logs, and logs that are missing: the open
// fails, and nothing is created, repaired or truncated.
TEST(MemoryBadOpenTest, BadAndMissingLogs) {
  const std::string dir = FreshDir("open");
  MemoryOptions no_create;
  no_create.create_if_missing = false;
  auto s = MemoryStore::Open(dir, no_create);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound) << s.status().ToString();
  EXPECT_FALSE(fs::exists(dir));
  MemoryOptions ro;
  ro.read_only = true;
  s = MemoryStore::Open(dir, ro);
  EXPECT_EQ(s.status().code(), StatusCode::kNotFound) << s.status().ToString();
  EXPECT_FALSE(fs::exists(dir));
  MemoryOptions decay;
  decay.decay_days["semantic.nonsense"] = 3;
  s = MemoryStore::Open(dir, decay);
  EXPECT_EQ(s.status().code(), StatusCode::kInvalidArgument) << s.status().ToString();

  fs::create_directories(dir);
  const std::string log = dir + "/memory.log";
  const std::string garbage = "this is not an urd log, just some text\n";
  for (const std::string& bytes : {garbage, std::string(8, '\0') + garbage}) {
    WriteFile(log, bytes);
    for (bool read_only : {false, true}) {
      MemoryOptions o;
      o.read_only = read_only;
      s = MemoryStore::Open(dir, o);
      EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
      EXPECT_NE(s.status().ToString().find("not an urd log"), std::string::npos)
          << s.status().ToString();
      EXPECT_EQ(ReadFile(log), bytes);
    }
  }
  // A log whose frames are good but whose first batch was cut short by a bad byte
  // in the middle of the file: Corruption naming the offset, the file untouched.
  fs::remove_all(dir);
  uint64_t first_end = 0;
  {
    auto w = MemoryStore::Open(dir, {});
    ASSERT_TRUE(w.ok());
    ASSERT_TRUE((*w)->Commit("(sem @a @p 1 :src @observation :c 0.5 :v 2024-01-01)", kNow).ok());
    first_end = (*w)->Stats().log_bytes;
    ASSERT_TRUE((*w)->Commit("(sem @b @p 2 :src @observation :c 0.5 :v 2024-01-01)", kNow).ok());
  }
  std::string bytes = ReadFile(log);
  bytes[(32 + first_end) / 2] ^= 0x5a;  // inside the first batch; the second follows
  WriteFile(log, bytes);
  s = MemoryStore::Open(dir, {});
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
  EXPECT_NE(s.status().ToString().find("offset"), std::string::npos) << s.status().ToString();
  EXPECT_EQ(ReadFile(log), bytes);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace urd
