#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/functions.h"
#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/metrics.h"
#include "stepwise/engine/store.h"

namespace stepwise::engine {

// The durable engine: drives the pure interpreter for every execution, commits each step to the
// Store before its effects happen, fires durable timers, and queues tasks for workers. A restart
// (clean or kill -9) followed by Recover() resumes every unfinished execution.
//
// Tasks whose Resource is arn:aws:states:::states:startExecution (plain, .sync, .sync:2,
// .waitForTaskToken) never reach a worker: the engine starts the child execution named by
// Parameters.StateMachineArn (a name, or an ARN whose last ':' part is the name) with
// Parameters.Input (a JSON value, or a string holding JSON) and Parameters.Name (default: a name
// fixed by the parent's task attempt, so a start repeated after a crash is idempotent), and
// completes the task as Step Functions does (engine_children.cc).

struct EngineOptions {
  InterpreterOptions interpreter;
  // Threads that apply steps: those of timers, of child executions, and an execution's next
  // job after a commit. (A caller of an async method applies the step of an idle execution
  // itself.) No thread waits for a commit: the store writes the steps handed to it meanwhile
  // together, with one fsync. One execution's steps are always applied one at a time, in order,
  // each after the previous one is committed.
  int step_threads = 64;
  // How many running executions keep their loaded state in memory between steps (those stepped
  // most recently), so that their next step needs no read of the store. Each holds its state's
  // size (a few KB for most) in memory; 0 reads every step's state from the store.
  int warm_executions = 1024;
  // The limits of functions (by name) and of those nobody registered (functions.h). Those
  // named here win over the ones registered earlier and kept in the store.
  std::vector<FunctionLimits> functions;
  FunctionLimits function_defaults;
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
  // A callback task (.waitForTaskToken): the worker is invoked with the attempt's token in its
  // input ($$.Task.Token), and the state waits until someone completes THAT token. `token` here
  // names the invocation only: completing it acknowledges the invocation and does not complete
  // the state (its result is not the state's output, as on AWS); failing it fails the task.
  bool callback = false;
};

// Names a waiting PollTaskAsync, for CancelPoll.
using PollId = std::uint64_t;

// Where scheduled tasks go. The default (nullptr) keeps them in per-function queues that
// PollTask serves; `stepwise run` installs one that runs the function at once.
using TaskDispatcher = std::function<void(const TaskLease&)>;

// What StartExecutionAsync answers.
struct StartedExecution {
  std::string execution_id;
  std::int64_t start_time = 0;  // milliseconds since the Unix epoch
};

// A state an execution is in: the current state of one of its frames.
struct ActiveState {
  std::string name;
  FramePhase phase = FramePhase::kRunning;  // what the state waits for
  std::int64_t entered_time = 0;            // ms since the Unix epoch
  FrameId frame = 0;
  FrameId parent_frame = 0;      // 0 at the top level
  std::int64_t child_index = 0;  // the branch (Parallel) or item (Map) of the parent frame
};

class Engine {
 public:
  Engine(Store& store, const Clock& clock, EngineOptions options = {},
         TaskDispatcher dispatcher = nullptr);
  // Stops the threads; steps in flight finish first. Answers waiting polls and history watches
  // first (as ReleasePolls does).
  ~Engine();
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;

  // Resumes every unfinished execution: re-arms its timers, re-queues its scheduled and leased
  // tasks (callback invocations not yet acknowledged included) under the functions' stored
  // limits, re-issues the starts of child
  // executions and completes parents whose .sync child ended meanwhile, and continues work a
  // step left unfinished. Call once, before serving.
  absl::Status Recover();

  // Stores a new version of a state machine. InvalidArgument (with every diagnostic, one per
  // line) when the definition does not compile.
  absl::StatusOr<StoredDefinition> PutStateMachine(const std::string& name,
                                                   const std::string& definition);

  // Deletes every version of a state machine. FailedPrecondition while any execution of it is
  // RUNNING (finished ones stay listed and described, but cannot be redriven); NotFound when
  // there is no such machine. A start racing with the delete either commits first (and the
  // delete is refused) or finds the machine gone.
  absl::Status DeleteStateMachine(const std::string& name);

  // Starts an execution of the latest version of `machine`. Idempotent by name: starting a name
  // that exists with the same input returns the existing execution; with another input,
  // AlreadyExists. An empty name gets a generated one. Returns the execution id.
  absl::StatusOr<std::string> StartExecution(const std::string& machine, const std::string& name,
                                             const nlohmann::json& input);

  // Stops a running execution: it ends ABORTED with `error` and `cause`. FailedPrecondition
  // when it has already ended. Child executions it started go on.
  absl::Status StopExecution(const std::string& execution_id, const std::string& error,
                             const std::string& cause);

  // Makes a FAILED, TIMED_OUT or ABORTED execution RUNNING again, resuming where it stopped
  // (see engine_redrive.cc for what is re-run): `$$.Execution.RedriveCount` goes up by one and
  // history gets an ExecutionRedriven event. FailedPrecondition, saying why, for a RUNNING or
  // SUCCEEDED execution or one whose state machine was deleted; NotFound when absent.
  absl::Status RedriveExecution(const std::string& execution_id);

  absl::StatusOr<ExecutionSummary> DescribeExecution(const std::string& execution_id);

  // The states a RUNNING execution is in now, one per active frame (the top level, and each
  // branch or iteration of a Parallel or Map in progress), by frame id; empty once it has ended.
  // Read from the store: what its last step committed.
  absl::StatusOr<std::vector<ActiveState>> CurrentStates(const std::string& execution_id);

  // Blocks until the execution is no longer RUNNING or `timeout` passes (DeadlineExceeded).
  absl::StatusOr<ExecutionSummary> AwaitExecution(const std::string& execution_id,
                                                  std::chrono::milliseconds timeout);

  // --- the worker protocol (with the default dispatcher) ---
  // Waits up to `wait` for a task of `function`; nullopt when none came.
  std::optional<TaskLease> PollTask(const std::string& function, std::chrono::milliseconds wait);
  // Completes the attempt the token names. FailedPrecondition ("stale") when that attempt is no
  // longer awaited (late, repeated, or already timed out) and InvalidArgument for a token that is
  // not one: either way nothing changes. With the invocation token of a callback task
  // (TaskLease::callback) it only acknowledges the invocation: the state keeps waiting for the
  // attempt's own token, and a restart no longer re-sends the invocation.
  absl::Status CompleteTask(const std::string& token, nlohmann::json output);
  // Fails the attempt (either token of a callback task): Retry and Catch see `error`.
  absl::Status FailTask(const std::string& token, const std::string& error,
                        const std::string& cause);
  // Pushes the attempt's heartbeat deadline out (either token of a callback task).
  absl::Status HeartbeatTask(const std::string& token);
  // The worker ran the invocation `token` names in a freshly started instance (a new process,
  // a warm instance's first call): its function counts a cold start. Call it before completing
  // the task; a token of no invocation in flight counts nothing.
  void NoteColdStart(const std::string& token);

  // --- functions as resources (functions.h) ---
  // Registers a function's limits, or changes them (invocations in flight keep running), and
  // keeps them in the store: Recover() registers them again. InvalidArgument (naming the field)
  // for limits out of range.
  absl::Status RegisterFunction(FunctionLimits limits);
  // The limits of a function nobody registered (EngineOptions::function_defaults).
  const FunctionLimits& function_defaults() const;
  // Every function registered or invoked since the engine started, by name.
  std::vector<FunctionStatus> DescribeFunctions();
  FunctionStatus DescribeFunction(const std::string& name);

  // Counters and latencies since the engine started (metrics.h).
  EngineMetrics Metrics();

  // --- asynchronous forms, for a server that parks no thread per request ---
  // Each returns at once and later calls `done` exactly once with what its blocking form
  // returns. `done` may run on the calling thread before the call returns, or on an engine step
  // thread that serves other executions meanwhile: it must be quick and must not block (in
  // particular it must not call a blocking Engine method; the async ones are fine).
  // Answers the execution, with its start time (that of the earlier execution when a start is
  // repeated with the same name and input).
  void StartExecutionAsync(const std::string& machine, const std::string& name,
                           const nlohmann::json& input,
                           std::function<void(absl::StatusOr<StartedExecution>)> done);
  void StopExecutionAsync(const std::string& execution_id, const std::string& error,
                          const std::string& cause, std::function<void(absl::Status)> done);
  void CompleteTaskAsync(const std::string& token, nlohmann::json output,
                         std::function<void(absl::Status)> done);
  void FailTaskAsync(const std::string& token, const std::string& error, const std::string& cause,
                     std::function<void(absl::Status)> done);
  void HeartbeatTaskAsync(const std::string& token, std::function<void(absl::Status)> done);

  // A long poll over several functions at once: `done` gets the longest-queued task of any of
  // them at once, or the first task pushed for one of them within `wait` (polls waiting for the
  // same function are served oldest first), or nullopt when `wait` passes (real time, even on a
  // ManualClock), the poll is cancelled, or polls are released. `done` is called exactly once;
  // the rules for `done` above apply. A lease handed to `done` counts as delivered: if the
  // client is gone by then, the task is retried when its TimeoutSeconds passes (or re-sent
  // after a restart), as for any leased task. A waiting poll holds no thread.
  PollId PollTaskAsync(const std::vector<std::string>& functions, std::chrono::milliseconds wait,
                       std::function<void(std::optional<TaskLease>)> done);
  // The client went away: if the poll is still waiting, `done` is called with nullopt on this
  // thread before CancelPoll returns; if it was already answered (with a task or nullopt),
  // nothing happens. Never loses a task: a poll answered with a task stays answered.
  void CancelPoll(PollId id);
  // For a graceful shutdown (call before shutting the server down): answers every waiting poll
  // and history watch at once (polls with nullopt, watches with the latest event id), and makes
  // every later one answer at once: polls with nullopt, watches with the latest event id when
  // there is news for them (a later event, or the execution ended) and Unavailable otherwise.
  // Tasks stay queued and stored. Irreversible.
  void ReleasePolls();

  // Waits for an execution's history to grow: `done` gets the id of its latest history event
  // as soon as that exceeds `after_event_id` or the execution is no longer RUNNING (at once if
  // either holds already), or at the latest when `wait` passes (real time); NotFound when there
  // is no such execution. Ids count every event, also with InterpreterOptions::record_history
  // off. The rules for `done` above apply. Costs the commit path one atomic load while nobody
  // watches.
  void AwaitHistoryAsync(const std::string& execution_id, std::int64_t after_event_id,
                         std::chrono::milliseconds wait,
                         std::function<void(absl::StatusOr<std::int64_t>)> done);

  struct Impl;

 private:
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::engine
