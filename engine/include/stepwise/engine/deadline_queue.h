#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <thread>
#include <utility>

namespace stepwise::engine {

// Runs functions at instants of the machine's steady clock, all from one thread: the deadlines
// of long polls and history watches, retries of work that found the store unwritable, and (in
// the API) worker sessions' acknowledgements that wait for a task to ride with. A waiting
// caller holds an entry here, never a thread.
//
// Real time on purpose, not the engine's Clock: a poll's wait is a promise to a client on the
// network, and must end on time even when tests run the engine on a ManualClock.
class DeadlineQueue {
 public:
  using Id = std::uint64_t;
  using TimePoint = std::chrono::steady_clock::time_point;

  DeadlineQueue();
  ~DeadlineQueue();  // Stop()s
  DeadlineQueue(const DeadlineQueue&) = delete;
  DeadlineQueue& operator=(const DeadlineQueue&) = delete;

  // Runs `run` at `when` (or soon after) on the queue's thread, without any lock of the queue
  // held, so `run` may call Schedule and Cancel. It must be quick: others wait behind it.
  Id Schedule(TimePoint when, std::function<void()> run);
  // Drops a scheduled function; false when it has run, is running, or was never scheduled.
  bool Cancel(Id id);
  // Joins the thread; functions not yet run are dropped. Idempotent. Must not be called from
  // a scheduled function.
  void Stop();

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::pair<TimePoint, Id>> by_time_;
  std::map<Id, std::pair<TimePoint, std::function<void()>>> entries_;
  Id next_id_ = 1;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stepwise::engine
