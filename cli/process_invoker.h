#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "stepwise/engine/local_runner.h"
#include "stepwise/workers/function_binding.h"

namespace stepwise::cli {

// Serves a local run's tasks with executables bound on the command line (`--function`), one
// process per invocation, on a small pool of threads that grows with demand up to
// `max_concurrency`; invocations beyond that wait their turn in order.
class ProcessInvoker final : public engine::FunctionInvoker {
 public:
  // `time_scale` shrinks each process's time limit as it shrinks the run's timers; a function's
  // stdout may hold a result of up to `max_payload_bytes`.
  ProcessInvoker(std::vector<workers::FunctionBinding> bindings, double time_scale,
                 std::size_t max_payload_bytes, std::size_t max_concurrency = 64);
  // Invocations still queued are answered as cancelled without running; running processes are
  // waited for (each is bounded by its task's timeout).
  ~ProcessInvoker() override;

  ProcessInvoker(const ProcessInvoker&) = delete;
  ProcessInvoker& operator=(const ProcessInvoker&) = delete;

  void Invoke(const engine::ScheduleTask& task,
              std::function<void(engine::TaskOutcome)> done) override;
  // Drops the invocation if it has not started; a running process runs to its end or timeout.
  void Cancel(const engine::TaskRef& task) override;

 private:
  struct Job {
    engine::TaskRef task;
    const workers::FunctionBinding* binding = nullptr;
    nlohmann::json input;
    std::chrono::milliseconds timeout{0};
    std::function<void(engine::TaskOutcome)> done;
  };

  // The binding for a task's function name, else for its whole Resource string.
  const workers::FunctionBinding* Find(const engine::ScheduleTask& task) const;
  void Work();

  std::unordered_map<std::string, workers::FunctionBinding> bindings_;
  const double time_scale_;
  const std::size_t max_output_bytes_;
  const std::size_t max_concurrency_;

  std::mutex mutex_;
  std::condition_variable wake_;
  std::deque<Job> queue_;
  std::vector<std::thread> threads_;
  std::size_t idle_ = 0;
  bool stopping_ = false;
};

}  // namespace stepwise::cli
