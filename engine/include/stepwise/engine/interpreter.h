#pragma once

#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "stepwise/dsl/state_machine.h"
#include "stepwise/engine/execution_state.h"

namespace stepwise::engine {

// The pure interpreter of the States Language: given the machine, the execution state and one
// event, it advances the state and says what happened (history) and what must be done about it
// (effects). No I/O, no clock, no randomness inside: time and a random seed come with each call,
// so a step is reproducible in a unit test. The caller (a runner or the Engine) persists the
// step and then performs its effects, and feeds their outcomes back as events.

// Milliseconds since the Unix epoch, UTC.
using Millis = std::int64_t;

// A history event from outside the execution's own states, e.g. a function's circuit breaker
// changing state with the outcome of the task that the step's event completes.
struct HistoryNote {
  const char* type = "";
  std::string state_name;
  nlohmann::json details;
};

// What each call gets from outside.
struct StepInput {
  Millis now = 0;
  std::uint64_t seed = 0;  // drives retry jitter, States.UUID and States.MathRandom
  // Recorded right after the first event of the step (the one that tells of its cause).
  std::vector<HistoryNote> notes;
};

// --- Events fed in -------------------------------------------------------------------------

// The function behind a scheduled task returned `output`.
struct TaskSucceeded {
  TaskRef task;
  nlohmann::json output;
};

// The function behind a scheduled task failed. `error` keeps the function's own name for the
// error (`Lambda.Unknown`, `MyError`), which Retry and Catch match.
struct TaskFailed {
  TaskRef task;
  std::string error;
  std::string cause;
};

// The worker is alive: pushes the task's heartbeat deadline out by HeartbeatSeconds.
struct TaskHeartbeat {
  TaskRef task;
};

// A timer armed by an ArmTimer effect is due.
struct TimerFired {
  TimerRef timer;
};

// The user stopped the execution (StopExecution): it ends ABORTED.
struct StopRequested {
  std::string error;
  std::string cause;
};

using Event = std::variant<TaskSucceeded, TaskFailed, TaskHeartbeat, TimerFired, StopRequested>;

// --- Effects emitted -----------------------------------------------------------------------

// Who carries a scheduled task out, and what completes it.
enum class TaskIntegration : std::uint8_t {
  kInvoke,    // a worker runs the function; its result completes the task
  kCallback,  // .waitForTaskToken: a worker is invoked with the token in its input, but only a
              // completion of the attempt's token ($$.Task.Token) completes the task
  kStartExecution,          // states:startExecution: the runner starts a child execution (named
                            // by `input`, the Parameters) and completes the task at once
  kStartExecutionSync,      // .sync: ... and completes it when the child ends (JSON text)
  kStartExecutionSync2,     // .sync:2: the same, the child's input and output as JSON values
  kStartExecutionCallback,  // .waitForTaskToken: ... and waits for the token's completion
};

// Whether a runner starts a child execution for the task instead of invoking a function.
bool StartsExecution(TaskIntegration integration);

// Run one invocation of a function. `function` is the function's name when the Resource names
// one (`function:NAME`, a Lambda ARN, lambda:invoke's FunctionName); empty otherwise, and the
// runner then binds the whole `resource` string. Complete it with TaskSucceeded/TaskFailed.
struct ScheduleTask {
  TaskRef task;
  std::string state_name;
  std::string resource;
  std::string function;
  nlohmann::json input;
  std::int64_t timeout_seconds = 60;
  std::optional<std::int64_t> heartbeat_seconds;
  int attempt = 0;  // 0 for the first try, then one more per retry
  TaskIntegration integration = TaskIntegration::kInvoke;  // who carries it out
};

// The task will never be completed usefully (its branch failed, the execution ended): a runner
// may kill it. A completion that arrives anyway is ignored.
struct CancelTask {
  TaskRef task;
};

// Deliver TimerFired{timer} at `due` (or as soon as possible after).
struct ArmTimer {
  TimerRef timer;
  Millis due = 0;
};

// Every timer of this frame with sequence `seq` is moot: a runner may forget them. A timer that
// fires anyway is ignored.
struct CancelTimers {
  FrameId frame = 0;
  std::uint64_t seq = 0;
};

using Effect = std::variant<ScheduleTask, CancelTask, ArmTimer, CancelTimers>;

// --- History -------------------------------------------------------------------------------

// One history event, named as Step Functions names them ("ExecutionStarted", "TaskStateEntered",
// "TaskScheduled", "MapIterationStarted", ...). `id`s are numbered from 1 in order, as AWS does,
// so that Cause texts that cite an event id match AWS's.
struct HistoryEvent {
  std::int64_t id = 0;
  Millis timestamp = 0;
  const char* type = "";
  std::string state_name;  // the state's name, for state and task events
  nlohmann::json details;  // the event's other fields (input, output, error, cause, ...)
};

// --- A step --------------------------------------------------------------------------------

struct Step {
  std::vector<HistoryEvent> history;
  std::vector<Effect> effects;
  // Frames written or removed by this step, so that a store writes only what changed.
  std::vector<FrameId> changed_frames;
  std::vector<FrameId> removed_frames;
  // Finer grain, for a store that keeps big parts apart: frames whose `input` changed; Parallel
  // and Map frames whose children began (their items and shared input are new); and children's
  // results that arrived, as (parent frame, child index).
  std::vector<FrameId> inputs_changed;
  std::vector<FrameId> children_started;
  std::vector<std::pair<FrameId, std::int64_t>> child_results;
  bool finished = false;  // the execution reached a terminal status in this step
};

struct InterpreterOptions {
  // States' inputs and outputs larger than this (as JSON text) fail with
  // States.DataLimitExceeded, as on AWS.
  std::size_t max_payload_bytes = 256 * 1024;
  // A step stops after this many state transitions and arms a kContinue timer, due at once,
  // to go on: a loop of a million iterations becomes many small steps, not one huge one.
  int max_transitions_per_step = 1000;
  // Whether history events carry inputs and outputs. Off, they carry names and errors only:
  // cheaper, for runs nobody will inspect.
  bool history_payloads = true;
  // Whether steps carry history events at all. Off, events are still numbered (Cause texts cite
  // their ids) but none is kept: for throwaway runs whose history nobody will read.
  bool record_history = true;
};

class Interpreter {
 public:
  explicit Interpreter(std::shared_ptr<const dsl::StateMachine> machine,
                       InterpreterOptions options = {});

  // Begins an execution: ExecutionStarted, then every state up to the first that has to wait
  // (a task, a Wait, ...). `state` is overwritten.
  Step Start(ExecutionState& state, const ExecutionInfo& info, nlohmann::json input,
             const StepInput& at) const;

  // Applies one event. Events for tasks or timers that are no longer awaited (a late, repeated
  // or unknown completion, a timer of a finished wait) change nothing and return an empty Step;
  // `Accepts` tells them apart beforehand.
  Step Apply(ExecutionState& state, Event event, const StepInput& at) const;

  // Makes a FAILED, TIMED_OUT or ABORTED execution RUNNING again: ExecutionRedriven, and
  // $$.Execution.RedriveCount one up. `state` is as a store loads an unsuccessful execution: its
  // frames as they were before the step that ended it (see Store::CommitStep). Each frame that
  // was waiting then goes on: one in a task or a retry's backoff re-enters its state (with the
  // state's input, its retries counted afresh); one in a Wait ends its wait; a Parallel or Map
  // keeps the results of its finished branches or iterations and runs the others. Without
  // frames (the execution ended in its first step) it starts over. The machine's TimeoutSeconds
  // counts again from now. REQUIRES: state.status is not kRunning or kSucceeded.
  Step Redrive(ExecutionState& state, const StepInput& at) const;

  // Whether `Apply` would act on the event (false for stale completions and timers).
  bool Accepts(const ExecutionState& state, const Event& event) const;

  // Makes a loaded state usable: sets every frame's `graph` from its place in the machine.
  // FailedPrecondition when the state does not fit this machine (another definition version).
  absl::Status Attach(ExecutionState& state) const;

  const dsl::StateMachine& machine() const { return *machine_; }

 private:
  std::shared_ptr<const dsl::StateMachine> machine_;
  InterpreterOptions options_;
};

}  // namespace stepwise::engine
