#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "absl/status/statusor.h"
#include "stepwise/engine/deadline_queue.h"

namespace stepwise::engine {

// Callers waiting for an execution's history to grow past an event id. A watcher is an entry
// (its callback and a deadline), not a parked thread. The commit path asks `active()` first, so
// with nobody watching it pays one atomic load and nothing else.
//
// Every watcher's callback is called exactly once, never under this class's lock: with the
// latest event id once it exceeds the watcher's, or once the execution is no longer running,
// or at the deadline (with the latest id seen), or with an error from Fail.
class HistoryWatchers {
 public:
  using Id = std::uint64_t;
  using Done = std::function<void(absl::StatusOr<std::int64_t>)>;

  explicit HistoryWatchers(DeadlineQueue& deadlines);
  ~HistoryWatchers();  // Release()s
  HistoryWatchers(const HistoryWatchers&) = delete;
  HistoryWatchers& operator=(const HistoryWatchers&) = delete;

  // Registers a watcher; it is answered only by a later Observe, Fail, its deadline or Release.
  // nullopt after Release: nothing is registered and `done` is not called (the caller answers).
  std::optional<Id> Add(const std::string& execution_id, std::int64_t after,
                        std::chrono::milliseconds wait, Done done);
  // The execution's latest event id is `latest` (and it ended, if `ended`): answers the
  // watchers that this satisfies, and remembers `latest` for the others' deadlines. Answers run
  // on this thread.
  void Observe(const std::string& execution_id, std::int64_t latest, bool ended);
  // Answers one watcher with `status` if it is still waiting.
  void Fail(Id id, absl::Status status);
  // Answers every watcher with the latest id it saw, and every later one at once.
  void Release();

  // Whether anyone watches any execution. Called on the commit path, after the commit: the
  // fence pairs with the one in Add, so that a watcher added while a commit lands is either
  // seen here or sees the commit when its caller reads the store.
  bool active() const {
    std::atomic_thread_fence(std::memory_order_seq_cst);
    return count_.load(std::memory_order_relaxed) > 0;
  }

 private:
  struct Watcher {
    std::string execution_id;
    std::int64_t after = 0;
    std::int64_t latest = 0;  // the highest id observed so far (the answer at the deadline)
    Done done;
    DeadlineQueue::Id deadline = 0;
  };

  // Removes a watcher; the caller answers it after unlocking.
  Watcher Take(std::unordered_map<Id, Watcher>::iterator it);
  void Expire(Id id);

  DeadlineQueue& deadlines_;
  std::atomic<std::int64_t> count_{0};
  std::mutex mutex_;
  std::unordered_map<Id, Watcher> watchers_;
  std::multimap<std::string, Id> by_execution_;
  Id next_id_ = 1;
  bool released_ = false;
};

}  // namespace stepwise::engine
