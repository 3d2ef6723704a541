// Copyright urd authors. Tokenizer and stop words: splitting, lowercasing, stop
// words, Snowball stemming, apostrophes, non-ASCII text, length limits, threads.

#include "recall/tokenizer.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <thread>
#include <vector>

#include "recall/stopwords.h"

namespace urd::recall {
namespace {

using Terms = std::vector<std::string>;

TEST(StopWordsTest, SnowballEnglishList) {
  const auto words = EnglishStopWords();
  EXPECT_EQ(words.size(), 174u);
  EXPECT_TRUE(std::is_sorted(words.begin(), words.end()));
  for (const char* w : {"the", "a", "and", "i", "don't", "it's", "yourselves", "very", "ought"}) {
    EXPECT_TRUE(IsEnglishStopWord(w)) << w;
  }
  // Left out of the Snowball list on purpose (homonyms), and ordinary words.
  for (const char* w :
       {"will", "can", "may", "must", "might", "us", "mine", "rust", "", "The", "dont"}) {
    EXPECT_FALSE(IsEnglishStopWord(w)) << w;
  }
}

TEST(TokenizerTest, Stemming) {
  EXPECT_EQ(Tokenize("running"), Terms({"run"}));
  EXPECT_EQ(Tokenize("studies"), Terms({"studi"}));
  EXPECT_EQ(Tokenize("study"), Terms({"studi"}));
  EXPECT_EQ(Tokenize("connected connecting connection"), Terms({"connect", "connect", "connect"}));
  EXPECT_EQ(Tokenize("apple banana cherry date"), Terms({"appl", "banana", "cherri", "date"}));
}

TEST(TokenizerTest, StopWordsRemoved) {
  EXPECT_EQ(Tokenize("The cat and the hat"), Terms({"cat", "hat"}));
  EXPECT_EQ(Tokenize("what is it that you are doing"), Terms());
  // Stop words are matched after lowercasing, whatever the apostrophe.
  EXPECT_EQ(Tokenize("DON'T It’s THEY'RE rust"), Terms({"rust"}));
  // Words the Snowball list keeps on purpose stay.
  EXPECT_EQ(Tokenize("will can may"), Terms({"will", "can", "may"}));
}

TEST(TokenizerTest, Punctuation) {
  EXPECT_EQ(Tokenize("hello, world! (foo-bar) x.y;z"),
            Terms({"hello", "world", "foo", "bar", "x", "y", "z"}));
  EXPECT_EQ(Tokenize("2024-01-15 v2.3"), Terms({"2024", "01", "15", "v2", "3"}));
  EXPECT_EQ(Tokenize("  \t\n.,;:!?()[]{}<>\"/\\|@#$%^&*_+=~`  "), Terms());
  // Non-ASCII punctuation and symbols separate words too.
  EXPECT_EQ(Tokenize("x\xE2\x80\xA6y \xC2\xABquote\xC2\xBB rocket\xF0\x9F\x9A\x80launch"),
            Terms({"x", "y", "quot", "rocket", "launch"}));        // … « » 🚀
  EXPECT_EQ(Tokenize("em\xE2\x80\x94pty"), Terms({"em", "pti"}));  // —
}

TEST(TokenizerTest, Apostrophes) {
  const Terms alice = Tokenize("alice");
  ASSERT_EQ(alice, Terms({"alic"}));
  EXPECT_EQ(Tokenize("alice's"), alice);
  EXPECT_EQ(Tokenize("Alice\xE2\x80\x99s"), alice);  // ’ U+2019
  EXPECT_EQ(Tokenize("ALICE\xCA\xBCS"), alice);      // ʼ U+02BC
  // Leading and trailing apostrophes are separators.
  EXPECT_EQ(Tokenize("students' 'quoted' ''"), Terms({"student", "quot"}));
  // Inside a word, an apostrophe stays (spelt ').
  EXPECT_EQ(Tokenize("o'brien's rock\xE2\x80\x99n'roll"), Terms({"o'brien", "rock'n'rol"}));
}

TEST(TokenizerTest, NonAsciiWordsKept) {
  EXPECT_EQ(Tokenize("Café Zürich naïve résumé"), Terms({"café", "zürich", "naïv", "résumé"}));
  // Latin-1 and Latin Extended-A capitals are lowercased.
  EXPECT_EQ(Tokenize("ÀÉÎÕÜ ŁÓDŹ İSTANBUL"), Terms({"àéîõü", "łódź", "istanbul"}));
  EXPECT_EQ(Tokenize("ÀÉÎÕÜ"), Tokenize("àéîõü"));
  // Greek and Cyrillic capitals.
  EXPECT_EQ(Tokenize("МОСКВА Москва"), Terms({"москва", "москва"}));
  EXPECT_EQ(Tokenize("ΑΘΗΝΑ Ώρα"), Terms({"αθηνα", "ώρα"}));
  // Han and Hiragana: one term per character; Katakana words stay whole.
  EXPECT_EQ(Tokenize("東京タワーです"), Terms({"東", "京", "タワー", "で", "す"}));
  // Latin letters glued to non-ASCII letters stay one word.
  EXPECT_EQ(Tokenize("straße"), Terms({"straße"}));
}

TEST(TokenizerTest, EmptyAndInvalidInput) {
  EXPECT_EQ(Tokenize(""), Terms());
  EXPECT_EQ(Tokenize("   "), Terms());
  // NUL separates words; "a" is a stop word.
  EXPECT_EQ(Tokenize(std::string_view("a\0b", 3)), Terms({"b"}));
  // Bytes that do not begin a well-formed sequence separate words.
  EXPECT_EQ(Tokenize("abc\xFFxyz"), Terms({"abc", "xyz"}));
  EXPECT_EQ(Tokenize("abc\xC3"), Terms({"abc"}));                    // truncated
  EXPECT_EQ(Tokenize("abc\xC0\xAFxyz"), Terms({"abc", "xyz"}));      // overlong '/'
  EXPECT_EQ(Tokenize("abc\xED\xA0\x80xyz"), Terms({"abc", "xyz"}));  // surrogate
}

TEST(TokenizerTest, LongTermsDropped) {
  // Digits are not changed by the stemmer, so the term length is the word length.
  const std::string max(kMaxTermBytes, '7');
  const std::string over(kMaxTermBytes + 1, '7');
  EXPECT_EQ(Tokenize(max), Terms({max}));
  EXPECT_EQ(Tokenize(over), Terms());
  EXPECT_EQ(Tokenize(over + " ok " + std::string(10000, 'x')), Terms({"ok"}));
}

TEST(TokenizerTest, ObjectReuseAndAppend) {
  Tokenizer tokenizer;
  Terms terms;
  tokenizer.Tokenize("Running dogs", &terms);
  tokenizer.Tokenize("", &terms);
  tokenizer.Tokenize("barked loudly", &terms);
  EXPECT_EQ(terms, Terms({"run", "dog", "bark", "loud"}));
  EXPECT_EQ(tokenizer.Stem("generously"), "generous");
  Tokenizer moved = std::move(tokenizer);
  EXPECT_EQ(moved.Tokenize("Running"), Terms({"run"}));
}

TEST(TokenizerTest, ThreadsGetTheSameTerms) {
  const std::string text = "The quick brown foxes were jumping over Alice's lazy dogs, again.";
  const Terms expected = Tokenize(text);
  ASSERT_EQ(expected, Terms({"quick", "brown", "fox", "jump", "alic", "lazi", "dog"}));
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; t++) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 2000; i++) {
        if (Tokenize(text) != expected) mismatches[t]++;
      }
    });
  }
  for (auto& th : threads) th.join();
  EXPECT_EQ(mismatches, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace urd::recall
