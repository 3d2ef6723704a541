// Copyright urd authors.

#include "bench/bandwidth.h"

#include <algorithm>
#include <atomic>
#include <cstdlib>
#include <cstring>
#include <thread>
#include <vector>

#include "base/cpu_features.h"
#include "bench/bench_util.h"

namespace urd::bench {

namespace internal {

float SumFloatsScalar(const float* p, size_t n) {
  float acc[8] = {0, 0, 0, 0, 0, 0, 0, 0};
  for (size_t i = 0; i < n; i += 8) {
    for (size_t k = 0; k < 8; ++k) acc[k] += p[i + k];
  }
  float sum = 0;
  for (float a : acc) sum += a;
  return sum;
}

}  // namespace internal

namespace {

using SumFn = float (*)(const float*, size_t);

SumFn ChooseKernel(const char** name) {
#if defined(__x86_64__)
  const CpuFeatures& cpu = GetCpuFeatures();
  if (cpu.avx512f) {
    *name = "avx512";
    return internal::SumFloatsAvx512;
  }
  if (cpu.avx2) {
    *name = "avx2";
    return internal::SumFloatsAvx2;
  }
#endif
  *name = "scalar";
  return internal::SumFloatsScalar;
}

// Seconds to sum floats [0, n) of `data` split over `threads` threads (n and each
// part a multiple of 128 floats). The sum goes to *sink so it cannot be optimised
// away.
double TimedSum(SumFn sum, const float* data, size_t n, int threads, std::atomic<float>* sink) {
  const size_t chunks = n / 128;
  std::vector<std::thread> workers;
  std::vector<float> partial(static_cast<size_t>(threads), 0.0f);
  const double start = NowSeconds();
  for (int t = 1; t < threads; ++t) {
    workers.emplace_back([&, t] {
      const size_t lo = chunks * static_cast<size_t>(t) / static_cast<size_t>(threads);
      const size_t hi = chunks * static_cast<size_t>(t + 1) / static_cast<size_t>(threads);
      partial[static_cast<size_t>(t)] = sum(data + lo * 128, (hi - lo) * 128);
    });
  }
  const size_t hi0 = chunks / static_cast<size_t>(threads);
  partial[0] = sum(data, hi0 * 128);
  for (std::thread& w : workers) w.join();
  const double elapsed = NowSeconds() - start;
  float total = 0;
  for (float p : partial) total += p;
  sink->store(total, std::memory_order_relaxed);
  return elapsed;
}

}  // namespace

BandwidthResult MeasureBandwidth(uint64_t bytes, int threads, int runs) {
  BandwidthResult r;
  r.threads = threads;
  const size_t n = static_cast<size_t>(bytes / sizeof(float)) / 128 * 128;
  r.bytes = n * sizeof(float);
  SumFn sum = ChooseKernel(&r.kernel);
  float* data = static_cast<float*>(std::aligned_alloc(64, r.bytes));
  if (data == nullptr) return r;
  // Touch every page (from every thread's part, so first-touch placement matches).
  std::fill(data, data + n, 1.0f);
  std::atomic<float> sink{0};
  double best1 = 1e30, bestn = 1e30;
  TimedSum(sum, data, n, 1, &sink);  // warm-up: page tables, TLB, frequency
  for (int i = 0; i < runs; ++i) {
    best1 = std::min(best1, TimedSum(sum, data, n, 1, &sink));
    bestn = std::min(bestn, TimedSum(sum, data, n, threads, &sink));
  }
  std::free(data);
  r.gbps_1thread = static_cast<double>(r.bytes) / best1 / 1e9;
  r.gbps_threads = static_cast<double>(r.bytes) / bestn / 1e9;
  return r;
}

}  // namespace urd::bench
