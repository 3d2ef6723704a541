// Copyright urd authors. hnswlib's exact search as a peer for the `hnswlib` workload:
// hnswlib::BruteforceSearch<float> over an inner-product space, whose distance
// kernel is hnswlib's own build for the best instruction set this CPU runs.
//
// hnswlib chooses its kernels at compile time, so it is compiled three times: for
// the baseline (SSE; in hnswlib_runner.cc, which also holds the search), with AVX2
// flags (hnswlib_runner_avx2.cc: hnswlib's AVX kernels) and with AVX-512 flags
// (hnswlib_runner_avx512.cc). The ISA files only hand back hnswlib's distance
// function; they are called only when base/cpu_features.h reports the instruction
// set. Scores are hnswlib's: distance = 1 - dot product.
//
// Thread-safety: Add needs exclusive access; Search may run concurrently.

#ifndef URD_BENCH_HNSWLIB_RUNNER_H_
#define URD_BENCH_HNSWLIB_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

namespace urd::bench {

class HnswlibBruteForce {
 public:
  // Room for `capacity` vectors of `dim` floats. REQUIRES: dim >= 1.
  HnswlibBruteForce(size_t dim, size_t capacity);
  ~HnswlibBruteForce();
  HnswlibBruteForce(const HnswlibBruteForce&) = delete;
  HnswlibBruteForce& operator=(const HnswlibBruteForce&) = delete;

  // Adds rows[0 .. n) (n*dim floats) with labels first_label, first_label+1, ...
  // REQUIRES: the total stays within capacity.
  void Add(const float* rows, size_t n, size_t first_label);
  // Writes the labels of the k best rows, best first, into labels[0 .. k); -1 pads
  // when fewer rows exist.
  void Search(const float* query, size_t k, int64_t* labels) const;
  // hnswlib's distance kernel in use: "avx512", "avx" or "sse".
  const char* kernel() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

namespace internal {
// hnswlib's inner-product distance function for `dim` from a build of hnswlib with
// the file's flags; its parameter is a pointer to a size_t holding dim.
using HnswDistFn = float (*)(const void*, const void*, const void*);
#if defined(__x86_64__)
HnswDistFn HnswlibIpDistanceAvx2(size_t dim);    // REQUIRES: the CPU has AVX2
HnswDistFn HnswlibIpDistanceAvx512(size_t dim);  // REQUIRES: the CPU has AVX-512F
#endif
}  // namespace internal

}  // namespace urd::bench

#endif  // URD_BENCH_HNSWLIB_RUNNER_H_
