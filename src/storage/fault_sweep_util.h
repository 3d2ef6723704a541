// Copyright urd authors. The fault sweep shared by the stores' fault_sweep tests
// (memory, vector, recall), test-only. A store's workload runs once per n with a
// FaultInjectionEnv over a fresh MemEnv, armed so that the n-th call of one kind
// of I/O fails (or, from the n-th call on, the disk is full; or the n-th write is
// torn; or the n-th read comes back short). n grows until the workload makes
// fewer than n calls of that kind, so every call site the workload passes through
// is reached. A run whose fault never fired must succeed whole; after one that
// fired, the test's own check reopens the store on the base env with the faults
// gone. Each test keeps its workload, its expected states and its reopen check;
// this file holds the loop and the ways of arming it.

#ifndef URD_STORAGE_FAULT_SWEEP_UTIL_H_
#define URD_STORAGE_FAULT_SWEEP_UTIL_H_

#include <gtest/gtest.h>

#include <array>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <string>

#include "storage/fault_env.h"
#include "urd/env.h"

namespace urd::fault_sweep {

// What one run of a workload did.
struct Outcome {
  size_t acked = 0;     // calls (or batches) acknowledged, in order
  bool failed = false;  // some call returned an error; the run stopped there
  std::string where;    // which call failed first, and its status
};

// A store's workload, as the sweep sees it.
struct Workload {
  // Runs the workload on `env`, stopping at the first error.
  std::function<Outcome(Env* env)> run;
  // Reopens the store on `base` (faults gone) and checks it against `out`; `what`
  // names the case in failure messages.
  std::function<void(Env* base, const Outcome& out, const std::string& what)> check_reopen;
  size_t total = 0;  // what a run without faults acknowledges
};

// Arms `env` for the n-th run of a sweep (n >= 1).
using Arm = std::function<void(FaultInjectionEnv* env, int n)>;

inline const char* OpName(FaultOp op) {
  static const char* const kNames[kNumFaultOps] = {"open",     "write",   "sync", "rename",
                                                   "truncate", "syncdir", "read", "remove"};
  return kNames[static_cast<int>(op)];
}

// Runs `w` with arm(env, n) for n = 1, 2, ... until the workload makes fewer than
// n calls of `op`; that last run must not have failed and must have acknowledged
// everything. After every other run, checks a reopen. Returns the calls of `op`
// the workload makes (the number of runs in which the fault fired).
inline int Sweep(const Workload& w, FaultOp op, const Arm& arm, const std::string& label) {
  for (int n = 1;; ++n) {
    std::unique_ptr<Env> mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    arm(&env, n);
    const Outcome out = w.run(&env);
    if (env.Calls(op) < n) {
      EXPECT_FALSE(out.failed) << label << " n=" << n << ": " << out.where;
      EXPECT_EQ(out.acked, w.total) << label << " n=" << n;
      return n - 1;
    }
    env.ClearFaults();
    w.check_reopen(mem.get(), out, label + " n=" + std::to_string(n));
  }
}

// Fails every call of every kind in turn (FailNth). Each kind in `must_reach` must
// be failed at least once; the calls per kind are recorded as test properties
// calls_<kind>, and returned.
inline std::array<int, kNumFaultOps> SweepEveryKind(const Workload& w,
                                                    std::initializer_list<FaultOp> must_reach) {
  std::array<int, kNumFaultOps> calls{};
  for (int k = 0; k < kNumFaultOps; ++k) {
    const auto op = static_cast<FaultOp>(k);
    calls[k] = Sweep(
        w, op, [op](FaultInjectionEnv* env, int n) { env->FailNth(op, n); },
        std::string("fail ") + OpName(op));
    testing::Test::RecordProperty(std::string("calls_") + OpName(op), calls[k]);
  }
  for (FaultOp op : must_reach) {
    EXPECT_GT(calls[static_cast<int>(op)], 0) << OpName(op) << " was never reached";
  }
  return calls;
}

// A full disk from the n-th write on: that write and every later one fail. Some
// write must be reached.
inline void SweepDiskFull(const Workload& w) {
  EXPECT_GT(Sweep(
                w, FaultOp::kWrite,
                [](FaultInjectionEnv* env, int n) {
                  env->FailFrom(FaultOp::kWrite, n, FaultInjectionEnv::DiskFullError());
                },
                "disk full"),
            0);
}

// A torn write: `bytes` bytes of the n-th write reach the file, then it fails.
// With `undo_fails`, the truncate that undoes the torn bytes fails as well.
inline void SweepTornWrite(const Workload& w, size_t bytes, bool undo_fails = false) {
  Sweep(
      w, FaultOp::kWrite,
      [bytes, undo_fails](FaultInjectionEnv* env, int n) {
        env->SetPartialWriteBytes(bytes);
        env->FailNth(FaultOp::kWrite, n);
        if (undo_fails) env->FailNth(FaultOp::kTruncate, 1);
      },
      "torn write of " + std::to_string(bytes) + " bytes" + (undo_fails ? ", failed undo" : ""));
}

// Every read call in turn comes back short, without an error, as if the file ended
// there (a file shrinking under the reader): the store must retry or fail with an
// error, and never take the missing bytes for a torn tail to cut. Some read must
// be reached.
inline void SweepShortReads(const Workload& w) {
  EXPECT_GT(Sweep(
                w, FaultOp::kRead,
                [](FaultInjectionEnv* env, int n) {
                  env->SetShortReads(true);
                  env->FailNth(FaultOp::kRead, n);
                },
                "short read"),
            0);
}

// Test-name suffix for the lock mode parameter (lock_per_write).
inline std::string LockModeName(const testing::TestParamInfo<bool>& p) {
  return p.param ? "PerWrite" : "Held";
}

}  // namespace urd::fault_sweep

#endif  // URD_STORAGE_FAULT_SWEEP_UTIL_H_
