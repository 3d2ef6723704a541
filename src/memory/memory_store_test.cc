// Copyright urd authors. MemoryStore: persistence, replay, read-only refresh, the
// writer lock, crash cuts at every byte of the last batch, injected I/O faults,
// corruption.

#include "urd/memory_store.h"

#include <filesystem>
#include <fstream>
#include <atomic>
#include <iterator>
#include <thread>

#include <gtest/gtest.h>

#include "memory/memory_store_impl.h"
#include "memory/mimir_file.h"
#include "storage/fault_env.h"

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

const char* const kBatches[] = {
    "(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)",
    "(sem @alice @city @berlin :src @observation :c 0.9 :v 2024-03-01) (alias @alice @al)",
    "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0) (pin @__mem_0 :actor @m)",
    "(episode :start :label \"trip\") (inf @al @likes @beer (@__mem_1) @direct_lookup :c 0.5 "
    ":v 2024-03-02) (epi @ev @met (@al @bob) @bar :at 2024-03-03 :obs 2024-03-03 :src "
    "@observation :c 0.6)",
    "(sem @alice @city @rome :src @observation :c 0.9 :v 2024-02-01) (retire @rome)",
};

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("urd_memstore_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

std::unique_ptr<MemoryStore> OpenOk(const std::string& dir, MemoryOptions o = {}) {
  auto s = MemoryStore::Open(dir, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

// Everything a reader can observe, as text.
std::string Observe(const MemoryStore& store) {
  std::string out;
  auto dump = store.Dump();
  EXPECT_TRUE(dump.ok());
  for (const MemoryHit& h : *dump) {
    out += h.memory_id + " " + h.form + (h.pinned ? " P" : "") + " <-";
    for (const auto& s : h.superseded_by) out += " " + s;
    out += "\n";
  }
  MemoryStats st = store.Stats();
  out += "edges=" + std::to_string(st.edges) + " symbols=" + std::to_string(st.symbols) +
         " episodes=" + std::to_string(st.episodes) + " clock=" +
         std::to_string(st.last_committed_at);
  auto q = store.Query("(query :include_retired true)");
  EXPECT_TRUE(q.ok());
  for (const MemoryHit& h : q->records) out += " q:" + h.memory_id;
  return out;
}

std::string ReadFile(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
}

void WriteFile(const std::string& path, const std::string& bytes) {
  std::ofstream f(path, std::ios::binary | std::ios::trunc);
  f.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
}

TEST(MemoryStoreTest, ReopenReplaysEverything) {
  std::string dir = TempDir("reopen");
  std::string live;
  {
    auto s = OpenOk(dir);
    uint64_t now = kNow;
    for (const char* b : kBatches) {
      auto r = s->Commit(b, now++);
      ASSERT_TRUE(r.ok()) << r.status().ToString() << "\n" << b;
    }
    live = Observe(*s);
  }
  auto s = OpenOk(dir);
  EXPECT_EQ(Observe(*s), live);
  // Counters and indices continue: a new fact supersedes berlin, ids continue.
  auto r = s->Commit("(sem @alice @city @oslo :src @observation :c 0.9 :v 2024-04-01)", kNow);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->episode, "__ep_5");
  EXPECT_EQ(r->memory_ids, std::vector<std::string>{"__mem_6"});
  EXPECT_EQ(r->committed_at, kNow + 5);  // the watermark survived the reopen
  auto q = s->Query("(query :s @alice :p @city)");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->records.size(), 1u);
  EXPECT_NE(q->records[0].form.find("@oslo"), std::string::npos) << q->records[0].form;
  std::filesystem::remove_all(dir);
}

TEST(MemoryStoreTest, FailedCommitWritesNothing) {
  std::string dir = TempDir("failed");
  auto s = OpenOk(dir);
  ASSERT_TRUE(s->Commit(kBatches[0], kNow).ok());
  uint64_t size = s->Stats().log_bytes;
  std::string before = Observe(*s);
  auto r = s->Commit("(sem @x @p 1 :src @observation :c 0.9 :v 2024-01-01) (sem @oops", kNow);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  r = s->Commit("(sem @x @p 1 :src @observation :c 0.9 :v 2024-01-01) (retire @nobody)", kNow);
  EXPECT_EQ(r.status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(s->Stats().log_bytes, size);
  EXPECT_EQ(Observe(*s), before);
  std::filesystem::remove_all(dir);
}

TEST(MemoryStoreTest, SecondWriterIsRefusedAndReadersRefresh) {
  std::string dir = TempDir("lock");
  auto w = OpenOk(dir);
  auto second = MemoryStore::Open(dir, {});
  EXPECT_EQ(second.status().code(), StatusCode::kBusy) << second.status().ToString();
  MemoryOptions ro;
  ro.read_only = true;
  auto r = OpenOk(dir, ro);
  EXPECT_EQ(r->Commit("", kNow).status().code(), StatusCode::kFailedPrecondition);
  ASSERT_TRUE(w->Commit(kBatches[0], kNow).ok());
  EXPECT_EQ(r->Stats().sem, 0u);
  ASSERT_TRUE(r->Refresh().ok());
  EXPECT_EQ(r->Stats().sem, 1u);
  ASSERT_TRUE(w->Commit(kBatches[1], kNow).ok());
  ASSERT_TRUE(r->Refresh().ok());
  EXPECT_EQ(Observe(*r), Observe(*w));
  std::filesystem::remove_all(dir);
}

// A crash at any byte of the last batch reopens to the state before that batch.
TEST(MemoryStoreTest, CrashCutAtEveryByteOfTheLastBatch) {
  std::string dir = TempDir("cut");
  std::string before_last, full;
  uint64_t size_before = 0;
  {
    auto s = OpenOk(dir);
    uint64_t now = kNow;
    for (size_t i = 0; i + 1 < std::size(kBatches); ++i) ASSERT_TRUE(s->Commit(kBatches[i], now++).ok());
    before_last = Observe(*s);
    size_before = s->Stats().log_bytes;
    ASSERT_TRUE(s->Commit(kBatches[std::size(kBatches) - 1], now).ok());
  }
  std::string log = dir + "/memory.log";
  full = ReadFile(log);
  ASSERT_GT(full.size(), size_before);
  std::string cut_dir = TempDir("cut_copy");
  std::filesystem::create_directories(cut_dir);
  for (uint64_t cut = size_before; cut < full.size(); ++cut) {
    WriteFile(cut_dir + "/memory.log", full.substr(0, cut));
    {
      auto s = OpenOk(cut_dir);
      ASSERT_NE(s, nullptr) << "cut at " << cut;
      ASSERT_EQ(Observe(*s), before_last) << "cut at " << cut;
    }
    EXPECT_EQ(std::filesystem::file_size(cut_dir + "/memory.log"), size_before) << cut;
  }
  std::filesystem::remove_all(dir);
  std::filesystem::remove_all(cut_dir);
}

TEST(MemoryStoreTest, CorruptionIsReportedAndNothingIsChanged) {
  std::string dir = TempDir("corrupt");
  {
    auto s = OpenOk(dir);
    uint64_t now = kNow;
    for (const char* b : kBatches) ASSERT_TRUE(s->Commit(b, now++).ok());
  }
  std::string log = dir + "/memory.log";
  std::string bytes = ReadFile(log);
  bytes[bytes.size() / 3] ^= 0x40;
  WriteFile(log, bytes);
  auto s = MemoryStore::Open(dir, {});
  EXPECT_EQ(s.status().code(), StatusCode::kCorruption) << s.status().ToString();
  EXPECT_NE(s.status().ToString().find("offset"), std::string::npos);
  EXPECT_EQ(ReadFile(log), bytes);
  MemoryOptions salvage;
  salvage.salvage = true;
  auto saved = MemoryStore::Open(dir, salvage);
  ASSERT_TRUE(saved.ok()) << saved.status().ToString();
  EXPECT_LT((*saved)->Stats().episodes, std::size(kBatches));
  std::filesystem::remove_all(dir);
}

// Every write and sync of a commit fails once: the commit reports the error, the
// store keeps its state, and a reopen sees either all of the batch or none.
TEST(MemoryStoreTest, InjectedFaultsRollBackCompletely) {
  for (FaultOp op : {FaultOp::kWrite, FaultOp::kSync}) {
    auto mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    MemoryOptions o;
    o.env = &env;
    std::string before, after_ok;
    {
      auto s = OpenOk("/db", o);
      ASSERT_TRUE(s->Commit(kBatches[0], kNow).ok());
      before = Observe(*s);
      env.FailNth(op, 1);
      auto r = s->Commit(kBatches[1], kNow + 1);
      EXPECT_FALSE(r.ok());
      EXPECT_EQ(Observe(*s), before);
      env.ClearFaults();
      auto again = s->Commit(kBatches[1], kNow + 1);
      if (op == FaultOp::kWrite) {
        ASSERT_TRUE(again.ok()) << again.status().ToString();
        after_ok = Observe(*s);
      } else {
        EXPECT_EQ(again.status().code(), StatusCode::kFailedPrecondition);  // poisoned
      }
    }
    auto s = OpenOk("/db", o);
    std::string reopened = Observe(*s);
    if (op == FaultOp::kWrite) {
      EXPECT_EQ(reopened, after_ok);
    } else {
      EXPECT_TRUE(reopened.find("paris") != std::string::npos);
      EXPECT_EQ(s->Stats().sem == 1 ? before : reopened, reopened);
    }
  }
}

TEST(MemoryStoreTest, ImportedMimirBatchesReplayIntoTheStore) {
  std::ifstream f(URD_TESTDATA_DIR "/mimir_v1_sem_batch.golden", std::ios::binary);
  std::string golden((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  auto scan = mem::ScanMimirLog(golden);
  ASSERT_TRUE(scan.ok()) << scan.status().ToString();
  auto store = MemoryStore::OpenInMemory();
  ASSERT_TRUE(store.ok());
  auto* impl = dynamic_cast<mem::MemoryStoreImpl*>(store->get());
  ASSERT_NE(impl, nullptr);
  for (const auto& batch : scan->batches) ASSERT_TRUE(impl->AppendReplayBatch(batch).ok());
  auto q = (*store)->Query("(query :s @alice :p @knows)");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->records.size(), 1u);
  EXPECT_EQ(q->records[0].memory_id, "__mem_0");
  // The next batch continues the counters: __mem_1 in episode __ep_1.
  auto r = (*store)->Commit("(sem @alice @likes \"tea\" :src @observation :c 0.8 :v 2024-01-16)",
                            1'713'350'400'000);
  ASSERT_TRUE(r.ok()) << r.status().ToString();
  EXPECT_EQ(r->episode, "__ep_1");
  EXPECT_EQ(r->committed_at, 1'713'350'400'001u);
}

std::string Golden(const char* name) {
  return ReadFile(std::string(URD_TESTDATA_DIR) + "/" + name);
}

// memory.log golden file (docs/format.md §5, built by make_memory_golden.py from
// the format documents): a fresh store writes it byte for byte, and reads it.
TEST(MemoryStoreTest, MemoryLogGoldenFile) {
  std::string golden = Golden("memory_v1_sem_batch.golden");
  ASSERT_EQ(golden.size(), 299u);
  std::string dir = TempDir("golden");
  {
    auto s = OpenOk(dir);
    auto r = s->Commit("(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15)",
                       1'713'350'400'000);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    EXPECT_EQ(r->episode, "__ep_0");
  }
  EXPECT_EQ(ReadFile(dir + "/memory.log"), golden);
  std::filesystem::remove_all(dir);
  std::filesystem::create_directories(dir);
  WriteFile(dir + "/memory.log", golden);
  MemoryOptions ro;
  ro.read_only = true;
  auto s = OpenOk(dir, ro);
  auto q = s->Query("(query :s @alice :p @knows)");
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q->records.size(), 1u);
  EXPECT_EQ(q->records[0].form,
            "(sem @alice @knows @bob :src @observation :c 0.8 :v 2024-01-15T00:00:00Z)");
  EXPECT_EQ(q->records[0].committed_at, 1'713'350'400'000u);
  std::filesystem::remove_all(dir);
}

// Readers query (and a read-only opener refreshes) while the writer commits: every
// answer is a consistent committed state (the clock never goes back; the fact
// count matches a whole number of batches). Runs under TSan in CI.
TEST(MemoryStoreTest, ConcurrentReadersDuringCommits) {
  std::string dir = TempDir("concurrent");
  auto w = OpenOk(dir);
  MemoryOptions ro;
  ro.read_only = true;
  auto r = OpenOk(dir, ro);
  std::atomic<bool> done{false};
  std::atomic<int> failures{0};
  auto reader = [&](MemoryStore* s, bool refresh) {
    uint64_t last_clock = 0;
    while (!done.load()) {
      if (refresh && !s->Refresh().ok()) failures++;
      auto q = s->Query("(query :kind sem)");
      if (!q.ok() || q->records.size() % 2 != 0 || q->query_committed_at < last_clock) failures++;
      if (q.ok()) last_clock = q->query_committed_at;
    }
  };
  std::thread t1(reader, w.get(), false), t2(reader, r.get(), true);
  for (int i = 0; i < 150; ++i) {
    std::string b = "(sem @a" + std::to_string(i) + " @p 1 :src @observation :c 0.9 :v 2024-01-01)"
                    "(sem @b" + std::to_string(i) + " @p 1 :src @observation :c 0.9 :v 2024-01-01)";
    ASSERT_TRUE(w->Commit(b, kNow + i).ok());
  }
  done = true;
  t1.join();
  t2.join();
  EXPECT_EQ(failures.load(), 0);
  ASSERT_TRUE(r->Refresh().ok());
  EXPECT_EQ(r->Stats().sem, 300u);
  std::filesystem::remove_all(dir);
}

TEST(MemoryStoreTest, DecayOverridesAndBadKeys) {
  MemoryOptions o;
  o.decay_days["semantic.observation"] = 0;
  auto s = MemoryStore::OpenInMemory(o);
  ASSERT_TRUE(s.ok());
  ASSERT_TRUE((*s)->Commit("(sem @a @p 1 :src @observation :c 0.8 :v 2000-01-01)", kNow).ok());
  auto q = (*s)->Query("(query)");
  ASSERT_TRUE(q.ok());
  EXPECT_DOUBLE_EQ(q->records[0].effective_confidence, q->records[0].confidence);
  o.decay_days["semantic.bogus"] = 3;
  EXPECT_EQ(MemoryStore::OpenInMemory(o).status().code(), StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace urd
