// Copyright urd authors. hnswlib's distance kernels built with AVX2 flags (hnswlib
// 0.6 uses AVX there; see hnswlib_runner.h). Only called when the CPU has AVX2.
// Everything of hnswlib here is private to this file (bench/hnswlib_wrap.h); the
// file instantiates no template of its own.

#include "bench/hnswlib_wrap.h"
// (hnswlib_wrap.h first: it must see the system headers before anything else.)
#include "bench/hnswlib_runner.h"

namespace urd::bench::internal {

HnswDistFn HnswlibIpDistanceAvx2(size_t dim) {
  hnswlib::InnerProductSpace space(dim);  // picks hnswlib's AVX kernel
  return space.get_dist_func();
}

}  // namespace urd::bench::internal
