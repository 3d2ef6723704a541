// Copyright urd authors. Tests of the Env helpers: path functions, ReadFileToString,
// and WriteFileAtomic with each of its steps made to fail in turn.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "storage/fault_env.h"
#include "urd/env.h"

namespace urd {
namespace {

bool Contains(std::string_view haystack, std::string_view needle) {
  return haystack.find(needle) != std::string_view::npos;
}

TEST(PathTest, DirName) {
  EXPECT_EQ(DirName("a/b"), "a");
  EXPECT_EQ(DirName("/a/b/c"), "/a/b");
  EXPECT_EQ(DirName("/a"), "/");
  EXPECT_EQ(DirName("/"), "/");
  EXPECT_EQ(DirName("a"), ".");
  EXPECT_EQ(DirName(""), ".");
  EXPECT_EQ(DirName("a/b/"), "a");
  EXPECT_EQ(DirName("a//b"), "a");
  EXPECT_EQ(DirName("//a"), "/");
  EXPECT_EQ(DirName("./a"), ".");
}

TEST(PathTest, JoinPath) {
  EXPECT_EQ(JoinPath("a", "b"), "a/b");
  EXPECT_EQ(JoinPath("a/", "b"), "a/b");
  EXPECT_EQ(JoinPath("a//", "/b"), "a/b");
  EXPECT_EQ(JoinPath("/", "b"), "/b");
  EXPECT_EQ(JoinPath("", "b"), "b");
  EXPECT_EQ(JoinPath("/x/y", "z/w"), "/x/y/z/w");
}

TEST(ReadFileToStringTest, MissingFileIsNotFound) {
  std::unique_ptr<Env> env = NewMemEnv();
  auto data = ReadFileToString(env.get(), "/nope");
  ASSERT_FALSE(data.ok());
  EXPECT_TRUE(data.status().IsNotFound());
}

TEST(ReadFileToStringTest, EmptyFile) {
  std::unique_ptr<Env> env = NewMemEnv();
  auto file = env->NewWritableFile("/empty", WriteMode::kTruncate);
  ASSERT_TRUE(file.ok());
  auto data = ReadFileToString(env.get(), "/empty");
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "");
}

TEST(WriteFileAtomicTest, CreatesAndReplacesOnPosix) {
  std::string dir = (std::filesystem::temp_directory_path() / "urd_env_util.XXXXXX").string();
  ASSERT_NE(::mkdtemp(dir.data()), nullptr);
  Env* env = Env::Default();
  const std::string path = JoinPath(dir, "CURRENT");
  ASSERT_TRUE(WriteFileAtomic(env, path, "first").ok());
  ASSERT_TRUE(WriteFileAtomic(env, path, "second").ok());
  auto data = ReadFileToString(env, path);
  ASSERT_TRUE(data.ok());
  EXPECT_EQ(*data, "second");
  auto children = env->GetChildren(dir);
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"CURRENT"});
  std::error_code ec;
  std::filesystem::remove_all(dir, ec);
}

class WriteFileAtomicFaultTest : public testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(mem_->CreateDir("/d").ok());
    ASSERT_TRUE(WriteFileAtomic(&env_, kPath, "old").ok());
  }

  std::string Contents() {
    auto data = ReadFileToString(mem_.get(), kPath);
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.value_or("<error>");
  }

  static constexpr const char* kPath = "/d/CURRENT";
  static constexpr const char* kTmp = "/d/CURRENT.tmp";
  std::unique_ptr<Env> mem_ = NewMemEnv();
  FaultInjectionEnv env_{mem_.get()};
};

struct StepCase {
  FaultOp op;
  const char* step;  // expected in the error message
};

class WriteFileAtomicStepTest : public WriteFileAtomicFaultTest,
                                public testing::WithParamInterface<StepCase> {};

// A failure before the rename completes leaves the old contents and no temp file.
TEST_P(WriteFileAtomicStepTest, OldContentsSurvive) {
  env_.FailNth(GetParam().op, 1);
  Status status = WriteFileAtomic(&env_, kPath, "new contents");
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(status.IsIOError()) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), GetParam().step)) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), kPath)) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), "injected fault")) << status.ToString();
  EXPECT_EQ(Contents(), "old");
  EXPECT_FALSE(mem_->FileExists(kTmp));
}

INSTANTIATE_TEST_SUITE_P(
    EachStep, WriteFileAtomicStepTest,
    testing::Values(StepCase{FaultOp::kOpen, "create temp file"},
                    StepCase{FaultOp::kWrite, "write temp file"},
                    StepCase{FaultOp::kSync, "sync temp file"},
                    StepCase{FaultOp::kRename, "rename temp file"}),
    [](const testing::TestParamInfo<StepCase>& info) {
      switch (info.param.op) {
        case FaultOp::kOpen: return "Open";
        case FaultOp::kWrite: return "Write";
        case FaultOp::kSync: return "Sync";
        case FaultOp::kRename: return "Rename";
        default: return "Other";
      }
    });

// The rename already happened: the new contents are in place (though not durable
// until the directory is synced), and the error is still reported.
TEST_F(WriteFileAtomicFaultTest, SyncDirFailureLeavesNewContentsAndReportsError) {
  env_.FailNth(FaultOp::kSyncDir, 1);
  Status status = WriteFileAtomic(&env_, kPath, "new");
  ASSERT_FALSE(status.ok());
  EXPECT_TRUE(Contains(status.message(), "sync directory")) << status.ToString();
  EXPECT_TRUE(Contains(status.message(), kPath)) << status.ToString();
  EXPECT_EQ(Contents(), "new");
  EXPECT_FALSE(mem_->FileExists(kTmp));
}

TEST_F(WriteFileAtomicFaultTest, TornWriteLeavesOldContents) {
  env_.SetPartialWriteBytes(2);
  env_.FailNth(FaultOp::kWrite, 1);
  ASSERT_FALSE(WriteFileAtomic(&env_, kPath, "new contents").ok());
  EXPECT_EQ(Contents(), "old");
  EXPECT_FALSE(mem_->FileExists(kTmp));
}

TEST_F(WriteFileAtomicFaultTest, FailureWhenTargetAbsentLeavesItAbsent) {
  env_.FailNth(FaultOp::kSync, 1);
  ASSERT_FALSE(WriteFileAtomic(&env_, "/d/OTHER", "x").ok());
  EXPECT_FALSE(mem_->FileExists("/d/OTHER"));
  EXPECT_FALSE(mem_->FileExists("/d/OTHER.tmp"));
}

TEST_F(WriteFileAtomicFaultTest, FirstErrorWinsOverCleanupError) {
  env_.FailNth(FaultOp::kSync, 1, Status::IOError("sync broke"));
  env_.FailNth(FaultOp::kRemove, 1, Status::IOError("remove broke"));
  Status status = WriteFileAtomic(&env_, kPath, "new");
  EXPECT_TRUE(Contains(status.message(), "sync broke")) << status.ToString();
  EXPECT_FALSE(Contains(status.message(), "remove broke")) << status.ToString();
  EXPECT_EQ(Contents(), "old");
  EXPECT_TRUE(mem_->FileExists(kTmp));  // cleanup is best effort
}

TEST_F(WriteFileAtomicFaultTest, StaleTempFileIsReplaced) {
  auto stale = mem_->NewWritableFile(kTmp, WriteMode::kTruncate);
  ASSERT_TRUE(stale.ok());
  ASSERT_TRUE((*stale)->Append("garbage from a crash").ok());
  ASSERT_TRUE((*stale)->Close().ok());
  ASSERT_TRUE(WriteFileAtomic(&env_, kPath, "new").ok());
  EXPECT_EQ(Contents(), "new");
  EXPECT_FALSE(mem_->FileExists(kTmp));
}

TEST_F(WriteFileAtomicFaultTest, SuccessSurvivesPowerLoss) {
  ASSERT_TRUE(WriteFileAtomic(&env_, kPath, "durable").ok());
  ASSERT_TRUE(env_.DropUnsyncedData().ok());
  EXPECT_EQ(Contents(), "durable");
}

}  // namespace
}  // namespace urd
