// Copyright urd authors. Tests of per-write locking (VectorOptions::lock_per_write):
// several store objects, threads and processes writing one store, each call
// catching up with the others under <dir>/LOCK; a writer killed mid-call; and
// read-only refresh ignoring rows no committed batch references.
//
// Tests whose names contain "Concurren" run under TSan in CI.

#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstdlib>
#include <map>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "storage/writer_lock.h"
#include "urd/vector_store.h"

namespace urd {
namespace {

using Clock = std::chrono::steady_clock;
constexpr size_t kDim = 8;

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/urd-vec-shared-XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { (void)std::system(("rm -rf '" + path_ + "'").c_str()); }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// A deterministic, never-zero vector for a key.
std::vector<float> VectorFor(const std::string& key) {
  std::seed_seq seq(key.begin(), key.end());
  std::mt19937 rng(seq);
  std::uniform_real_distribution<float> u(-1, 1);
  std::vector<float> v(kDim);
  for (float& x : v) x = u(rng);
  v[0] += 2;
  return v;
}

std::vector<float> Normalised(std::vector<float> v) {
  double n = 0;
  for (float x : v) n += double{x} * x;
  for (float& x : v) x = static_cast<float>(x / std::sqrt(n));
  return v;
}

VectorOptions PerWrite(std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) {
  VectorOptions o;
  o.dimension = kDim;
  o.lock_per_write = true;
  o.lock_wait = wait;
  o.scan_threads = 1;  // no pool threads: the fork test forks this process
  o.auto_compact.reset();
  return o;
}

std::unique_ptr<VectorStore> OpenOrDie(const std::string& dir, const VectorOptions& o) {
  auto s = VectorStore::Open(dir, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(s).value() : nullptr;
}

Status Put(VectorStore* s, const std::string& id, const std::string& key) {
  std::vector<VectorRecord> recs = {{id, VectorFor(key), {{"key", Value::String(key)}}}};
  return s->Upsert("c", recs).status();
}

// Model: id -> the key its vector was made from.
using Model = std::map<std::string, std::string>;

// Checks that `s` holds exactly `model` in collection "c", by count, GetAll and Get.
void ExpectHolds(const VectorStore& s, const Model& model, const std::string& who) {
  auto count = s.CountRecords("c");
  ASSERT_TRUE(count.ok()) << who << ": " << count.status().ToString();
  EXPECT_EQ(*count, model.size()) << who;
  auto all = s.GetAll("c");
  ASSERT_TRUE(all.ok()) << who;
  ASSERT_EQ(all->size(), model.size()) << who;
  for (const auto& [id, key] : model) {
    auto r = s.Get("c", id);
    ASSERT_TRUE(r.ok()) << who << ": " << id << ": " << r.status().ToString();
    EXPECT_EQ(r->attrs.at("key"), Value::String(key)) << who << ": " << id;
    std::vector<float> want = Normalised(VectorFor(key));
    for (size_t k = 0; k < kDim; k++) EXPECT_NEAR(r->vector[k], want[k], 1e-6) << who << ": " << id;
  }
}

bool LockIsFree(const std::string& dir) {
  auto held = WriterLock::Probe(dir);
  return held.ok() && !held->has_value();
}

// Two per-write objects on one directory take turns; each sees the other's records
// after Refresh() and after its own next write, and no lock is held between calls.
TEST(VectorSharedTest, ConcurrentPerWriteStoresAlternate) {
  TempDir dir;
  auto a = OpenOrDie(dir.path(), PerWrite());
  auto b = OpenOrDie(dir.path(), PerWrite());
  ASSERT_TRUE(a && b);
  EXPECT_TRUE(LockIsFree(dir.path()));
  Model model;
  for (int i = 0; i < 40; i++) {
    VectorStore* w = i % 2 ? a.get() : b.get();
    VectorStore* other = i % 2 ? b.get() : a.get();
    const std::string id = "r" + std::to_string(i % 15), key = "k" + std::to_string(i);
    ASSERT_TRUE(Put(w, id, key).ok()) << i;
    model[id] = key;
    if (i % 5 == 4) {
      std::vector<std::string> ids = {"r" + std::to_string(i % 7), "absent"};
      auto n = w->Delete("c", ids);
      ASSERT_TRUE(n.ok()) << n.status().ToString();
      EXPECT_EQ(*n, model.erase(ids[0]));
    }
    ExpectHolds(*w, model, "writer after its write " + std::to_string(i));
    EXPECT_TRUE(LockIsFree(dir.path()));
    if (i % 3 == 0) {
      ASSERT_TRUE(other->Refresh().ok());
      ExpectHolds(*other, model, "other after Refresh " + std::to_string(i));
    }
  }
  ASSERT_TRUE(a->SetMeta("c", {{"owner", "a"}}).ok());
  ASSERT_TRUE(b->CreateCollection("d").ok());  // b catches up with a's SetMeta first
  EXPECT_EQ(b->GetMeta("c").value().at("owner"), "a");
  ASSERT_TRUE(a->DropCollection("d").ok());
  EXPECT_EQ(a->DeleteWhere("c", Filter::Eq("key", Value::String("k39"))).value(), 1u);
  model.erase("r9");
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_FALSE(b->HasCollection("d"));
  ExpectHolds(*b, model, "b at the end");
  EXPECT_TRUE(a->Flush().ok());
  a.reset();
  b.reset();
  VectorOptions plain;
  auto fresh = OpenOrDie(dir.path(), plain);
  ASSERT_TRUE(fresh);
  ExpectHolds(*fresh, model, "fresh open");
}

// A mutation that fails validation changes nothing and leaves the lock free.
TEST(VectorSharedTest, RejectedPerWriteCallChangesNothing) {
  TempDir dir;
  auto s = OpenOrDie(dir.path(), PerWrite());
  ASSERT_TRUE(s && Put(s.get(), "a", "a").ok());
  const uint64_t bytes = s->GetFootprint().file_bytes;
  std::vector<VectorRecord> bad = {{"x", VectorFor("x"), {}}, {"y", {1, 2}, {}}};
  EXPECT_TRUE(s->Upsert("c", bad).status().IsInvalidArgument());
  EXPECT_TRUE(s->SetMeta("c", {{"", "v"}}).IsInvalidArgument());
  EXPECT_TRUE(s->CreateCollection("").IsInvalidArgument());
  EXPECT_EQ(s->GetFootprint().file_bytes, bytes);
  EXPECT_EQ(s->CountRecords("c").value(), 1u);
  EXPECT_TRUE(LockIsFree(dir.path()));
  VectorOptions negative = PerWrite(std::chrono::milliseconds(-1));
  EXPECT_TRUE(VectorStore::Open(dir.path(), negative).status().IsInvalidArgument());
}

// While a session writer holds the lock, a per-write call waits lock_wait, then
// fails with the lock's error naming the holder, and changes nothing. Once the
// writer is gone the next call catches up with what the writer committed.
TEST(VectorSharedTest, ConcurrentPerWriteCallWaitsThenFailsWhileWriterHoldsLock) {
  TempDir dir;
  auto p = OpenOrDie(dir.path(), PerWrite(std::chrono::milliseconds(150)));
  ASSERT_TRUE(p && Put(p.get(), "p0", "p0").ok());
  VectorOptions never = PerWrite(std::chrono::milliseconds(50));
  never.fsync = VectorFsync::kNever;
  auto unsynced = OpenOrDie(dir.path(), never);
  auto instant = OpenOrDie(dir.path(), PerWrite(std::chrono::milliseconds(0)));
  ASSERT_TRUE(unsynced && instant);
  VectorOptions wo;
  wo.lock_owner = "session-writer";
  auto w = OpenOrDie(dir.path(), wo);
  ASSERT_TRUE(w && Put(w.get(), "w0", "w0").ok());
  const auto start = Clock::now();
  Status st = Put(p.get(), "p1", "p1");
  const auto waited = Clock::now() - start;
  ASSERT_TRUE(st.IsTimedOut()) << st.ToString();
  EXPECT_GE(waited, std::chrono::milliseconds(150));
  EXPECT_LT(waited, std::chrono::seconds(5));
  EXPECT_NE(st.ToString().find("session-writer"), std::string::npos) << st.ToString();
  EXPECT_NE(st.ToString().find("pid " + std::to_string(getpid())), std::string::npos)
      << st.ToString();
  EXPECT_TRUE(p->Compact().IsTimedOut());
  EXPECT_TRUE(p->Flush().ok());               // nothing unsynced between calls
  EXPECT_TRUE(unsynced->Flush().IsTimedOut());  // kNever: Flush must sync under the lock
  // No wait at all: Busy at once, naming the holder.
  st = Put(instant.get(), "i0", "i0");
  ASSERT_TRUE(st.IsBusy()) << st.ToString();
  EXPECT_NE(st.ToString().find("session-writer"), std::string::npos) << st.ToString();
  // A per-write Open fails the same way.
  auto waiting_open = VectorStore::Open(dir.path(), PerWrite(std::chrono::milliseconds(150)));
  EXPECT_TRUE(waiting_open.status().IsTimedOut()) << waiting_open.status().ToString();
  VectorOptions now = PerWrite(std::chrono::milliseconds(0));
  auto busy_open = VectorStore::Open(dir.path(), now);
  EXPECT_TRUE(busy_open.status().IsBusy()) << busy_open.status().ToString();
  EXPECT_FALSE(p->Get("c", "p1").ok());
  EXPECT_EQ(p->CountRecords("c").value(), 1u);
  // Reads and lock-free Refresh work meanwhile.
  ASSERT_TRUE(p->Refresh().ok());
  EXPECT_TRUE(p->Get("c", "w0").ok());
  w.reset();
  ASSERT_TRUE(Put(p.get(), "p1", "p1").ok());
  ExpectHolds(*p, {{"p0", "p0"}, {"w0", "w0"}, {"p1", "p1"}}, "per-write after the writer");
}

// Compaction by one per-write object is followed by the other: by its next write
// (under the lock) and by Refresh (without it).
TEST(VectorSharedTest, ConcurrentCompactionIsFollowed) {
  TempDir dir;
  auto a = OpenOrDie(dir.path(), PerWrite());
  auto b = OpenOrDie(dir.path(), PerWrite());
  ASSERT_TRUE(a && b);
  Model model;
  for (int i = 0; i < 10; i++) {
    const std::string id = "r" + std::to_string(i % 4), key = "k" + std::to_string(i);
    ASSERT_TRUE(Put(i % 2 ? a.get() : b.get(), id, key).ok());
    model[id] = key;
  }
  ASSERT_TRUE(a->Compact().ok());
  EXPECT_EQ(a->GetFootprint().generation, 2u);
  EXPECT_EQ(a->GetFootprint().dead_rows, 0u);
  EXPECT_EQ(b->GetFootprint().generation, 1u);
  ASSERT_TRUE(Put(b.get(), "after", "after").ok());  // b follows generation 2 first
  model["after"] = "after";
  EXPECT_EQ(b->GetFootprint().generation, 2u);
  ExpectHolds(*b, model, "b after its write");
  ASSERT_TRUE(a->Refresh().ok());
  ExpectHolds(*a, model, "a after Refresh");
  ASSERT_TRUE(b->Compact().ok());
  ASSERT_TRUE(a->Refresh().ok());
  EXPECT_EQ(a->GetFootprint().generation, 3u);
  ExpectHolds(*a, model, "a after the second compaction");
  ASSERT_TRUE(Put(a.get(), "last", "last").ok());
  model["last"] = "last";
  ASSERT_TRUE(b->Refresh().ok());
  ExpectHolds(*b, model, "b at the end");
}

// Two threads, each with its own per-write object, write at the same time; a third
// thread refreshes a read-only store. Every write is kept.
TEST(VectorSharedTest, ConcurrentThreadsWithOwnPerWriteObjects) {
  TempDir dir;
  auto a = OpenOrDie(dir.path(), PerWrite(std::chrono::seconds(20)));
  auto b = OpenOrDie(dir.path(), PerWrite(std::chrono::seconds(20)));
  VectorOptions ro;
  ro.read_only = true;
  ro.scan_threads = 1;
  auto r = OpenOrDie(dir.path(), ro);
  ASSERT_TRUE(a && b && r);
  std::atomic<bool> done{false};
  std::thread reader([&] {
    while (!done.load()) {
      Status st = r->Refresh();  // may race a compaction, never corrupt
      EXPECT_FALSE(st.IsCorruption()) << st.ToString();
    }
  });
  auto writer = [](VectorStore* s, const std::string& prefix) {
    for (int i = 0; i < 30; i++) {
      const std::string id = prefix + std::to_string(i);
      EXPECT_TRUE(Put(s, id, id).ok()) << id;
      if (i == 15) {
        EXPECT_TRUE(s->Compact().ok());
      }
    }
  };
  std::thread ta(writer, a.get(), "a"), tb(writer, b.get(), "b");
  ta.join();
  tb.join();
  done = true;
  reader.join();
  Model model;
  for (int i = 0; i < 30; i++) {
    model["a" + std::to_string(i)] = "a" + std::to_string(i);
    model["b" + std::to_string(i)] = "b" + std::to_string(i);
  }
  for (VectorStore* s : {a.get(), b.get(), r.get()}) ASSERT_TRUE(s->Refresh().ok());
  ExpectHolds(*a, model, "a");
  ExpectHolds(*b, model, "b");
  ExpectHolds(*r, model, "reader");
}

// ---- a per-write child process killed with SIGKILL in a loop of upserts ----

// The child: upserts batches "t<trial>-<i>" until killed, acknowledging each
// committed batch i on `ack`. Never returns.
[[noreturn]] void RunChild(const std::string& dir, int trial, int ack) {
  auto s = VectorStore::Open(dir, PerWrite(std::chrono::seconds(30)));
  if (!s.ok()) _exit(2);
  for (int i = 0;; i++) {
    std::vector<VectorRecord> recs;
    for (int j = 0; j <= i % 5; j++) {
      const std::string id = "t" + std::to_string(trial) + "-" + std::to_string(i) + "-" +
                             std::to_string(j);
      recs.push_back({id, VectorFor(id), {{"key", Value::String(id)}}});
    }
    if (!(*s)->Upsert("c", recs).ok()) _exit(3);
    if (write(ack, &i, sizeof(i)) != sizeof(i)) _exit(4);
    usleep(200 + (i * 7919) % 1500);  // the lock is not fair: let the parent in
  }
}

// Reads every acknowledgement the dead child wrote; adds its records to *model.
void CollectAcks(int fd, int trial, Model* model) {
  int i = 0;
  while (read(fd, &i, sizeof(i)) == sizeof(i)) {
    for (int j = 0; j <= i % 5; j++) {
      const std::string id = "t" + std::to_string(trial) + "-" + std::to_string(i) + "-" +
                             std::to_string(j);
      (*model)[id] = id;
    }
  }
}

// The parent keeps writing while the child writes and dies: no call blocks beyond
// lock_wait, none reports corruption, and a fresh open holds every acknowledged
// record of both processes.
TEST(VectorSharedTest, ConcurrentKilledPerWriteChildLosesNothingAcknowledged) {
  TempDir dir;
  auto parent = OpenOrDie(dir.path(), PerWrite(std::chrono::seconds(10)));
  ASSERT_TRUE(parent);
  VectorOptions ro;
  ro.read_only = true;
  ro.scan_threads = 1;
  auto reader = OpenOrDie(dir.path(), ro);
  ASSERT_TRUE(reader);
  Model model;
  std::mt19937 rng(7);
  int parent_writes = 0;
  size_t child_records = 0;
  for (int trial = 0; trial < 20; trial++) {
    int fds[2];
    ASSERT_EQ(pipe(fds), 0);
    const pid_t pid = fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      close(fds[0]);
      RunChild(dir.path(), trial, fds[1]);
    }
    close(fds[1]);
    // The lock is not fair: the parent pauses between calls so the child gets in.
    const auto until = Clock::now() + std::chrono::milliseconds(30 + rng() % 150);
    while (Clock::now() < until) {
      const std::string id = "p" + std::to_string(parent_writes++);
      const auto start = Clock::now();
      Status st = Put(parent.get(), id, id);
      ASSERT_TRUE(st.ok()) << id << ": " << st.ToString();
      EXPECT_LT(Clock::now() - start, std::chrono::seconds(11));
      model[id] = id;
      Status rs = reader->Refresh();  // may race a compaction (retry later), never corrupt
      ASSERT_FALSE(rs.IsCorruption()) << rs.ToString();
      std::this_thread::sleep_for(std::chrono::microseconds(500 + rng() % 3000));
    }
    kill(pid, SIGKILL);
    int wstatus = 0;
    ASSERT_EQ(waitpid(pid, &wstatus, 0), pid);
    ASSERT_TRUE(WIFSIGNALED(wstatus)) << "child exited with " << WEXITSTATUS(wstatus);
    const size_t before = model.size();
    CollectAcks(fds[0], trial, &model);
    child_records += model.size() - before;
    close(fds[0]);
    if (trial % 4 == 3) {
      ASSERT_TRUE(parent->Compact().ok());
    }
    const std::string id = "p" + std::to_string(parent_writes++);
    ASSERT_TRUE(Put(parent.get(), id, id).ok());  // repairs what the child left
    model[id] = id;
  }
  EXPECT_GT(child_records, 0u) << "the children never got to write";
  // Unacknowledged batches may have committed: the stores hold the model or more.
  auto count = parent->CountRecords("c");
  ASSERT_TRUE(count.ok());
  EXPECT_GE(*count, model.size());
  ASSERT_TRUE(reader->Refresh().ok());
  EXPECT_EQ(reader->CountRecords("c").value(), *count);
  parent.reset();
  VectorOptions plain;
  auto fresh = OpenOrDie(dir.path(), plain);
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->CountRecords("c").value(), *count);
  for (const auto& [id, key] : model) {
    auto r = fresh->Get("c", id);
    ASSERT_TRUE(r.ok()) << id << ": " << r.status().ToString();
    EXPECT_EQ(r->attrs.at("key"), Value::String(key));
  }
  EXPECT_EQ(fresh->GetFootprint().rows, fresh->GetFootprint().dead_rows + *count);
}

// ---- orphan rows: in the vectors file, referenced by no committed batch ----

// Rows of an uncommitted batch (here: its log batch cut off by hand, as if the
// writer died between the row write and the log append) are never taken by a
// read-only Refresh, so a later writer's rewrite of those rows does not make the
// reader's copy stale.
TEST(VectorSharedTest, ReadOnlyRefreshIgnoresOrphanRows) {
  TempDir dir;
  VectorOptions wo;
  wo.dimension = kDim;
  wo.auto_compact.reset();
  {
    auto w = OpenOrDie(dir.path(), wo);
    ASSERT_TRUE(w && Put(w.get(), "a", "a").ok());
  }
  VectorOptions ro;
  ro.read_only = true;
  auto r = OpenOrDie(dir.path(), ro);
  ASSERT_TRUE(r);
  const std::string ops = dir.path() + "/ops.1";
  const uint64_t committed = Env::Default()->GetFileSize(ops).value();
  {
    auto w = OpenOrDie(dir.path(), wo);
    ASSERT_TRUE(w && Put(w.get(), "orphan", "orphan").ok());
  }
  ASSERT_TRUE(Env::Default()->TruncateFile(ops, committed).ok());  // uncommit it
  ASSERT_TRUE(r->Refresh().ok());
  EXPECT_EQ(r->GetFootprint().rows, 1u);
  EXPECT_FALSE(r->Get("c", "orphan").ok());
  // A per-write writer drops the orphan row and writes its own row in its place.
  auto p = OpenOrDie(dir.path(), PerWrite());
  ASSERT_TRUE(p && Put(p.get(), "b", "b").ok());
  ASSERT_TRUE(Put(p.get(), "c", "c").ok());
  Status st = r->Refresh();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectHolds(*r, {{"a", "a"}, {"b", "b"}, {"c", "c"}}, "reader");
  EXPECT_EQ(r->GetFootprint().rows, 3u);
}

// A refresh that finds a damaged committed row fails and changes nothing; once the
// row is repaired the next refresh starts from the same place and succeeds.
TEST(VectorSharedTest, FailedRefreshLeavesTheReaderAsItWas) {
  TempDir dir;
  VectorOptions wo;
  wo.dimension = kDim;
  auto w = OpenOrDie(dir.path(), wo);
  ASSERT_TRUE(w && Put(w.get(), "a", "a").ok());
  VectorOptions ro;
  ro.read_only = true;
  auto r = OpenOrDie(dir.path(), ro);
  ASSERT_TRUE(r);
  ASSERT_TRUE(Put(w.get(), "b", "b").ok());
  const std::string path = dir.path() + "/vectors.1";
  const std::string good = ReadFileToString(Env::Default(), path).value();
  std::string bad = good;
  bad[good.size() - 64 + 3] ^= 1;  // row 1, b's
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path, bad).ok());
  Status st = r->Refresh();
  ASSERT_TRUE(st.IsCorruption()) << st.ToString();
  EXPECT_EQ(r->GetFootprint().rows, 1u);
  EXPECT_FALSE(r->Get("c", "b").ok());
  ASSERT_TRUE(WriteFileAtomic(Env::Default(), path, good).ok());
  st = r->Refresh();
  ASSERT_TRUE(st.ok()) << st.ToString();
  ExpectHolds(*r, {{"a", "a"}, {"b", "b"}}, "reader after the repair");
}

// The same, with the orphan row written while a per-write store had already read
// up to the end of the log: its next write truncates the row before appending.
TEST(VectorSharedTest, PerWriteCatchUpDropsOrphanRowsUnderTheLock) {
  TempDir dir;
  auto p = OpenOrDie(dir.path(), PerWrite());
  ASSERT_TRUE(p && Put(p.get(), "a", "a").ok());
  const std::string ops = dir.path() + "/ops.1";
  const uint64_t committed = Env::Default()->GetFileSize(ops).value();
  {
    VectorOptions wo;
    auto w = OpenOrDie(dir.path(), wo);
    ASSERT_TRUE(w && Put(w.get(), "orphan", "orphan").ok());
  }
  // Cut the log inside the last batch: a torn tail plus an orphan row.
  ASSERT_TRUE(Env::Default()->TruncateFile(ops, committed + 5).ok());
  ASSERT_TRUE(p->Refresh().ok());
  EXPECT_EQ(p->GetFootprint().rows, 1u);
  ASSERT_TRUE(Put(p.get(), "b", "b").ok());
  ExpectHolds(*p, {{"a", "a"}, {"b", "b"}}, "per-write store");
  EXPECT_EQ(Env::Default()->GetFileSize(dir.path() + "/vectors.1").value(),
            64u + 2 * ((kDim * 4 + 63) / 64 * 64));
  p.reset();
  auto fresh = OpenOrDie(dir.path(), VectorOptions());
  ASSERT_TRUE(fresh);
  ExpectHolds(*fresh, {{"a", "a"}, {"b", "b"}}, "fresh open");
}

}  // namespace
}  // namespace urd
