#include "process_invoker.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>

#include "stepwise/workers/process_function.h"

namespace stepwise::cli {
namespace {

engine::TaskOutcome Failure(std::string error, std::string cause) {
  return engine::TaskOutcome{false, nullptr, std::move(error), std::move(cause)};
}

// The process gets a little longer than the task: the run's own timer then ends the task with
// the interpreter's States.Timeout, and the kill only reclaims the process shortly after.
std::chrono::milliseconds ProcessTimeout(std::int64_t timeout_seconds, double time_scale) {
  double ms = static_cast<double>(timeout_seconds) * 1000.0 * time_scale;
  return std::chrono::milliseconds(static_cast<std::int64_t>(std::ceil(ms * 1.1)) + 100);
}

}  // namespace

ProcessInvoker::ProcessInvoker(std::vector<workers::FunctionBinding> bindings, double time_scale,
                               std::size_t max_payload_bytes, std::size_t max_concurrency)
    : time_scale_(time_scale),
      // Room for the JSON around a result of the largest size a state accepts.
      max_output_bytes_(max_payload_bytes > std::numeric_limits<std::size_t>::max() - 4096
                            ? std::numeric_limits<std::size_t>::max()
                            : max_payload_bytes + 4096),
      max_concurrency_(std::max<std::size_t>(max_concurrency, 1)) {
  for (workers::FunctionBinding& binding : bindings) {
    std::string name = binding.name;
    bindings_.insert_or_assign(std::move(name), std::move(binding));
  }
}

ProcessInvoker::~ProcessInvoker() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (std::thread& thread : threads_) thread.join();
}

const workers::FunctionBinding* ProcessInvoker::Find(const engine::ScheduleTask& task) const {
  if (!task.function.empty()) {
    if (auto it = bindings_.find(task.function); it != bindings_.end()) return &it->second;
  }
  if (auto it = bindings_.find(task.resource); it != bindings_.end()) return &it->second;
  return nullptr;
}

void ProcessInvoker::Invoke(const engine::ScheduleTask& task,
                            std::function<void(engine::TaskOutcome)> done) {
  const workers::FunctionBinding* binding = Find(task);
  if (binding == nullptr) {
    const std::string& name = task.function.empty() ? task.resource : task.function;
    done(Failure("States.TaskFailed", "no function is bound to '" + name + "': pass --function '" +
                                          name + "=COMMAND' to stepwise run"));
    return;
  }
  {
    std::lock_guard lock(mutex_);
    queue_.push_back(Job{task.task, binding, task.input,
                         ProcessTimeout(task.timeout_seconds, time_scale_), std::move(done)});
    // Idle workers that were woken but have not taken a job yet still count as idle, so compare
    // with the queue's length rather than with zero.
    if (queue_.size() > idle_ && threads_.size() < max_concurrency_) {
      threads_.emplace_back([this] { Work(); });
      return;
    }
  }
  wake_.notify_one();
}

void ProcessInvoker::Cancel(const engine::TaskRef& task) {
  std::function<void(engine::TaskOutcome)> done;
  {
    std::lock_guard lock(mutex_);
    auto it = std::find_if(queue_.begin(), queue_.end(),
                           [&task](const Job& job) { return job.task == task; });
    if (it == queue_.end()) return;
    done = std::move(it->done);
    queue_.erase(it);
  }
  done(Failure("States.TaskFailed", "the invocation was cancelled before it started"));
}

void ProcessInvoker::Work() {
  while (true) {
    Job job;
    {
      std::unique_lock lock(mutex_);
      ++idle_;
      wake_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      --idle_;
      if (queue_.empty()) return;  // stopping, and nothing left to answer
      job = std::move(queue_.front());
      queue_.pop_front();
      if (stopping_) {
        lock.unlock();
        job.done(Failure("States.TaskFailed", "the run ended before the invocation started"));
        continue;
      }
    }
    workers::ProcessLimits limits;
    limits.timeout = job.timeout;
    limits.max_output_bytes = max_output_bytes_;
    workers::ProcessOutcome outcome = workers::RunProcessFunction(*job.binding, job.input, limits);
    job.done(engine::TaskOutcome{outcome.succeeded, std::move(outcome.output),
                                 std::move(outcome.error), std::move(outcome.cause)});
  }
}

}  // namespace stepwise::cli
