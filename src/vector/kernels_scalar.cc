// Copyright urd authors. The scalar kernels: plain C++ for the baseline instruction
// set, always built, the reference every SIMD level is tested against.
//
// The f32 dot keeps 8 independent accumulators (lane j takes elements j, j+8, ...),
// folds them pairwise 8 -> 4 -> 2 -> 1 and then adds the d mod 8 tail in order, like
// nidus 0.3.0's kernel; the compiler may keep the 8 lanes in two SSE registers.

#include <cstddef>
#include <cstdint>

#include "vector/kernels.h"
#include "vector/kernels_internal.h"

namespace urd::vec {
namespace {

constexpr size_t kLanes = 8;

// The 8-lane sum of x(k) for k < d, in the order described at the top.
template <typename Term>
inline float EightLaneSum(size_t d, Term x) {
  float acc[kLanes] = {0, 0, 0, 0, 0, 0, 0, 0};
  const size_t full = d - d % kLanes;
  for (size_t k = 0; k < full; k += kLanes) {
    for (size_t j = 0; j < kLanes; ++j) {
      acc[j] += x(k + j);
    }
  }
  for (size_t j = 0; j < 4; ++j) {
    acc[j] += acc[j + 4];
  }
  acc[0] += acc[2];
  acc[1] += acc[3];
  float sum = acc[0] + acc[1];
  for (size_t k = full; k < d; ++k) {
    sum += x(k);
  }
  return sum;
}

float DotF32(const float* a, const float* b, size_t d) {
  return EightLaneSum(d, [a, b](size_t k) { return a[k] * b[k]; });
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

void ScanI8(const int8_t* q, const int8_t* rows, size_t stride, size_t n, size_t d,
            int32_t* dots) {
  for (size_t i = 0; i < n; ++i) {
    const int8_t* row = rows + i * stride;
    int32_t sum = 0;
    for (size_t k = 0; k < d; ++k) {
      sum += static_cast<int32_t>(q[k]) * static_cast<int32_t>(row[k]);
    }
    dots[i] = sum;
  }
}

void ScanF16(const float* q, const uint16_t* rows, size_t stride, size_t n, size_t d,
             float* scores) {
  for (size_t i = 0; i < n; ++i) {
    const uint16_t* row = rows + i * stride;
    scores[i] = EightLaneSum(d, [q, row](size_t k) { return q[k] * HalfToFloat(row[k]); });
  }
}

}  // namespace

namespace internal {

constinit const Kernels kScalarKernels = {
    SimdLevel::kScalar, &DotF32, &ScanF32, &ScanF32Batch, &ScanI8, &ScanF16,
};

}  // namespace internal
}  // namespace urd::vec
