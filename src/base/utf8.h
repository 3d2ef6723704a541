// Copyright urd authors. UTF-8 validation.

#ifndef URD_BASE_UTF8_H_
#define URD_BASE_UTF8_H_

#include <string_view>

namespace urd {

// True when `s` is well-formed UTF-8 (no overlong forms, no surrogates, <= U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace urd

#endif  // URD_BASE_UTF8_H_
