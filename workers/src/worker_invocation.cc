#include <utility>

#include "stepwise/workers/worker.h"

namespace stepwise::workers {

Invocation::Invocation(TaskInfo task, nlohmann::json input)
    : task_(std::move(task)), input_(std::move(input)) {}

std::chrono::milliseconds Invocation::remaining() const {
  using std::chrono::system_clock;
  if (task_.deadline == system_clock::time_point::max()) return std::chrono::milliseconds::max();
  auto left = task_.deadline - system_clock::now();
  if (left <= system_clock::duration::zero()) return std::chrono::milliseconds(0);
  return std::chrono::duration_cast<std::chrono::milliseconds>(left);
}

bool Invocation::WaitForCancel(std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mutex_);
  auto now = std::chrono::steady_clock::now();
  // Compared in milliseconds: milliseconds::max() converted to the clock's nanoseconds overflows.
  auto room = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::time_point::max() - now);
  if (timeout >= room) {
    // "Forever" (milliseconds::max()) would overflow a deadline.
    cancel_.wait(lock, [this] { return cancelled(); });
    return true;
  }
  return cancel_.wait_until(lock, now + timeout, [this] { return cancelled(); });
}

void Invocation::Cancel() {
  {
    // Under the mutex, so that a WaitForCancel between its check and its wait cannot miss it.
    std::lock_guard lock(mutex_);
    cancelled_.store(true, std::memory_order_release);
  }
  cancel_.notify_all();
}

}  // namespace stepwise::workers
