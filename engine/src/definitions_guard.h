#pragma once

#include <condition_variable>
#include <mutex>

namespace stepwise::engine {

// Keeps executions from starting from a definition being deleted. A start holds it shared from
// reading the definition until its first step is committed, which may end on another thread
// than the one that began it (so this is not a std::shared_mutex); DeleteStateMachine holds it
// alone (lock/unlock, for std::unique_lock), and new starts wait while it waits for the
// starts in progress.
class DefinitionsGuard {
 public:
  void LockShared() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !exclusive_; });
    ++shared_;
  }
  void UnlockShared() {
    std::lock_guard lock(mutex_);
    if (--shared_ == 0) changed_.notify_all();
  }
  void lock() {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [this] { return !exclusive_; });
    exclusive_ = true;
    changed_.wait(lock, [this] { return shared_ == 0; });
  }
  void unlock() {
    {
      std::lock_guard lock(mutex_);
      exclusive_ = false;
    }
    changed_.notify_all();
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int shared_ = 0;
  bool exclusive_ = false;
};

}  // namespace stepwise::engine
