// Copyright urd authors. UTF-8 validation, decoding and encoding.

#ifndef URD_BASE_UTF8_H_
#define URD_BASE_UTF8_H_

#include <cstddef>
#include <string>
#include <string_view>

namespace urd {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

// Not a code point: what DecodeUtf8At gives for a byte that does not begin a
// well-formed sequence.
inline constexpr char32_t kInvalidCodePoint = 0xFFFFFFFF;

struct Utf8Decoded {
  char32_t cp;  // kInvalidCodePoint for a byte that does not begin a well-formed sequence
  size_t len;   // bytes consumed, >= 1
};

// Decodes the code point at s[i] (overlong forms, surrogates and values above
// U+10FFFF are invalid). REQUIRES: i < s.size().
Utf8Decoded DecodeUtf8At(std::string_view s, size_t i);

// Appends the UTF-8 encoding of `cp`. REQUIRES: cp <= U+10FFFF.
void AppendUtf8(char32_t cp, std::string* out);

}  // namespace urd

#endif  // URD_BASE_UTF8_H_
