// Copyright urd authors. Fault sweep of the memory store (issue 6): a workload of
// opens, commits (with supersession and symbol operations), an import batch and
// reopens runs once per (I/O operation kind, n): the n-th call of that kind fails.
// Sweeping n until the workload makes fewer calls than n reaches every I/O call
// site the workload passes through. Each failure must surface as an error (never a
// crash), and a reopen with the faults gone must show exactly the acknowledged
// batches, or those plus the failed one (all of it: a batch is atomic) when its
// failure was a sync whose data reached the file. Disk-full (every write failing
// from some point), torn writes, and torn writes whose undo fails are swept the
// same way. Not modelled: short reads (the Env returns what it was asked for).

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "memory/memory_store_impl.h"
#include "storage/fault_env.h"
#include "urd/memory_store.h"

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

const char* const kBatches[] = {
    "(sem @alice @city @paris :src @observation :c 0.9 :v 2024-01-01)",
    "(sem @alice @city @berlin :src @observation :c 0.9 :v 2024-03-01) (alias @alice @al)",
    "(pro @r1 \"t\" \"a\" :scp @s :src @policy :c 1.0) (pin @__mem_0 :actor @m)",
    ("(episode :start :label \"trip\") (epi @ev @met (@al @bob) @bar :at 2024-03-03 :obs "
     "2024-03-03 :src @observation :c 0.6)"),
    "(sem @bob @likes \"tea\" :src @observation :c 0.8 :v 2024-03-04) (retire @bar)",
    "(sem @carol @city @rome :src @observation :c 0.9 :v 2024-02-01)",
};
constexpr size_t kNumBatches = sizeof(kBatches) / sizeof(kBatches[0]);

const char* OpName(FaultOp op) {
  static const char* const kNames[] = {"open", "write", "sync",  "rename",
                                       "truncate", "syncdir", "read", "remove"};
  return kNames[static_cast<int>(op)];
}

// Everything a reader can observe, as text.
std::string Observe(const MemoryStore& store) {
  std::string out;
  auto dump = store.Dump();
  EXPECT_TRUE(dump.ok());
  if (!dump.ok()) return "<dump failed>";
  for (const MemoryHit& h : *dump) out += h.memory_id + " " + h.form + (h.pinned ? " P" : "") + "\n";
  const MemoryStats st = store.Stats();
  out += "symbols=" + std::to_string(st.symbols) + " episodes=" + std::to_string(st.episodes);
  return out;
}

// The observation after the first k batches, for k = 0..kNumBatches.
const std::vector<std::string>& Expected() {
  static const std::vector<std::string> expected = [] {
    std::vector<std::string> out;
    auto store = MemoryStore::OpenInMemory();
    EXPECT_TRUE(store.ok());
    out.push_back(Observe(**store));
    for (size_t i = 0; i < kNumBatches; ++i) {
      EXPECT_TRUE((*store)->Commit(kBatches[i], kNow + i).ok()) << i;
      out.push_back(Observe(**store));
    }
    return out;
  }();
  return expected;
}

struct Outcome {
  size_t acked = 0;      // batches acknowledged
  bool failed = false;   // some call returned an error
  std::string where;     // which call failed first
};

// Opens, commits every batch (reopening half-way), stopping at the first error.
Outcome RunWorkload(Env* env, const std::string& dir, bool per_write) {
  Outcome out;
  MemoryOptions o;
  o.env = env;
  o.lock_per_write = per_write;
  auto fail = [&](const std::string& where, const Status& s) {
    EXPECT_FALSE(s.ok());
    EXPECT_FALSE(s.message().empty()) << where;  // an error names what failed
    out.failed = true;
    out.where = where + ": " + s.ToString();
  };
  for (int part = 0; part < 2 && !out.failed; ++part) {
    auto store = MemoryStore::Open(dir, o);
    if (!store.ok()) {
      fail("open " + std::to_string(part), store.status());
      break;
    }
    if (Observe(**store) != Expected()[out.acked]) {
      ADD_FAILURE() << "open " << part << " does not show the " << out.acked << " acked batches";
    }
    const size_t end = part == 0 ? kNumBatches / 2 : kNumBatches;
    for (; out.acked < end; ++out.acked) {
      auto r = (*store)->Commit(kBatches[out.acked], kNow + out.acked);
      if (!r.ok()) {
        fail("commit " + std::to_string(out.acked), r.status());
        // A failed commit changes nothing in memory.
        EXPECT_EQ(Observe(**store), Expected()[out.acked]) << out.where;
        break;
      }
    }
  }
  return out;
}

// What a reopen with the faults gone shows: the acked batches, or one more.
void CheckReopen(Env* base, const std::string& dir, const Outcome& out, const std::string& what) {
  MemoryOptions o;
  o.env = base;
  auto store = MemoryStore::Open(dir, o);
  ASSERT_TRUE(store.ok()) << what << " (" << out.where << "): reopen failed: "
                          << store.status().ToString();
  const std::string seen = Observe(**store);
  const bool exact = seen == Expected()[out.acked];
  const bool one_more = out.acked < kNumBatches && seen == Expected()[out.acked + 1];
  EXPECT_TRUE(exact || one_more) << what << " (" << out.where << "): " << out.acked
                                 << " batches acked; the store shows\n" << seen;
  // And it is writable again.
  const size_t next = exact ? out.acked : out.acked + 1;
  if (next < kNumBatches) {
    EXPECT_TRUE((*store)->Commit(kBatches[next], kNow + next).ok()) << what;
  }
}

// Sweeps n for one kind of fault; returns how many calls of that kind failed.
int Sweep(FaultOp op, bool per_write, const std::function<void(FaultInjectionEnv*, int)>& arm,
          const std::string& label) {
  int n = 1;
  for (;; ++n) {
    auto mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    arm(&env, n);
    const Outcome out = RunWorkload(&env, "/db", per_write);
    const bool fired = env.Calls(op) >= n;
    if (!fired) {
      EXPECT_FALSE(out.failed) << label << " n=" << n << ": " << out.where;
      EXPECT_EQ(out.acked, kNumBatches);
      break;
    }
    env.ClearFaults();
    CheckReopen(mem.get(), "/db", out, label + " n=" + std::to_string(n));
  }
  return n - 1;
}

class MemoryFaultSweepTest : public testing::TestWithParam<bool> {};

TEST_P(MemoryFaultSweepTest, EveryCallOfEveryKindFailsCleanly) {
  const bool per_write = GetParam();
  std::map<std::string, int> reached;
  for (int k = 0; k < kNumFaultOps; ++k) {
    const auto op = static_cast<FaultOp>(k);
    reached[OpName(op)] = Sweep(
        op, per_write, [op](FaultInjectionEnv* env, int n) { env->FailNth(op, n); },
        std::string("fail ") + OpName(op));
  }
  // The workload passes through opens, writes, syncs, reads and (log creation) a
  // rename: each is failed at least once.
  for (const char* must : {"open", "write", "sync", "read", "rename"}) {
    EXPECT_GT(reached[must], 0) << must << " was never reached";
  }
  for (const auto& [name, calls] : reached) {
    testing::Test::RecordProperty(std::string("calls_") + name, calls);
  }
}

TEST_P(MemoryFaultSweepTest, DiskFullAndTornWrites) {
  const bool per_write = GetParam();
  // Disk full from the n-th write on: every later write fails too.
  const int disk_full = Sweep(
      FaultOp::kWrite, per_write,
      [](FaultInjectionEnv* env, int n) {
        env->FailFrom(FaultOp::kWrite, n, FaultInjectionEnv::DiskFullError());
      },
      "disk full");
  EXPECT_GT(disk_full, 0);
  // A torn write: some bytes of the batch reach the file, then the write fails.
  for (size_t partial : {1, 7, 40}) {
    Sweep(
        FaultOp::kWrite, per_write,
        [partial](FaultInjectionEnv* env, int n) {
          env->SetPartialWriteBytes(partial);
          env->FailNth(FaultOp::kWrite, n);
        },
        "torn write of " + std::to_string(partial) + " bytes");
  }
  // A torn write whose undo (truncating the torn bytes) fails as well: the writer
  // refuses further writes, and the next open cuts the torn tail.
  Sweep(
      FaultOp::kWrite, per_write,
      [](FaultInjectionEnv* env, int n) {
        env->SetPartialWriteBytes(7);
        env->FailNth(FaultOp::kWrite, n);
        env->FailNth(FaultOp::kTruncate, 1);
      },
      "torn write, failed undo");
}

// Every read call in turn comes back short, without an error, as if the file ended
// there (a file shrinking under the reader): the store retries or fails with an
// error, and never takes the missing bytes for a torn tail to cut.
TEST_P(MemoryFaultSweepTest, ShortReads) {
  EXPECT_GT(Sweep(
                FaultOp::kRead, GetParam(),
                [](FaultInjectionEnv* env, int n) {
                  env->SetShortReads(true);
                  env->FailNth(FaultOp::kRead, n);
                },
                "short read"),
            0);
}

INSTANTIATE_TEST_SUITE_P(LockModes, MemoryFaultSweepTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "PerWrite" : "Held";
                         });

}  // namespace
}  // namespace urd
