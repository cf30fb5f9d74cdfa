#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "stepwise/engine/deadline_queue.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/metrics.h"

namespace stepwise::engine {

// Scheduled tasks waiting for a worker, one FIFO queue per function, and the long polls waiting
// for them. A waiting poll is an entry (its callback and a deadline in the DeadlineQueue), not a
// parked thread; a pushed task goes straight to the oldest poll waiting for its function.
// Delivery is at-least-once: the queues are rebuilt from the store on recovery, and a lease
// handed to a poll's callback counts as delivered (the task's timeout covers a lost worker).
//
// Every poll's callback is called exactly once: with a task, or with nullopt at its deadline,
// when cancelled, or when polls are released. It never runs under this class's lock, so it may
// poll again; it runs on whichever thread answered the poll (see Engine::PollTaskAsync).
class TaskQueues {
 public:
  using Delivery = std::function<void(std::optional<TaskLease>)>;

  // Whether a queued task may be handed to a worker now (its function's concurrency and rate
  // limits); when it says yes, the task counts as started. Called under this class's lock.
  using MayStart = std::function<bool(const TaskLease&)>;

  explicit TaskQueues(DeadlineQueue& deadlines, MayStart may_start = nullptr);
  ~TaskQueues();  // Release()s
  TaskQueues(const TaskQueues&) = delete;
  TaskQueues& operator=(const TaskQueues&) = delete;

  // Hands the task to the oldest poll waiting for its function (calling its callback on this
  // thread), or queues it.
  void Push(TaskLease lease);
  // Removes a queued task (its result is no longer wanted); no-op when already taken.
  void Remove(const std::string& execution_id, const TaskRef& task);

  // Answers at once (on this thread) with the longest-queued task of any of `functions`, or
  // with nullopt when polls are released or `wait` is zero or less; otherwise waits up to `wait`.
  PollId PollAsync(const std::vector<std::string>& functions, std::chrono::milliseconds wait,
                   Delivery done);
  // Answers a waiting poll with nullopt (on this thread); no-op when it was answered already.
  void Cancel(PollId id);
  // The blocking form, for tests and in-process workers.
  std::optional<TaskLease> Poll(const std::string& function, std::chrono::milliseconds wait);

  // Hands queued tasks of `function` to waiting polls as far as MayStart lets them go: call it
  // when an invocation of the function ended or its rate limit has a token again.
  void Kick(const std::string& function);

  // Answers every waiting poll with nullopt, and every later poll at once. Queued tasks stay.
  void Release();

  std::size_t waiting() const;
  // Tasks queued under `function` (see QueueName), not yet taken by a poll.
  std::size_t queued(const std::string& function) const;
  // By function: how long its tasks waited, from Push to a poll taking them.
  std::map<std::string, LatencyHistogram::Snapshot> DispatchLatencies() const;

 private:
  struct Queued {
    std::uint64_t order = 0;  // push order across queues: the oldest task of several goes first
    TaskLease lease;
    std::chrono::steady_clock::time_point pushed;
  };
  struct Waiter {
    std::vector<std::string> functions;
    Delivery done;
    DeadlineQueue::Id deadline = 0;
  };

  // Takes a waiter out of every index; the caller answers it after unlocking.
  Delivery TakeWaiter(std::unordered_map<PollId, Waiter>::iterator it);
  void Expire(PollId id);

  bool MayStartNow(const TaskLease& lease) const { return !may_start_ || may_start_(lease); }
  // Counts a hand-over to a worker of a task of `function` pushed at `pushed` (under mutex_).
  void Delivered(const std::string& function, std::chrono::steady_clock::time_point pushed);

  DeadlineQueue& deadlines_;
  MayStart may_start_;
  mutable std::mutex mutex_;
  std::map<std::string, std::deque<Queued>> queues_;  // by function (or whole resource)
  std::map<std::string, std::set<PollId>> waiting_;   // by function: ids ascend with age
  std::unordered_map<PollId, Waiter> waiters_;
  // By function, under mutex_ (a histogram's own counters are atomic).
  std::map<std::string, std::unique_ptr<LatencyHistogram>, std::less<>> latencies_;
  PollId next_id_ = 1;
  std::uint64_t next_order_ = 0;
  bool released_ = false;
};

// The function a task is queued under: its function name, or else its whole Resource string.
const std::string& QueueName(const ScheduleTask& task);

}  // namespace stepwise::engine
