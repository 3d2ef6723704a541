// Copyright urd authors. CRC32C (Castagnoli): the checksum of urd's file formats.
//
// Thread-safety: every function is pure and may be called from any thread. The
// implementation is chosen once, on the first call (thread-safe static
// initialisation), and never changes for the life of the process.
//
// Parameters: reflected polynomial 0x82F63B78, initial value and final xor
// 0xFFFFFFFF (the iSCSI / RFC 3720 CRC, as in leveldb and ext4). Check value:
// Crc32cValue("123456789", 9) == 0xE3069283.
//
// Implementation: the SSE4.2 CRC32 instruction when GetCpuFeatures().sse42 is set
// AND the instruction passes a known-answer self-test against the portable code;
// otherwise portable slicing-by-8 tables. Both give identical results.
// Environment: URD_CRC32C=portable forces the portable implementation (read once,
// on the first call); any other value, or none, selects automatically.

#ifndef URD_BASE_CRC32C_H_
#define URD_BASE_CRC32C_H_

#include <cstddef>
#include <cstdint>

namespace urd {

// Returns the CRC32C of A+B, given `crc` = the CRC32C of some string A and
// `data[0, n)` = B. Crc32cExtend(0, data, n) == Crc32cValue(data, n).
// REQUIRES: `data` points to `n` readable bytes (any alignment; may be null if n == 0).
uint32_t Crc32cExtend(uint32_t crc, const char* data, size_t n);

// The CRC32C of `data[0, n)`.
inline uint32_t Crc32cValue(const char* data, size_t n) { return Crc32cExtend(0, data, n); }

// The masked form of a CRC, for storing. Computing the CRC of a string that
// contains embedded CRCs is error-prone (a CRC over data ending in its own CRC is
// a constant), so formats store Crc32cMask(crc) instead of crc. Same as leveldb.
inline constexpr uint32_t kCrc32cMaskDelta = 0xa282ead8u;
constexpr uint32_t Crc32cMask(uint32_t crc) {
  return ((crc >> 15) | (crc << 17)) + kCrc32cMaskDelta;
}

// The inverse of Crc32cMask(): Crc32cUnmask(Crc32cMask(c)) == c for every c.
constexpr uint32_t Crc32cUnmask(uint32_t masked) {
  const uint32_t rot = masked - kCrc32cMaskDelta;
  return (rot >> 17) | (rot << 15);
}

// The name of the implementation in use: "sse4.2" or "portable". A static string.
const char* Crc32cImplementation();

}  // namespace urd

#endif  // URD_BASE_CRC32C_H_
