// Copyright urd authors. urd_crashtest: crash injection with a mixed workload over a
// whole workspace (docs/reliability_crash.md).
//
// The workload (mixed_workload.h) is a reproducible sequence of operations drawn
// from the seed: typed writes, remembered notes, knowledge-graph changes, and
// upserts, deletes and compactions on a separate vector store. Every call is
// committed with the clock kBase + i seconds. After a crash the stores must hold
// the model of the acknowledged ops, or of one more (the op in flight, whole):
// never anything in between.
//
// SIGKILL mode (default; urd_crashtest_kill.cc): each trial forks a child that runs
// the ops on a workspace and acknowledges them over a pipe; the parent kills it at
// a random instant, reopens and checks everything against the model.
//
// Power-loss mode (--power-loss; urd_crashtest_power_loss.cc): the same ops run
// in-process through a fault-injecting Env over an in-memory Env; each trial
// crashes between two ops or inside one (a failing I/O call), drops the unsynced
// data, reopens (sometimes with a fault of its own) and checks the stores against
// the model and an in-memory reference store. --max-delay-ms is not used.
//
//   urd_crashtest [--trials N] [--seed S] [--max-delay-ms M] [--power-loss]
//
// Prints one summary line and exits 0, or prints the first violation and exits 1.

#include <optional>
#include <string>

#include "crash_harness.h"
#include "mixed_workload.h"
#include "urd_crashtest.h"

namespace urd::mixed {
namespace {

int Main(int argc, char** argv) {
  crash::Spec spec;
  spec.program = kProgram;
  spec.defaults.trials = 300;
  spec.defaults.seed = 17;
  spec.defaults.max_delay_ms = 150;
  spec.switches = {"--power-loss"};
  std::optional<crash::Options> flags = crash::ParseOptions(argc, argv, spec);
  if (!flags) return 2;
  const bool power_loss = flags->Has("--power-loss");
  Totals totals;
  crash::Stopwatch watch;
  if (!(power_loss ? RunPowerLossTrials(*flags, &totals) : RunKillTrials(*flags, &totals))) {
    return 1;
  }
  std::string kinds;
  for (int k = 0; k < kNumKinds; ++k) {
    kinds += std::string(k ? ", " : "") + kKindNames[k] + " " + Num(totals.by_kind[k]);
  }
  std::string details = std::string(power_loss ? "power loss" : "SIGKILL") + ", seed " +
                        Num(flags->seed) + ": " + Num(totals.acked) + " acknowledged ops (" +
                        kinds + "), 0 lost, 0 half-visible; op in flight found whole in " +
                        Num(totals.inflight_present) + " trials, absent in " +
                        Num(totals.inflight_absent) + "; " + Num(totals.dirs) + " directories";
  if (power_loss) {
    details += "; crashes inside an op " + Num(totals.faults_fired) + ", faulty reopens " +
               Num(totals.reopen_faults) + " (" + Num(totals.reopen_failed) + " failed)";
  } else {
    details += " (largest " + Num(totals.max_dir_bytes / 1024) + " KiB)";
  }
  crash::PrintSummary(kProgram, flags->trials, watch.Seconds(), details);
  return 0;
}

}  // namespace
}  // namespace urd::mixed

int main(int argc, char** argv) { return urd::mixed::Main(argc, argv); }
