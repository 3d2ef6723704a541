// Copyright urd authors. GlobMatch: nidus 0.3.0's table (nidus.md §3.4) and more.

#include <gtest/gtest.h>

#include <chrono>
#include <string>

#include "urd/filter.h"

namespace urd {
namespace {

struct GlobCase {
  const char* pattern;
  const char* text;
  bool match;
};

void ExpectTable(const GlobCase* cases, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    EXPECT_EQ(GlobMatch(cases[i].pattern, cases[i].text), cases[i].match)
        << "pattern \"" << cases[i].pattern << "\" text \"" << cases[i].text << "\"";
  }
}

TEST(GlobTest, NidusVectors) {
  const GlobCase cases[] = {
      {"src/*", "src/a/b.rs", true},  // `*` crosses '/'
      {"*.*", "nodot", false},
      {"a?c", "ac", false},
      {"a?c", "abc", true},
      {"[!0-9]", "a", true},
      {"[!0-9]", "5", false},
      {"[abc", "[abc", true},  // `[` without a later `]` is literal
      {"[abc", "a", false},
      {"[abc", "[", false},
      {"[*", "[hello", true},
      {"[*", "[", true},
      {"[*", "hello", false},
      {"", "", true},
      {"", "a", false},
      {"a", "", false},
  };
  ExpectTable(cases, std::size(cases));
}

TEST(GlobTest, StarsAndAnchoring) {
  const GlobCase cases[] = {
      {"*", "", true},          {"*", "anything/at/all", true},
      {"**", "", true},         {"a**b", "ab", true},  // consecutive stars collapse
      {"a***b", "axxb", true},  {"*a", "ba", true},
      {"*a", "ab", false},                            // anchored at the end
      {"a*", "ab", true},       {"a*", "ba", false},  // anchored at the start
      {"*b*", "abc", true},     {"*b*", "ac", false},
      {"a*b*c", "aXbYc", true}, {"a*b*c", "aXbYcZ", false},
      {"a*b*c", "abcbc", true},  // needs backtracking past the first `b`
      {"*x*y", "xxyxy", true},  {"?", "", false},
      {"??", "ab", true},       {"??", "abc", false},
      {"*?", "", false},        {"*?", "a", true},
      {"abc", "abc", true},     {"abc", "ABC", false},  // case-sensitive
  };
  ExpectTable(cases, std::size(cases));
}

TEST(GlobTest, Classes) {
  const GlobCase cases[] = {
      {"[a-z]", "m", true},
      {"[a-z]", "M", false},
      {"[a-cx-z]", "y", true},
      {"[a-cx-z]", "d", false},
      {"[abc]", "b", true},
      {"[^abc]", "b", false},
      {"[^abc]", "d", true},
      {"[!abc]", "d", true},
      {"[]", "", false},   // an empty class matches nothing...
      {"[]", "]", false},  // ...not even a `]`
      {"[]", "a", false},
      {"[]]", "]", false},  // `[]` then literal `]`: needs two characters
      {"[]]", "x]", false},
      {"[]a]", "a]", false},
      {"[!]", "a", true},  // a negated empty class matches any one character
      {"[!]", "]", true},
      {"[!]", "", false},
      {"[!]", "ab", false},
      {"[^]", "z", true},
      {"[!]x", "yx", true},
      {"[a-]", "-", true},  // `-` right before `]` is literal
      {"[a-]", "a", true},
      {"[a-]", "b", false},
      {"[-a]", "-", true},
      {"[z-a]", "m", false},  // a reversed range is empty
      {"[!", "[!", true},     // no `]`: literal
      {"[!", "a", false},
      {"x[", "x[", true},
      {"[[]", "[", true},
      {"[*]", "*", true},  // no special characters inside a class
      {"[*]", "a", false},
      {"[?]", "?", true},
      {"[?]", "a", false},
      {"*[0-9]", "file7", true},
      {"*[0-9]", "file", false},
      {"a]b", "a]b", true},  // a `]` outside a class is literal
  };
  ExpectTable(cases, std::size(cases));
}

TEST(GlobTest, NoEscapes) {
  EXPECT_TRUE(GlobMatch("a\\*", "a\\bc"));
  EXPECT_FALSE(GlobMatch("a\\*", "a*"));
  EXPECT_TRUE(GlobMatch("\\", "\\"));
}

TEST(GlobTest, UnicodeScalarValues) {
  EXPECT_TRUE(GlobMatch("?", "\xC3\xA9"));  // é is one character
  EXPECT_FALSE(GlobMatch("??", "\xC3\xA9"));
  EXPECT_TRUE(GlobMatch("caf?", "caf\xC3\xA9"));
  EXPECT_TRUE(GlobMatch("?", "\xF0\x9F\x98\x80"));            // U+1F600, four bytes
  EXPECT_TRUE(GlobMatch("[\xC3\xA0-\xC3\xBF]", "\xC3\xA9"));  // [à-ÿ] holds é
  EXPECT_FALSE(GlobMatch("[\xC3\xA0-\xC3\xBF]", "e"));
  EXPECT_TRUE(GlobMatch("[!\xC3\xA9]", "e"));
  EXPECT_FALSE(GlobMatch("[!\xC3\xA9]", "\xC3\xA9"));
  EXPECT_TRUE(GlobMatch("*\xC3\xA9", "caf\xC3\xA9"));
  EXPECT_TRUE(GlobMatch("\xE6\x97\xA5*", "\xE6\x97\xA5\xE6\x9C\xAC"));  // 日* vs 日本
}

TEST(GlobTest, InvalidUtf8IsOneUnitPerByte) {
  // A lone continuation byte, a truncated sequence, an overlong form: each byte is
  // one unit that equals only itself.
  EXPECT_TRUE(GlobMatch("?", "\x80"));
  EXPECT_TRUE(GlobMatch("??",
                        "\xC3"
                        "A"));               // truncated é followed by A
  EXPECT_TRUE(GlobMatch("??", "\xC0\xAF"));  // overlong '/'
  EXPECT_FALSE(GlobMatch("?", "\xC0\xAF"));
  EXPECT_TRUE(GlobMatch("a\xFF", "a\xFF"));
  EXPECT_FALSE(GlobMatch("a\xFF", "a\xFE"));
  EXPECT_TRUE(GlobMatch("*\xFF*", "xx\xFFyy"));
  EXPECT_FALSE(GlobMatch("\xC3", "\xC3\xA9"));      // a broken pattern byte is not é
  EXPECT_FALSE(GlobMatch("[!a]", "\xED\xA0\x80"));  // an encoded surrogate is 3 units
  EXPECT_TRUE(GlobMatch("???", "\xED\xA0\x80"));
}

TEST(GlobTest, PathologicalPatternsAreFast) {
  const std::string as(5000, 'a');
  const auto start = std::chrono::steady_clock::now();
  EXPECT_FALSE(GlobMatch("a*a*a*a*a*b", as));
  EXPECT_TRUE(GlobMatch("a*a*a*a*a*a", as));
  EXPECT_FALSE(GlobMatch("*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*a*b", as));
  EXPECT_FALSE(GlobMatch("*?*?*?*?*?*?*?*?*?*?*[b]", as));
  // Many unclosed `[` must not rescan the pattern each time they are tried.
  EXPECT_FALSE(GlobMatch("*" + std::string(2000, '[') + "b", std::string(2000, '[')));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  // O(n*m) is about 10^5..10^7 steps here; exponential would never finish.
  EXPECT_LT(std::chrono::duration_cast<std::chrono::seconds>(elapsed).count(), 5);
}

}  // namespace
}  // namespace urd
