#include "thread_pool.h"

#include <utility>

namespace stepwise::engine {

ThreadPool::ThreadPool(int threads) {
  for (int i = 0; i < (threads > 0 ? threads : 1); ++i) threads_.emplace_back([this] { Work(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  ready_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

void ThreadPool::Post(std::function<void()> job) {
  {
    std::lock_guard lock(mutex_);
    jobs_.push_back(std::move(job));
  }
  ready_.notify_one();
}

void ThreadPool::Hold() {
  std::lock_guard lock(mutex_);
  ++holds_;
}

void ThreadPool::DropHold() {
  bool last = false;
  {
    std::lock_guard lock(mutex_);
    last = --holds_ == 0 && stopping_;
  }
  if (last) ready_.notify_all();
}

void ThreadPool::Work() {
  for (;;) {
    std::function<void()> job;
    {
      std::unique_lock lock(mutex_);
      ready_.wait(lock, [this] { return (stopping_ && holds_ == 0) || !jobs_.empty(); });
      if (jobs_.empty()) return;  // stopping, and nothing left to run or to come
      job = std::move(jobs_.front());
      jobs_.pop_front();
    }
    job();
  }
}

}  // namespace stepwise::engine
