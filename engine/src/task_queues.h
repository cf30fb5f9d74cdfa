#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <optional>
#include <string>

#include "stepwise/engine/engine.h"

namespace stepwise::engine {

// Scheduled tasks waiting for a worker, one FIFO queue per function, served by long polls.
// Delivery is at-least-once: the queues are rebuilt from the store on recovery.
class TaskQueues {
 public:
  void Push(TaskLease lease);
  // Removes a queued task (its result is no longer wanted); no-op when already taken.
  void Remove(const std::string& token);
  std::optional<TaskLease> Poll(const std::string& function, std::chrono::milliseconds wait);
  // Wakes every poller with nothing (shutdown).
  void Close();

 private:
  std::mutex mutex_;
  std::condition_variable pushed_;
  std::map<std::string, std::deque<TaskLease>> queues_;  // by function (or whole resource)
  bool closed_ = false;
};

// The function a task is queued under: its function name, or else its whole Resource string.
const std::string& QueueName(const ScheduleTask& task);

// "<frame>.<seq>@<execution id>": names the execution and the attempt.
std::string MakeTaskToken(const std::string& execution_id, const TaskRef& task);
bool ParseTaskToken(const std::string& token, std::string& execution_id, TaskRef& task);

}  // namespace stepwise::engine
