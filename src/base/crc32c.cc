// Copyright urd authors.

#include "base/crc32c.h"

#include <array>
#include <cstdlib>
#include <cstring>

#include "base/cpu_features.h"
#include "base/crc32c_internal.h"
#include "base/varint.h"

namespace urd {
namespace crc32c_internal {
namespace {

constexpr uint32_t kPolynomial = 0x82F63B78u;  // reflected Castagnoli
constexpr uint32_t kCheckValue = 0xE3069283u;  // CRC32C("123456789")

using Tables = std::array<std::array<uint32_t, 256>, 8>;

// tables[0] is the classic byte-at-a-time table; tables[s][i] extends
// tables[s - 1][i] by one zero byte, so slicing-by-8 can fold 8 bytes at once.
constexpr Tables MakeTables() {
  Tables t{};
  for (uint32_t i = 0; i < 256; ++i) {
    uint32_t c = i;
    for (int bit = 0; bit < 8; ++bit) {
      c = (c >> 1) ^ ((c & 1) != 0 ? kPolynomial : 0);
    }
    t[0][i] = c;
  }
  for (size_t s = 1; s < t.size(); ++s) {
    for (size_t i = 0; i < 256; ++i) {
      const uint32_t prev = t[s - 1][i];
      t[s][i] = (prev >> 8) ^ t[0][prev & 0xff];
    }
  }
  return t;
}

constexpr Tables kTables = MakeTables();
static_assert(kTables[0][1] == 0xF26B8303u);
static_assert(kTables[0][128] == kPolynomial);

inline uint32_t StepByte(uint32_t reg, unsigned char byte) {
  return kTables[0][(reg ^ byte) & 0xff] ^ (reg >> 8);
}

}  // namespace

uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n) {
  const auto* p = reinterpret_cast<const unsigned char*>(data);
  uint32_t reg = ~crc;
  while (n >= 8) {
    const uint32_t lo = DecodeFixed32(reinterpret_cast<const char*>(p)) ^ reg;
    const uint32_t hi = DecodeFixed32(reinterpret_cast<const char*>(p + 4));
    reg = kTables[7][lo & 0xff] ^ kTables[6][(lo >> 8) & 0xff] ^ kTables[5][(lo >> 16) & 0xff] ^
          kTables[4][lo >> 24] ^ kTables[3][hi & 0xff] ^ kTables[2][(hi >> 8) & 0xff] ^
          kTables[1][(hi >> 16) & 0xff] ^ kTables[0][hi >> 24];
    p += 8;
    n -= 8;
  }
  for (; n > 0; --n) {
    reg = StepByte(reg, *p++);
  }
  return ~reg;
}

uint32_t PortableTableEntry(int slice, int index) {
  return kTables.at(static_cast<size_t>(slice)).at(static_cast<size_t>(index));
}

bool PassesSelfTest(ExtendFn fn) {
  static constexpr char kCheck[] = "123456789";
  if (fn(0, kCheck, 9) != kCheckValue) {
    return false;
  }
  // Lengths 0..64 from every start offset of an 8-byte word, so head, word loop
  // and tail are all exercised.
  char buf[64 + 8 + 1024];
  for (size_t i = 0; i < sizeof(buf); ++i) {
    buf[i] = static_cast<char>((i * 167 + 13) ^ (i >> 3));
  }
  for (size_t offset = 0; offset < 8; ++offset) {
    for (size_t len = 0; len <= 64; ++len) {
      for (uint32_t init : {0u, 0x9A3C5E71u}) {
        if (fn(init, buf + offset, len) != ExtendPortable(init, buf + offset, len)) {
          return false;
        }
      }
    }
  }
  return fn(0, buf + 3, sizeof(buf) - 3) == ExtendPortable(0, buf + 3, sizeof(buf) - 3);
}

Implementation SelectImplementation(bool sse42_usable, const char* env_override) {
  const Implementation portable{&ExtendPortable, "portable"};
  if (env_override != nullptr && std::strcmp(env_override, "portable") == 0) {
    return portable;
  }
#if defined(__x86_64__)
  if (sse42_usable && PassesSelfTest(&ExtendSse42)) {
    return {&ExtendSse42, "sse4.2"};
  }
#else
  (void)sse42_usable;
#endif
  return portable;
}

}  // namespace crc32c_internal

namespace {

// Resolved once, before the first CRC is computed; never lazily re-chosen.
const crc32c_internal::Implementation& Chosen() {
  static const crc32c_internal::Implementation impl =
      crc32c_internal::SelectImplementation(GetCpuFeatures().sse42, std::getenv("URD_CRC32C"));
  return impl;
}

}  // namespace

uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n) {
  return Chosen().extend(crc, data, n);
}

const char* Crc32cImplementation() { return Chosen().name; }

}  // namespace urd
