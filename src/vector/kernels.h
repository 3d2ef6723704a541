// Copyright urd authors. Scan kernels for the vector store: dot products of a query
// against many rows, in f32, int8 and f16, with one implementation per instruction
// set chosen once at run time.
//
// Thread-safety: every function here may be called from any thread at any time. The
// SIMD level is chosen once (thread-safe static initialisation, on the first call of
// ActiveSimdLevel() or GetKernels()) and never changes afterwards; the returned
// Kernels tables are immutable and live for the whole process. Kernels keep no
// state: callers may run any number of them concurrently on disjoint outputs.
//
// Choosing the level: the best level that is built into this binary and that the CPU
// and operating system can run (base/cpu_features.h). The environment variable
// URD_SIMD=scalar|neon|avx2|avx512 (read once, case-insensitive) forces a level; a
// forced level that cannot run here falls back along avx512 -> avx2 -> scalar (neon ->
// scalar) and one warning is printed on stderr, as is one for an unknown value
// (which then means automatic choice).
//
// Numerics: within one level, dot_f32(q, row, d), scan_f32 and scan_f32_batch give
// bit-identical scores for the same (query, row) pair — every one of them sums the
// products in the same order — so a batched search answers exactly like single
// searches and an exact re-rank reproduces the exact scan's scores. Across levels
// f32 scores differ only by rounding (a different summation order); scan_i8 is exact
// on every level. No kernel uses -ffast-math-style reassociation at compile time.

#ifndef URD_VECTOR_KERNELS_H_
#define URD_VECTOR_KERNELS_H_

#include <cstddef>
#include <cstdint>

namespace urd::vec {

enum class SimdLevel : int { kScalar = 0, kNeon = 1, kAvx2 = 2, kAvx512 = 3 };

// "scalar", "neon", "avx2", "avx512" ("unknown" for a value outside the enum).
const char* SimdLevelName(SimdLevel level);

// True if `level` is compiled into this binary AND this CPU/OS can run it. kScalar
// is always supported.
bool SimdLevelSupported(SimdLevel level);

// The level GetKernels() uses; see "Choosing the level" above.
SimdLevel ActiveSimdLevel();

// One implementation of every kernel. d >= 1 for every kernel; n may be 0.
struct Kernels {
  SimdLevel level;

  // Dot product of two f32 vectors of length d. No alignment required; reads exactly
  // d floats of each.
  float (*dot_f32)(const float* a, const float* b, size_t d);

  // scores[i] = dot(q, rows + i*stride) for i in [0, n).
  // REQUIRES: rows 64-byte aligned; stride (in floats) a multiple of 16 and >= d;
  // floats d..stride-1 of every row are zero (they may be read). q holds d floats.
  void (*scan_f32)(const float* q, const float* rows, size_t stride, size_t n, size_t d,
                   float* scores);

  // scores[j*n + i] = dot(queries + j*d, rows + i*stride) for j < nq, i < n; each
  // score is bit-identical to scan_f32's for that query. Reads every row from memory
  // once for all queries (rows are processed in cache-sized tiles). Any nq >= 0.
  // REQUIRES: as scan_f32; queries holds nq*d floats, row-major; scores holds nq*n.
  void (*scan_f32_batch)(const float* queries, size_t nq, const float* rows, size_t stride,
                         size_t n, size_t d, float* scores);

  // dots[i] = sum_k q[k] * row_i[k], exactly, in int32.
  // REQUIRES: rows 64-byte aligned; stride in bytes, a multiple of 64 and >= d; bytes
  // d..stride-1 of every row are zero; d <= 65536 (so no sum can overflow).
  void (*scan_i8)(const int8_t* q, const int8_t* rows, size_t stride, size_t n, size_t d,
                  int32_t* dots);

  // scores[i] = sum_k q[k] * HalfToFloat(row_i[k]), rows in IEEE binary16.
  // REQUIRES: rows 64-byte aligned; stride in elements, a multiple of 32 and >= d;
  // elements d..stride-1 of every row are zero (+0.0 halves).
  void (*scan_f16)(const float* q, const uint16_t* rows, size_t stride, size_t n, size_t d,
                   float* scores);
};

// The kernels of ActiveSimdLevel(). The reference is valid for the process lifetime.
const Kernels& GetKernels();

// The kernels of a given level (tests, benchmarks). REQUIRES:
// SimdLevelSupported(level); otherwise the process aborts with a message (running
// them would die of SIGILL anyway).
const Kernels& KernelsFor(SimdLevel level);

// ---- Conversions (plain C++, baseline instruction set) ----

// Symmetric int8 quantisation with one scale per row: scale = max_k |x[k]| / 127
// (0 if x is all zeros), out[k] = round(x[k] / scale) (half away from zero), in
// [-127, 127]; so |x[k] - out[k]*scale| <= scale/2 up to float rounding. Returns the
// scale. Total over all floats (stored vectors are finite unit vectors, but a
// damaged vectors file may hold anything): non-finite components do not count
// towards the scale, NaN gives 0 and +-inf +-127; when the scale is 0 (no finite
// non-zero component, or max |x| so small that max/127 underflows) every out[k] is
// 0. REQUIRES: out holds d bytes.
float QuantizeInt8(const float* x, size_t d, int8_t* out);

// f32 -> IEEE binary16, round to nearest, ties to even. Overflow gives +-inf;
// results below the smallest subnormal round to +-0; NaN stays NaN (quiet, sign and
// top payload bits kept).
uint16_t FloatToHalf(float f);
// binary16 -> f32, exact for every value (subnormals included); NaN stays NaN with
// its payload.
float HalfToFloat(uint16_t h);
// out[k] = FloatToHalf(x[k]) for k < d.
void FloatsToHalves(const float* x, size_t d, uint16_t* out);

// Scales x to unit length: n = sqrt(sum x[k]^2) computed in double, x[k] = x[k] / n.
// Returns false, leaving x unchanged, when n is 0 or not finite (so also for NaN or
// infinite components).
bool NormalizeInPlace(float* x, size_t d);

}  // namespace urd::vec

#endif  // URD_VECTOR_KERNELS_H_
