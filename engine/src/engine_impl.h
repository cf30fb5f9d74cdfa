#pragma once

// The Engine's insides, shared by the files that implement it, one concern each:
//   engine.cc            strands (Submit/Drain), starting, applying events, releasing effects
//   engine_tasks.cc      the worker protocol: polls, completions, callback acknowledgements
//   engine_history.cc    watching history grow
//   engine_children.cc   child executions (states:startExecution tasks)
//   engine_machines.cc   state machine definitions
//   engine_redrive.cc    redriving a finished execution

#include <array>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>

#include "definitions_guard.h"
#include "function_gate.h"
#include "history_watchers.h"
#include "stepwise/engine/deadline_queue.h"
#include "stepwise/engine/engine.h"
#include "task_queues.h"
#include "thread_pool.h"
#include "timer_service.h"

namespace stepwise::engine {

// Starts an execution, as a job of its own slot so that two starts of one name serialise.
// `info.state_machine_version` is resolved (to the latest) when the job runs.
struct StartJob {
  std::string machine;
  ExecutionInfo info;
  nlohmann::json input;
  // When set, receives the start time of the execution made (or found, for a repeated start).
  std::shared_ptr<std::int64_t> start_time;
};

// The worker of a callback task finished its invocation: the task's record goes (a restart
// does not invoke it again) and the state waits on for the attempt's token.
struct AcknowledgeJob {
  TaskRef task;
};

// Makes a finished execution RUNNING again (engine_redrive.cc).
struct RedriveJob {};

// A history event about something outside the execution's own steps: a function's circuit
// breaker changing state because of one of the execution's tasks. Dropped once the execution
// has ended.
struct RecordJob {
  HistoryNote note;
};

using Job = std::variant<StartJob, Event, AcknowledgeJob, RedriveJob, RecordJob>;
using Done = std::function<void(absl::Status)>;

// A step a job worked out on its execution's loaded state: the job is done once it is
// committed, and its outcome is the commit's.
struct PendingStep {
  Step step;
  CommitContext context;
  bool release = true;  // perform the step's effects once it is committed (Release)
  // Runs once the commit is over, whatever its outcome, before the effects are performed.
  std::function<void(const absl::Status&)> then;
};
// What running a job came to: its outcome, or a step to commit first.
using JobOutcome = std::variant<absl::Status, PendingStep>;

std::int64_t NowMillis(const Clock& clock);
// The name of the state the task's frame is in; empty when the frame is gone.
std::string TaskStateName(const ExecutionState& state, const TaskRef& task);
// "arn:stepwise:states:local:execution:<machine>:<name>".
std::string ExecutionId(const std::string& machine, const std::string& name);
std::string StateMachineId(const std::string& machine);
// Whether a failed store write may succeed later (a full disk, an I/O error): such failures
// of work no caller waits for are retried instead of dropped.
bool Transient(const absl::Status& status);

struct Engine::Impl {
  Impl(Store& store, const Clock& clock, EngineOptions options, TaskDispatcher dispatcher);

  // --- strands (engine.cc) ---
  // The loaded state of an execution: what its last step committed.
  struct Loaded {
    std::optional<ExecutionState> state;
    std::shared_ptr<const Interpreter> interpreter;
  };
  // One execution's queue of jobs; at most one thread drains it at a time (its strand).
  // An idle slot that is not warm is retired: taken out of `slots`, so that parked executions
  // cost nothing here. Whoever finds a retired slot looks its execution up again.
  struct Slot {
    explicit Slot(std::string id) : execution_id(std::move(id)) {}
    const std::string execution_id;
    std::mutex mutex;
    std::deque<std::pair<Job, Done>> jobs;
    bool draining = false;
    bool retired = false;
    // Touched only by the thread draining the slot (or, under `mutex`, by whoever finds it not
    // draining). Kept between drains while the slot is warm; empty means load from the store.
    std::unique_ptr<Loaded> loaded;
    // Under warm_mutex: its place in `warm`, when it is there.
    std::optional<std::list<std::shared_ptr<Slot>>::iterator> warm_at;
  };

  // The execution's live slot, returned with `lock` holding its mutex.
  std::shared_ptr<Slot> LockedSlot(const std::string& execution_id,
                                   std::unique_lock<std::mutex>& lock);
  // `on_this_thread`: when the slot is idle, this thread drains it (the async API's callers).
  // A job does not wait for its commit, so that costs the caller the step's own work only,
  // and spares a hand-off to a step thread per job.
  void Submit(const std::string& execution_id, Job job, Done done, bool on_this_thread = false);
  absl::Status SubmitAndWait(const std::string& execution_id, Job job);
  void Fire(const std::string& execution_id, const TimerRef& timer);
  // Runs the slot's jobs until it runs dry; the caller has made this thread its drainer.
  void Drain(std::shared_ptr<Slot> slot);
  // Runs a job on the slot's loaded state (loading it when there is none).
  JobOutcome RunJob(Slot& slot, Job& job);
  // Hands the job's step to the store without waiting: once it is committed, the job is
  // finished (Finish), `done` told, and the slot's next jobs go to a step thread. Meanwhile
  // the slot stays with this drainer, so the execution's next step waits for this one.
  void CommitAndGoOn(std::shared_ptr<Slot> slot, PendingStep pending, Done done);
  // After the job's step was committed (or not): performs its effects, or forgets the loaded
  // state when the commit failed (the store is the truth). Returns the job's outcome.
  absl::Status Finish(Slot& slot, PendingStep& pending, absl::Status committed);
  // Called by the drainer that found no job: lets the slot go (keeping its state warm, or
  // forgetting the slot once its execution has ended), or returns false when a job came
  // meanwhile and the drainer must go on.
  bool LetGo(const std::shared_ptr<Slot>& slot);
  // Makes the slot the most recently warmed; drops the state of the least recent one beyond
  // EngineOptions::warm_executions.
  void KeepWarm(const std::shared_ptr<Slot>& slot);
  void Unwarm(const std::shared_ptr<Slot>& slot);
  // Retires the slot if it is idle (not draining, no jobs), dropping its state.
  void Retire(const std::shared_ptr<Slot>& slot);
  // Commits a step to the store and waits for it, timing it and counting what it did.
  absl::Status Commit(const ExecutionState& state, const Step& step, const CommitContext& context);
  // Counts a step committed (since `began`) for Metrics().
  void CountCommit(const ExecutionState& state, const Step& step, const CommitContext& context,
                   std::chrono::steady_clock::time_point began);
  JobOutcome RunStart(const std::string& execution_id, StartJob& start, Loaded& loaded);
  JobOutcome RunEvent(const std::string& execution_id, Event& event, Loaded& loaded);
  JobOutcome RunAcknowledge(const std::string& execution_id, const AcknowledgeJob& ack,
                            Loaded& loaded);
  JobOutcome RunRedrive(const std::string& execution_id, Loaded& loaded);
  JobOutcome RunRecord(const std::string& execution_id, const RecordJob& record, Loaded& loaded);
  // Loads the execution into `loaded` unless it is there already.
  absl::Status EnsureLoaded(const std::string& execution_id, Loaded& loaded);
  // Performs a committed step's effects and tells whoever waits on the execution.
  void Release(const ExecutionState& state, const Step& step);
  absl::StatusOr<std::shared_ptr<const Interpreter>> InterpreterFor(const std::string& machine,
                                                                    std::int64_t version);
  // A StartJob for `machine` named `name` (generated when empty).
  StartJob MakeStart(const std::string& machine, const std::string& name, nlohmann::json input);
  // The latest version of `machine` (NotFound when there is none), and noting a newer one.
  absl::StatusOr<std::int64_t> LatestVersion(const std::string& machine);
  void NoteLatestVersion(const std::string& machine, std::int64_t version);
  StepInput At();
  // Runs `run` again in a second (for work the store could not write; see Transient).
  void RetryLater(std::function<void()> run);

  // --- function limits (engine_functions.cc) ---
  // Whether the task may go to a worker now (concurrency, rate); a rate-limited function is
  // kicked again when its next token comes.
  bool MayStart(const TaskLease& lease);
  // An invocation of the execution's task is over: its function's slot is free again (its queue
  // moves on) and its circuit breaker counts the outcome.
  // Returns the history event of the change of its circuit the outcome caused, if any (its
  // state name left to the caller).
  std::optional<HistoryNote> InvocationOver(const std::string& execution_id, const TaskRef& task,
                                            FunctionGate::Outcome outcome);
  // The history event of a change of a function's circuit.
  HistoryNote CircuitNote(const std::string& function, const CircuitBreaker::Change& change);
  // Appends `note` to the step as its next history event.
  void AddNote(ExecutionState& state, HistoryNote note, Step& step);

  // --- the worker protocol (engine_tasks.cc) ---
  // Hands a scheduled task to the dispatcher or its queue, or (startExecution) starts a child.
  void Dispatch(const std::string& execution_id, ScheduleTask task, std::int64_t deadline);

  // --- child executions (engine_children.cc) ---
  // Starts the child a states:startExecution task asks for (idempotent by name) and completes
  // the task as its pattern says; used on scheduling and again on recovery.
  void LaunchChild(const std::string& parent_id, const ScheduleTask& task);
  // A child whose parent waits for its end has ended: complete or fail the parent's task.
  void NotifyParent(const ExecutionSummary& child);
  // Completes the parent's task the way `done` would be called by a worker: on a transient
  // store failure, tries again later.
  void CompleteParentTask(const std::string& token, nlohmann::json output);
  void FailParentTask(const std::string& token, const std::string& error, const std::string& cause);

  Store& store;
  const Clock& clock;
  EngineOptions options;
  TaskDispatcher dispatcher;

  std::mutex random_mutex;
  std::mt19937_64 random;

  std::mutex machines_mutex;
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const Interpreter>> machines;
  // Under machines_mutex: the latest version of each machine as far as this engine knows (it
  // stores every new one). Every start needs it, and the store finds it with an iterator.
  std::map<std::string, std::int64_t, std::less<>> latest_versions;
  // Starts hold it shared from reading the definition to committing the first step;
  // DeleteStateMachine holds it alone, so no execution starts from a definition being deleted.
  DefinitionsGuard definitions_guard;

  std::mutex slots_mutex;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots;
  std::mutex warm_mutex;
  std::list<std::shared_ptr<Slot>> warm;  // slots whose state is kept, most recent first

  std::mutex finished_mutex;
  std::condition_variable finished;

  // For Metrics(): what Commit counted.
  LatencyHistogram commit_latency;
  std::atomic<std::int64_t> executions_started{0};
  std::array<std::atomic<std::int64_t>, 5> executions_finished{};  // by ExecutionStatus
  std::atomic<std::int64_t> state_transitions{0};

  std::mutex retention_mutex;
  std::condition_variable retention_stop;
  bool stopping_retention = false;
  std::thread retention;

  DeadlineQueue deadlines;
  FunctionGate gate{options.function_defaults};
  TaskQueues queues{deadlines, [this](const TaskLease& lease) { return MayStart(lease); }};
  HistoryWatchers watchers{deadlines};
  TimerService timers;
  ThreadPool pool;  // last: destroyed first, so no job outlives the members it uses

  // Deletes finished executions past the retention limits until stopped.
  void EnforceRetention();
  void StopRetention();
};

}  // namespace stepwise::engine
