#include "worker_heartbeats.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

namespace stepwise::workers::internal {
namespace {

// A heartbeat call may take up to its interval (it is late after that anyway), but at least a
// second for a loaded server and at most ten, so that one hung call cannot stall the others.
std::chrono::milliseconds CallTimeout(std::chrono::milliseconds every) {
  return std::clamp<std::chrono::milliseconds>(every, std::chrono::seconds(1),
                                               std::chrono::seconds(10));
}

}  // namespace

Heartbeats::Heartbeats(TaskClient& client, const Log& log)
    : client_(client), log_(log), thread_([this] { Loop(); }) {}

Heartbeats::~Heartbeats() { Stop(); }

void Heartbeats::Add(std::shared_ptr<Invocation> call) {
  // In milliseconds before dividing: a third of 1 s is 333 ms, not 0 s.
  std::chrono::milliseconds every = std::chrono::milliseconds(call->task().heartbeat) / 3;
  if (every <= std::chrono::milliseconds::zero()) return;
  {
    std::lock_guard lock(mutex_);
    if (stopping_) return;
    const Invocation* key = call.get();
    entries_[key] = Entry{std::move(call), every, std::chrono::steady_clock::now() + every};
  }
  changed_.notify_all();
}

void Heartbeats::Remove(const Invocation& call) {
  std::lock_guard lock(mutex_);
  entries_.erase(&call);
  // No notification: the loop finds the entry gone when it wakes.
}

void Heartbeats::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
    entries_.clear();
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Heartbeats::Loop() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    if (entries_.empty()) {
      changed_.wait(lock);
      continue;
    }
    auto now = std::chrono::steady_clock::now();
    auto next = std::chrono::steady_clock::time_point::max();
    std::vector<std::pair<std::shared_ptr<Invocation>, std::chrono::milliseconds>> due;
    for (auto& [key, entry] : entries_) {
      if (entry.due <= now) {
        due.emplace_back(entry.call, entry.every);
        // Scheduled from now, not from the missed time: a late round does not cause a burst.
        entry.due = now + entry.every;
      }
      next = std::min(next, entry.due);
    }
    if (due.empty()) {
      changed_.wait_until(lock, next);
      continue;
    }
    lock.unlock();
    for (const auto& [call, every] : due) Beat(call, every);
    lock.lock();
  }
}

void Heartbeats::Beat(const std::shared_ptr<Invocation>& call, std::chrono::milliseconds every) {
  absl::StatusOr<bool> cancelled = client_.Heartbeat(call->task().token, CallTimeout(every));
  const TaskInfo& task = call->task();
  if (!cancelled.ok()) {
    // The next heartbeat may get through before HeartbeatSeconds pass: keep going.
    log_(LogLevel::kWarning, "heartbeat of " + task.execution_id + " state '" + task.state_name +
                                 "' failed: " + std::string(cancelled.status().message()));
    return;
  }
  if (!*cancelled) return;
  log_(LogLevel::kInfo, "the task of " + task.execution_id + " state '" + task.state_name +
                            "' was cancelled on the server");
  call->Cancel();
  std::lock_guard lock(mutex_);
  auto found = entries_.find(call.get());
  if (found != entries_.end() && found->second.call == call) entries_.erase(found);
}

}  // namespace stepwise::workers::internal
