// Copyright urd authors. AVX2 kernels (with FMA and F16C). This translation unit is
// compiled with -mavx2 -mfma -mf16c and only on x86-64; nothing here may run unless
// SimdLevelSupported(SimdLevel::kAvx2) (kernels.cc guarantees it). See
// kernels_internal.h for what such a file must not contain.
//
// f32: every (query, row) dot product is one chain of 8-lane FMAs over chunks of 8
// floats in order, the last chunk loaded with a lane mask, then a fixed horizontal
// sum. dot_f32, scan_f32 and scan_f32_batch all run DotBlock below, so they agree
// bit for bit. Single-query scans go one row at a time (see kernels_avx512.cc for
// why); the batch uses register blocks of 4 queries x 3 rows on L2-sized row tiles
// (internal::RunBatch): 12 accumulators + 3 rows + 1 query fill the 16 ymm
// registers (the main loop does not spill; the masked tail spills one), which
// measured ~30% faster than 4 x 2 on Zen.

#include <immintrin.h>

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "vector/kernels.h"
#include "vector/kernels_internal.h"

namespace urd::vec {
namespace {

// Sliding window: loading 8 ints at kLaneMask + 8 - count gives `count` lanes of -1.
alignas(64) constexpr int32_t kLaneMask[16] = {-1, -1, -1, -1, -1, -1, -1, -1,
                                               0,  0,  0,  0,  0,  0,  0,  0};

inline __m256i TailMask(size_t count) {  // count in 1..8
  return _mm256_loadu_si256(reinterpret_cast<const __m256i*>(kLaneMask + 8 - count));
}

inline float HorizontalSum(__m256 v) {
  __m128 s = _mm_add_ps(_mm256_castps256_ps128(v), _mm256_extractf128_ps(v, 1));
  s = _mm_add_ps(s, _mm_movehl_ps(s, s));
  s = _mm_add_ss(s, _mm_movehdup_ps(s));
  return _mm_cvtss_f32(s);
}

inline int32_t HorizontalSum(__m256i v) {
  __m128i s = _mm_add_epi32(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
  s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
  return _mm_cvtsi128_si32(s);
}

// out[j*out_stride + i] = dot(q + j*q_stride, r + i*r_stride) for j < QB, i < RB.
template <int QB, int RB>
inline void DotBlock(const float* q, size_t q_stride, const float* r, size_t r_stride,
                     size_t d, float* out, size_t out_stride) {
  __m256 acc[QB][RB];
#pragma GCC unroll 4
  for (int j = 0; j < QB; ++j) {
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      acc[j][i] = _mm256_setzero_ps();
    }
  }
  const size_t full = d & ~size_t{7};
  for (size_t k = 0; k < full; k += 8) {
    __m256 rv[RB];
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      rv[i] = _mm256_loadu_ps(r + i * r_stride + k);
    }
#pragma GCC unroll 4
    for (int j = 0; j < QB; ++j) {
      const __m256 qv = _mm256_loadu_ps(q + j * q_stride + k);
#pragma GCC unroll 4
      for (int i = 0; i < RB; ++i) {
        acc[j][i] = _mm256_fmadd_ps(qv, rv[i], acc[j][i]);
      }
    }
  }
  if (full < d) {
    const __m256i m = TailMask(d - full);
    __m256 rv[RB];
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      rv[i] = _mm256_maskload_ps(r + i * r_stride + full, m);
    }
#pragma GCC unroll 4
    for (int j = 0; j < QB; ++j) {
      const __m256 qv = _mm256_maskload_ps(q + j * q_stride + full, m);
#pragma GCC unroll 4
      for (int i = 0; i < RB; ++i) {
        acc[j][i] = _mm256_fmadd_ps(qv, rv[i], acc[j][i]);
      }
    }
  }
#pragma GCC unroll 4
  for (int j = 0; j < QB; ++j) {
#pragma GCC unroll 4
    for (int i = 0; i < RB; ++i) {
      out[j * out_stride + i] = HorizontalSum(acc[j][i]);
    }
  }
}

float DotF32(const float* a, const float* b, size_t d) {
  float out;
  DotBlock<1, 1>(a, 0, b, 0, d, &out, 0);
  return out;
}

// QB queries (q_stride = d apart) against n rows in blocks of RB; out[j*out_stride + i].
template <int QB, int RB>
void QueriesAgainstRows(const float* q, const float* rows, size_t stride, size_t n, size_t d,
                        float* out, size_t out_stride) {
  size_t i = 0;
  for (; i + RB <= n; i += RB) {
    DotBlock<QB, RB>(q, d, rows + i * stride, stride, d, out + i, out_stride);
  }
  for (; i < n; ++i) {
    DotBlock<QB, 1>(q, d, rows + i * stride, stride, d, out + i, out_stride);
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
      QueriesAgainstRows<1, 4>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    case 2:
      QueriesAgainstRows<2, 4>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    case 3:
      QueriesAgainstRows<3, 3>(queries, tile_rows, stride, tile_n, d, out, out_stride);
      break;
    default:
      QueriesAgainstRows<4, 3>(queries, tile_rows, stride, tile_n, d, out, out_stride);
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

// ---- int8: sign-extend 16 bytes to 16 int16 lanes, vpmaddwd into 8 int32 lanes ----
// |q*r| <= 2^14, so no lane can overflow for d <= 65536 (|dot| <= 2^30).

// q_tail: the query's last d mod 16 bytes, sign-extended, zero past d.
int32_t DotI8(const int8_t* q, const __m256i& q_tail, const int8_t* r, size_t d) {
  __m256i acc = _mm256_setzero_si256();
  const size_t full = d & ~size_t{15};
  for (size_t k = 0; k < full; k += 16) {
    const __m256i qv =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(q + k)));
    const __m256i rv =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + k)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(qv, rv));
  }
  if (full < d) {
    // The row's padding lies inside its stride (a multiple of 64 >= d), so a full
    // 16-byte load stays in the row; q_tail's zeros cancel whatever lies past d.
    const __m256i rv =
        _mm256_cvtepi8_epi16(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + full)));
    acc = _mm256_add_epi32(acc, _mm256_madd_epi16(q_tail, rv));
  }
  return HorizontalSum(acc);
}

void ScanI8(const int8_t* q, const int8_t* rows, size_t stride, size_t n, size_t d,
            int32_t* dots) {
  const size_t full = d & ~size_t{15};
  alignas(16) int8_t tail_bytes[16] = {};
  std::memcpy(tail_bytes, q + full, d - full);
  const __m256i q_tail =
      _mm256_cvtepi8_epi16(_mm_load_si128(reinterpret_cast<const __m128i*>(tail_bytes)));
  for (size_t i = 0; i < n; ++i) {
    dots[i] = DotI8(q, q_tail, rows + i * stride, d);
  }
}

// ---- f16: vcvtph2ps 8 halves at a time, FMA against the f32 query ----

// q_tail: the query's last d mod 8 floats, zero past d.
float DotF16(const float* q, const __m256& q_tail, const uint16_t* r, size_t d) {
  __m256 acc = _mm256_setzero_ps();
  const size_t full = d & ~size_t{7};
  for (size_t k = 0; k < full; k += 8) {
    const __m256 rv = _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + k)));
    acc = _mm256_fmadd_ps(_mm256_loadu_ps(q + k), rv, acc);
  }
  if (full < d) {
    // As for int8: the 8-half load stays inside the row's stride (a multiple of 32
    // >= d), and q_tail is zero past d.
    const __m256 rv =
        _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i*>(r + full)));
    acc = _mm256_fmadd_ps(q_tail, rv, acc);
  }
  return HorizontalSum(acc);
}

void ScanF16(const float* q, const uint16_t* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  const size_t full = d & ~size_t{7};
  const __m256 q_tail =
      full < d ? _mm256_maskload_ps(q + full, TailMask(d - full)) : _mm256_setzero_ps();
  for (size_t i = 0; i < n; ++i) {
    scores[i] = DotF16(q, q_tail, rows + i * stride, d);
  }
}

}  // namespace

namespace internal {

constinit const Kernels kAvx2Kernels = {
    SimdLevel::kAvx2, &DotF32, &ScanF32, &ScanF32Batch, &ScanI8, &ScanF16,
};

}  // namespace internal
}  // namespace urd::vec
