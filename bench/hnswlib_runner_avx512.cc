// Copyright urd authors. hnswlib's distance kernels built with AVX-512 flags (see
// hnswlib_runner.h). Only called when the CPU has AVX-512F. Everything of hnswlib
// here is private to this file (bench/hnswlib_wrap.h); the file instantiates no
// template of its own.

#include "bench/hnswlib_wrap.h"
// (hnswlib_wrap.h first: it must see the system headers before anything else.)
#include "bench/hnswlib_runner.h"

namespace urd::bench::internal {

HnswDistFn HnswlibIpDistanceAvx512(size_t dim) {
  hnswlib::InnerProductSpace space(dim);  // picks hnswlib's AVX-512 kernel
  return space.get_dist_func();
}

}  // namespace urd::bench::internal
