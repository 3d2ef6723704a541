// Copyright urd authors. Fault sweep of the workspace (issue 6): remember, typed
// writes and knowledge-graph calls, with a reopen half-way, run once per (I/O
// operation kind, n) with the n-th call of that kind failing (FaultInjectionEnv
// under WorkspaceOptions::env). Every failure is an error, never a crash; a reopen
// with the faults gone shows the acknowledged calls or those and the failed one,
// whole — a memory committed before its vector failed is embedded by the reopen,
// so the log, the vectors and the text index agree. Disk-full, a torn write and
// short reads are swept the same way (storage/fault_sweep_util.h); both lock
// modes. Also a power-loss sweep: the workload stops after call k and the
// unsynced bytes are dropped.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "storage/fault_env.h"
#include "storage/fault_sweep_util.h"
#include "urd/workspace.h"

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

using Call = std::function<Status(Workspace*)>;

const std::vector<Call>& Calls() {
  static const std::vector<Call> calls = {
      [](Workspace* w) {
        std::vector<std::string> t = {"Alice prefers Rust", "Bob is allergic to peanuts"};
        return w->Remember(t, RememberOptions{}, kNow).status();
      },
      [](Workspace* w) {
        return w->Write("(sem @alice @email \"alice@example.com\" :src @profile :c 0.9 :v 2024-01-01)",
                        kNow + 1)
            .status();
      },
      [](Workspace* w) {
        std::vector<KgEntity> e = {{"Alice", "person", {"likes tea"}}, {"Rex", "dog", {}}};
        return w->graph()->CreateEntities(e, kNow + 2).status();
      },
      [](Workspace* w) {
        std::vector<KgRelation> r = {{"Alice", "Rex", "owns"}};
        return w->graph()->CreateRelations(r, kNow + 3).status();
      },
      [](Workspace* w) {
        RememberOptions o;
        o.kind = "sem";
        o.subject = "bob";
        o.predicate = "diet";
        std::vector<std::string> t = {"vegetarian"};
        return w->Remember(t, o, kNow + 4).status();
      },
      [](Workspace* w) {
        std::vector<KgObservations> a = {{"Rex", {"barks", "chases cats"}}};
        return w->graph()->AddObservations(a, kNow + 5).status();
      },
      [](Workspace* w) {
        std::vector<std::string> names = {"Alice"};
        return w->graph()->DeleteEntities(names, kNow + 6);
      },
      [](Workspace* w) {
        std::vector<std::string> t = {"The standup moved to 9:30"};
        return w->Remember(t, RememberOptions{}, kNow + 7).status();
      },
  };
  return calls;
}

// Memories, the graph, and whether the indexes agree with the log.
std::string Observe(Workspace* w) {
  std::string out;
  auto dump = w->memory()->Dump();
  EXPECT_TRUE(dump.ok());
  if (dump.ok()) {
    for (const MemoryHit& h : *dump) out += h.memory_id + " " + h.form + "\n";
  }
  auto g = w->graph()->Read();
  EXPECT_TRUE(g.ok());
  if (g.ok()) {
    for (const KgEntity& e : g->entities) {
      out += "entity " + e.name + ":" + e.entity_type;
      for (const std::string& o : e.observations) out += " [" + o + "]";
      out += "\n";
    }
    for (const KgRelation& r : g->relations) {
      out += "relation " + r.from + " " + r.relation_type + " " + r.to + "\n";
    }
  }
  const WorkspaceStats st = w->Stats();
  out += "vectors=" + std::to_string(st.vectors) + " text_docs=" + std::to_string(st.text_docs);
  return out;
}

WorkspaceOptions Options(Env* env, bool per_write) {
  WorkspaceOptions o;
  o.env = env;
  o.lock_per_write = per_write;
  return o;
}

const std::vector<std::string>& Expected() {
  static const std::vector<std::string> expected = [] {
    std::vector<std::string> out;
    auto mem = NewMemEnv();
    auto ws = Workspace::Open("/ws", Options(mem.get(), false));
    EXPECT_TRUE(ws.ok()) << ws.status().ToString();
    out.push_back(Observe(ws->get()));
    for (const Call& c : Calls()) {
      EXPECT_TRUE(c(ws->get()).ok());
      out.push_back(Observe(ws->get()));
    }
    return out;
  }();
  return expected;
}

using fault_sweep::Outcome;  // acked counts calls

// Runs the calls from `from` up to `to` (exclusive), reopening half-way.
Outcome RunWorkload(Env* env, bool per_write, size_t to = SIZE_MAX) {
  Outcome out;
  const size_t n = std::min(to, Calls().size());
  for (int part = 0; part < 2 && !out.failed && out.acked < n; ++part) {
    auto ws = Workspace::Open("/ws", Options(env, per_write));
    if (!ws.ok()) {
      out.failed = true;
      out.where = "open " + std::to_string(part) + ": " + ws.status().ToString();
      break;
    }
    const size_t end = part == 0 ? std::min(n, Calls().size() / 2) : n;
    for (; out.acked < end; ++out.acked) {
      Status s = Calls()[out.acked](ws->get());
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

void CheckReopen(Env* base, const Outcome& out, const std::string& what) {
  auto ws = Workspace::Open("/ws", Options(base, false));
  ASSERT_TRUE(ws.ok()) << what << " (" << out.where << "): reopen failed: "
                       << ws.status().ToString();
  const std::string seen = Observe(ws->get());
  const bool exact = seen == Expected()[out.acked];
  const bool one_more = out.acked < Calls().size() && seen == Expected()[out.acked + 1];
  EXPECT_TRUE(exact || one_more) << what << " (" << out.where << "): " << out.acked
                                 << " calls acked; the workspace shows\n" << seen
                                 << "\nexpected\n" << Expected()[out.acked];
  const size_t next = exact ? out.acked : out.acked + 1;
  if (next < Calls().size()) {
    EXPECT_TRUE(Calls()[next](ws->get()).ok()) << what;
  }
}

fault_sweep::Workload Workload(bool per_write) {
  return {[per_write](Env* env) { return RunWorkload(env, per_write); }, CheckReopen,
          Calls().size()};
}

class WorkspaceFaultSweepTest : public testing::TestWithParam<bool> {};

TEST_P(WorkspaceFaultSweepTest, EveryCallOfEveryKindFailsCleanly) {
  fault_sweep::SweepEveryKind(
      Workload(GetParam()),
      {FaultOp::kOpen, FaultOp::kWrite, FaultOp::kSync, FaultOp::kRead, FaultOp::kRename});
}

TEST_P(WorkspaceFaultSweepTest, DiskFullAndTornWrites) {
  const fault_sweep::Workload w = Workload(GetParam());
  fault_sweep::SweepDiskFull(w);
  fault_sweep::SweepTornWrite(w, 11);
}

// Power loss after each call: what was acknowledged (every commit synced) stays.
TEST_P(WorkspaceFaultSweepTest, PowerLossKeepsWhatWasAcknowledged) {
  for (size_t k = 0; k <= Calls().size(); ++k) {
    for (uint64_t seed : {0, 1, 2}) {
      auto mem = NewMemEnv();
      {
        FaultInjectionEnv env(mem.get());
        const Outcome out = RunWorkload(&env, GetParam(), k);
        ASSERT_FALSE(out.failed) << out.where;
        ASSERT_TRUE((seed == 0 ? env.DropUnsyncedData() : env.DropUnsyncedDataKeepingPrefix(seed)).ok());
      }
      Outcome out;
      out.acked = k;
      out.where = "power loss after " + std::to_string(k) + " calls, seed " + std::to_string(seed);
      CheckReopen(mem.get(), out, out.where);
    }
  }
}

TEST_P(WorkspaceFaultSweepTest, ShortReads) { fault_sweep::SweepShortReads(Workload(GetParam())); }

INSTANTIATE_TEST_SUITE_P(LockModes, WorkspaceFaultSweepTest, testing::Bool(),
                         fault_sweep::LockModeName);

}  // namespace
}  // namespace urd
