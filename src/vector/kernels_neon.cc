// Copyright urd authors. NEON kernels for AArch64 (Advanced SIMD is part of the
// base architecture there). This file is compiled only on aarch64 (the _neon suffix);
// it uses nothing beyond ARMv8.0-A. See kernels_internal.h for what such a file must
// not contain.
//
// Deliberately simple: one dot routine per element type, 4 accumulators of 4 lanes,
// then the remaining chunks of 4, then the d mod 4 tail in order. scan_f32 and
// scan_f32_batch call DotF32 for every pair, so the three agree bit for bit.

#include <arm_neon.h>

#include <cstddef>
#include <cstdint>

#include "vector/kernels.h"
#include "vector/kernels_internal.h"

namespace urd::vec {
namespace {

float DotF32(const float* a, const float* b, size_t d) {
  float32x4_t acc0 = vdupq_n_f32(0.0f);
  float32x4_t acc1 = vdupq_n_f32(0.0f);
  float32x4_t acc2 = vdupq_n_f32(0.0f);
  float32x4_t acc3 = vdupq_n_f32(0.0f);
  size_t k = 0;
  for (; k + 16 <= d; k += 16) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(a + k), vld1q_f32(b + k));
    acc1 = vfmaq_f32(acc1, vld1q_f32(a + k + 4), vld1q_f32(b + k + 4));
    acc2 = vfmaq_f32(acc2, vld1q_f32(a + k + 8), vld1q_f32(b + k + 8));
    acc3 = vfmaq_f32(acc3, vld1q_f32(a + k + 12), vld1q_f32(b + k + 12));
  }
  for (; k + 4 <= d; k += 4) {
    acc0 = vfmaq_f32(acc0, vld1q_f32(a + k), vld1q_f32(b + k));
  }
  float sum = vaddvq_f32(vaddq_f32(vaddq_f32(acc0, acc1), vaddq_f32(acc2, acc3)));
  for (; k < d; ++k) {
    sum += a[k] * b[k];
  }
  return sum;
}

void ScanF32(const float* q, const float* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  for (size_t i = 0; i < n; ++i) {
    scores[i] = DotF32(q, rows + i * stride, d);
  }
}

void BatchGroup(const float* queries, size_t count, const float* tile_rows, size_t stride,
                size_t tile_n, size_t d, float* out, size_t out_stride) {
  for (size_t j = 0; j < count; ++j) {
    ScanF32(queries + j * d, tile_rows, stride, tile_n, d, out + j * out_stride);
  }
}

void ScanF32Batch(const float* queries, size_t nq, const float* rows, size_t stride, size_t n,
                  size_t d, float* scores) {
  internal::RunBatch(queries, nq, rows, stride, n, d, scores, &BatchGroup);
}

int32_t DotI8(const int8_t* a, const int8_t* b, size_t d) {
  int32x4_t acc0 = vdupq_n_s32(0);
  int32x4_t acc1 = vdupq_n_s32(0);
  size_t k = 0;
  for (; k + 16 <= d; k += 16) {
    const int8x16_t va = vld1q_s8(a + k);
    const int8x16_t vb = vld1q_s8(b + k);
    const int16x8_t lo = vmull_s8(vget_low_s8(va), vget_low_s8(vb));  // |x| <= 16384
    const int16x8_t hi = vmull_s8(vget_high_s8(va), vget_high_s8(vb));
    acc0 = vpadalq_s16(acc0, lo);
    acc1 = vpadalq_s16(acc1, hi);
  }
  int32_t sum = vaddvq_s32(vaddq_s32(acc0, acc1));
  for (; k < d; ++k) {
    sum += static_cast<int32_t>(a[k]) * static_cast<int32_t>(b[k]);
  }
  return sum;
}

void ScanI8(const int8_t* q, const int8_t* rows, size_t stride, size_t n, size_t d,
            int32_t* dots) {
  for (size_t i = 0; i < n; ++i) {
    dots[i] = DotI8(q, rows + i * stride, d);
  }
}

float DotF16(const float* q, const uint16_t* h, size_t d) {
  float32x4_t acc0 = vdupq_n_f32(0.0f);
  float32x4_t acc1 = vdupq_n_f32(0.0f);
  size_t k = 0;
  for (; k + 8 <= d; k += 8) {
    const float16x8_t v = vreinterpretq_f16_u16(vld1q_u16(h + k));
    acc0 = vfmaq_f32(acc0, vld1q_f32(q + k), vcvt_f32_f16(vget_low_f16(v)));
    acc1 = vfmaq_f32(acc1, vld1q_f32(q + k + 4), vcvt_f32_f16(vget_high_f16(v)));
  }
  float sum = vaddvq_f32(vaddq_f32(acc0, acc1));
  for (; k < d; ++k) {
    sum += q[k] * HalfToFloat(h[k]);
  }
  return sum;
}

void ScanF16(const float* q, const uint16_t* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  for (size_t i = 0; i < n; ++i) {
    scores[i] = DotF16(q, rows + i * stride, d);
  }
}

}  // namespace

namespace internal {

constinit const Kernels kNeonKernels = {
    SimdLevel::kNeon, &DotF32, &ScanF32, &ScanF32Batch, &ScanI8, &ScanF16,
};

}  // namespace internal
}  // namespace urd::vec
