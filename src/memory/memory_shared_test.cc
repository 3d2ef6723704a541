// Copyright urd authors. MemoryStore with lock_per_write: several writers on one
// directory, each holding the lock only while it commits.

#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include <gtest/gtest.h>

#include "urd/memory_store.h"

namespace urd {
namespace {

constexpr uint64_t kNow = 1'713'350'400'000;

std::string TempDir(const std::string& name) {
  auto dir = std::filesystem::temp_directory_path() /
             ("urd_memshared_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

MemoryOptions PerWrite(std::chrono::milliseconds wait = std::chrono::milliseconds(2000)) {
  MemoryOptions o;
  o.lock_per_write = true;
  o.lock_wait = wait;
  o.fsync = MemoryFsync::kNever;
  return o;
}

std::unique_ptr<MemoryStore> OpenOk(const std::string& dir, const MemoryOptions& o) {
  auto s = MemoryStore::Open(dir, o);
  EXPECT_TRUE(s.ok()) << s.status().ToString();
  return s.ok() ? std::move(*s) : nullptr;
}

std::string Fact(const std::string& who, int i) {
  return "(sem @" + who + " @n" + std::to_string(i) + " " + std::to_string(i) +
         " :src @observation :c 0.9 :v 2024-01-01)";
}

// Every memory as one line, for comparing two views of one store.
std::string Observe(const MemoryStore& s) {
  std::string out;
  auto dump = s.Dump();
  EXPECT_TRUE(dump.ok());
  for (const MemoryHit& h : *dump) out += h.memory_id + " " + h.form + "\n";
  return out;
}

TEST(MemorySharedTest, TwoWritersInterleaveAndSeeEachOther) {
  const std::string dir = TempDir("two");
  auto a = OpenOk(dir, PerWrite());
  auto b = OpenOk(dir, PerWrite());
  for (int i = 0; i < 20; ++i) {
    MemoryStore* w = i % 2 == 0 ? a.get() : b.get();
    auto r = w->Commit(Fact(i % 2 == 0 ? "a" : "b", i), kNow + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
    // The writer has every earlier commit, also the other's: ids are dense.
    EXPECT_EQ(r->memory_ids[0], "__mem_" + std::to_string(i));
  }
  ASSERT_TRUE(a->Refresh().ok());
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(a->Stats().sem, 20u);
  EXPECT_EQ(Observe(*a), Observe(*b));
  auto fresh = OpenOk(dir, MemoryOptions{});
  EXPECT_EQ(Observe(*fresh), Observe(*a));
  std::filesystem::remove_all(dir);
}

TEST(MemorySharedTest, WriteWaitsForASessionWriterThenFailsNamingIt) {
  const std::string dir = TempDir("busy");
  auto a = OpenOk(dir, PerWrite(std::chrono::milliseconds(100)));
  MemoryOptions session;
  session.lock_owner = "the holder";
  auto holder = OpenOk(dir, session);
  auto r = a->Commit(Fact("a", 1), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_TRUE(r.status().code() == StatusCode::kBusy ||
              r.status().code() == StatusCode::kTimedOut) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find("the holder"), std::string::npos) << r.status().ToString();
  EXPECT_NE(r.status().ToString().find(std::to_string(getpid())), std::string::npos);
  ASSERT_TRUE(holder->Commit(Fact("h", 1), kNow).ok());
  holder.reset();
  ASSERT_TRUE(a->Commit(Fact("a", 2), kNow + 1).ok());  // nothing was left behind
  EXPECT_EQ(a->Stats().sem, 2u);
  std::filesystem::remove_all(dir);
}

// A writer killed in the middle of a batch leaves a torn tail; the next writer
// cuts it and goes on, and a reader never sees half a batch.
TEST(MemorySharedTest, TornTailOfAKilledWriterIsCut) {
  const std::string dir = TempDir("torn");
  auto a = OpenOk(dir, PerWrite());
  ASSERT_TRUE(a->Commit(Fact("a", 1), kNow).ok());
  const std::string log = dir + "/memory.log";
  const auto size = std::filesystem::file_size(log);
  {
    std::ofstream f(log, std::ios::app | std::ios::binary);
    f << std::string("\x12\x34\x56\x78\x40\x00\x00\x00\x01partial", 16);
  }
  ASSERT_TRUE(a->Refresh().ok());  // a torn tail is not an error for a reader
  ASSERT_TRUE(a->Commit(Fact("a", 2), kNow + 1).ok());
  EXPECT_GT(std::filesystem::file_size(log), size);
  auto fresh = OpenOk(dir, MemoryOptions{});
  EXPECT_EQ(fresh->Stats().sem, 2u);
  EXPECT_EQ(Observe(*fresh), Observe(*a));
  std::filesystem::remove_all(dir);
}

// Threads of two processes' worth of stores: concurrent commits and refreshes on
// one directory lose nothing (TSan runs this).
TEST(MemorySharedTest, ConcurrentWritersAndReaders) {
  const std::string dir = TempDir("conc");
  auto a = OpenOk(dir, PerWrite(std::chrono::milliseconds(10000)));
  auto b = OpenOk(dir, PerWrite(std::chrono::milliseconds(10000)));
  constexpr int kEach = 40;
  auto writer = [&](MemoryStore* s, const std::string& who) {
    for (int i = 0; i < kEach; ++i) {
      auto r = s->Commit(Fact(who, i), kNow + i);
      EXPECT_TRUE(r.ok()) << r.status().ToString();
    }
  };
  std::thread ta(writer, a.get(), "a"), tb(writer, b.get(), "b");
  std::thread reader([&] {
    for (int i = 0; i < 50; ++i) {
      EXPECT_TRUE(a->Refresh().ok());
      (void)a->Query("(query :s @a)");
    }
  });
  ta.join();
  tb.join();
  reader.join();
  ASSERT_TRUE(a->Refresh().ok());
  ASSERT_TRUE(b->Refresh().ok());
  EXPECT_EQ(a->Stats().sem, 2u * kEach);
  EXPECT_EQ(Observe(*a), Observe(*b));
  std::filesystem::remove_all(dir);
}

// A child process commits in a loop and is SIGKILLed; the parent keeps committing
// (the kernel released the lock) and every batch either process acknowledged is
// there after a fresh open.
TEST(MemorySharedTest, KilledWriterNeverBlocksTheOther) {
  const std::string dir = TempDir("kill");
  { OpenOk(dir, PerWrite()); }
  int acks[2];
  ASSERT_EQ(pipe(acks), 0);
  pid_t child = fork();
  if (child == 0) {
    close(acks[0]);
    auto s = MemoryStore::Open(dir, PerWrite());
    for (int i = 0; s.ok(); ++i) {
      if (!(*s)->Commit(Fact("child", i), kNow + i).ok()) _exit(2);
      if (write(acks[1], &i, sizeof i) != sizeof i) _exit(3);
    }
    _exit(1);
  }
  close(acks[1]);
  int got = -1, child_acked = -1;
  while (child_acked < 30 && read(acks[0], &got, sizeof got) == sizeof got) child_acked = got;
  kill(child, SIGKILL);
  int status = 0;
  waitpid(child, &status, 0);
  while (read(acks[0], &got, sizeof got) == sizeof got) child_acked = got;
  close(acks[0]);
  auto parent = OpenOk(dir, PerWrite());
  for (int i = 0; i < 10; ++i) {
    auto r = parent->Commit(Fact("parent", i), kNow + i);
    ASSERT_TRUE(r.ok()) << r.status().ToString();
  }
  auto fresh = OpenOk(dir, MemoryOptions{});
  auto child_rows = fresh->Query("(query :s @child)");
  auto parent_rows = fresh->Query("(query :s @parent)");
  ASSERT_TRUE(child_rows.ok() && parent_rows.ok());
  EXPECT_GE(child_rows->records.size(), static_cast<size_t>(child_acked + 1));
  EXPECT_EQ(parent_rows->records.size(), 10u);
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace urd
