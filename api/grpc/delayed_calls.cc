#include "api/grpc/delayed_calls.h"

#include <utility>

namespace stepwise::api {

DelayedCalls::DelayedCalls() : thread_([this] { Run(); }) {}

DelayedCalls::~DelayedCalls() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  thread_.join();
}

void DelayedCalls::After(std::chrono::steady_clock::duration delay, std::function<void()> call) {
  bool first;
  {
    std::lock_guard lock(mutex_);
    auto at = due_.emplace(std::chrono::steady_clock::now() + delay, std::move(call));
    first = at == due_.begin();
  }
  if (first) changed_.notify_all();  // the thread sleeps until a later one
}

void DelayedCalls::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (due_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto next = due_.begin();
    if (std::chrono::steady_clock::now() < next->first) {
      changed_.wait_until(lock, next->first);
      continue;
    }
    std::function<void()> call = std::move(next->second);
    due_.erase(next);
    lock.unlock();
    call();
    lock.lock();
  }
}

}  // namespace stepwise::api
