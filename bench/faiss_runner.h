// Copyright urd authors. FAISS as a peer for the `faiss` workload: IndexFlatIP (exact
// inner product) from the Debian libfaiss-dev build (1.7.3, static, OpenMP, the
// system BLAS for batches of 20 queries or more).
//
// Built only when CMake finds faiss (URD_HAVE_FAISS); otherwise Available() is false
// and the other members must not be called.
//
// Thread-safety: Add needs exclusive access. Search sets the OpenMP thread count of
// the process, so do not run it concurrently with other OpenMP work.

#ifndef URD_BENCH_FAISS_RUNNER_H_
#define URD_BENCH_FAISS_RUNNER_H_

#include <cstddef>
#include <cstdint>
#include <memory>

namespace urd::bench {

class FaissFlatIP {
 public:
  // True when this binary was built with faiss.
  static bool Available();

  // REQUIRES: Available(); dim >= 1.
  explicit FaissFlatIP(size_t dim);
  ~FaissFlatIP();
  FaissFlatIP(const FaissFlatIP&) = delete;
  FaissFlatIP& operator=(const FaissFlatIP&) = delete;

  // Reserves memory for n rows in all (so adding in pieces never copies the data).
  void Reserve(size_t n);
  // Adds rows[0 .. n) (n*dim floats); labels continue from the rows already added.
  void Add(const float* rows, size_t n);
  // nq queries (row-major) in one faiss search call with `threads` OpenMP threads;
  // labels[j*k .. j*k+k) receives query j's best labels, best first.
  void Search(const float* queries, size_t nq, size_t k, int threads, int64_t* labels) const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace urd::bench

#endif  // URD_BENCH_FAISS_RUNNER_H_
