// Copyright urd authors. A small fixed pool of worker threads for partitioned scans.
//
// Thread-safety: ParallelFor may be called from many threads at once; calls share
// the workers. The calling thread runs tasks too, so a call never waits on an
// idle pool and nested use cannot deadlock.

#ifndef URD_VECTOR_THREAD_POOL_H_
#define URD_VECTOR_THREAD_POOL_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace urd::vec {

class ThreadPool {
 public:
  // Starts `workers` threads (0 is allowed: everything runs on the caller).
  explicit ThreadPool(size_t workers);
  ~ThreadPool();  // finishes queued tasks, joins the workers
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  size_t workers() const { return threads_.size(); }

  // Runs fn(0) .. fn(n-1), possibly in parallel, and returns when all are done.
  void ParallelFor(size_t n, const std::function<void(size_t)>& fn);

 private:
  void WorkerLoop();

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> queue_;
  bool stop_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace urd::vec

#endif  // URD_VECTOR_THREAD_POOL_H_
