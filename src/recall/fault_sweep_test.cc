// Copyright urd authors. Fault sweep of the workspace (issue 6): remember, typed
// writes and knowledge-graph calls, with a reopen half-way, run once per (I/O
// operation kind, n) with the n-th call of that kind failing (FaultInjectionEnv
// under WorkspaceOptions::env). Every failure is an error, never a crash; a reopen
// with the faults gone shows the acknowledged calls or those and the failed one,
// whole — a memory committed before its vector failed is embedded by the reopen,
// so the log, the vectors and the text index agree. Also a power-loss sweep: the
// workload stops after call k and the unsynced bytes are dropped.

#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "storage/fault_env.h"
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

const char* OpName(FaultOp op) {
  static const char* const kNames[] = {"open", "write", "sync",  "rename",
                                       "truncate", "syncdir", "read", "remove"};
  return kNames[static_cast<int>(op)];
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

struct Outcome {
  size_t acked = 0;
  bool failed = false;
  std::string where;
};

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

int Sweep(FaultOp op, bool per_write, const std::function<void(FaultInjectionEnv*, int)>& arm,
          const std::string& label) {
  int n = 1;
  for (;; ++n) {
    auto mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    arm(&env, n);
    const Outcome out = RunWorkload(&env, per_write);
    if (env.Calls(op) < n) {
      EXPECT_FALSE(out.failed) << label << " n=" << n << ": " << out.where;
      EXPECT_EQ(out.acked, Calls().size());
      break;
    }
    env.ClearFaults();
    CheckReopen(mem.get(), out, label + " n=" + std::to_string(n));
  }
  return n - 1;
}

class WorkspaceFaultSweepTest : public testing::TestWithParam<bool> {};

TEST_P(WorkspaceFaultSweepTest, EveryCallOfEveryKindFailsCleanly) {
  std::map<std::string, int> reached;
  for (int k = 0; k < kNumFaultOps; ++k) {
    const auto op = static_cast<FaultOp>(k);
    reached[OpName(op)] = Sweep(
        op, GetParam(), [op](FaultInjectionEnv* env, int n) { env->FailNth(op, n); },
        std::string("fail ") + OpName(op));
  }
  for (const char* must : {"open", "write", "sync", "read", "rename"}) {
    EXPECT_GT(reached[must], 0) << must << " was never reached";
  }
  for (const auto& [name, calls] : reached) {
    testing::Test::RecordProperty(std::string("calls_") + name, calls);
  }
}

TEST_P(WorkspaceFaultSweepTest, DiskFullAndTornWrites) {
  const bool per_write = GetParam();
  Sweep(
      FaultOp::kWrite, per_write,
      [](FaultInjectionEnv* env, int n) {
        env->FailFrom(FaultOp::kWrite, n, FaultInjectionEnv::DiskFullError());
      },
      "disk full");
  Sweep(
      FaultOp::kWrite, per_write,
      [](FaultInjectionEnv* env, int n) {
        env->SetPartialWriteBytes(11);
        env->FailNth(FaultOp::kWrite, n);
      },
      "torn write");
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

// Every read call in turn comes back short, without an error, as if the file ended
// there (a file shrinking under the reader): the store retries or fails with an
// error, and never takes the missing bytes for a torn tail to cut.
TEST_P(WorkspaceFaultSweepTest, ShortReads) {
  EXPECT_GT(Sweep(
                FaultOp::kRead, GetParam(),
                [](FaultInjectionEnv* env, int n) {
                  env->SetShortReads(true);
                  env->FailNth(FaultOp::kRead, n);
                },
                "short read"),
            0);
}

INSTANTIATE_TEST_SUITE_P(LockModes, WorkspaceFaultSweepTest, testing::Bool(),
                         [](const testing::TestParamInfo<bool>& p) {
                           return p.param ? "PerWrite" : "Held";
                         });

}  // namespace
}  // namespace urd
