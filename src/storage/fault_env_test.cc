// Copyright urd authors. Tests of FaultInjectionEnv: fault counting, torn writes,
// power-loss simulation, and concurrent use (run this binary under TSan too).

#include "storage/fault_env.h"

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace urd {
namespace {

class FaultEnvTest : public testing::Test {
 protected:
  std::unique_ptr<WritableFile> Open(const std::string& path,
                                     WriteMode mode = WriteMode::kTruncate) {
    auto file = env_.NewWritableFile(path, mode);
    EXPECT_TRUE(file.ok()) << file.status().ToString();
    return file.ok() ? std::move(file).value() : nullptr;
  }

  std::string Contents(const std::string& path) {
    auto data = ReadFileToString(mem_.get(), path);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.value_or("<error>");
  }

  // Writes through the base env, bypassing the fault env's tracking.
  void WriteBehindBack(const std::string& path, std::string_view data) {
    auto file = mem_->NewWritableFile(path, WriteMode::kTruncate);
    ASSERT_TRUE(file.ok());
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::unique_ptr<Env> mem_ = NewMemEnv();
  FaultInjectionEnv env_{mem_.get()};
};

TEST_F(FaultEnvTest, FailNthCountsFromNow) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("a").ok());
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 1);
  env_.FailNth(FaultOp::kWrite, 3);
  EXPECT_TRUE(file->Append("b").ok());
  EXPECT_TRUE(file->Append("c").ok());
  Status third = file->Append("d");
  EXPECT_TRUE(third.IsIOError());
  EXPECT_EQ(third.message(), "injected fault");
  EXPECT_TRUE(file->Append("e").ok());  // fires once
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 5);
  EXPECT_EQ(Contents("/f"), "abce");  // the failed call did not write
  EXPECT_EQ(env_.Calls(FaultOp::kOpen), 1);
  env_.ResetCounts();
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 0);
}

TEST_F(FaultEnvTest, FailNthWithCustomError) {
  env_.FailNth(FaultOp::kSync, 1, Status::IOError("disk on fire"));
  auto file = Open("/f");
  EXPECT_EQ(file->Sync().message(), "disk on fire");
  EXPECT_TRUE(file->Sync().ok());
}

TEST_F(FaultEnvTest, FailFromKeepsFailingUntilCleared) {
  auto file = Open("/f");
  env_.FailFrom(FaultOp::kWrite, 2, FaultInjectionEnv::DiskFullError());
  EXPECT_TRUE(file->Append("1").ok());
  for (int i = 0; i < 5; ++i) {
    Status status = file->Append("x");
    EXPECT_TRUE(status.IsIOError());
    EXPECT_EQ(status.message(), "no space left on device (injected)");
  }
  env_.ClearFaults();
  EXPECT_TRUE(file->Append("2").ok());
  EXPECT_EQ(Contents("/f"), "12");
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 7);
}

TEST_F(FaultEnvTest, ArmingAgainReplacesTheFault) {
  auto file = Open("/f");
  env_.FailNth(FaultOp::kWrite, 1);
  env_.FailNth(FaultOp::kWrite, 2);
  EXPECT_TRUE(file->Append("a").ok());
  EXPECT_FALSE(file->Append("b").ok());
}

TEST_F(FaultEnvTest, PartialWriteWritesExactlyKBytes) {
  auto file = Open("/f");
  env_.SetPartialWriteBytes(3);
  env_.FailNth(FaultOp::kWrite, 1);
  EXPECT_FALSE(file->Append("abcdefgh").ok());
  EXPECT_EQ(Contents("/f"), "abc");
  env_.FailNth(FaultOp::kWrite, 1);
  EXPECT_FALSE(file->Append("xy").ok());  // shorter than k: all of it, still an error
  EXPECT_EQ(Contents("/f"), "abcxy");
  EXPECT_TRUE(file->Append("!").ok());  // writes without a fault are whole
  EXPECT_EQ(Contents("/f"), "abcxy!");
}

TEST_F(FaultEnvTest, OpenFaultCreatesNothing) {
  env_.FailNth(FaultOp::kOpen, 1);
  EXPECT_FALSE(env_.NewWritableFile("/f", WriteMode::kTruncate).ok());
  EXPECT_FALSE(mem_->FileExists("/f"));
  auto file = Open("/f");
  ASSERT_NE(file, nullptr);
  env_.FailNth(FaultOp::kOpen, 1);
  EXPECT_FALSE(env_.NewRandomAccessFile("/f").ok());
  EXPECT_TRUE(env_.NewRandomAccessFile("/f").ok());
}

TEST_F(FaultEnvTest, RenameRemoveSyncDirFaults) {
  auto file = Open("/a");
  ASSERT_TRUE(file->Close().ok());
  env_.FailNth(FaultOp::kRename, 1);
  EXPECT_FALSE(env_.RenameFile("/a", "/b").ok());
  EXPECT_TRUE(mem_->FileExists("/a"));
  EXPECT_FALSE(mem_->FileExists("/b"));
  env_.FailNth(FaultOp::kRemove, 1);
  EXPECT_FALSE(env_.RemoveFile("/a").ok());
  EXPECT_TRUE(mem_->FileExists("/a"));
  env_.FailNth(FaultOp::kSyncDir, 1);
  EXPECT_FALSE(env_.SyncDir("/").ok());
  EXPECT_TRUE(env_.SyncDir("/").ok());
}

TEST_F(FaultEnvTest, TruncateFaultCoversBothCalls) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abcdef").ok());
  env_.FailNth(FaultOp::kTruncate, 1);
  EXPECT_FALSE(file->Truncate(1).ok());
  env_.FailNth(FaultOp::kTruncate, 1);
  EXPECT_FALSE(env_.TruncateFile("/f", 1).ok());
  EXPECT_EQ(Contents("/f"), "abcdef");
  EXPECT_EQ(env_.Calls(FaultOp::kTruncate), 2);
}

TEST_F(FaultEnvTest, ReadFault) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abc").ok());
  auto reader = env_.NewRandomAccessFile("/f");
  ASSERT_TRUE(reader.ok());
  env_.FailNth(FaultOp::kRead, 2);
  char buf[4];
  size_t got = 0;
  EXPECT_TRUE((*reader)->Read(0, 3, buf, &got).ok());
  EXPECT_FALSE((*reader)->Read(0, 3, buf, &got).ok());
  EXPECT_EQ(got, 0u);
  EXPECT_TRUE((*reader)->Read(0, 3, buf, &got).ok());
  EXPECT_EQ(got, 3u);
}

TEST_F(FaultEnvTest, ShortReadReturnsHalfWithoutAnError) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abcdefg").ok());
  auto reader = env_.NewRandomAccessFile("/f");
  ASSERT_TRUE(reader.ok());
  env_.SetShortReads(true);
  env_.FailNth(FaultOp::kRead, 1);
  char buf[8];
  size_t got = 99;
  ASSERT_TRUE((*reader)->Read(0, 7, buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "abc");  // half of 7, rounded down
  ASSERT_TRUE((*reader)->Read(0, 7, buf, &got).ok());
  EXPECT_EQ(got, 7u);  // the next read is whole again
  env_.FailNth(FaultOp::kRead, 1);
  ASSERT_TRUE((*reader)->Read(6, 1, buf, &got).ok());
  EXPECT_EQ(got, 0u);  // a 1-byte read comes back empty: "end of file"
  env_.ClearFaults();  // short reads off again
  env_.FailNth(FaultOp::kRead, 1);
  EXPECT_FALSE((*reader)->Read(0, 7, buf, &got).ok());
}

TEST_F(FaultEnvTest, ClosedHandleFailsWithoutCounting) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Close().ok());
  EXPECT_TRUE(file->Append("x").IsFailedPrecondition());
  EXPECT_TRUE(file->Sync().IsFailedPrecondition());
  EXPECT_EQ(env_.Calls(FaultOp::kWrite), 0);
  EXPECT_TRUE(file->Close().ok());
}

TEST_F(FaultEnvTest, DropUnsyncedDataTruncatesToSyncedSize) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abc").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("def").ok());
  EXPECT_EQ(env_.SyncedSize("/f"), 3u);
  auto never_synced = Open("/g");
  ASSERT_TRUE(never_synced->Append("lost").ok());
  WriteBehindBack("/untracked", "stays");
  file.reset();
  never_synced.reset();

  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/f"), "abc");
  EXPECT_EQ(Contents("/g"), "");  // directory entries are not rolled back
  EXPECT_EQ(Contents("/untracked"), "stays");
}

TEST_F(FaultEnvTest, FailedSyncDoesNotAdvanceSyncedSize) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abc").ok());
  env_.FailNth(FaultOp::kSync, 1);
  EXPECT_FALSE(file->Sync().ok());
  EXPECT_EQ(env_.SyncedSize("/f"), 0u);
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/f"), "");
}

TEST_F(FaultEnvTest, PreexistingFileCountsAsSyncedAtOpen) {
  WriteBehindBack("/f", "old");
  auto file = Open("/f", WriteMode::kAppend);
  ASSERT_TRUE(file->Append("new").ok());
  file.reset();
  EXPECT_EQ(env_.SyncedSize("/f"), 3u);
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/f"), "old");
}

TEST_F(FaultEnvTest, ReopenKeepsUnsyncedBytesUnsynced) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("ab").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("cd").ok());
  file.reset();
  file = Open("/f", WriteMode::kAppend);
  ASSERT_TRUE(file->Append("ef").ok());
  file.reset();
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/f"), "ab");
}

TEST_F(FaultEnvTest, TruncateLowersAndTruncateFileSetsSyncedSize) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("abcdef").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Truncate(2).ok());
  EXPECT_EQ(env_.SyncedSize("/f"), 2u);
  ASSERT_TRUE(file->Append("XYZ").ok());
  ASSERT_TRUE(file->Close().ok());
  ASSERT_TRUE(env_.TruncateFile("/f", 4).ok());
  EXPECT_EQ(env_.SyncedSize("/f"), 4u);
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/f"), "abXY");
}

TEST_F(FaultEnvTest, RenameCarriesTracking) {
  auto file = Open("/tmp1");
  ASSERT_TRUE(file->Append("synced").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("+unsynced").ok());
  ASSERT_TRUE(env_.RenameFile("/tmp1", "/final").ok());
  EXPECT_EQ(env_.SyncedSize("/tmp1"), std::nullopt);
  EXPECT_EQ(env_.SyncedSize("/final"), 6u);
  // A sync through the handle opened under the old name still counts.
  ASSERT_TRUE(file->Append("!").ok());
  ASSERT_TRUE(file->Sync().ok());
  ASSERT_TRUE(file->Append("lost").ok());
  file.reset();
  EXPECT_EQ(env_.SyncedSize("/final"), 16u);
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/final"), "synced+unsynced!");
}

TEST_F(FaultEnvTest, RenameOverTrackedFileForgetsTheOldTarget) {
  auto target = Open("/target");
  ASSERT_TRUE(target->Append("unsynced").ok());
  target.reset();
  WriteBehindBack("/src", "untracked");
  ASSERT_TRUE(env_.RenameFile("/src", "/target").ok());
  EXPECT_EQ(env_.SyncedSize("/target"), std::nullopt);
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents("/target"), "untracked");
}

TEST_F(FaultEnvTest, RemoveForgetsTrackingAndMissingFilesAreSkipped) {
  auto file = Open("/f");
  ASSERT_TRUE(file->Append("x").ok());
  file.reset();
  ASSERT_TRUE(env_.RemoveFile("/f").ok());
  EXPECT_EQ(env_.SyncedSize("/f"), std::nullopt);
  auto other = Open("/g");
  other.reset();
  ASSERT_TRUE(mem_->RemoveFile("/g").ok());  // behind the fault env's back
  EXPECT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_FALSE(mem_->FileExists("/g"));
}

// Fills three files with synced and unsynced bytes; returns each file's full
// contents before the power loss.
std::vector<std::string> FillFiles(FaultInjectionEnv* env) {
  std::vector<std::string> full;
  for (int i = 0; i < 3; ++i) {
    auto file = env->NewWritableFile("/f" + std::to_string(i), WriteMode::kTruncate);
    EXPECT_TRUE(file.ok());
    std::string synced(10 + 5 * i, static_cast<char>('a' + i));
    std::string unsynced(40 + 7 * i, static_cast<char>('A' + i));
    EXPECT_TRUE((*file)->Append(synced).ok());
    EXPECT_TRUE((*file)->Sync().ok());
    EXPECT_TRUE((*file)->Append(unsynced).ok());
    full.push_back(synced + unsynced);
  }
  return full;
}

TEST(FaultEnvPowerLossTest, KeepingPrefixKeepsSyncedBytesAndAPrefixOfTheRest) {
  bool saw_partial_prefix = false;
  bool saw_zeroed_bytes = false;
  for (uint64_t seed = 0; seed < 40; ++seed) {
    std::unique_ptr<Env> mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    const std::vector<std::string> full = FillFiles(&env);
    ASSERT_TRUE(env.DropUnsyncedDataKeepingPrefix(seed).ok());
    for (int i = 0; i < 3; ++i) {
      const std::string path = "/f" + std::to_string(i);
      const size_t synced = 10 + 5 * static_cast<size_t>(i);
      auto after = ReadFileToString(mem.get(), path);
      ASSERT_TRUE(after.ok());
      ASSERT_GE(after->size(), synced) << "seed " << seed;
      ASSERT_LE(after->size(), full[i].size()) << "seed " << seed;
      EXPECT_EQ(after->substr(0, synced), full[i].substr(0, synced)) << "seed " << seed;
      for (size_t k = synced; k < after->size(); ++k) {
        ASSERT_TRUE((*after)[k] == full[i][k] || (*after)[k] == '\0') << "seed " << seed;
        saw_zeroed_bytes |= (*after)[k] == '\0';
      }
      saw_partial_prefix |= after->size() > synced && after->size() < full[i].size();
      EXPECT_EQ(env.SyncedSize(path), after->size());
    }
  }
  EXPECT_TRUE(saw_partial_prefix);
  EXPECT_TRUE(saw_zeroed_bytes);
}

TEST(FaultEnvPowerLossTest, KeepingPrefixIsDeterministicPerSeed) {
  auto run = [](uint64_t seed) {
    std::unique_ptr<Env> mem = NewMemEnv();
    FaultInjectionEnv env(mem.get());
    FillFiles(&env);
    EXPECT_TRUE(env.DropUnsyncedDataKeepingPrefix(seed).ok());
    std::string all;
    for (int i = 0; i < 3; ++i) {
      all += ReadFileToString(mem.get(), "/f" + std::to_string(i)).value_or("<error>");
      all += '|';
    }
    return all;
  };
  for (uint64_t seed : {1u, 7u, 12345u}) EXPECT_EQ(run(seed), run(seed)) << "seed " << seed;
  std::set<std::string> outcomes;
  for (uint64_t seed = 0; seed < 10; ++seed) outcomes.insert(run(seed));
  EXPECT_GT(outcomes.size(), 1u);  // the seed matters
}

// Four threads append to their own files through one FaultInjectionEnv over one
// MemEnv while a fifth reads the counters and one of the files; every byte must
// land in order.
TEST(FaultEnvConcurrencyTest, ThreadsAppendToDistinctFiles) {
  std::unique_ptr<Env> mem = NewMemEnv();
  FaultInjectionEnv env(mem.get());
  ASSERT_TRUE(env.CreateDir("/c").ok());
  constexpr int kThreads = 4;
  constexpr int kRecords = 500;
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&env, t] {
      const std::string path = "/c/file" + std::to_string(t);
      auto file = env.NewWritableFile(path, WriteMode::kCreateNew);
      ASSERT_TRUE(file.ok());
      for (int r = 0; r < kRecords; ++r) {
        ASSERT_TRUE((*file)->Append(std::to_string(r) + ",").ok());
        if (r % 50 == 0) {
          ASSERT_TRUE((*file)->Sync().ok());
        }
        if (r % 100 == 0) {
          ASSERT_TRUE(env.GetChildren("/c").ok());
        }
      }
      ASSERT_TRUE((*file)->Sync().ok());
      ASSERT_TRUE((*file)->Close().ok());
    });
  }
  std::thread observer([&env] {
    char buf[64];
    for (int i = 0; i < 200; ++i) {
      EXPECT_LE(env.Calls(FaultOp::kWrite), kThreads * kRecords);
      static_cast<void>(env.SyncedSize("/c/file0"));
      auto reader = env.NewRandomAccessFile("/c/file1");  // may not exist yet
      size_t got = 0;
      if (reader.ok()) {
        EXPECT_TRUE((*reader)->Read(0, sizeof(buf), buf, &got).ok());
      }
    }
  });
  for (std::thread& thread : threads) thread.join();
  observer.join();

  std::string expected;
  for (int r = 0; r < kRecords; ++r) expected += std::to_string(r) + ",";
  for (int t = 0; t < kThreads; ++t) {
    auto data = ReadFileToString(mem.get(), "/c/file" + std::to_string(t));
    ASSERT_TRUE(data.ok());
    EXPECT_EQ(*data, expected);
  }
  EXPECT_EQ(env.Calls(FaultOp::kWrite), kThreads * kRecords);
  ASSERT_TRUE(env.DropUnsyncedData().ok());  // all synced: nothing lost
  EXPECT_EQ(ReadFileToString(mem.get(), "/c/file0").value_or(""), expected);
}

}  // namespace
}  // namespace urd
