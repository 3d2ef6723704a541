// Copyright urd authors. CRC32C with the SSE4.2 CRC32 instruction. This translation
// unit is compiled with -msse4.2 and only on x86-64; nothing here may run unless
// GetCpuFeatures().sse42 is set (crc32c.cc's dispatcher guarantees it).

#include <nmmintrin.h>

#include <cstdint>
#include <cstring>

#include "base/crc32c_internal.h"

namespace urd::crc32c_internal {

uint32_t ExtendSse42(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t reg = ~crc;
  // Single bytes up to an 8-byte boundary, so the word loads below are aligned.
  while (n > 0 && (reinterpret_cast<uintptr_t>(p) & 7) != 0) {
    reg = _mm_crc32_u8(reg, *p++);
    --n;
  }
  uint64_t reg64 = reg;
  while (n >= 8) {
    uint64_t word;
    std::memcpy(&word, p, sizeof(word));
    reg64 = _mm_crc32_u64(reg64, word);
    p += 8;
    n -= 8;
  }
  reg = static_cast<uint32_t>(reg64);
  while (n > 0) {
    reg = _mm_crc32_u8(reg, *p++);
    --n;
  }
  return ~reg;
}

}  // namespace urd::crc32c_internal
