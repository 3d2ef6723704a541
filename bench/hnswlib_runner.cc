// Copyright urd authors.

#include "bench/hnswlib_wrap.h"
// (hnswlib_wrap.h first: it must see the system headers before anything else.)
#include "bench/hnswlib_runner.h"

#include "base/cpu_features.h"

namespace urd::bench {

namespace {

// hnswlib's InnerProductSpace with the distance function of the best hnswlib build
// this CPU runs (the baseline build here is hnswlib's SSE kernel).
class DispatchedIpSpace final : public hnswlib::SpaceInterface<float> {
 public:
  explicit DispatchedIpSpace(size_t dim) : dim_(dim), data_size_(dim * sizeof(float)) {
    hnswlib::InnerProductSpace baseline(dim);
    fn_ = baseline.get_dist_func();
#if defined(__x86_64__)
    const CpuFeatures& cpu = GetCpuFeatures();
    if (cpu.avx512f) {
      fn_ = internal::HnswlibIpDistanceAvx512(dim);
      kernel_ = "avx512";
    } else if (cpu.avx2) {
      fn_ = internal::HnswlibIpDistanceAvx2(dim);
      kernel_ = "avx";
    }
#endif
  }
  size_t get_data_size() override { return data_size_; }
  hnswlib::DISTFUNC<float> get_dist_func() override { return fn_; }
  void* get_dist_func_param() override { return &dim_; }
  const char* kernel() const { return kernel_; }

 private:
  size_t dim_;
  size_t data_size_;
  hnswlib::DISTFUNC<float> fn_;
  const char* kernel_ = "sse";
};

}  // namespace

struct HnswlibBruteForce::Impl {
  Impl(size_t dim, size_t capacity) : space(dim), index(&space, capacity) {}
  DispatchedIpSpace space;
  hnswlib::BruteforceSearch<float> index;
};

HnswlibBruteForce::HnswlibBruteForce(size_t dim, size_t capacity)
    : impl_(std::make_unique<Impl>(dim, capacity)) {}

HnswlibBruteForce::~HnswlibBruteForce() = default;

void HnswlibBruteForce::Add(const float* rows, size_t n, size_t first_label) {
  const size_t dim = impl_->space.get_data_size() / sizeof(float);
  for (size_t i = 0; i < n; ++i) impl_->index.addPoint(rows + i * dim, first_label + i);
}

void HnswlibBruteForce::Search(const float* query, size_t k, int64_t* labels) const {
  auto top = impl_->index.searchKnn(query, k);  // worst first
  for (size_t i = 0; i < k; ++i) labels[i] = -1;
  size_t i = top.size();
  while (!top.empty()) {
    labels[--i] = static_cast<int64_t>(top.top().second);
    top.pop();
  }
}

const char* HnswlibBruteForce::kernel() const { return impl_->space.kernel(); }

}  // namespace urd::bench
