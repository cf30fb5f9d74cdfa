#pragma once

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/functions.h"
#include "stepwise/engine/interpreter.h"

namespace stepwise::engine {

// What the engine needs from durable storage. `storage/` implements it on RocksDB; nothing in
// the engine knows how. Every method is thread-safe. Errors are absl::Status values: Unavailable
// or ResourceExhausted for I/O trouble (disk full), NotFound, FailedPrecondition, InvalidArgument.

// A state machine definition as stored: each update adds a version.
struct StoredDefinition {
  std::string name;
  std::int64_t version = 0;     // 1, 2, ...
  std::string definition;       // the ASL text as given
  std::int64_t created_at = 0;  // ms since the epoch
};

// The execution-wide part of an execution (what lists and Describe show; frames aside).
struct ExecutionSummary {
  ExecutionInfo info;
  ExecutionStatus status = ExecutionStatus::kRunning;
  std::int64_t stop_time = 0;  // ms; 0 while running
  nlohmann::json input;
  nlohmann::json output;
  std::string error;
  std::string cause;
  // The id of its latest history event (0 before any): events are numbered 1, 2, ... with no
  // gaps, so this is also how many it has had (retention aside).
  std::int64_t last_event_id = 0;
  std::int64_t redrive_count = 0;  // how often it was redriven
};

// A durable timer: fire `timer` of execution `execution_id` at `due`.
struct StoredTimer {
  std::string execution_id;
  TimerRef timer;
  std::int64_t due = 0;
};

// A task scheduled and not yet completed.
struct StoredTask {
  std::string execution_id;
  ScheduleTask task;
};

// A history event as read back.
struct StoredHistoryEvent {
  std::int64_t id = 0;
  std::int64_t timestamp = 0;
  std::string type;
  std::string state_name;
  nlohmann::json details;
};

// What a step's commit needs beyond the state and the step themselves.
struct CommitContext {
  bool created = false;  // the execution's first step: index it too
  // The task whose record goes: this step applied its completion, or (with an empty step) the
  // invocation of its callback task was acknowledged.
  std::optional<TaskRef> completed_task;
  // The step redrives the finished execution: it is RUNNING again (re-index it).
  bool redriven = false;
};

// A filter for listing executions. Empty fields match everything; set ones must all match.
struct ExecutionFilter {
  std::string machine_name;
  std::optional<ExecutionStatus> status;
  std::optional<std::int64_t> started_after;   // ms since the epoch, inclusive
  std::optional<std::int64_t> started_before;  // ms since the epoch, exclusive
  std::string parent_execution_id;             // only the children this execution started
};

// Which way ReadHistory reads.
enum class HistoryOrder : std::uint8_t {
  kOldestFirst,  // ids >= from_id, ascending
  kNewestFirst,  // ids <= from_id (from_id <= 0: from the latest), descending
};

struct ExecutionPage {
  std::vector<ExecutionSummary> executions;  // newest first (by start time, then id)
  // Empty: no more. Opaque; it names the last execution listed, so the next page resumes right
  // after it: executions started meanwhile (which sort first) neither repeat nor push others
  // off. Valid only with the same filter.
  std::string next_page_token;
};

// How much room the store takes (every column family together), for /metrics.
struct StoreSizes {
  std::int64_t live_data_bytes = 0;  // an estimate of what the data needs once compacted
  std::int64_t sst_files_bytes = 0;  // on disk in table files
  std::int64_t memtable_bytes = 0;   // in memory, not yet flushed
  std::int64_t keys = 0;             // an estimate
};

class Store {
 public:
  virtual ~Store() = default;

  // --- definitions ---
  // Adds a version of `name` (version = the latest + 1) and returns it.
  virtual absl::StatusOr<StoredDefinition> PutDefinition(const std::string& name,
                                                         const std::string& definition,
                                                         std::int64_t now) = 0;
  // version 0: the latest. NotFound when absent.
  virtual absl::StatusOr<StoredDefinition> GetDefinition(const std::string& name,
                                                         std::int64_t version) = 0;
  virtual absl::StatusOr<std::vector<StoredDefinition>> ListDefinitions() = 0;  // latest each
  // Removes every version of `name` (its executions stay). NotFound when it has none. A later
  // PutDefinition of the name starts again at version 1.
  virtual absl::Status DeleteDefinition(const std::string& name) = 0;

  // --- functions ---
  // Keeps a function's registered limits, replacing earlier ones of its name.
  virtual absl::Status PutFunction(const FunctionLimits& limits) = 0;
  // Every function's registered limits, by name.
  virtual absl::StatusOr<std::vector<FunctionLimits>> ListFunctions() = 0;

  // --- executions ---
  // Writes one step as ONE atomic batch, durably as the store's options say: the execution's
  // record from `state`; the frames the step changed or removed (`step.changed_frames`,
  // `removed_frames`), with a frame's input only when `step.inputs_changed` names it, its
  // children's items only when `step.children_started` does, and each child result of
  // `step.child_results` under its own key, so a step in a 10,000-item Map writes a few hundred
  // bytes; the history events; timers armed and cancelled and tasks scheduled or cancelled as
  // `step.effects` say, and the completed task's record removed. A step that ends the execution
  // drops its timers and tasks; it drops its frames if it SUCCEEDED, and otherwise keeps them
  // as they were before the step (what Interpreter::Redrive resumes from; LoadExecution returns
  // them), until retention deletes the execution. Steps of different executions may be
  // committed concurrently (and share fsyncs); the steps of one execution must be committed one
  // at a time, in order (the Engine's strand per execution does that). A failed commit writes
  // nothing: ResourceExhausted when the disk is full, Unavailable for other I/O errors; the
  // caller may try again later.
  virtual absl::Status CommitStep(const ExecutionState& state, const Step& step,
                                  const CommitContext& context) = 0;
  using CommitDone = std::function<void(absl::Status)>;
  // CommitStep for a caller that need not wait: `state` and `step` are read before this
  // returns, and `done` gets the outcome once the step is durable (or failed), on any thread,
  // perhaps on this one before this returns. Steps handed over this way may share one write as
  // well as one fsync; the same rules of order apply (the next step of the execution waits for
  // `done`).
  virtual void CommitStepAsync(const ExecutionState& state, const Step& step,
                               const CommitContext& context, CommitDone done) {
    done(CommitStep(state, step, context));
  }
  // The whole state of one execution. NotFound when absent. Frames come back with `graph`
  // unset (Interpreter::Attach resolves them) and the context object rebuilt.
  virtual absl::StatusOr<ExecutionState> LoadExecution(const std::string& execution_id) = 0;
  virtual absl::StatusOr<ExecutionSummary> DescribeExecution(const std::string& execution_id) = 0;
  virtual absl::StatusOr<ExecutionPage> ListExecutions(const ExecutionFilter& filter,
                                                       const std::string& page_token,
                                                       int limit) = 0;
  // How many executions of `machine` (every machine when empty) have `status`, counting no
  // further than `limit`: reads index keys only.
  virtual absl::StatusOr<std::int64_t> CountExecutions(const std::string& machine,
                                                       ExecutionStatus status,
                                                       std::int64_t limit) = 0;
  // Zeros from a store that cannot tell.
  virtual StoreSizes Sizes() { return {}; }
  // The ids of every execution still RUNNING (for recovery).
  virtual absl::StatusOr<std::vector<std::string>> ListUnfinished() = 0;
  // At most `limit` history events, read from `from_id` the way `order` says.
  virtual absl::StatusOr<std::vector<StoredHistoryEvent>> ReadHistory(
      const std::string& execution_id, std::int64_t from_id, int limit, HistoryOrder order) = 0;
  // History events with id >= from_id, in order, at most `limit`.
  absl::StatusOr<std::vector<StoredHistoryEvent>> ReadHistory(const std::string& execution_id,
                                                              std::int64_t from_id, int limit) {
    return ReadHistory(execution_id, from_id, limit, HistoryOrder::kOldestFirst);
  }

  // --- timers and tasks ---
  // Timers due at or before `up_to`, earliest first, at most `limit`.
  virtual absl::StatusOr<std::vector<StoredTimer>> ScanDueTimers(std::int64_t up_to, int limit) = 0;
  // Every scheduled or leased task (for recovery).
  virtual absl::StatusOr<std::vector<StoredTask>> ScanTasks() = 0;

  // --- retention ---
  // Deletes every finished execution (record, frames, history, indexes) that stopped before
  // `stopped_before` OR is not among the newest `keep_newest` finished ones (by stop time).
  // Running executions are never touched. Returns how many were deleted.
  virtual absl::StatusOr<std::int64_t> DeleteFinished(std::int64_t stopped_before,
                                                      std::int64_t keep_newest) = 0;
};

}  // namespace stepwise::engine
