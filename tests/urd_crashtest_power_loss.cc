// Copyright urd authors. urd_crashtest's power-loss mode (--power-loss;
// urd_crashtest.h).
//
// The ops of the mixed workload (mixed_workload.h) run in-process on a MemoryStore
// and a VectorStore (the workspace takes no Env) through a FaultInjectionEnv over
// an in-memory Env, fsync on every commit. Each trial runs a random number of ops,
// then crashes: between two ops, or inside the next one, where the n-th I/O call
// of a random kind fails (half the time every later one of that kind too; a failed
// write sometimes leaves a torn prefix). Then every call fails while the stores
// are dropped, the unsynced data is thrown away (or a random, partly zeroed prefix
// of it kept; or, every third trial, all of it: a process crash), and the stores
// reopen through the same Env (a quarter of the reopens with a fault of their own,
// after which the power goes again) and are checked as in SIGKILL mode where that
// applies (facts, rules, record counts, episodes, the commit clock, the vector
// records), plus: the memory store's whole observable state equals an in-memory
// reference store fed the same commits. Remember and graph ops are the forms the
// workspace and the knowledge graph write, committed directly. Every 50 trials (or
// 1000 ops) start on a fresh Env. --max-delay-ms is not used.

#include <algorithm>
#include <array>
#include <iterator>
#include <memory>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "crash_harness.h"
#include "memory_observe.h"
#include "mixed_workload.h"
#include "storage/fault_env.h"
#include "urd/env.h"
#include "urd/memory_store.h"
#include "urd/result.h"
#include "urd/status.h"
#include "urd/vector_store.h"
#include "urd_crashtest.h"

namespace urd::mixed {
namespace {

constexpr char kMemoryDir[] = "/memory";
constexpr char kVectorDir[] = "/vectors";
constexpr FaultOp kFaultOps[] = {FaultOp::kOpen,   FaultOp::kWrite,    FaultOp::kSync,
                                 FaultOp::kRename, FaultOp::kTruncate, FaultOp::kSyncDir,
                                 FaultOp::kRead,   FaultOp::kRemove};

struct Disk {
  std::unique_ptr<Env> base = NewMemEnv();
  FaultInjectionEnv env{base.get()};
  std::unique_ptr<MemoryStore> memory;
  std::unique_ptr<VectorStore> vectors;
  std::unique_ptr<MemoryStore> reference;  // in memory: the commits of the model's ops

  Status Open() {
    MemoryOptions mo;
    mo.env = &env;
    URD_ASSIGN_OR_RETURN(memory, MemoryStore::Open(kMemoryDir, mo));
    VectorOptions vo = ExtraOptions();
    vo.env = &env;
    URD_ASSIGN_OR_RETURN(vectors, VectorStore::Open(kVectorDir, vo));
    return Status::OK();
  }
  // What survives of the data that was not synced.
  enum class Loss { kAll, kGarbledPrefix, kNone };
  // The power goes: nothing more reaches the files, the process state is gone, and
  // what was not synced is lost (all of it, all but a garbled prefix, or none: the
  // disk had written everything, as after a process crash).
  Status Crash(Loss loss, uint64_t drop_seed) {
    for (FaultOp op : kFaultOps) env.FailFrom(op, 1, Status::IOError("power lost"));
    memory.reset();
    vectors.reset();
    env.ClearFaults();
    if (loss == Loss::kNone) return Status::OK();
    return loss == Loss::kAll ? env.DropUnsyncedData()
                              : env.DropUnsyncedDataKeepingPrefix(drop_seed);
  }
};

Status RunPowerLossOp(Disk* d, const Op& op, const Model& before) {
  if (op.vector_op()) return RunVectorOp(d->vectors.get(), op);
  std::string forms = MemoryForms(op, before);
  if (forms.empty()) return Status::OK();
  return d->memory->Commit(forms, op.clock()).status();
}

// Feeds op to the reference store.
Status Reference(Disk* d, const Op& op, const Model& before) {
  if (op.vector_op()) return Status::OK();
  std::string forms = MemoryForms(op, before);
  return forms.empty() ? Status::OK() : d->reference->Commit(forms, op.clock()).status();
}

std::string CheckDisk(Disk* d, const Model& m) {
  std::string why = CheckMemory(*d->memory, m);
  if (why.empty()) why = CheckVectors(*d->vectors, m);
  if (why.empty() && crash::ObserveMemory(*d->memory) != crash::ObserveMemory(*d->reference)) {
    why = "the memory store differs from the reference store";
  }
  return why;
}

// Reopens after a crash (a quarter of the time with a fault during the reopen,
// after which the power goes again) and checks `m`, or `m` plus the op in flight.
std::string Recover(Disk* d, uint64_t seed, bool inflight, std::mt19937_64& rng, Model* m,
                    Totals* totals) {
  if (rng() % 4 == 0) {
    ++totals->reopen_faults;
    d->env.FailNth(kFaultOps[rng() % std::size(kFaultOps)], 1 + static_cast<int>(rng() % 3));
    Status s = d->Open();
    d->env.ClearFaults();
    if (!s.ok()) {
      ++totals->reopen_failed;
      Status c = d->Crash(static_cast<Disk::Loss>(rng() % 3), rng());
      if (!c.ok()) return "dropping unsynced data: " + c.ToString();
    }
  }
  if (d->memory == nullptr || d->vectors == nullptr) {
    Status s = d->Open();
    if (!s.ok()) return "reopen: " + s.ToString();
  }
  std::string why = CheckDisk(d, *m);
  if (why.empty()) {
    totals->inflight_absent += inflight;
    return "";
  }
  if (!inflight) return "after a crash between ops: " + why;
  Model next = *m;
  Status fed = Status::OK();
  Advance(seed, m->last_op + 1, &next,
          [&](const Op& op, const Model& before) { fed = Reference(d, op, before); });
  if (!fed.ok()) return "reference: " + fed.ToString();
  std::string why_next = CheckDisk(d, next);
  if (!why_next.empty()) {
    return "the stores match neither the acknowledged state (" + why + ") nor one more op (" +
           why_next + ")";
  }
  *m = std::move(next);
  ++totals->inflight_present;
  return "";
}

// The most calls of each kind one op of each kind has made so far: where a crash
// inside an op can strike.
using CallProfile = std::array<std::array<int, kNumFaultOps>, kNumKinds>;

// Arms the crash inside `op`: the n-th of its calls of one kind fails (half the time
// every later one too), a failed write sometimes leaving a torn prefix.
void ArmFault(Disk* d, const Op& op, const CallProfile& profile, std::mt19937_64& rng) {
  std::vector<std::pair<FaultOp, int>> sites;  // (kind, calls)
  for (FaultOp f : kFaultOps) {
    int calls = profile[static_cast<int>(op.kind)][static_cast<int>(f)];
    if (calls > 0) sites.emplace_back(f, calls);
  }
  if (sites.empty()) sites.emplace_back(kFaultOps[rng() % std::size(kFaultOps)], 4);
  const auto [kind, calls] = sites[rng() % sites.size()];
  const int n = 1 + static_cast<int>(rng() % static_cast<uint64_t>(calls));
  if (rng() % 2 == 0) {
    d->env.FailNth(kind, n);
  } else {
    d->env.FailFrom(kind, n, Status::IOError("injected fault, sticky"));
  }
  d->env.SetPartialWriteBytes(rng() % 2 == 0 ? rng() % 200 : 0);
}

// Runs ops after `m` until the crash: `complete` ops, then, when `inside`, one more
// with a fault armed. Advances `m` past the ops that returned OK; *inflight tells
// whether the last one failed. Returns "" or what went wrong.
std::string RunUntilCrash(Disk* d, uint64_t seed, uint64_t complete, bool inside,
                          std::mt19937_64& rng, CallProfile* profile, Model* m, bool* inflight,
                          Totals* totals) {
  const uint64_t target = m->last_op + complete + (inside ? 1 : 0);
  *inflight = false;
  while (m->last_op < target) {
    Op op = Generate(seed, m->last_op + 1, *m);
    const bool armed = inside && op.index == target;
    if (armed) ArmFault(d, op, *profile, rng);
    std::array<int, kNumFaultOps> before;
    for (FaultOp f : kFaultOps) before[static_cast<int>(f)] = d->env.Calls(f);
    Status s = RunPowerLossOp(d, op, *m);
    d->env.ClearFaults();
    if (!s.ok()) {
      if (!armed) return "op " + Num(op.index) + " failed: " + s.ToString();
      *inflight = true;
      ++totals->faults_fired;
      return "";
    }
    for (FaultOp f : kFaultOps) {
      int& most = (*profile)[static_cast<int>(op.kind)][static_cast<int>(f)];
      most = std::max(most, d->env.Calls(f) - before[static_cast<int>(f)]);
    }
    ++totals->by_kind[static_cast<int>(op.kind)];
    ++totals->acked;
    Status fed = Reference(d, op, *m);
    if (!fed.ok()) return "reference: " + fed.ToString();
    Apply(op, m);
  }
  return "";
}

}  // namespace

bool RunPowerLossTrials(const crash::Options& flags, Totals* totals) {
  std::mt19937_64 rng(flags.seed);
  std::unique_ptr<Disk> d;
  CallProfile profile{};
  Model m;
  uint64_t dir_first_op = 0;
  for (int t = 0; t < flags.trials; ++t) {
    if (t % kTrialsPerDir == 0 || m.last_op >= dir_first_op + kOpsPerDir) {
      d = std::make_unique<Disk>();
      auto ref = MemoryStore::OpenInMemory();
      if (!ref.ok()) return crash::Fail(kProgram, t, ref.status().ToString());
      d->reference = std::move(*ref);
      Status s = d->Open();
      if (!s.ok()) return crash::Fail(kProgram, t, "open: " + s.ToString());
      ++totals->dirs;
      m = Model{.last_op = m.last_op};
      dir_first_op = m.last_op;
    }
    const uint64_t complete = rng() % 24;
    const bool inside = rng() % 2 == 0;
    bool inflight = false;
    std::string why =
        RunUntilCrash(d.get(), flags.seed, complete, inside, rng, &profile, &m, &inflight, totals);
    if (!why.empty()) return crash::Fail(kProgram, t, why);
    Status c = d->Crash(static_cast<Disk::Loss>(t % 3), rng());
    if (!c.ok()) return crash::Fail(kProgram, t, "dropping unsynced data: " + c.ToString());
    why = Recover(d.get(), flags.seed, inflight, rng, &m, totals);
    if (!why.empty()) return crash::Fail(kProgram, t, why);
  }
  return true;
}

}  // namespace urd::mixed
