// Copyright urd authors.

#include "bench/bandwidth.h"

#include <sys/mman.h>

#include <algorithm>
#include <atomic>
#include <chrono>
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
// part a multiple of 128 floats). The helpers are started first and spin until the
// start signal, so thread creation and placement on the cores are not timed. The
// sum goes to *sink so it cannot be optimised away.
double TimedSum(SumFn sum, const float* data, size_t n, int threads, std::atomic<float>* sink) {
  const size_t chunks = n / 128, parts = static_cast<size_t>(threads);
  std::vector<float> partial(parts, 0.0f);
  std::vector<double> end(parts, 0.0);
  auto run_part = [&](size_t t) {
    const size_t lo = chunks * t / parts, hi = chunks * (t + 1) / parts;
    partial[t] = sum(data + lo * 128, (hi - lo) * 128);
    end[t] = NowSeconds();
  };
  std::atomic<int> ready{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> workers;
  for (size_t t = 1; t < parts; ++t) {
    workers.emplace_back([&, t] {
      ready.fetch_add(1);
      while (!go.load(std::memory_order_acquire)) {
      }
      run_part(t);
    });
  }
  while (ready.load() < threads - 1) {
  }
  // Sleeping lets the scheduler move the spinning helpers onto the other cores.
  if (threads > 1) std::this_thread::sleep_for(std::chrono::milliseconds(20));
  const double start = NowSeconds();
  go.store(true, std::memory_order_release);
  run_part(0);
  for (std::thread& w : workers) w.join();
  float total = 0;
  for (float p : partial) total += p;
  sink->store(total, std::memory_order_relaxed);
  return *std::max_element(end.begin(), end.end()) - start;
}

// A 2 MiB-aligned array on transparent huge pages where the kernel allows it (the
// best case for streaming; THP is often "madvise" only). Sets *huge if advised.
float* AllocArray(size_t bytes, bool* huge) {
  constexpr size_t kHuge = size_t{2} << 20;
  const size_t rounded = (bytes + kHuge - 1) / kHuge * kHuge;
  float* p = static_cast<float*>(std::aligned_alloc(kHuge, rounded));
  *huge = false;
#if defined(MADV_HUGEPAGE)
  if (p != nullptr) *huge = madvise(p, rounded, MADV_HUGEPAGE) == 0;
#endif
  return p;
}

}  // namespace

BandwidthResult MeasureBandwidth(uint64_t bytes, int threads, int runs) {
  BandwidthResult r;
  r.threads = threads;
  const size_t n = static_cast<size_t>(bytes / sizeof(float)) / 128 * 128;
  r.bytes = n * sizeof(float);
  SumFn sum = ChooseKernel(&r.kernel);
  float* data = AllocArray(r.bytes, &r.huge_pages);
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
