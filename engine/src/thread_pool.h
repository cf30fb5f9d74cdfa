#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace stepwise::engine {

// A fixed set of threads running posted jobs in order of posting. The destructor runs every job
// already posted, and every job posted while a hold is out, then joins.
class ThreadPool {
 public:
  explicit ThreadPool(int threads);
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  void Post(std::function<void()> job);
  // A hold stands for work outside the pool that may post a job when it ends (a commit in
  // flight): the threads wait for it to be dropped before they stop.
  void Hold();
  void DropHold();

 private:
  void Work();

  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<std::function<void()>> jobs_;
  bool stopping_ = false;
  int holds_ = 0;
  std::vector<std::thread> threads_;
};

}  // namespace stepwise::engine
