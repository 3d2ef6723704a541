// Copyright urd authors. The `bandwidth` workload's measurement: streaming read
// bandwidth of main memory, the physical limit of an exact f32 scan.
//
// Method: sum a float array (1 GiB by default, far larger than any cache; 2 MiB
// aligned and advised onto transparent huge pages, the best case for a stream) with
// the widest SIMD kernel this CPU runs (one translation unit per instruction set:
// bandwidth_avx512.cc, bandwidth_avx2.cc, scalar fallback), once on one thread and
// once split across `threads` threads already running on their cores; best of
// `runs` runs each.
//
// Thread-safety: MeasureBandwidth may be called from any thread; it starts its own.

#ifndef URD_BENCH_BANDWIDTH_H_
#define URD_BENCH_BANDWIDTH_H_

#include <cstddef>
#include <cstdint>

namespace urd::bench {

struct BandwidthResult {
  uint64_t bytes = 0;          // size of the array read per run
  int threads = 1;             // threads of the multi-threaded figure
  const char* kernel = "";     // "avx512", "avx2" or "scalar"
  bool huge_pages = false;     // the array was advised onto transparent huge pages
  double gbps_1thread = 0;     // best run, 1e9 bytes per second
  double gbps_threads = 0;     // best run with `threads` threads
};

// REQUIRES: bytes >= 1 MiB, threads >= 1, runs >= 1. Returns zeros if the array
// cannot be allocated.
BandwidthResult MeasureBandwidth(uint64_t bytes, int threads, int runs);

namespace internal {
// Sum of p[0..n). REQUIRES: p 64-byte aligned; n a multiple of 128. Only called
// when the CPU supports the instruction set of the function.
float SumFloatsScalar(const float* p, size_t n);
#if defined(__x86_64__)
float SumFloatsAvx2(const float* p, size_t n);    // bandwidth_avx2.cc
float SumFloatsAvx512(const float* p, size_t n);  // bandwidth_avx512.cc
#endif
}  // namespace internal

}  // namespace urd::bench

#endif  // URD_BENCH_BANDWIDTH_H_
