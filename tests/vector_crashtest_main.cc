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

#include <cmath>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "crash_harness.h"
#include "urd/vector_store.h"
#include "vector/kernels.h"

namespace urd {
namespace {

constexpr size_t kDim = 16;

using crash::Mix;

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
[[noreturn]] void RunChild(const std::string& dir, uint64_t first_op, bool sync,
                           crash::AckWriter& ack) {
  VectorOptions o;
  o.dimension = kDim;
  o.fsync = sync ? VectorFsync::kEveryCall : VectorFsync::kNever;
  o.auto_compact = std::nullopt;
  auto s = VectorStore::Open(dir, o);
  if (!s.ok()) crash::ChildOpenFailed(s.status());
  crash::RunSteps(first_op, "op", ack, [&](uint64_t op) { return RunOp(s->get(), op); });
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

// Applies ops done + 1 .. acked to `model`, reopens the store and checks that it
// holds `model`, or `model` after one more op (which is then kept).
std::string Verify(const std::string& dir, uint64_t done, uint64_t acked, Model* model,
                   uint64_t* held) {
  for (uint64_t i = done + 1; i <= acked; i++) ApplyToModel(i, model);
  VectorOptions o;
  o.dimension = kDim;  // the child may have died before creating the store
  o.auto_compact = std::nullopt;
  auto s = VectorStore::Open(dir, o);
  if (!s.ok()) return "reopen: " + s.status().ToString();
  std::string why;
  *held = acked;
  if (Matches(s->get(), *model, &why)) return "";
  Model next = *model;
  ApplyToModel(acked + 1, &next);
  std::string why2;
  if (!Matches(s->get(), next, &why2)) {
    return "after " + std::to_string(acked) + " acknowledged ops the store " +
           "matches neither state: " + why + " / " + why2;
  }
  *model = std::move(next);
  *held = acked + 1;
  return "";
}

std::string Details(const crash::SequenceTotals& t, size_t records) {
  return std::to_string(t.acked) + " acknowledged ops (last op " + std::to_string(t.last) + ", " +
         std::to_string(records) + " records), 0 lost, 0 partial; in-flight op found committed " +
         "in " + std::to_string(t.inflight_committed) + " trials";
}

int Main(int argc, char** argv) {
  const crash::Spec spec{.program = "vector_crashtest",
                         .defaults = {.trials = 100, .seed = 7, .max_delay_ms = 150}};
  Model model;  // after the ops the store holds
  auto verify = [&](const std::string& dir, uint64_t done, uint64_t acked, uint64_t* held) {
    return Verify(dir, done, acked, &model, held);
  };
  auto details = [&](const crash::SequenceTotals& t) { return Details(t, model.size()); };
  return crash::RunSequenceTest(argc, argv, spec, "urd-vcrash-", {RunChild, verify, details});
}

}  // namespace
}  // namespace urd

int main(int argc, char** argv) { return urd::Main(argc, argv); }
