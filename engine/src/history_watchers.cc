#include "history_watchers.h"

#include <algorithm>
#include <utility>
#include <vector>

namespace stepwise::engine {

HistoryWatchers::HistoryWatchers(DeadlineQueue& deadlines) : deadlines_(deadlines) {}

HistoryWatchers::~HistoryWatchers() { Release(); }

std::optional<HistoryWatchers::Id> HistoryWatchers::Add(const std::string& execution_id,
                                                        std::int64_t after,
                                                        std::chrono::milliseconds wait, Done done) {
  std::lock_guard lock(mutex_);
  if (released_) return std::nullopt;
  Id id = next_id_++;
  Watcher& watcher = watchers_[id];
  watcher.execution_id = execution_id;
  watcher.after = after;
  watcher.done = std::move(done);
  watcher.deadline = deadlines_.Schedule(
      std::chrono::steady_clock::now() + std::max(wait, std::chrono::milliseconds(0)),
      [this, id] { Expire(id); });
  by_execution_.emplace(execution_id, id);
  count_.fetch_add(1, std::memory_order_relaxed);
  std::atomic_thread_fence(std::memory_order_seq_cst);
  return id;
}

HistoryWatchers::Watcher HistoryWatchers::Take(std::unordered_map<Id, Watcher>::iterator it) {
  auto [begin, end] = by_execution_.equal_range(it->second.execution_id);
  for (auto entry = begin; entry != end; ++entry) {
    if (entry->second == it->first) {
      by_execution_.erase(entry);
      break;
    }
  }
  deadlines_.Cancel(it->second.deadline);
  Watcher watcher = std::move(it->second);
  watchers_.erase(it);
  count_.fetch_sub(1, std::memory_order_relaxed);
  return watcher;
}

void HistoryWatchers::Observe(const std::string& execution_id, std::int64_t latest, bool ended) {
  std::vector<Watcher> answered;
  {
    std::lock_guard lock(mutex_);
    auto [begin, end] = by_execution_.equal_range(execution_id);
    std::vector<Id> due;
    for (auto entry = begin; entry != end; ++entry) {
      Watcher& watcher = watchers_.at(entry->second);
      watcher.latest = std::max(watcher.latest, latest);
      if (ended || watcher.latest > watcher.after) due.push_back(entry->second);
    }
    for (Id id : due) answered.push_back(Take(watchers_.find(id)));
  }
  for (Watcher& watcher : answered) watcher.done(watcher.latest);
}

void HistoryWatchers::Fail(Id id, absl::Status status) {
  Watcher watcher;
  {
    std::lock_guard lock(mutex_);
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    watcher = Take(it);
  }
  watcher.done(std::move(status));
}

void HistoryWatchers::Expire(Id id) {
  Watcher watcher;
  {
    std::lock_guard lock(mutex_);
    auto it = watchers_.find(id);
    if (it == watchers_.end()) return;
    watcher = Take(it);
  }
  watcher.done(watcher.latest);
}

void HistoryWatchers::Release() {
  std::vector<Watcher> answered;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    while (!watchers_.empty()) answered.push_back(Take(watchers_.begin()));
  }
  for (Watcher& watcher : answered) watcher.done(watcher.latest);
}

}  // namespace stepwise::engine
