#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/store.h"

namespace stepwise::engine {

// The durable engine: drives the pure interpreter for every execution, commits each step to the
// Store before its effects happen, fires durable timers, and queues tasks for workers. A restart
// (clean or kill -9) followed by Recover() resumes every unfinished execution.

struct EngineOptions {
  InterpreterOptions interpreter;
  // Threads that apply and commit steps. Commits of different executions run concurrently so
  // that the store's group commit shares one fsync among them; one execution's steps are always
  // applied one at a time, in order.
  int step_threads = 64;
  // History retention: finished executions (record, frames, history) are deleted in the
  // background once they stopped more than `retain_for` ago, and beyond the newest
  // `retain_count`. Zero keeps them forever. Checked every `retention_interval`.
  std::chrono::seconds retain_for{0};
  std::int64_t retain_count = 0;
  std::chrono::milliseconds retention_interval{60'000};
};

// A task handed to a worker.
struct TaskLease {
  std::string token;  // names the execution and the attempt; pass it back to Complete/Fail
  std::string execution_id;
  ScheduleTask task;
  std::int64_t deadline = 0;  // ms since the epoch: TimeoutSeconds from scheduling
};

// Where scheduled tasks go. The default (nullptr) keeps them in per-function queues that
// PollTask serves; `stepwise run` installs one that runs the function at once.
using TaskDispatcher = std::function<void(const TaskLease&)>;

class Engine {
 public:
  Engine(Store& store, const Clock& clock, EngineOptions options = {},
         TaskDispatcher dispatcher = nullptr);
  ~Engine();  // stops the threads; steps in flight finish first
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resumes every unfinished execution: re-arms its timers, re-queues its scheduled and leased
  // tasks, and continues work a step left unfinished. Call once, before serving.
  absl::Status Recover();

  // Stores a new version of a state machine. InvalidArgument (with every diagnostic, one per
  // line) when the definition does not compile.
  absl::StatusOr<StoredDefinition> PutStateMachine(const std::string& name,
                                                   const std::string& definition);

  // Starts an execution of the latest version of `machine`. Idempotent by name: starting a name
  // that exists with the same input returns the existing execution; with another input,
  // AlreadyExists. An empty name gets a generated one. Returns the execution id.
  absl::StatusOr<std::string> StartExecution(const std::string& machine, const std::string& name,
                                             const nlohmann::json& input);

  // Stops a running execution: it ends ABORTED with `error` and `cause`.
  absl::Status StopExecution(const std::string& execution_id, const std::string& error,
                             const std::string& cause);

  absl::StatusOr<ExecutionSummary> DescribeExecution(const std::string& execution_id);

  // Blocks until the execution is no longer RUNNING or `timeout` passes (DeadlineExceeded).
  absl::StatusOr<ExecutionSummary> AwaitExecution(const std::string& execution_id,
                                                  std::chrono::milliseconds timeout);

  // --- the worker protocol (with the default dispatcher) ---
  // Waits up to `wait` for a task of `function`; nullopt when none came.
  std::optional<TaskLease> PollTask(const std::string& function, std::chrono::milliseconds wait);
  // Completes the attempt the token names. FailedPrecondition ("stale") when that attempt is no
  // longer awaited (late, repeated, or already timed out) and InvalidArgument for a token that is
  // not one: either way nothing changes.
  absl::Status CompleteTask(const std::string& token, nlohmann::json output);
  absl::Status FailTask(const std::string& token, const std::string& error,
                        const std::string& cause);
  absl::Status HeartbeatTask(const std::string& token);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::engine
