// Copyright urd authors. Fault sweep of the memory store (issue 6): a workload of
// opens, commits (with supersession and symbol operations), an import batch and
// reopens runs once per (I/O operation kind, n): the n-th call of that kind fails.
// Sweeping n until the workload makes fewer calls than n reaches every I/O call
// site the workload passes through. Each failure must surface as an error (never a
// crash), and a reopen with the faults gone must show exactly the acknowledged
// batches, or those plus the failed one (all of it: a batch is atomic) when its
// failure was a sync whose data reached the file. Disk-full (every write failing
// from some point), torn writes, torn writes whose undo fails and short reads are
// swept the same way (storage/fault_sweep_util.h); both lock modes.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "memory/memory_store_impl.h"
#include "storage/fault_env.h"
#include "storage/fault_sweep_util.h"
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

using fault_sweep::Outcome;  // acked counts batches

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

fault_sweep::Workload Workload(bool per_write) {
  return {[per_write](Env* env) { return RunWorkload(env, "/db", per_write); },
          [](Env* base, const Outcome& out, const std::string& what) {
            CheckReopen(base, "/db", out, what);
          },
          kNumBatches};
}

class MemoryFaultSweepTest : public testing::TestWithParam<bool> {};

// The workload passes through opens, writes, syncs, reads and (log creation) a
// rename: each is failed at least once.
TEST_P(MemoryFaultSweepTest, EveryCallOfEveryKindFailsCleanly) {
  fault_sweep::SweepEveryKind(
      Workload(GetParam()),
      {FaultOp::kOpen, FaultOp::kWrite, FaultOp::kSync, FaultOp::kRead, FaultOp::kRename});
}

TEST_P(MemoryFaultSweepTest, DiskFullAndTornWrites) {
  const fault_sweep::Workload w = Workload(GetParam());
  fault_sweep::SweepDiskFull(w);
  for (size_t bytes : {1, 7, 40}) fault_sweep::SweepTornWrite(w, bytes);
  // A torn write whose undo (truncating the torn bytes) fails as well: the writer
  // refuses further writes, and the next open cuts the torn tail.
  fault_sweep::SweepTornWrite(w, 7, /*undo_fails=*/true);
}

TEST_P(MemoryFaultSweepTest, ShortReads) { fault_sweep::SweepShortReads(Workload(GetParam())); }

INSTANTIATE_TEST_SUITE_P(LockModes, MemoryFaultSweepTest, testing::Bool(),
                         fault_sweep::LockModeName);

}  // namespace
}  // namespace urd
