#include "stepwise/engine/deadline_queue.h"

namespace stepwise::engine {

DeadlineQueue::DeadlineQueue() : thread_([this] { Run(); }) {}

DeadlineQueue::~DeadlineQueue() { Stop(); }

DeadlineQueue::Id DeadlineQueue::Schedule(TimePoint when, std::function<void()> run) {
  bool earliest = false;
  Id id = 0;
  {
    std::lock_guard lock(mutex_);
    id = next_id_++;
    entries_.emplace(id, std::make_pair(when, std::move(run)));
    // Two statements: in one, begin() may be taken before the insertion.
    auto inserted = by_time_.emplace(when, id).first;
    earliest = inserted == by_time_.begin();
  }
  // Only a new earliest deadline changes how long Run sleeps.
  if (earliest) changed_.notify_one();
  return id;
}

bool DeadlineQueue::Cancel(Id id) {
  std::lock_guard lock(mutex_);
  auto it = entries_.find(id);
  if (it == entries_.end()) return false;
  by_time_.erase({it->second.first, id});
  entries_.erase(it);
  return true;
}

void DeadlineQueue::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_one();
  if (thread_.joinable()) thread_.join();
}

void DeadlineQueue::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (by_time_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto [when, id] = *by_time_.begin();
    if (std::chrono::steady_clock::now() < when) {
      changed_.wait_until(lock, when);
      continue;
    }
    by_time_.erase(by_time_.begin());
    auto entry = entries_.find(id);
    std::function<void()> run = std::move(entry->second.second);
    entries_.erase(entry);
    lock.unlock();
    run();
    lock.lock();
  }
}

}  // namespace stepwise::engine
