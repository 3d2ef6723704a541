// Copyright urd authors. One suite run over both Env implementations: the POSIX
// env (in a fresh directory under /tmp, removed afterwards) and the in-memory env.

#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "urd/env.h"

namespace urd {
namespace {

enum class EnvKind { kPosix, kMem };

class EnvTest : public testing::TestWithParam<EnvKind> {
 protected:
  void SetUp() override {
    if (GetParam() == EnvKind::kPosix) {
      env_ = Env::Default();
      std::string tmpl = (std::filesystem::temp_directory_path() / "urd_env_test.XXXXXX").string();
      ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
      dir_ = tmpl;
    } else {
      mem_env_ = NewMemEnv();
      env_ = mem_env_.get();
      dir_ = "/test";
      ASSERT_TRUE(env_->CreateDir(dir_).ok());
    }
  }

  void TearDown() override {
    if (GetParam() == EnvKind::kPosix && !dir_.empty()) {
      std::error_code ec;
      std::filesystem::remove_all(dir_, ec);
    }
  }

  std::string Path(const std::string& name) const { return JoinPath(dir_, name); }

  void WriteFile(const std::string& name, std::string_view data,
                 WriteMode mode = WriteMode::kTruncate) {
    auto file = env_->NewWritableFile(Path(name), mode);
    ASSERT_TRUE(file.ok()) << file.status().ToString();
    ASSERT_TRUE((*file)->Append(data).ok());
    ASSERT_TRUE((*file)->Close().ok());
  }

  std::string ReadAll(const std::string& name) {
    auto data = ReadFileToString(env_, Path(name));
    EXPECT_TRUE(data.ok()) << data.status().ToString();
    return data.value_or("");
  }

  Env* env_ = nullptr;
  std::unique_ptr<Env> mem_env_;
  std::string dir_;
};

TEST_P(EnvTest, CreateAppendSizeAndReadBack) {
  auto file = env_->NewWritableFile(Path("f"), WriteMode::kTruncate);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  EXPECT_EQ((*file)->Size(), 0u);
  ASSERT_TRUE((*file)->Append("hello ").ok());
  ASSERT_TRUE((*file)->Append("world").ok());
  EXPECT_EQ((*file)->Size(), 11u);
  ASSERT_TRUE((*file)->Sync().ok());
  ASSERT_TRUE((*file)->Close().ok());

  EXPECT_TRUE(env_->FileExists(Path("f")));
  auto size = env_->GetFileSize(Path("f"));
  ASSERT_TRUE(size.ok());
  EXPECT_EQ(*size, 11u);

  auto reader = env_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  char buf[16];
  size_t got = 0;
  ASSERT_TRUE((*reader)->Read(6, 5, buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "world");
  auto reader_size = (*reader)->Size();
  ASSERT_TRUE(reader_size.ok());
  EXPECT_EQ(*reader_size, 11u);
}

TEST_P(EnvTest, LargeAppendRoundTrips) {
  std::string data(3 * 1024 * 1024 + 7, '\0');
  for (size_t i = 0; i < data.size(); ++i) data[i] = static_cast<char>(i * 131 % 251);
  WriteFile("big", data);
  EXPECT_EQ(ReadAll("big"), data);
}

TEST_P(EnvTest, ReadAtOrPastEndIsShortNotAnError) {
  WriteFile("f", "abc");
  auto reader = env_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  char buf[8];
  size_t got = 99;
  ASSERT_TRUE((*reader)->Read(1, 8, buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "bc");
  ASSERT_TRUE((*reader)->Read(3, 8, buf, &got).ok());
  EXPECT_EQ(got, 0u);
  ASSERT_TRUE((*reader)->Read(100, 8, buf, &got).ok());
  EXPECT_EQ(got, 0u);
}

TEST_P(EnvTest, ReaderSeesLaterAppends) {
  auto writer = env_->NewWritableFile(Path("f"), WriteMode::kTruncate);
  ASSERT_TRUE(writer.ok());
  ASSERT_TRUE((*writer)->Append("one").ok());
  auto reader = env_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE((*writer)->Append("two").ok());
  char buf[8];
  size_t got = 0;
  ASSERT_TRUE((*reader)->Read(0, 8, buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "onetwo");
}

TEST_P(EnvTest, AppendModeContinues) {
  WriteFile("f", "abc");
  auto file = env_->NewWritableFile(Path("f"), WriteMode::kAppend);
  ASSERT_TRUE(file.ok());
  EXPECT_EQ((*file)->Size(), 3u);
  ASSERT_TRUE((*file)->Append("def").ok());
  EXPECT_EQ((*file)->Size(), 6u);
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadAll("f"), "abcdef");
}

TEST_P(EnvTest, AppendModeCreatesMissingFile) {
  WriteFile("new", "x", WriteMode::kAppend);
  EXPECT_EQ(ReadAll("new"), "x");
}

TEST_P(EnvTest, TruncateModeEmptiesExistingFile) {
  WriteFile("f", "old contents");
  WriteFile("f", "new");
  EXPECT_EQ(ReadAll("f"), "new");
}

TEST_P(EnvTest, CreateNewFailsOnExistingFile) {
  WriteFile("f", "keep", WriteMode::kCreateNew);
  auto again = env_->NewWritableFile(Path("f"), WriteMode::kCreateNew);
  ASSERT_FALSE(again.ok());
  EXPECT_TRUE(again.status().IsInvalidArgument()) << again.status().ToString();
  EXPECT_NE(again.status().message().find(Path("f")), std::string_view::npos);
  EXPECT_EQ(ReadAll("f"), "keep");
}

TEST_P(EnvTest, RenameReplacesTarget) {
  WriteFile("a", "new");
  WriteFile("b", "old");
  ASSERT_TRUE(env_->RenameFile(Path("a"), Path("b")).ok());
  EXPECT_FALSE(env_->FileExists(Path("a")));
  EXPECT_EQ(ReadAll("b"), "new");
}

TEST_P(EnvTest, RemoveFile) {
  WriteFile("f", "x");
  ASSERT_TRUE(env_->RemoveFile(Path("f")).ok());
  EXPECT_FALSE(env_->FileExists(Path("f")));
  Status again = env_->RemoveFile(Path("f"));
  EXPECT_TRUE(again.IsNotFound()) << again.ToString();
}

TEST_P(EnvTest, GetChildrenIsSortedWithoutDots) {
  WriteFile("b", "");
  WriteFile("a", "");
  WriteFile("c", "");
  ASSERT_TRUE(env_->CreateDir(Path("sub")).ok());
  WriteFile("sub/inner", "");  // not a direct child
  auto children = env_->GetChildren(dir_);
  ASSERT_TRUE(children.ok()) << children.status().ToString();
  EXPECT_EQ(*children, (std::vector<std::string>{"a", "b", "c", "sub"}));
}

TEST_P(EnvTest, CreateDirAndRemoveDir) {
  ASSERT_TRUE(env_->CreateDir(Path("d")).ok());
  EXPECT_TRUE(env_->CreateDir(Path("d")).ok());  // already exists: OK
  EXPECT_TRUE(env_->SyncDir(Path("d")).ok());
  WriteFile("d/f", "x");
  EXPECT_FALSE(env_->RemoveDir(Path("d")).ok());  // not empty
  ASSERT_TRUE(env_->RemoveFile(Path("d/f")).ok());
  ASSERT_TRUE(env_->RemoveDir(Path("d")).ok());
  EXPECT_FALSE(env_->FileExists(Path("d")));
  WriteFile("file", "x");
  EXPECT_FALSE(env_->CreateDir(Path("file")).ok());  // a file is in the way
  Status nested = env_->CreateDir(Path("missing/child"));
  EXPECT_TRUE(nested.IsNotFound()) << nested.ToString();
}

TEST_P(EnvTest, NotFoundErrorsNameThePath) {
  const std::string missing = Path("missing");
  const std::string in_missing_dir = Path("nodir/f");
  auto expect_not_found = [](const Status& status, const std::string& path) {
    EXPECT_TRUE(status.IsNotFound()) << status.ToString();
    EXPECT_NE(status.message().find(path), std::string_view::npos) << status.ToString();
  };
  expect_not_found(env_->NewRandomAccessFile(missing).status(), missing);
  expect_not_found(env_->GetFileSize(missing).status(), missing);
  expect_not_found(env_->RemoveFile(missing), missing);
  expect_not_found(env_->RenameFile(missing, Path("x")), missing);
  expect_not_found(env_->TruncateFile(missing, 0), missing);
  expect_not_found(env_->GetChildren(missing).status(), missing);
  expect_not_found(env_->SyncDir(missing), missing);
  expect_not_found(env_->RemoveDir(missing), missing);
  expect_not_found(env_->NewWritableFile(in_missing_dir, WriteMode::kTruncate).status(),
                   in_missing_dir);
  EXPECT_FALSE(env_->FileExists(missing));
}

TEST_P(EnvTest, TruncateFileShrinksAndExtends) {
  WriteFile("f", "abcdef");
  ASSERT_TRUE(env_->TruncateFile(Path("f"), 2).ok());
  EXPECT_EQ(ReadAll("f"), "ab");
  ASSERT_TRUE(env_->TruncateFile(Path("f"), 4).ok());
  EXPECT_EQ(ReadAll("f"), std::string("ab\0\0", 4));
}

TEST_P(EnvTest, WritableTruncateThenAppend) {
  auto file = env_->NewWritableFile(Path("f"), WriteMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("abcdef").ok());
  ASSERT_TRUE((*file)->Truncate(3).ok());
  EXPECT_EQ((*file)->Size(), 3u);
  ASSERT_TRUE((*file)->Append("XY").ok());
  EXPECT_EQ((*file)->Size(), 5u);
  ASSERT_TRUE((*file)->Truncate(7).ok());
  ASSERT_TRUE((*file)->Append("Z").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_EQ(ReadAll("f"), std::string("abcXY\0\0Z", 8));
}

TEST_P(EnvTest, CallsAfterCloseFail) {
  auto file = env_->NewWritableFile(Path("f"), WriteMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Append("abc").ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE((*file)->Close().ok());  // idempotent
  EXPECT_TRUE((*file)->Append("x").IsFailedPrecondition());
  EXPECT_TRUE((*file)->Sync().IsFailedPrecondition());
  EXPECT_TRUE((*file)->Truncate(0).IsFailedPrecondition());
  EXPECT_EQ((*file)->Size(), 3u);
  EXPECT_EQ(ReadAll("f"), "abc");
}

TEST_P(EnvTest, RemovedFileStaysReadableThroughOpenHandle) {
  WriteFile("f", "data");
  auto reader = env_->NewRandomAccessFile(Path("f"));
  ASSERT_TRUE(reader.ok());
  ASSERT_TRUE(env_->RemoveFile(Path("f")).ok());
  char buf[8];
  size_t got = 0;
  ASSERT_TRUE((*reader)->Read(0, 8, buf, &got).ok());
  EXPECT_EQ(std::string(buf, got), "data");
}

INSTANTIATE_TEST_SUITE_P(AllEnvs, EnvTest, testing::Values(EnvKind::kPosix, EnvKind::kMem),
                         [](const testing::TestParamInfo<EnvKind>& info) {
                           return info.param == EnvKind::kPosix ? "Posix" : "Mem";
                         });

TEST(MemEnvTest, PathsAreNormalised) {
  std::unique_ptr<Env> env = NewMemEnv();
  ASSERT_TRUE(env->CreateDir("/d").ok());
  auto file = env->NewWritableFile("/d//f", WriteMode::kTruncate);
  ASSERT_TRUE(file.ok());
  ASSERT_TRUE((*file)->Close().ok());
  EXPECT_TRUE(env->FileExists("/d/f"));
  EXPECT_TRUE(env->FileExists("/d/./f"));
  auto children = env->GetChildren("/d/");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"f"});
  auto root = env->GetChildren("/");
  ASSERT_TRUE(root.ok());
  EXPECT_EQ(*root, std::vector<std::string>{"d"});
}

TEST(MemEnvTest, RelativePathsLiveUnderDot) {
  std::unique_ptr<Env> env = NewMemEnv();
  auto file = env->NewWritableFile("top", WriteMode::kTruncate);
  ASSERT_TRUE(file.ok()) << file.status().ToString();
  auto children = env->GetChildren(".");
  ASSERT_TRUE(children.ok());
  EXPECT_EQ(*children, std::vector<std::string>{"top"});
}

}  // namespace
}  // namespace urd
