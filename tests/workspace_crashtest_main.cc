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

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>
#include <vector>

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

[[noreturn]] void RunChild(const std::string& dir, uint64_t first, int fd, bool sync) {
  WorkspaceOptions o;
  o.fsync = sync ? MemoryFsync::kEveryCommit : MemoryFsync::kNever;
  auto ws = Workspace::Open(dir, o);
  if (!ws.ok()) {
    std::fprintf(stderr, "child open: %s\n", ws.status().ToString().c_str());
    _exit(11);
  }
  for (uint64_t i = first;; ++i) {
    auto r = (*ws)->Remember(BatchFor(i), RememberOptions{}, kBase + i * 1000);
    if (!r.ok()) {
      std::fprintf(stderr, "child batch %llu: %s\n", static_cast<unsigned long long>(i),
                   r.status().ToString().c_str());
      _exit(12);
    }
    if (write(fd, &i, sizeof(i)) != static_cast<ssize_t>(sizeof(i))) _exit(13);
  }
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

int Main(int argc, char** argv) {
  int trials = 60, max_delay_ms = 120;
  uint64_t seed = 13;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--trials") {
      trials = std::atoi(argv[i + 1]);
    } else if (a == "--seed") {
      seed = std::strtoull(argv[i + 1], nullptr, 10);
    } else if (a == "--max-delay-ms") {
      max_delay_ms = std::atoi(argv[i + 1]);
    } else {
      std::fprintf(stderr, "usage: workspace_crashtest [--trials N] [--seed S] [--max-delay-ms M]\n");
      return 2;
    }
  }
  char tmpl[] = "/tmp/urd-wcrash-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::mt19937_64 rng(seed);
  uint64_t done = 0, acked_total = 0, inflight = 0;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < trials; ++t) {
    int fds[2];
    if (pipe(fds) != 0) return 1;
    pid_t pid = fork();
    if (pid == 0) {
      close(fds[0]);
      RunChild(dir, done + 1, fds[1], t % 2 == 0);
    }
    close(fds[1]);
    std::this_thread::sleep_for(std::chrono::microseconds(rng() % (max_delay_ms * 1000 + 1)));
    kill(pid, SIGKILL);
    int ws_status = 0;
    waitpid(pid, &ws_status, 0);
    uint64_t i = 0, acked = done;
    while (read(fds[0], &i, sizeof(i)) == static_cast<ssize_t>(sizeof(i))) acked = i;
    close(fds[0]);
    if (!WIFSIGNALED(ws_status)) {
      std::fprintf(stderr, "trial %d: child failed (%d)\n", t, ws_status);
      return 1;
    }
    acked_total += acked - done;
    auto ws = Workspace::Open(dir, WorkspaceOptions{});
    if (!ws.ok()) {
      std::fprintf(stderr, "trial %d: reopen: %s\n", t, ws.status().ToString().c_str());
      return 1;
    }
    std::string why;
    uint64_t held = Check(ws->get(), acked, &why);
    if (!why.empty()) {
      std::fprintf(stderr, "trial %d (acknowledged %llu): %s\n", t,
                   static_cast<unsigned long long>(acked), why.c_str());
      return 1;
    }
    if (held == acked + 1) ++inflight;
    done = held;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "workspace_crashtest: %d trials, %llu acknowledged batches (last %llu), 0 lost, 0 partial, "
      "log and indexes agree after every reopen; in-flight batch found committed in %llu trials; "
      "%.1f ms per trial\n",
      trials, static_cast<unsigned long long>(acked_total), static_cast<unsigned long long>(done),
      static_cast<unsigned long long>(inflight), secs * 1000 / trials);
  return std::system(("rm -rf '" + dir + "'").c_str()) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
