#include "task_queues.h"

#include <algorithm>
#include <utility>

namespace stepwise::engine {

const std::string& QueueName(const ScheduleTask& task) {
  return task.function.empty() ? task.resource : task.function;
}

std::string MakeTaskToken(const std::string& execution_id, const TaskRef& task) {
  return task.Token() + "@" + execution_id;
}

bool ParseTaskToken(const std::string& token, std::string& execution_id, TaskRef& task) {
  auto at = token.find('@');
  if (at == std::string::npos || at + 1 >= token.size()) return false;
  auto ref = TaskRef::FromToken(std::string_view(token).substr(0, at));
  if (!ref) return false;
  task = *ref;
  execution_id = token.substr(at + 1);
  return true;
}

void TaskQueues::Push(TaskLease lease) {
  {
    std::lock_guard lock(mutex_);
    queues_[QueueName(lease.task)].push_back(std::move(lease));
  }
  pushed_.notify_all();
}

void TaskQueues::Remove(const std::string& token) {
  std::lock_guard lock(mutex_);
  for (auto& [name, queue] : queues_) {
    auto it = std::find_if(queue.begin(), queue.end(),
                           [&token](const TaskLease& lease) { return lease.token == token; });
    if (it != queue.end()) {
      queue.erase(it);
      return;
    }
  }
}

std::optional<TaskLease> TaskQueues::Poll(const std::string& function,
                                          std::chrono::milliseconds wait) {
  std::unique_lock lock(mutex_);
  auto has_task = [&] {
    auto it = queues_.find(function);
    return closed_ || (it != queues_.end() && !it->second.empty());
  };
  if (!pushed_.wait_for(lock, wait, has_task) || closed_) return std::nullopt;
  auto& queue = queues_[function];
  TaskLease lease = std::move(queue.front());
  queue.pop_front();
  return lease;
}

void TaskQueues::Close() {
  {
    std::lock_guard lock(mutex_);
    closed_ = true;
  }
  pushed_.notify_all();
}

}  // namespace stepwise::engine
