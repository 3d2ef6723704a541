// Copyright urd authors.

#include "memory/workspace_id.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

namespace urd::mem {
namespace {

WorkspaceId Id(std::string_view url) {
  Result<WorkspaceId> id = WorkspaceIdFromGitRemote(url);
  EXPECT_TRUE(id.ok()) << url << ": " << id.status().ToString();
  return id.ok() ? *id : WorkspaceId{};
}

std::string Normal(std::string_view url) {
  Result<std::string> s = NormalizeGitRemote(url);
  EXPECT_TRUE(s.ok()) << url;
  return s.ok() ? *s : std::string();
}

TEST(WorkspaceIdTest, KnownSha256) {
  // printf '%s' 'https://github.com/buildepicshit/mimir' | sha256sum
  const WorkspaceId id = Id("https://github.com/buildepicshit/mimir");
  EXPECT_EQ(WorkspaceIdDirName(id),
            "07b7990521640d8d67c57ca33f4a2495d0a2e54ee330d5696acbd3d75fd57972");
  EXPECT_EQ(WorkspaceIdShortHex(id), "07b7990521640d8d");
  // printf '%s' 'git@github.com:buildepicshit/mimir' | sha256sum
  EXPECT_EQ(WorkspaceIdDirName(Id("git@github.com:BuildEpicShit/Mimir.git")),
            "9cc81473e592446af2b5783a74e6c9b98abfb024836eb50f6deb6726a0781a08");
}

TEST(WorkspaceIdTest, CaseGitSuffixSlashAndWhitespaceVariationsAgree) {
  const std::string variants[] = {
      "https://github.com/buildepicshit/mimir",
      "https://github.com/buildepicshit/mimir.git",
      "https://github.com/buildepicshit/mimir/",
      "HTTPS://GitHub.com/BuildEpicShit/Mimir.GIT",
      "  https://github.com/buildepicshit/mimir.git\n",
      "\thttps://github.com/buildepicshit/mimir/\r\n",
      "\xc2\xa0https://github.com/buildepicshit/mimir\xe3\x80\x80",  // U+00A0, U+3000
      "https://github.com/buildepicshit/mimir/.git",                 // ".git" then "/" stripped
  };
  const WorkspaceId expected = Id(variants[0]);
  for (const std::string& v : variants) {
    EXPECT_EQ(Normal(v), "https://github.com/buildepicshit/mimir") << v;
    EXPECT_EQ(Id(v), expected) << v;
  }
}

TEST(WorkspaceIdTest, OnlyOneSuffixOfEachIsStripped) {
  EXPECT_EQ(Normal("https://h/r.git.git"), "https://h/r.git");
  EXPECT_EQ(Normal("https://h/r//"), "https://h/r/");
  EXPECT_EQ(Normal("https://h/r.git/"), "https://h/r.git");  // "/" is stripped after ".git"
  EXPECT_EQ(Normal(".git/"), ".git");
  EXPECT_NE(Id("https://h/r.git/"), Id("https://h/r"));
}

TEST(WorkspaceIdTest, OnlyAsciiIsLowercased) {
  EXPECT_EQ(Normal("https://H/\xc3\x84pfel"), "https://h/\xc3\x84pfel");  // Ä stays
}

TEST(WorkspaceIdTest, DistinctRemotesDiffer) {
  std::set<WorkspaceId> ids = {
      Id("https://github.com/org/repo"),   Id("git@github.com:org/repo"),
      Id("ssh://git@github.com/org/repo"), Id("https://gitlab.com/org/repo"),
      Id("https://github.com/org/repo2"),
  };
  EXPECT_EQ(ids.size(), 5u);
  EXPECT_NE(WorkspaceIdDirName(Id("https://github.com/org/repo")),
            WorkspaceIdDirName(Id("git@github.com:org/repo")));
}

TEST(WorkspaceIdTest, EmptyRemoteRejected) {
  for (std::string_view url : {"", " ", "\n\t ", ".git", "/", "/.git", " .GIT "}) {
    Result<WorkspaceId> id = WorkspaceIdFromGitRemote(url);
    EXPECT_FALSE(id.ok()) << "'" << url << "'";
    EXPECT_TRUE(id.status().IsInvalidArgument()) << url;
  }
}

TEST(WorkspaceIdTest, InvalidUtf8Rejected) {
  Result<WorkspaceId> id = WorkspaceIdFromGitRemote("https://h/\xff");
  ASSERT_FALSE(id.ok());
  EXPECT_TRUE(id.status().IsInvalidArgument());
}

TEST(WorkspaceIdTest, UlidForm) {
  std::array<uint8_t, 16> ulid;
  for (size_t i = 0; i < ulid.size(); ++i) ulid[i] = static_cast<uint8_t>(0xA0 + i);
  const WorkspaceId id = WorkspaceIdFromUlid(ulid);
  for (size_t i = 0; i < 16; ++i) EXPECT_EQ(id[i], ulid[i]);
  for (size_t i = 16; i < 32; ++i) EXPECT_EQ(id[i], 0);
  EXPECT_EQ(WorkspaceIdShortHex(id), "a0a1a2a3a4a5a6a7");
  EXPECT_EQ(WorkspaceIdDirName(id),
            "a0a1a2a3a4a5a6a7a8a9aaabacadaeaf00000000000000000000000000000000");
  EXPECT_EQ(WorkspaceIdDirName(id).size(), 64u);
}

}  // namespace
}  // namespace urd::mem
