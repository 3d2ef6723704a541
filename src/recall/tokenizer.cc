// Copyright urd authors.

#include "recall/tokenizer.h"

#include <libstemmer.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <utility>

#include "base/utf8.h"
#include "recall/stopwords.h"

namespace urd::recall {
namespace {

constexpr char32_t kInvalid = kInvalidCodePoint;
// Words longer than this are dropped before stemming: Snowball English removes at
// most a suffix of a few characters, so they could never shrink to kMaxTermBytes.
constexpr size_t kMaxWordBytes = 4 * kMaxTermBytes;

enum class CharClass { kWord, kSeparator, kApostrophe, kIdeograph };

struct Range {
  char32_t lo, hi;  // inclusive
};

// Non-ASCII separators (see tokenizer.h, step 2), sorted and disjoint.
constexpr Range kSeparatorRanges[] = {
    {0x0080, 0x00A9}, {0x00AB, 0x00B4}, {0x00B6, 0x00B9},   {0x00BB, 0x00BF},   {0x00D7, 0x00D7},
    {0x00F7, 0x00F7}, {0x2000, 0x2BFF}, {0x2E00, 0x2E7F},   {0x3000, 0x303F},   {0xFE00, 0xFE1F},
    {0xFE30, 0xFE6F}, {0xFEFF, 0xFEFF}, {0xFF00, 0xFF0F},   {0xFF1A, 0xFF20},   {0xFF3B, 0xFF40},
    {0xFF5B, 0xFF65}, {0xFFF0, 0xFFFF}, {0x1F000, 0x1FAFF}, {0xE0000, 0xE007F},
};

// Han ideographs and Hiragana: one term per character.
constexpr Range kIdeographRanges[] = {
    {0x3040, 0x309F}, {0x3400, 0x4DBF}, {0x4E00, 0x9FFF}, {0xF900, 0xFAFF}, {0x20000, 0x323AF},
};

template <size_t N>
bool InRanges(char32_t cp, const Range (&ranges)[N]) {
  for (const Range& r : ranges) {
    if (cp < r.lo) return false;
    if (cp <= r.hi) return true;
  }
  return false;
}

CharClass Classify(char32_t cp) {
  if (cp < 0x80) {
    if ((cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') || (cp >= '0' && cp <= '9')) {
      return CharClass::kWord;
    }
    return cp == '\'' ? CharClass::kApostrophe : CharClass::kSeparator;
  }
  if (cp == kInvalid) return CharClass::kSeparator;
  if (cp == 0x2019 || cp == 0x02BC) return CharClass::kApostrophe;
  if (InRanges(cp, kSeparatorRanges)) return CharClass::kSeparator;
  if (InRanges(cp, kIdeographRanges)) return CharClass::kIdeograph;
  return CharClass::kWord;
}

// Simple one-to-one lowercase mapping for ASCII, Latin-1, Latin Extended-A, and the
// basic Greek and Cyrillic capitals; other code points are returned unchanged.
char32_t ToLower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 0x20 : cp;
  if (cp >= 0x00C0 && cp <= 0x00DE && cp != 0x00D7) return cp + 0x20;
  if (cp >= 0x0100 && cp <= 0x017F) {
    if (cp == 0x0130) return 'i';     // İ
    if (cp == 0x0178) return 0x00FF;  // Ÿ -> ÿ
    // Pairs (capital, small) start at an even code point here...
    if ((cp <= 0x012F) || (cp >= 0x0132 && cp <= 0x0137) || (cp >= 0x014A && cp <= 0x0177)) {
      return (cp % 2 == 0) ? cp + 1 : cp;
    }
    // ... and at an odd one here.
    if ((cp >= 0x0139 && cp <= 0x0148) || (cp >= 0x0179 && cp <= 0x017E)) {
      return (cp % 2 == 1) ? cp + 1 : cp;
    }
    return cp;  // ı ĸ ŉ ſ
  }
  if (cp >= 0x0386 && cp <= 0x03AB) {  // Greek
    if (cp >= 0x0391 && cp != 0x03A2) return cp + 0x20;
    if (cp == 0x0386) return 0x03AC;
    if (cp >= 0x0388 && cp <= 0x038A) return cp + 0x25;
    if (cp == 0x038C) return 0x03CC;
    if (cp == 0x038E || cp == 0x038F) return cp + 0x3F;
    return cp;
  }
  if (cp >= 0x0400 && cp <= 0x042F) {  // Cyrillic
    return cp < 0x0410 ? cp + 0x50 : cp + 0x20;
  }
  return cp;
}

}  // namespace

void Tokenizer::StemmerDeleter::operator()(sb_stemmer* s) const { sb_stemmer_delete(s); }

Tokenizer::Tokenizer() : stemmer_(sb_stemmer_new("english", "UTF_8")) {
  if (stemmer_ == nullptr) {
    std::fprintf(stderr, "urd: libstemmer could not create the English stemmer\n");
    std::abort();
  }
}

Tokenizer::~Tokenizer() = default;
Tokenizer::Tokenizer(Tokenizer&&) noexcept = default;
Tokenizer& Tokenizer::operator=(Tokenizer&&) noexcept = default;

std::string_view Tokenizer::Stem(std::string_view word) {
  const sb_symbol* out =
      sb_stemmer_stem(stemmer_.get(), reinterpret_cast<const sb_symbol*>(word.data()),
                      static_cast<int>(word.size()));
  if (out == nullptr) {  // libstemmer's only failure: out of memory
    std::fprintf(stderr, "urd: libstemmer ran out of memory\n");
    std::abort();
  }
  return {reinterpret_cast<const char*>(out),
          static_cast<size_t>(sb_stemmer_length(stemmer_.get()))};
}

void Tokenizer::FlushWord(std::vector<std::string>* terms) {
  if (word_.empty()) return;
  if (word_.size() <= kMaxWordBytes && !IsEnglishStopWord(word_)) {
    const std::string_view stem = Stem(word_);
    if (!stem.empty() && stem.size() <= kMaxTermBytes) terms->emplace_back(stem);
  }
  word_.clear();
}

void Tokenizer::Tokenize(std::string_view text, std::vector<std::string>* terms) {
  word_.clear();
  size_t i = 0;
  while (i < text.size()) {
    const Utf8Decoded d = DecodeUtf8At(text, i);
    const CharClass c = Classify(d.cp);
    if (c == CharClass::kWord) {
      AppendUtf8(ToLower(d.cp), &word_);
    } else if (c == CharClass::kApostrophe && !word_.empty() && i + d.len < text.size() &&
               Classify(DecodeUtf8At(text, i + d.len).cp) == CharClass::kWord) {
      word_.push_back('\'');
    } else {
      FlushWord(terms);
      if (c == CharClass::kIdeograph) terms->emplace_back(text.substr(i, d.len));
    }
    i += d.len;
  }
  FlushWord(terms);
}

std::vector<std::string> Tokenizer::Tokenize(std::string_view text) {
  std::vector<std::string> terms;
  Tokenize(text, &terms);
  return terms;
}

std::vector<std::string> Tokenize(std::string_view text) {
  thread_local Tokenizer tokenizer;
  return tokenizer.Tokenize(text);
}

}  // namespace urd::recall
