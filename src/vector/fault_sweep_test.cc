// Copyright urd authors. Fault sweep of the vector store (issue 6): a workload of
// opens, collection changes, upserts, deletes, meta, compaction and reopens runs
// once per (I/O operation kind, n): the n-th call of that kind fails. Sweeping n
// until the workload makes fewer calls than n reaches every I/O call site the
// workload passes through. Each failure must surface as an error (never a crash),
// and a reopen with the faults gone must show exactly the acknowledged calls, or
// those plus the failed one (all of it). Disk-full, torn writes, torn writes whose
// undo fails and short reads are swept the same way (storage/fault_sweep_util.h);
// both lock modes (held, per call).

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <string>
#include <vector>

#include "storage/fault_env.h"
#include "storage/fault_sweep_util.h"
#include "urd/vector_store.h"

namespace urd {
namespace {

constexpr size_t kDim = 4;

VectorRecord Rec(const std::string& id, float x, int year) {
  return {id, {x, 1.0f - x, 0.25f, x * x + 0.1f}, {{"year", Value::Int(year)}}};
}

// The workload's calls, in order; each returns its status.
using Call = std::function<Status(VectorStore*)>;

const std::vector<Call>& Calls() {
  static const std::vector<Call> calls = {
      [](VectorStore* s) { return s->CreateCollection("c"); },
      [](VectorStore* s) {
        std::vector<VectorRecord> r = {Rec("a", 0.1f, 2020), Rec("b", 0.2f, 2021), Rec("c", 0.3f, 2022)};
        return s->Upsert("c", r).status();
      },
      [](VectorStore* s) {
        std::vector<VectorRecord> r = {Rec("d", 0.4f, 2023), Rec("a", 0.9f, 2024)};
        return s->Upsert("c", r).status();
      },
      [](VectorStore* s) { return s->Delete("c", std::vector<std::string>{"b"}).status(); },
      [](VectorStore* s) { return s->SetMeta("c", {{"model", "m1"}}); },
      [](VectorStore* s) { return s->Compact(); },
      [](VectorStore* s) {
        std::vector<VectorRecord> r = {Rec("e", 0.5f, 2025), Rec("f", 0.6f, 2026)};
        return s->Upsert("c", r).status();
      },
      [](VectorStore* s) { return s->CreateCollection("d"); },
      [](VectorStore* s) {
        std::vector<VectorRecord> r = {Rec("x", 0.7f, 1999)};
        return s->Upsert("d", r).status();
      },
      [](VectorStore* s) { return s->Delete("c", std::vector<std::string>{"e", "zz"}).status(); },
      [](VectorStore* s) { return s->DropCollection("d"); },
      [](VectorStore* s) {
        std::vector<VectorRecord> r = {Rec("g", 0.8f, 2027)};
        return s->Upsert("c", r).status();
      },
  };
  return calls;
}

// Everything a reader sees, as text.
std::string Observe(const VectorStore& s) {
  std::string out;
  for (const std::string& c : s.ListCollections()) {
    out += "[" + c + "]";
    auto meta = s.GetMeta(c);
    if (meta.ok()) {
      for (const auto& [k, v] : *meta) out += " " + k + "=" + v;
    }
    out += "\n";
    auto all = s.GetAll(c);
    EXPECT_TRUE(all.ok());
    if (!all.ok()) continue;
    std::sort(all->begin(), all->end(), [](auto& a, auto& b) { return a.id < b.id; });
    for (const VectorRecord& r : *all) {
      out += "  " + r.id;
      for (float f : r.vector) out += " " + std::to_string(f);
      for (const auto& [k, v] : r.attrs) out += " " + k + ":" + std::to_string(v.as_int());
      out += "\n";
    }
  }
  return out;
}

// The observation after the first k calls, k = 0..Calls().size().
const std::vector<std::string>& Expected() {
  static const std::vector<std::string> expected = [] {
    std::vector<std::string> out;
    auto s = VectorStore::OpenInMemory(kDim, VectorOptions{});
    EXPECT_TRUE(s.ok());
    out.push_back(Observe(**s));
    for (const Call& c : Calls()) {
      EXPECT_TRUE(c(s->get()).ok());
      out.push_back(Observe(**s));
    }
    return out;
  }();
  return expected;
}

using fault_sweep::Outcome;  // acked counts calls

VectorOptions Options(Env* env, bool per_write) {
  VectorOptions o;
  o.env = env;
  o.dimension = kDim;
  o.lock_per_write = per_write;
  o.auto_compact.reset();  // the workload compacts when it says so
  return o;
}

Outcome RunWorkload(Env* env, const std::string& dir, bool per_write) {
  Outcome out;
  const size_t n = Calls().size();
  for (int part = 0; part < 2 && !out.failed; ++part) {
    auto store = VectorStore::Open(dir, Options(env, per_write));
    if (!store.ok()) {
      out.failed = true;
      out.where = "open " + std::to_string(part) + ": " + store.status().ToString();
      break;
    }
    if (Observe(**store) != Expected()[out.acked]) {
      ADD_FAILURE() << "open " << part << " does not show the " << out.acked << " acked calls";
    }
    const size_t end = part == 0 ? n / 2 : n;
    for (; out.acked < end; ++out.acked) {
      Status s = Calls()[out.acked](store->get());
      if (!s.ok()) {
        EXPECT_FALSE(s.message().empty());
        out.failed = true;
        out.where = "call " + std::to_string(out.acked) + ": " + s.ToString();
        break;
      }
    }
  }
  return out;
}

void CheckReopen(Env* base, const std::string& dir, const Outcome& out, const std::string& what) {
  auto store = VectorStore::Open(dir, Options(base, false));
  ASSERT_TRUE(store.ok()) << what << " (" << out.where << "): reopen failed: "
                          << store.status().ToString();
  const std::string seen = Observe(**store);
  const bool exact = seen == Expected()[out.acked];
  const bool one_more = out.acked < Calls().size() && seen == Expected()[out.acked + 1];
  EXPECT_TRUE(exact || one_more) << what << " (" << out.where << "): " << out.acked
                                 << " calls acked; the store shows\n" << seen;
  const size_t next = exact ? out.acked : out.acked + 1;
  if (next < Calls().size()) {
    EXPECT_TRUE(Calls()[next](store->get()).ok()) << what;
  }
}

fault_sweep::Workload Workload(bool per_write) {
  return {[per_write](Env* env) { return RunWorkload(env, "/vs", per_write); },
          [](Env* base, const Outcome& out, const std::string& what) {
            CheckReopen(base, "/vs", out, what);
          },
          Calls().size()};
}

class VectorFaultSweepTest : public testing::TestWithParam<bool> {};

// Besides opens, writes, syncs, reads and renames, the workload syncs the
// directory and removes files (compaction, dropped collections).
TEST_P(VectorFaultSweepTest, EveryCallOfEveryKindFailsCleanly) {
  fault_sweep::SweepEveryKind(Workload(GetParam()),
                              {FaultOp::kOpen, FaultOp::kWrite, FaultOp::kSync, FaultOp::kRead,
                               FaultOp::kRename, FaultOp::kSyncDir, FaultOp::kRemove});
}

TEST_P(VectorFaultSweepTest, DiskFullAndTornWrites) {
  const fault_sweep::Workload w = Workload(GetParam());
  fault_sweep::SweepDiskFull(w);
  for (size_t bytes : {1, 9, 33}) fault_sweep::SweepTornWrite(w, bytes);
  fault_sweep::SweepTornWrite(w, 5, /*undo_fails=*/true);
}

TEST_P(VectorFaultSweepTest, ShortReads) { fault_sweep::SweepShortReads(Workload(GetParam())); }

INSTANTIATE_TEST_SUITE_P(LockModes, VectorFaultSweepTest, testing::Bool(),
                         fault_sweep::LockModeName);

}  // namespace
}  // namespace urd
