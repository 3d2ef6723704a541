// Copyright urd authors. nidus 0.3.0 glob matching (include/urd/filter.h).
//
// Both pattern and text are read as units of UTF-8 (DecodeUnit: a scalar value, or
// one ill-formed byte as a unit of its own), so `?` matches one `é` and a stray
// byte still compares with itself. Matching is the classic iterative two-pointer
// algorithm: on a mismatch it resumes after the most recent `*`, letting that star
// swallow one more unit. Every token other than `*` consumes exactly one unit, so
// remembering only the latest star loses no match, and the work is O(|pattern| *
// |text|) in the worst case: no recursion, no exponential blow-up.

#include <cstddef>
#include <cstdint>
#include <string_view>

#include "urd/filter.h"

namespace urd {

namespace {

// A unit of possibly ill-formed UTF-8: a Unicode scalar value (< 0x110000) or, for
// a byte that does not start a well-formed sequence (RFC 3629: no overlong forms,
// surrogates or values above U+10FFFF), kInvalidUnit + that byte.
constexpr uint32_t kInvalidUnit = 0x110000;

// Decodes the unit at s[pos] into `*unit`; returns its length in bytes (1..4). An
// ill-formed sequence yields its first byte alone. REQUIRES: pos < s.size().
size_t DecodeUnit(std::string_view s, size_t pos, uint32_t* unit) {
  const auto b0 = static_cast<unsigned char>(s[pos]);
  *unit = kInvalidUnit + b0;
  if (b0 < 0x80) {
    *unit = b0;
    return 1;
  }
  size_t len = 0;
  uint32_t cp = 0, min = 0;
  if (b0 >= 0xC2 && b0 <= 0xDF) {
    len = 2, cp = b0 & 0x1Fu, min = 0x80;
  } else if (b0 >= 0xE0 && b0 <= 0xEF) {
    len = 3, cp = b0 & 0x0Fu, min = 0x800;
  } else if (b0 >= 0xF0 && b0 <= 0xF4) {
    len = 4, cp = b0 & 0x07u, min = 0x10000;
  } else {
    return 1;  // a continuation byte, C0/C1 (always overlong) or F5..FF
  }
  if (s.size() - pos < len) return 1;
  for (size_t i = 1; i < len; ++i) {
    const auto b = static_cast<unsigned char>(s[pos + i]);
    if ((b & 0xC0) != 0x80) return 1;
    cp = (cp << 6) | (b & 0x3Fu);
  }
  if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 1;
  *unit = cp;
  return len;
}

// A `[...]` class found at pattern[open]: its members are pattern[begin, end), and
// the token ends at `next` (just past the closing `]`).
struct GlobClass {
  bool negated = false;
  size_t begin = 0, end = 0, next = 0;
};

// Parses the class opening at pattern[open] == '['. False when no `]` follows, in
// which case the `[` is a literal. `last_close` is the position of the pattern's
// last `]` (npos if none): it keeps an unclosed `[` from costing a scan each time
// it is tried, so every token costs at most its own length.
bool ParseClass(std::string_view pattern, size_t open, size_t last_close, GlobClass* c) {
  size_t q = open + 1;
  c->negated = q < pattern.size() && (pattern[q] == '!' || pattern[q] == '^');
  if (c->negated) ++q;
  if (last_close == std::string_view::npos || last_close < q) return false;
  // A `]` right after `[` or `[!` closes an empty class. `]` is ASCII, so a byte
  // search cannot stop inside a multibyte character.
  const size_t close = pattern.find(']', q);
  c->begin = q;
  c->end = close;
  c->next = close + 1;
  return true;
}

bool ClassContains(std::string_view pattern, const GlobClass& c, uint32_t unit) {
  bool found = false;
  size_t i = c.begin;
  while (i < c.end && !found) {
    uint32_t lo = 0;
    i += DecodeUnit(pattern, i, &lo);
    // `a-z` is a range; a `-` with nothing after it before `]` is a literal.
    if (i + 1 < c.end && pattern[i] == '-') {
      uint32_t hi = 0;
      i += 1 + DecodeUnit(pattern, i + 1, &hi);
      found = lo <= unit && unit <= hi;
    } else {
      found = lo == unit;
    }
  }
  return found != c.negated;
}

// Matches the single-unit token at pattern[p] against `unit`. Returns the
// position after the token, or npos on a mismatch. REQUIRES: pattern[p] != '*'.
size_t MatchToken(std::string_view pattern, size_t p, size_t last_close, uint32_t unit) {
  constexpr size_t kNoMatch = std::string_view::npos;
  if (pattern[p] == '?') return p + 1;
  GlobClass c;
  if (pattern[p] == '[' && ParseClass(pattern, p, last_close, &c)) {
    return ClassContains(pattern, c, unit) ? c.next : kNoMatch;
  }
  uint32_t literal = 0;
  const size_t len = DecodeUnit(pattern, p, &literal);
  return literal == unit ? p + len : kNoMatch;
}

}  // namespace

bool GlobMatch(std::string_view pattern, std::string_view text) {
  constexpr size_t kNone = std::string_view::npos;
  const size_t last_close = pattern.rfind(']');
  size_t p = 0, t = 0;
  size_t star_p = kNone;  // pattern position just after the latest run of stars
  size_t star_t = 0;      // text position that star's match currently ends at
  while (t < text.size()) {
    if (p < pattern.size() && pattern[p] == '*') {
      while (p < pattern.size() && pattern[p] == '*') ++p;
      if (p == pattern.size()) return true;  // a trailing star takes the rest
      star_p = p;
      star_t = t;
      continue;
    }
    uint32_t unit = 0;
    const size_t len = DecodeUnit(text, t, &unit);
    if (p < pattern.size()) {
      const size_t next = MatchToken(pattern, p, last_close, unit);
      if (next != kNone) {
        p = next;
        t += len;
        continue;
      }
    }
    if (star_p == kNone) return false;
    // Let the latest star swallow one more unit and retry from there.
    uint32_t skipped = 0;
    star_t += DecodeUnit(text, star_t, &skipped);
    t = star_t;
    p = star_p;
  }
  while (p < pattern.size() && pattern[p] == '*') ++p;
  return p == pattern.size();
}

}  // namespace urd
