// Copyright urd authors.

#include "bench/faiss_runner.h"

#include <cstdio>
#include <cstdlib>
#include <vector>

#if defined(URD_HAVE_FAISS)
#include <faiss/IndexFlat.h>
#include <omp.h>
#endif

namespace urd::bench {

#if defined(URD_HAVE_FAISS)

struct FaissFlatIP::Impl {
  explicit Impl(size_t dim) : index(static_cast<faiss::Index::idx_t>(dim)) {}
  faiss::IndexFlatIP index;
};

bool FaissFlatIP::Available() { return true; }

FaissFlatIP::FaissFlatIP(size_t dim) : impl_(std::make_unique<Impl>(dim)) {}

FaissFlatIP::~FaissFlatIP() = default;

void FaissFlatIP::Reserve(size_t n) { impl_->index.codes.reserve(n * impl_->index.code_size); }

void FaissFlatIP::Add(const float* rows, size_t n) {
  impl_->index.add(static_cast<faiss::Index::idx_t>(n), rows);
}

void FaissFlatIP::Search(const float* queries, size_t nq, size_t k, int threads,
                         int64_t* labels) const {
  omp_set_num_threads(threads);
  std::vector<float> scores(nq * k);
  std::vector<faiss::Index::idx_t> ids(nq * k);
  impl_->index.search(static_cast<faiss::Index::idx_t>(nq), queries, static_cast<faiss::Index::idx_t>(k),
                      scores.data(), ids.data());
  for (size_t i = 0; i < nq * k; ++i) labels[i] = static_cast<int64_t>(ids[i]);
}

#else  // !URD_HAVE_FAISS

struct FaissFlatIP::Impl {};

bool FaissFlatIP::Available() { return false; }

FaissFlatIP::FaissFlatIP(size_t) {
  std::fputs("urd bench: FaissFlatIP used in a build without faiss\n", stderr);
  std::abort();
}

FaissFlatIP::~FaissFlatIP() = default;

void FaissFlatIP::Reserve(size_t) { std::abort(); }

void FaissFlatIP::Add(const float*, size_t) { std::abort(); }

void FaissFlatIP::Search(const float*, size_t, size_t, int, int64_t*) const { std::abort(); }

#endif  // URD_HAVE_FAISS

}  // namespace urd::bench
