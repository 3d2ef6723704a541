// Copyright urd authors. Kernel internals: the per-instruction-set tables and the
// dispatcher's pure pieces, for kernels.cc, the per-ISA files and tests. Use
// kernels.h instead.
//
// Thread-safety: the tables are constant-initialised and immutable; every function
// is pure and may be called from any thread.
//
// Rules for the per-ISA translation units (kernels_avx2.cc, kernels_avx512.cc,
// kernels_neon.cc): they are compiled with their own -m flags, so they must not
// instantiate any inline function or template that a baseline file could also
// instantiate (std::min, std::vector, ...): the linker keeps one copy of such a
// function, and it could be the AVX one. Everything in them lives in an anonymous
// namespace except the table.

#ifndef URD_VECTOR_KERNELS_INTERNAL_H_
#define URD_VECTOR_KERNELS_INTERNAL_H_

#include <cstddef>
#include <cstdint>
#include <string>

#include "vector/kernels.h"

namespace urd::vec::internal {

// Always built (kernels_scalar.cc).
extern const Kernels kScalarKernels;
#if defined(__x86_64__)
extern const Kernels kAvx2Kernels;    // kernels_avx2.cc: AVX2 + FMA + F16C
extern const Kernels kAvx512Kernels;  // kernels_avx512.cc: AVX-512 F/BW/DQ/VL
#endif
#if defined(__aarch64__)
extern const Kernels kNeonKernels;  // kernels_neon.cc
#endif

// The bit that stands for `level` in a mask of levels.
constexpr uint32_t LevelBit(SimdLevel level) { return 1u << static_cast<int>(level); }

// The levels SimdLevelSupported() accepts on this machine, as LevelBit()s.
uint32_t SupportedLevelMask();

// The dispatcher's choice, given the value of URD_SIMD (nullptr or "" when unset)
// and the supported levels (kScalar is treated as always supported):
//   * unset/empty: the best supported level, avx512 > avx2 > neon > scalar;
//   * "scalar" | "neon" | "avx2" | "avx512" (case-insensitive): that level if
//     supported, else the first supported one along avx512 -> avx2 -> scalar (neon ->
//     scalar), and *warning is set to one line saying so;
//   * anything else: automatic choice, and *warning says the value was ignored.
// *warning is cleared when there is nothing to say. `warning` may be nullptr.
SimdLevel ChooseSimdLevel(const char* env_value, uint32_t supported_mask, std::string* warning);

// ChooseSimdLevel(env_value, SupportedLevelMask(), nullptr).
SimdLevel ChooseSimdLevel(const char* env_value);

// The batched scan's driver, shared by every level. Splits the rows into tiles of
// about 128 KiB (a multiple of 4 rows, at least 4) and, for each tile, calls
//   group_fn(queries + j*d, count, tile_rows, stride, tile_n, d, scores + j*n + i0, n)
// for j = 0, kQueryGroup, 2*kQueryGroup, ... with count = min(kQueryGroup, nq - j):
// the group function must write out[jj*n + i] = dot(query jj, row i) for jj < count,
// i < tile_n. So a tile is read from memory once and then stays in L2 while every
// query group passes over it. While a tile is being computed, the next one is
// prefetched, a slice per query group, so its first pass does not wait on memory.
inline constexpr size_t kQueryGroup = 4;
using BatchGroupFn = void (*)(const float* queries, size_t count, const float* tile_rows,
                              size_t stride, size_t tile_n, size_t d, float* out,
                              size_t out_stride);
void RunBatch(const float* queries, size_t nq, const float* rows, size_t stride, size_t n,
              size_t d, float* scores, BatchGroupFn group_fn);

}  // namespace urd::vec::internal

#endif  // URD_VECTOR_KERNELS_INTERNAL_H_
