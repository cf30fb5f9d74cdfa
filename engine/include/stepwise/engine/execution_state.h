#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "stepwise/dsl/state_machine.h"

namespace stepwise::engine {

// The state of one execution, as the interpreter keeps it: a tree of frames. The root frame runs
// the machine's top-level states; each Parallel branch and each running Map iteration is a child
// frame. Frames are separate values so that a store can write only the ones a step changed.

using FrameId = std::uint64_t;  // 1 is the root; 0 means "none"

// Names one attempt of one task: the frame that waits for it and the frame's wait sequence at
// scheduling time. A completion naming an older attempt is stale and ignored.
struct TaskRef {
  FrameId frame = 0;
  std::uint64_t seq = 0;

  // The task token handed to workers ("<frame>.<seq>"), and back.
  std::string Token() const;
  static std::optional<TaskRef> FromToken(std::string_view token);

  friend bool operator==(const TaskRef&, const TaskRef&) = default;
};

enum class TimerKind : std::uint8_t {
  kWait,              // a Wait state's end
  kRetry,             // the end of a retry's backoff
  kTaskTimeout,       // TimeoutSeconds of a task
  kHeartbeat,         // HeartbeatSeconds of a task
  kExecutionTimeout,  // the machine's TimeoutSeconds (frame 0, never cancelled)
  kContinue,          // work a long step left for the next one: due at once (frame 0)
};

struct TimerRef {
  FrameId frame = 0;
  std::uint64_t seq = 0;
  TimerKind kind = TimerKind::kWait;

  friend bool operator==(const TimerRef&, const TimerRef&) = default;
};

enum class ExecutionStatus : std::uint8_t { kRunning, kSucceeded, kFailed, kTimedOut, kAborted };

// "RUNNING", "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED", as Step Functions spells them.
const char* StatusName(ExecutionStatus status);

// Who the execution is: what the context object's Execution and StateMachine fields say.
struct ExecutionInfo {
  std::string execution_id;  // e.g. arn:stepwise:execution:orders:run-1
  std::string name;          // run-1
  std::string state_machine_id;
  std::string state_machine_name;
  std::int64_t state_machine_version = 0;  // which stored version of the definition runs
  std::string role_arn;
  std::int64_t start_time = 0;  // milliseconds since the epoch
  // A child execution (started by a states:startExecution Task): the execution that started
  // it. Empty for an execution started from outside.
  std::string parent_execution_id;
  // Set when the parent waits for this execution's end (.sync, .sync:2): the token of the
  // parent's task that its end completes, and whether that task wants this execution's input
  // and output as JSON values (.sync:2) rather than as JSON text (.sync).
  std::string parent_task_token;
  bool parent_wants_json = false;
};

// What a frame is doing.
enum class FramePhase : std::uint8_t {
  kRunning,   // between states (transient inside a step)
  kTask,      // waiting for a task's completion
  kWaiting,   // in a Wait state, until its timer
  kBackoff,   // waiting for a retry's backoff timer
  kChildren,  // a Parallel or Map state waiting for its branches or iterations
};

// Bookkeeping of a Parallel or Map state in progress.
struct ChildrenProgress {
  nlohmann::json items = nlohmann::json::array();    // Map: the items (Parallel: unused)
  nlohmann::json results = nlohmann::json::array();  // one slot per branch or item
  std::int64_t total = 0;
  std::int64_t started = 0;
  std::int64_t running = 0;
  std::int64_t failed = 0;
  std::int64_t max_concurrency = 0;           // 0: unbounded
  std::int64_t tolerated_failure_count = -1;  // -1: not set
  double tolerated_failure_percentage = -1;   // -1: not set
  nlohmann::json shared_input;  // Parallel: every branch's input; Map: ItemSelector's `$`
  bool queued = false;          // the frame is already in ExecutionState::ready
};

struct Frame {
  FrameId id = 0;
  FrameId parent = 0;
  std::int64_t child_index = 0;  // branch index (Parallel) or item index (Map) in the parent
  const dsl::StateGraph* graph = nullptr;  // derived from the parent's state; not persisted

  int state = -1;  // index into graph->states
  FramePhase phase = FramePhase::kRunning;
  std::uint64_t seq = 0;           // bumped whenever a wait ends; names tasks and timers
  nlohmann::json input;            // the current state's raw input
  std::int64_t entered_time = 0;   // when the current state was entered (ms)
  std::int64_t entered_event = 0;  // the id of its StateEntered event (for Cause texts)
  std::vector<int> retry_counts;   // per retrier of the current state
  int retry_count = 0;             // retries of the current state so far ($$.State.RetryCount)
  std::int64_t heartbeat_due = 0;  // kTask with HeartbeatSeconds: the current deadline (ms)
  std::int64_t heartbeat_seconds = 0;
  std::optional<ChildrenProgress> children;
};

struct ExecutionState {
  ExecutionInfo info;
  ExecutionStatus status = ExecutionStatus::kRunning;
  nlohmann::json output;  // SUCCEEDED
  std::string error;      // FAILED, TIMED_OUT, ABORTED
  std::string cause;
  std::int64_t stop_time = 0;      // when it reached its terminal status (ms)
  std::int64_t redrive_count = 0;  // $$.Execution.RedriveCount: how often it was redriven
  std::unordered_map<FrameId, Frame> frames;
  FrameId next_frame_id = 1;
  std::int64_t next_event_id = 1;  // the id the next history event gets
  nlohmann::json context;          // the context object's execution-wide part
  // Frames with work to do that a step left for the next one (a long run of states is cut into
  // steps of bounded size, so that a step's history and commit stay small).
  std::vector<FrameId> ready;
};

// The context object's execution-wide part (Execution, StateMachine, State), as Start builds it
// and as a store rebuilds it when loading an execution.
nlohmann::json MakeContext(const ExecutionInfo& info, const nlohmann::json& input,
                           std::int64_t redrive_count = 0);

// The execution's input (kept in the context object as $$.Execution.Input).
const nlohmann::json& ExecutionInput(const ExecutionState& state);

}  // namespace stepwise::engine
