// Copyright urd authors. Tokenizer: UTF-8 text -> the terms of the BM25 index
// (text_index.h). Documents and queries go through the same steps:
//
// 1. Decode UTF-8. A byte that does not begin a well-formed sequence (overlong,
//    surrogate, truncated, > U+10FFFF) is a separator; nothing is rejected.
// 2. Split into words. Word characters are the ASCII letters and digits and every
//    code point >= U+0080 except the separator blocks: C1 controls and Latin-1
//    punctuation and symbols (U+0080-U+00BF but ª µ º, and × ÷), General Punctuation
//    to Miscellaneous Symbols and Arrows (U+2000-U+2BFF: spaces, dashes, quotes,
//    currency, arrows, maths, box drawing, dingbats), Supplemental Punctuation,
//    CJK Symbols and Punctuation, variation selectors, vertical / small / fullwidth
//    punctuation, Specials (U+FFFD included), emoji and pictographs (U+1F000-U+1FAFF)
//    and tags. So words of any script survive whole.
//    Han ideographs and Hiragana are one term each (those scripts put no spaces
//    between words; this is what Lucene's StandardTokenizer does). Thai, Lao, Khmer
//    and Myanmar are not segmented: a run longer than 64 bytes is dropped (step 6).
//    An apostrophe (' U+0027, ’ U+2019 or ʼ U+02BC) between two word characters is
//    part of the word, spelt '; anywhere else it is a separator.
// 3. Lowercase, one code point at a time: ASCII, Latin-1 Supplement, Latin
//    Extended-A (İ becomes i), basic Greek and Cyrillic capitals. Other code points
//    are kept as they are; there is no Unicode normalisation, so a precomposed é and
//    e + U+0301 are different words.
// 4. Drop English stop words (stopwords.h: the Snowball list), looked up on the
//    lowercase word, so "The", "don't" and "It’s" go.
// 5. Stem with the Snowball English stemmer (libstemmer, UTF-8): "running" -> "run",
//    "studies" -> "studi"; its step 0 removes the possessive, so "alice's" and
//    "alice" give the same term ("alic").
// 6. Drop terms longer than kMaxTermBytes bytes (and empty ones, which step 5
//    never produces). Words longer than 4 * kMaxTermBytes are dropped unstemmed.
//
// Changing any step changes the terms of indexed text. TextIndex lives in memory
// only, so a change takes effect for an index when it is next built from the text.
//
// Thread-safety: a Tokenizer owns one Snowball stemmer, and libstemmer's
// sb_stemmer keeps per-call state (its result buffer), so one Tokenizer must not be
// used by two threads at once: give each thread its own (they are cheap: one small
// allocation). The free function Tokenize() uses a thread_local Tokenizer and may
// be called from any number of threads.

#ifndef URD_RECALL_TOKENIZER_H_
#define URD_RECALL_TOKENIZER_H_

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

struct sb_stemmer;  // libstemmer.h; kept out of this header

namespace urd::recall {

// The longest term kept, in bytes.
inline constexpr size_t kMaxTermBytes = 64;

class Tokenizer {
 public:
  // Creates the Snowball English stemmer. Aborts the process if libstemmer cannot
  // allocate it (the only way sb_stemmer_new("english", "UTF_8") fails).
  Tokenizer();
  ~Tokenizer();
  Tokenizer(const Tokenizer&) = delete;
  Tokenizer& operator=(const Tokenizer&) = delete;
  Tokenizer(Tokenizer&&) noexcept;
  Tokenizer& operator=(Tokenizer&&) noexcept;

  // Appends the terms of `text`, in text order with repeats, to *terms.
  void Tokenize(std::string_view text, std::vector<std::string>* terms);
  // The terms of `text`, in text order with repeats.
  std::vector<std::string> Tokenize(std::string_view text);

  // The Snowball English stem of `word` (steps 5 only: no splitting, lowercasing or
  // stop-word check). The view stays valid until the next call on this object.
  std::string_view Stem(std::string_view word);

 private:
  struct StemmerDeleter {
    void operator()(sb_stemmer* s) const;
  };

  // Steps 4-6 for the word in word_, then clears it.
  void FlushWord(std::vector<std::string>* terms);

  std::unique_ptr<sb_stemmer, StemmerDeleter> stemmer_;
  std::string word_;  // the lowercase word being built
};

// The terms of `text`, using this thread's Tokenizer.
std::vector<std::string> Tokenize(std::string_view text);

}  // namespace urd::recall

#endif  // URD_RECALL_TOKENIZER_H_
