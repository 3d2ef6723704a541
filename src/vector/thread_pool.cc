// Copyright urd authors.

#include "vector/thread_pool.h"

#include <algorithm>
#include <atomic>
#include <memory>
#include <utility>

namespace urd::vec {

namespace {

// One ParallelFor call. Helpers and the caller claim indices from `next`; a helper
// that starts after every index is claimed returns without touching `fn`, so the
// call may return (and `fn` die) while such helpers are still queued: they hold the
// batch through a shared_ptr.
struct Batch {
  Batch(size_t n_in, const std::function<void(size_t)>* fn_in) : n(n_in), fn(fn_in) {}

  // Runs indices until none is left.
  void Drain() {
    size_t ran = 0;
    for (size_t i = next.fetch_add(1, std::memory_order_relaxed); i < n;
         i = next.fetch_add(1, std::memory_order_relaxed)) {
      (*fn)(i);
      ++ran;
    }
    if (ran == 0) return;
    std::lock_guard<std::mutex> lock(mu);
    done += ran;
    if (done == n) cv.notify_all();
  }

  void Wait() {
    std::unique_lock<std::mutex> lock(mu);
    cv.wait(lock, [this] { return done == n; });
  }

  const size_t n;
  const std::function<void(size_t)>* const fn;
  std::atomic<size_t> next{0};
  std::mutex mu;
  std::condition_variable cv;
  size_t done = 0;  // guarded by mu
};

}  // namespace

ThreadPool::ThreadPool(size_t workers) {
  threads_.reserve(workers);
  for (size_t i = 0; i < workers; ++i) threads_.emplace_back([this] { WorkerLoop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  for (std::thread& t : threads_) t.join();
}

void ThreadPool::ParallelFor(size_t n, const std::function<void(size_t)>& fn) {
  if (n == 0) return;
  if (n == 1 || threads_.empty()) {
    for (size_t i = 0; i < n; ++i) fn(i);
    return;
  }
  auto batch = std::make_shared<Batch>(n, &fn);
  const size_t helpers = std::min(n - 1, threads_.size());
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (size_t i = 0; i < helpers; ++i) queue_.emplace_back([batch] { batch->Drain(); });
  }
  if (helpers == 1) {
    cv_.notify_one();
  } else {
    cv_.notify_all();
  }
  batch->Drain();  // the caller works too, so an all-busy pool cannot stall it
  batch->Wait();
}

void ThreadPool::WorkerLoop() {
  for (;;) {
    std::function<void()> task;
    {
      std::unique_lock<std::mutex> lock(mu_);
      cv_.wait(lock, [this] { return stop_ || !queue_.empty(); });
      if (queue_.empty()) return;  // stop_ and nothing left to finish
      task = std::move(queue_.front());
      queue_.pop_front();
    }
    task();
  }
}

}  // namespace urd::vec
