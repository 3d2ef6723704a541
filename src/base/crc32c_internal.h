// Copyright urd authors. CRC32C internals: the per-instruction-set kernels and the
// dispatcher's pieces, exposed for crc32c.cc and for tests. Use crc32c.h instead.
//
// Thread-safety: every function is pure and may be called from any thread.

#ifndef URD_BASE_CRC32C_INTERNAL_H_
#define URD_BASE_CRC32C_INTERNAL_H_

#include <cstddef>
#include <cstdint>

namespace urd::crc32c_internal {

// A kernel with the contract of Crc32cExtend(): takes and returns finished CRCs.
using ExtendFn = uint32_t (*)(uint32_t crc, const char* data, size_t n);

// Slicing-by-8 over constant tables; runs anywhere.
uint32_t ExtendPortable(uint32_t crc, const char* data, size_t n);

// Entry `index` (0..255) of slicing table `slice` (0..7): the raw CRC register
// (no pre/post inversion) after feeding byte `index` and then `slice` zero bytes
// into a register holding 0. For tests.
uint32_t PortableTableEntry(int slice, int index);

#if defined(__x86_64__)
// The SSE4.2 CRC32 instruction (crc32c_sse42.cc, compiled with -msse4.2).
// REQUIRES: GetCpuFeatures().sse42; otherwise the process dies of SIGILL.
uint32_t ExtendSse42(uint32_t crc, const char* data, size_t n);
#endif

// True if `fn` agrees with the check value of "123456789" and with
// ExtendPortable() on lengths 0..64 at every start offset 0..7, from initial CRCs 0
// and non-zero, and on one longer buffer. REQUIRES: `fn` is safe to run on this CPU.
bool PassesSelfTest(ExtendFn fn);

struct Implementation {
  ExtendFn extend;
  const char* name;  // "sse4.2" or "portable"
};

// The dispatcher's choice: portable if `env_override` is "portable"; else the
// SSE4.2 kernel if `sse42_usable` and it passes PassesSelfTest(); else portable.
// Any other `env_override` (or null) means automatic selection.
Implementation SelectImplementation(bool sse42_usable, const char* env_override);

}  // namespace urd::crc32c_internal

#endif  // URD_BASE_CRC32C_INTERNAL_H_
