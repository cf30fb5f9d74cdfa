#include "task_queues.h"

#include <algorithm>
#include <future>
#include <memory>
#include <utility>

namespace stepwise::engine {

const std::string& QueueName(const ScheduleTask& task) {
  return task.function.empty() ? task.resource : task.function;
}

TaskQueues::TaskQueues(DeadlineQueue& deadlines, MayStart may_start)
    : deadlines_(deadlines), may_start_(std::move(may_start)) {}

TaskQueues::~TaskQueues() { Release(); }

TaskQueues::Delivery TaskQueues::TakeWaiter(std::unordered_map<PollId, Waiter>::iterator it) {
  for (const std::string& function : it->second.functions) {
    auto index = waiting_.find(function);
    index->second.erase(it->first);
    if (index->second.empty()) waiting_.erase(index);
  }
  deadlines_.Cancel(it->second.deadline);
  Delivery done = std::move(it->second.done);
  waiters_.erase(it);
  return done;
}

void TaskQueues::Push(TaskLease lease) {
  Delivery done;
  {
    std::lock_guard lock(mutex_);
    const std::string& function = QueueName(lease.task);
    auto now = std::chrono::steady_clock::now();
    auto index = waiting_.find(function);
    if (index == waiting_.end() || !MayStartNow(lease)) {
      queues_[function].push_back(Queued{next_order_++, std::move(lease), now});
      return;
    }
    Delivered(function, now);
    done = TakeWaiter(waiters_.find(*index->second.begin()));
  }
  done(std::move(lease));
}

void TaskQueues::Remove(const std::string& execution_id, const TaskRef& task) {
  std::lock_guard lock(mutex_);
  for (auto& [name, queue] : queues_) {
    auto it = std::find_if(queue.begin(), queue.end(), [&](const Queued& queued) {
      return queued.lease.task.task == task && queued.lease.execution_id == execution_id;
    });
    if (it != queue.end()) {
      queue.erase(it);
      return;
    }
  }
}

PollId TaskQueues::PollAsync(const std::vector<std::string>& functions,
                             std::chrono::milliseconds wait, Delivery done) {
  std::unique_lock lock(mutex_);
  PollId id = next_id_++;
  if (released_) {
    lock.unlock();
    done(std::nullopt);
    return id;
  }
  // The oldest queued task among the functions asked for whose function may start one now.
  std::vector<std::deque<Queued>*> candidates;
  for (const std::string& function : functions) {
    auto it = queues_.find(function);
    if (it != queues_.end() && !it->second.empty()) candidates.push_back(&it->second);
  }
  std::sort(candidates.begin(), candidates.end(),
            [](auto* a, auto* b) { return a->front().order < b->front().order; });
  candidates.erase(std::unique(candidates.begin(), candidates.end()), candidates.end());
  std::deque<Queued>* oldest = nullptr;
  for (std::deque<Queued>* queue : candidates) {
    if (MayStartNow(queue->front().lease)) {
      oldest = queue;
      break;
    }
  }
  if (oldest != nullptr) {
    Delivered(QueueName(oldest->front().lease.task), oldest->front().pushed);
    TaskLease lease = std::move(oldest->front().lease);
    oldest->pop_front();
    lock.unlock();
    done(std::move(lease));
    return id;
  }
  if (wait.count() <= 0 || functions.empty()) {
    lock.unlock();
    done(std::nullopt);
    return id;
  }
  Waiter& waiter = waiters_[id];
  waiter.functions = functions;
  std::sort(waiter.functions.begin(), waiter.functions.end());
  waiter.functions.erase(std::unique(waiter.functions.begin(), waiter.functions.end()),
                         waiter.functions.end());
  for (const std::string& function : waiter.functions) waiting_[function].insert(id);
  waiter.done = std::move(done);
  waiter.deadline =
      deadlines_.Schedule(std::chrono::steady_clock::now() + wait, [this, id] { Expire(id); });
  return id;
}

void TaskQueues::Cancel(PollId id) { Expire(id); }

void TaskQueues::Expire(PollId id) {
  Delivery done;
  {
    std::lock_guard lock(mutex_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) return;  // answered already
    done = TakeWaiter(it);
  }
  done(std::nullopt);
}

std::optional<TaskLease> TaskQueues::Poll(const std::string& function,
                                          std::chrono::milliseconds wait) {
  auto promise = std::make_shared<std::promise<std::optional<TaskLease>>>();
  auto answer = promise->get_future();
  PollAsync({function}, wait,
            [promise](std::optional<TaskLease> lease) { promise->set_value(std::move(lease)); });
  return answer.get();
}

void TaskQueues::Kick(const std::string& function) {
  std::vector<std::pair<Delivery, TaskLease>> handed;
  {
    std::lock_guard lock(mutex_);
    auto queue = queues_.find(function);
    while (queue != queues_.end() && !queue->second.empty()) {
      auto index = waiting_.find(function);
      if (index == waiting_.end() || !MayStartNow(queue->second.front().lease)) break;
      Delivery done = TakeWaiter(waiters_.find(*index->second.begin()));
      Delivered(function, queue->second.front().pushed);
      handed.emplace_back(std::move(done), std::move(queue->second.front().lease));
      queue->second.pop_front();
    }
  }
  for (auto& [done, lease] : handed) done(std::move(lease));
}

void TaskQueues::Release() {
  std::vector<Delivery> answers;
  {
    std::lock_guard lock(mutex_);
    released_ = true;
    while (!waiters_.empty()) answers.push_back(TakeWaiter(waiters_.begin()));
  }
  for (Delivery& done : answers) done(std::nullopt);
}

std::size_t TaskQueues::waiting() const {
  std::lock_guard lock(mutex_);
  return waiters_.size();
}

void TaskQueues::Delivered(const std::string& function,
                           std::chrono::steady_clock::time_point pushed) {
  auto found = latencies_.find(function);
  if (found == latencies_.end()) {
    found = latencies_.emplace(function, std::make_unique<LatencyHistogram>()).first;
  }
  found->second->Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - pushed).count());
}

std::map<std::string, LatencyHistogram::Snapshot> TaskQueues::DispatchLatencies() const {
  std::lock_guard lock(mutex_);
  std::map<std::string, LatencyHistogram::Snapshot> snapshots;
  for (const auto& [function, histogram] : latencies_) snapshots[function] = histogram->Read();
  return snapshots;
}

std::size_t TaskQueues::queued(const std::string& function) const {
  std::lock_guard lock(mutex_);
  auto found = queues_.find(function);
  return found == queues_.end() ? 0 : found->second.size();
}

}  // namespace stepwise::engine
