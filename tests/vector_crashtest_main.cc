// Copyright urd authors. vector_crashtest: SIGKILL crash test of the vector store.
//
// A deterministic sequence of operations (op i: an upsert batch with overwrites,
// every 10th a delete, every 25th a compaction) is run by a child process, which
// reports each acknowledged op index over a pipe. The parent kills the child with
// SIGKILL at a random moment (often mid-upsert or mid-compaction), reopens the
// store and checks that its contents equal the model after exactly the
// acknowledged ops, or after one more (the op in flight, if it committed): nothing
// acknowledged is lost, nothing half-applied is visible, and the store opens every
// time. Then the next trial continues from there.
//
//   vector_crashtest [--trials N] [--seed S] [--max-delay-ms M]

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "urd/vector_store.h"
#include "vector/kernels.h"

namespace urd {
namespace {

constexpr size_t kDim = 16;

uint64_t Mix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ull;
  x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
  x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
  return x ^ (x >> 31);
}

std::vector<float> VectorFor(uint64_t op, uint64_t j) {
  std::vector<float> v(kDim);
  for (size_t k = 0; k < kDim; k++) {
    v[k] = static_cast<float>(static_cast<int64_t>(Mix(op * 1000003 + j * 131 + k) % 2001) - 1000);
  }
  v[0] += 0.5f;  // never all zeros
  return v;
}

enum class Kind { kUpsert, kDelete, kCompact };
Kind KindOf(uint64_t op) {
  if (op % 25 == 0) return Kind::kCompact;
  if (op % 10 == 0) return Kind::kDelete;
  return Kind::kUpsert;
}
std::string CollectionOf(uint64_t op) { return "c" + std::to_string(Mix(op) % 3); }

// Key: collection/id; value: (op, j) that wrote the vector.
using Model = std::map<std::pair<std::string, std::string>, std::pair<uint64_t, uint64_t>>;

struct Batch {
  std::string collection;
  std::vector<VectorRecord> records;
  std::vector<std::pair<uint64_t, uint64_t>> sources;
  std::vector<std::string> deletes;
};

Batch BatchFor(uint64_t op) {
  Batch b;
  b.collection = CollectionOf(op);
  if (KindOf(op) == Kind::kDelete) {
    for (uint64_t j = 0; j < 20; j += 2) b.deletes.push_back("r" + std::to_string(op - 3) + "-" + std::to_string(j));
    b.collection = CollectionOf(op - 3);
    return b;
  }
  const uint64_t m = 1 + Mix(op ^ 77) % (Mix(op) % 8 == 0 ? 3000 : 60);
  for (uint64_t j = 0; j < m; j++) {
    b.records.push_back({"r" + std::to_string(op) + "-" + std::to_string(j), VectorFor(op, j),
                         {{"op", Value::Int(static_cast<int64_t>(op))}}});
    b.sources.push_back({op, j});
  }
  if (op > 5 && CollectionOf(op - 5) == b.collection) {  // overwrite an older record
    b.records.push_back({"r" + std::to_string(op - 5) + "-0", VectorFor(op, 999999),
                         {{"op", Value::Int(static_cast<int64_t>(op))}}});
    b.sources.push_back({op, 999999});
  }
  return b;
}

void ApplyToModel(uint64_t op, Model* model) {
  if (KindOf(op) == Kind::kCompact) return;
  Batch b = BatchFor(op);
  for (const std::string& id : b.deletes) model->erase({b.collection, id});
  for (size_t i = 0; i < b.records.size(); i++) (*model)[{b.collection, b.records[i].id}] = b.sources[i];
}

Status RunOp(VectorStore* s, uint64_t op) {
  if (KindOf(op) == Kind::kCompact) return s->Compact();
  Batch b = BatchFor(op);
  if (!b.deletes.empty()) return s->Delete(b.collection, b.deletes).status();
  return s->Upsert(b.collection, b.records).status();
}

// Odd trials run without fsync: a SIGKILL loses nothing the kernel accepted, and
// many more operations (and compactions) per trial get interrupted.
[[noreturn]] void RunChild(const std::string& dir, uint64_t first_op, int fd, bool sync) {
  VectorOptions o;
  o.dimension = kDim;
  o.fsync = sync ? VectorFsync::kEveryCall : VectorFsync::kNever;
  o.auto_compact = std::nullopt;
  auto s = VectorStore::Open(dir, o);
  if (!s.ok()) {
    std::fprintf(stderr, "child open: %s\n", s.status().ToString().c_str());
    _exit(11);
  }
  for (uint64_t op = first_op;; op++) {
    Status st = RunOp(s->get(), op);
    if (!st.ok()) {
      std::fprintf(stderr, "child op %llu: %s\n", (unsigned long long)op, st.ToString().c_str());
      _exit(12);
    }
    if (write(fd, &op, sizeof(op)) != static_cast<ssize_t>(sizeof(op))) _exit(13);
  }
}

// Does the store hold exactly `model`?
bool Matches(VectorStore* s, const Model& model, std::string* why) {
  size_t seen = 0;
  for (const std::string& c : s->ListCollections()) {
    auto all = s->GetAll(c);
    if (!all.ok()) return *why = all.status().ToString(), false;
    for (const VectorRecord& r : *all) {
      auto it = model.find({c, r.id});
      if (it == model.end()) return *why = "unexpected record " + c + "/" + r.id, false;
      std::vector<float> want = VectorFor(it->second.first, it->second.second);
      vec::NormalizeInPlace(want.data(), kDim);
      for (size_t k = 0; k < kDim; k++) {
        if (std::fabs(want[k] - r.vector[k]) > 1e-6f) return *why = "wrong vector " + r.id, false;
      }
      seen++;
    }
  }
  if (seen != model.size()) {
    *why = "holds " + std::to_string(seen) + " records, model " + std::to_string(model.size());
    return false;
  }
  return true;
}

int Main(int argc, char** argv) {
  int trials = 100, max_delay_ms = 150;
  uint64_t seed = 7;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string a = argv[i];
    if (a == "--trials") trials = std::atoi(argv[i + 1]);
    else if (a == "--seed") seed = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--max-delay-ms") max_delay_ms = std::atoi(argv[i + 1]);
    else return std::fprintf(stderr, "usage: vector_crashtest [--trials N] [--seed S] [--max-delay-ms M]\n"), 2;
  }
  char tmpl[] = "/tmp/urd-vcrash-XXXXXX";
  const std::string dir = mkdtemp(tmpl);
  std::mt19937_64 rng(seed);
  Model model;
  uint64_t done = 0, acked_total = 0, inflight_committed = 0;
  auto start = std::chrono::steady_clock::now();
  for (int t = 0; t < trials; t++) {
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
    int ws = 0;
    waitpid(pid, &ws, 0);
    uint64_t op = 0, acked = done;
    while (read(fds[0], &op, sizeof(op)) == static_cast<ssize_t>(sizeof(op))) acked = op;
    close(fds[0]);
    if (!WIFSIGNALED(ws)) return std::fprintf(stderr, "trial %d: child failed (%d)\n", t, ws), 1;
    for (uint64_t i = done + 1; i <= acked; i++) ApplyToModel(i, &model);
    acked_total += acked - done;
    VectorOptions o;
    o.dimension = kDim;  // the child may have died before creating the store
    o.auto_compact = std::nullopt;
    auto s = VectorStore::Open(dir, o);
    if (!s.ok()) return std::fprintf(stderr, "trial %d: reopen: %s\n", t, s.status().ToString().c_str()), 1;
    std::string why;
    if (Matches(s->get(), model, &why)) {
      done = acked;
    } else {
      Model next = model;
      ApplyToModel(acked + 1, &next);
      std::string why2;
      if (!Matches(s->get(), next, &why2)) {
        std::fprintf(stderr, "trial %d: after %llu acknowledged ops the store matches neither "
                     "state: %s / %s\n", t, (unsigned long long)acked, why.c_str(), why2.c_str());
        return 1;
      }
      model = std::move(next);
      done = acked + 1;
      inflight_committed++;
    }
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("vector_crashtest: %d trials, %llu acknowledged ops (last op %llu, %zu records), 0 "
              "lost, 0 partial; in-flight op found committed in %llu trials; %.1f ms per trial\n",
              trials, (unsigned long long)acked_total, (unsigned long long)done, model.size(),
              (unsigned long long)inflight_committed, secs * 1000 / trials);
  return std::system(("rm -rf '" + dir + "'").c_str()) == 0 ? 0 : 1;
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
