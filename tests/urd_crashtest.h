// Copyright urd authors. The two modes of urd_crashtest (urd_crashtest_main.cc):
// SIGKILL (urd_crashtest_kill.cc) and power loss (urd_crashtest_power_loss.cc),
// both running the mixed workload of mixed_workload.h, and the totals they report.
//
// Thread-safety: none needed; the program is single-threaded.

#ifndef URD_TESTS_URD_CRASHTEST_H_
#define URD_TESTS_URD_CRASHTEST_H_

#include <cstdint>

#include "crash_harness.h"
#include "mixed_workload.h"

namespace urd::mixed {

inline constexpr char kProgram[] = "urd_crashtest";
// A fresh directory every kTrialsPerDir trials, or sooner once it holds kOpsPerDir
// ops (a few MB at most).
inline constexpr int kTrialsPerDir = 50;
inline constexpr uint64_t kOpsPerDir = 1000;

// What the trials of one run did, for the summary line.
struct Totals {
  uint64_t acked = 0, inflight_present = 0, inflight_absent = 0, dirs = 0, max_dir_bytes = 0;
  uint64_t by_kind[kNumKinds] = {};
  uint64_t faults_fired = 0, reopen_faults = 0, reopen_failed = 0;
};

// Runs flags.trials SIGKILL trials, adding to *totals. Returns true when every
// check passed; otherwise prints the first violation and returns false.
bool RunKillTrials(const crash::Options& flags, Totals* totals);

// Runs flags.trials power-loss trials, adding to *totals. Returns as RunKillTrials.
bool RunPowerLossTrials(const crash::Options& flags, Totals* totals);

}  // namespace urd::mixed

#endif  // URD_TESTS_URD_CRASHTEST_H_
