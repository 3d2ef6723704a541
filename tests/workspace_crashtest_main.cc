// Copyright urd authors. workspace_crashtest: SIGKILL during Workspace::Remember.
//
// A child process remembers deterministic batches of notes (batch i: 1 + i % 4
// texts) and reports each acknowledged batch over a pipe; the parent kills it at
// a random moment — often between a batch's memory commit and its vector upsert —
// then reopens the workspace and checks that the memory log holds exactly the
// acknowledged batches or one more, that the vector index and the text index agree
// with the log (one vector and one text document per note), and that the newest
// acknowledged note is recalled. The next trial continues from there.
//
//   workspace_crashtest [--trials N] [--seed S] [--max-delay-ms M]

#include <string>
#include <vector>

#include "crash_harness.h"
#include "urd/workspace.h"

namespace urd {
namespace {

constexpr uint64_t kBase = 1'700'000'000'000;

std::vector<std::string> BatchFor(uint64_t i) {
  std::vector<std::string> texts;
  for (uint64_t j = 0; j <= i % 4; ++j) {
    texts.push_back("note " + std::to_string(i) + "." + std::to_string(j) + " about topic" +
                    std::to_string((i * 7 + j) % 13) + " zq" + std::to_string(i) + "x" +
                    std::to_string(j));
  }
  return texts;
}

uint64_t NotesUpTo(uint64_t n) {
  uint64_t total = 0;
  for (uint64_t i = 1; i <= n; ++i) total += 1 + i % 4;
  return total;
}

[[noreturn]] void RunChild(const std::string& dir, uint64_t first, bool sync,
                           crash::AckWriter& ack) {
  WorkspaceOptions o;
  o.fsync = sync ? MemoryFsync::kEveryCommit : MemoryFsync::kNever;
  auto ws = Workspace::Open(dir, o);
  if (!ws.ok()) crash::ChildOpenFailed(ws.status());
  crash::RunSteps(first, "batch", ack, [&](uint64_t i) {
    return (*ws)->Remember(BatchFor(i), RememberOptions{}, kBase + i * 1000).status();
  });
}

// The reopened workspace agrees with itself and holds `done` or `done + 1` batches;
// returns the number it holds, or 0 with *why set.
uint64_t Check(Workspace* ws, uint64_t done, std::string* why) {
  WorkspaceStats st = ws->Stats();
  uint64_t batches = 0;
  if (st.memory.epi == NotesUpTo(done)) {
    batches = done;
  } else if (st.memory.epi == NotesUpTo(done + 1)) {
    batches = done + 1;
  } else {
    *why = "the log holds " + std::to_string(st.memory.epi) + " notes, expected " +
           std::to_string(NotesUpTo(done)) + " or " + std::to_string(NotesUpTo(done + 1));
    return 0;
  }
  if (st.vectors != st.memory.epi || st.text_docs != st.memory.epi) {
    *why = "indexes disagree with the log: " + std::to_string(st.memory.epi) + " notes, " +
           std::to_string(st.vectors) + " vectors, " + std::to_string(st.text_docs) +
           " text documents";
    return 0;
  }
  if (batches > 0) {
    std::string last = BatchFor(batches).back();
    RecallOptions ro;
    ro.k = 1;
    auto hits = ws->Recall(last.substr(last.rfind(' ') + 1), ro);
    if (!hits.ok() || hits->empty() || (*hits)[0].text != last) {
      *why = "the newest note is not recalled: " + last;
      return 0;
    }
  }
  return batches;
}

// Reopens the workspace and checks it against the `acked` acknowledged batches (Check).
std::string Verify(const std::string& dir, uint64_t /*done*/, uint64_t acked, uint64_t* held) {
  auto ws = Workspace::Open(dir, WorkspaceOptions{});
  if (!ws.ok()) return "reopen: " + ws.status().ToString();
  std::string why;
  *held = Check(ws->get(), acked, &why);
  return why.empty() ? why : "acknowledged " + std::to_string(acked) + ": " + why;
}

std::string Details(const crash::SequenceTotals& t) {
  return std::to_string(t.acked) + " acknowledged batches (last " + std::to_string(t.last) +
         "), 0 lost, 0 partial, log and indexes agree after every reopen; in-flight batch " +
         "found committed in " + std::to_string(t.inflight_committed) + " trials";
}

int Main(int argc, char** argv) {
  const crash::Spec spec{.program = "workspace_crashtest",
                         .defaults = {.trials = 60, .seed = 13, .max_delay_ms = 120}};
  return crash::RunSequenceTest(argc, argv, spec, "urd-wcrash-", {RunChild, Verify, Details});
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
