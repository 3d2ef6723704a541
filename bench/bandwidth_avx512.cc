// Copyright urd authors. AVX-512 read-bandwidth kernel (bandwidth.h). Compiled with
// AVX-512 flags; only called when the CPU has AVX-512F. Uses no inline function or
// template that a baseline file could also instantiate (see
// src/vector/kernels_internal.h for why).

#include <immintrin.h>

#include <cstddef>

#include "bench/bandwidth.h"

namespace urd::bench::internal {

float SumFloatsAvx512(const float* p, size_t n) {
  __m512 a0 = _mm512_setzero_ps(), a1 = _mm512_setzero_ps(), a2 = _mm512_setzero_ps(),
         a3 = _mm512_setzero_ps(), a4 = _mm512_setzero_ps(), a5 = _mm512_setzero_ps(),
         a6 = _mm512_setzero_ps(), a7 = _mm512_setzero_ps();
  for (size_t i = 0; i < n; i += 128) {  // two cache lines per accumulator pair
    a0 = _mm512_add_ps(a0, _mm512_load_ps(p + i));
    a1 = _mm512_add_ps(a1, _mm512_load_ps(p + i + 16));
    a2 = _mm512_add_ps(a2, _mm512_load_ps(p + i + 32));
    a3 = _mm512_add_ps(a3, _mm512_load_ps(p + i + 48));
    a4 = _mm512_add_ps(a4, _mm512_load_ps(p + i + 64));
    a5 = _mm512_add_ps(a5, _mm512_load_ps(p + i + 80));
    a6 = _mm512_add_ps(a6, _mm512_load_ps(p + i + 96));
    a7 = _mm512_add_ps(a7, _mm512_load_ps(p + i + 112));
  }
  const __m512 s = _mm512_add_ps(_mm512_add_ps(_mm512_add_ps(a0, a1), _mm512_add_ps(a2, a3)),
                                 _mm512_add_ps(_mm512_add_ps(a4, a5), _mm512_add_ps(a6, a7)));
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, s);
  float sum = 0;
  for (int k = 0; k < 16; ++k) sum += lanes[k];
  return sum;
}

}  // namespace urd::bench::internal
