// Copyright urd authors. AVX-512 kernels (F/BW/DQ/VL; no VNNI). This translation
// unit is compiled with -mavx512f -mavx512bw -mavx512dq -mavx512vl -mavx2 -mfma
// -mf16c and only on x86-64; nothing here may run unless
// SimdLevelSupported(SimdLevel::kAvx512) (kernels.cc guarantees it). See
// kernels_internal.h for what such a file must not contain.
//
// f32: every (query, row) dot product is one chain of 16-lane FMAs over chunks of 16
// floats in order, the last chunk masked, then ReduceAdd. dot_f32, scan_f32 and
// scan_f32_batch all run DotBlock below, so they agree bit for bit.
//
// Single-query scans go one row at a time: the out-of-order core overlaps the chains
// of consecutive rows by itself, and the rows are read as one sequential stream,
// which the hardware prefetchers follow best. Interleaving 2, 4 or 8 rows that share
// the query loads measured 5-45% slower on Zen (no better on a Xeon), and software
// prefetching brought nothing consistent. The batch is compute-bound instead: there
// register blocks of 4 queries x 4 rows (16 accumulators, 8 loads per 16 FMAs) work
// on row tiles that stay in L2 (internal::RunBatch).

#include <immintrin.h>

#include <cstddef>
#include <cstdint>

#include "vector/kernels.h"
#include "vector/kernels_internal.h"

namespace urd::vec {
namespace {

inline __mmask16 Mask16(size_t count) {  // the low `count` bits, count in 1..16
  return static_cast<__mmask16>((1u << count) - 1u);
}

inline __mmask32 Mask32(size_t count) {  // the low `count` bits, count in 1..32
  return static_cast<__mmask32>((uint64_t{1} << count) - 1u);
}

// Horizontal sums in a fixed order. Not _mm512_reduce_add_* nor the 512->256 casts:
// GCC 12 implements those with _mm256_undefined_*(), which trips -Wuninitialized;
// the AVX512DQ extracts used here zero their pass-through operand instead.
inline float ReduceAdd(__m512 v) {
  const __m256 s8 = _mm256_add_ps(_mm512_extractf32x8_ps(v, 0), _mm512_extractf32x8_ps(v, 1));
  __m128 s4 = _mm_add_ps(_mm256_castps256_ps128(s8), _mm256_extractf128_ps(s8, 1));
  s4 = _mm_add_ps(s4, _mm_movehl_ps(s4, s4));
  s4 = _mm_add_ss(s4, _mm_movehdup_ps(s4));
  return _mm_cvtss_f32(s4);
}

inline int32_t ReduceAdd(__m512i v) {
  const __m256i s8 =
      _mm256_add_epi32(_mm512_extracti32x8_epi32(v, 0), _mm512_extracti32x8_epi32(v, 1));
  __m128i s4 = _mm_add_epi32(_mm256_castsi256_si128(s8), _mm256_extracti128_si256(s8, 1));
  s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(1, 0, 3, 2)));
  s4 = _mm_add_epi32(s4, _mm_shuffle_epi32(s4, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s4);
}

// out[j*out_stride + i] = dot(q + j*q_stride, r + i*r_stride) for j < QB, i < RB.
template <int QB, int RB>
inline void DotBlock(const float* q, size_t q_stride, const float* r, size_t r_stride,
                     size_t d, float* out, size_t out_stride) {
  __m512 acc[QB][RB];
#pragma GCC unroll 4
  for (int j = 0; j < QB; ++j) {
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      acc[j][i] = _mm512_setzero_ps();
    }
  }
  const size_t full = d & ~size_t{15};
  for (size_t k = 0; k < full; k += 16) {
    __m512 rv[RB];
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      rv[i] = _mm512_loadu_ps(r + i * r_stride + k);
    }
#pragma GCC unroll 4
    for (int j = 0; j < QB; ++j) {
      const __m512 qv = _mm512_loadu_ps(q + j * q_stride + k);
#pragma GCC unroll 4
      for (int i = 0; i < RB; ++i) {
        acc[j][i] = _mm512_fmadd_ps(qv, rv[i], acc[j][i]);
      }
    }
  }
  if (full < d) {
    const __mmask16 m = Mask16(d - full);
    __m512 rv[RB];
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      rv[i] = _mm512_maskz_loadu_ps(m, r + i * r_stride + full);
    }
#pragma GCC unroll 4
    for (int j = 0; j < QB; ++j) {
      const __m512 qv = _mm512_maskz_loadu_ps(m, q + j * q_stride + full);
#pragma GCC unroll 4
      for (int i = 0; i < RB; ++i) {
        acc[j][i] = _mm512_fmadd_ps(qv, rv[i], acc[j][i]);
      }
    }
  }
#pragma GCC unroll 4
  for (int j = 0; j < QB; ++j) {
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      out[j * out_stride + i] = ReduceAdd(acc[j][i]);
    }
  }
}

float DotF32(const float* a, const float* b, size_t d) {
  float out;
  DotBlock<1, 1>(a, 0, b, 0, d, &out, 0);
  return out;
}

// QB queries (q_stride = d apart) against n rows; out[j*out_stride + i].
template <int QB>
void QueriesAgainstRows(const float* q, const float* rows, size_t stride, size_t n, size_t d,
                        float* out, size_t out_stride) {
  size_t i = 0;
  for (; i + 4 <= n; i += 4) {
    DotBlock<QB, 4>(q, d, rows + i * stride, stride, d, out + i, out_stride);
  }
  const float* r = rows + i * stride;
  switch (n - i) {
    case 3:
      DotBlock<QB, 3>(q, d, r, stride, d, out + i, out_stride);
      break;
    case 2:
      DotBlock<QB, 2>(q, d, r, stride, d, out + i, out_stride);
      break;
    case 1:
      DotBlock<QB, 1>(q, d, r, stride, d, out + i, out_stride);
      break;
    default:
      break;
  }
}

void ScanF32(const float* q, const float* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  for (size_t i = 0; i < n; ++i) {
    DotBlock<1, 1>(q, 0, rows + i * stride, 0, d, scores + i, 0);
  }
}

void BatchGroup(const float* queries, size_t count, const float* tile_rows, size_t stride,
                size_t tile_n, size_t d, float* out, size_t out_stride) {
  switch (count) {
    case 1:
      QueriesAgainstRows<1>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    case 2:
      QueriesAgainstRows<2>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    case 3:
      QueriesAgainstRows<3>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    default:
      QueriesAgainstRows<4>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
  }
}

void ScanF32Batch(const float* queries, size_t nq, const float* rows, size_t stride, size_t n,
                  size_t d, float* scores) {
  static_assert(internal::kQueryGroup == 4);
  if (nq == 1) {  // one sequential stream is faster than 4-row blocks (same result)
    ScanF32(queries, rows, stride, n, d, scores);
    return;
  }
  internal::RunBatch(queries, nq, rows, stride, n, d, scores, &BatchGroup);
}

// ---- int8: sign-extend 32 bytes to 32 int16 lanes, vpmaddwd into 16 int32 lanes ----
// |q*r| <= 2^14, so a pair sum fits int16 x int16 -> int32 and no lane can overflow
// for d <= 65536 (|dot| <= 2^30).

int32_t DotI8(const int8_t* q, const int8_t* r, size_t d) {
  __m512i acc = _mm512_setzero_si512();
  const size_t full = d & ~size_t{31};
  for (size_t k = 0; k < full; k += 32) {
    const __m512i qv =
        _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q + k)));
    const __m512i rv =
        _mm512_cvtepi8_epi16(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + k)));
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(qv, rv));
  }
  if (full < d) {
    const __mmask32 m = Mask32(d - full);
    const __m512i qv = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, q + full));
    const __m512i rv = _mm512_cvtepi8_epi16(_mm256_maskz_loadu_epi8(m, r + full));
    acc = _mm512_add_epi32(acc, _mm512_madd_epi16(qv, rv));
  }
  return ReduceAdd(acc);
}

void ScanI8(const int8_t* q, const int8_t* rows, size_t stride, size_t n, size_t d,
            int32_t* dots) {
  for (size_t i = 0; i < n; ++i) {
    dots[i] = DotI8(q, rows + i * stride, d);
  }
}

// ---- f16: vcvtph2ps 16 halves at a time, FMA against the f32 query ----

// _mm512_cvtph_ps with an all-ones mask: the unmasked intrinsic has the GCC 12
// _mm512_undefined_ps() problem described at ReduceAdd; this compiles the same.
inline __m512 HalvesToFloats(__m256i h) { return _mm512_maskz_cvtph_ps(0xffff, h); }

float DotF16(const float* q, const uint16_t* r, size_t d) {
  __m512 acc = _mm512_setzero_ps();
  const size_t full = d & ~size_t{15};
  for (size_t k = 0; k < full; k += 16) {
    const __m512 rv =
        HalvesToFloats(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(r + k)));
    acc = _mm512_fmadd_ps(_mm512_loadu_ps(q + k), rv, acc);
  }
  if (full < d) {
    const __mmask16 m = Mask16(d - full);
    const __m512 rv = HalvesToFloats(_mm256_maskz_loadu_epi16(m, r + full));
    acc = _mm512_fmadd_ps(_mm512_maskz_loadu_ps(m, q + full), rv, acc);
  }
  return ReduceAdd(acc);
}

void ScanF16(const float* q, const uint16_t* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  for (size_t i = 0; i < n; ++i) {
    scores[i] = DotF16(q, rows + i * stride, d);
  }
}

}  // namespace

namespace internal {

constinit const Kernels kAvx512Kernels = {
    SimdLevel::kAvx512, &DotF32, &ScanF32, &ScanF32Batch, &ScanI8, &ScanF16,
};

}  // namespace internal
}  // namespace urd::vec
