#include "stepwise/engine/engine.h"

#include <condition_variable>
#include <cstdio>
#include <deque>
#include <future>
#include <limits>
#include <map>
#include <mutex>
#include <random>
#include <thread>
#include <unordered_map>
#include <utility>
#include <variant>

#include "stepwise/dsl/compile.h"
#include "task_queues.h"
#include "thread_pool.h"
#include "timer_service.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

std::int64_t NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

std::string ExecutionId(const std::string& machine, const std::string& name) {
  return "arn:stepwise:states:local:execution:" + machine + ":" + name;
}

// Starts an execution, as a job of its own slot so that two starts of one name serialise.
struct StartJob {
  std::string machine;
  ExecutionInfo info;
  json input;
};

using Job = std::variant<StartJob, Event>;

// How long a timer whose step could not be committed waits before it fires again.
constexpr std::int64_t kTimerRetryMillis = 1000;
using Done = std::function<void(absl::Status)>;

}  // namespace

struct Engine::Impl {
  Impl(Store& store, const Clock& clock, EngineOptions options, TaskDispatcher dispatcher)
      : store(store),
        clock(clock),
        options(std::move(options)),
        dispatcher(std::move(dispatcher)),
        random(std::random_device{}()),
        timers(clock, [this](const std::string& id, const TimerRef& timer) { Fire(id, timer); }),
        pool(this->options.step_threads) {
    if (this->options.retain_for.count() > 0 || this->options.retain_count > 0) {
      retention = std::thread([this] { EnforceRetention(); });
    }
  }

  // Deletes finished executions past the retention limits until stopped.
  void EnforceRetention() {
    std::unique_lock lock(retention_mutex);
    while (!retention_stop.wait_for(lock, options.retention_interval,
                                    [this] { return stopping_retention; })) {
      std::int64_t cutoff = options.retain_for.count() > 0
                                ? NowMillis(clock) - options.retain_for.count() * 1000
                                : std::numeric_limits<std::int64_t>::min();
      std::int64_t keep = options.retain_count > 0 ? options.retain_count
                                                   : std::numeric_limits<std::int64_t>::max();
      lock.unlock();
      // A failure (disk full, ...) is retried at the next interval; serving goes on.
      (void)store.DeleteFinished(cutoff, keep);
      lock.lock();
    }
  }

  void StopRetention() {
    {
      std::lock_guard lock(retention_mutex);
      stopping_retention = true;
    }
    retention_stop.notify_all();
    if (retention.joinable()) retention.join();
  }

  // One execution's queue of jobs; at most one thread drains it at a time (its strand).
  struct Slot {
    std::mutex mutex;
    std::deque<std::pair<Job, Done>> jobs;
    bool draining = false;
  };

  void Submit(const std::string& execution_id, Job job, Done done);
  void Fire(const std::string& execution_id, const TimerRef& timer);
  absl::Status SubmitAndWait(const std::string& execution_id, Job job);
  void Drain(const std::string& execution_id, std::shared_ptr<Slot> slot);
  absl::Status RunStart(const std::string& execution_id, StartJob& start,
                        std::optional<ExecutionState>& state,
                        std::shared_ptr<const Interpreter>& interpreter);
  absl::Status RunEvent(const std::string& execution_id, Event& event,
                        std::optional<ExecutionState>& state,
                        std::shared_ptr<const Interpreter>& interpreter);
  void Release(const std::string& execution_id, const Step& step);
  absl::StatusOr<std::shared_ptr<const Interpreter>> InterpreterFor(const std::string& machine,
                                                                    std::int64_t version);
  StepInput At() {
    std::lock_guard lock(random_mutex);
    return StepInput{NowMillis(clock), random()};
  }

  Store& store;
  const Clock& clock;
  EngineOptions options;
  TaskDispatcher dispatcher;

  std::mutex random_mutex;
  std::mt19937_64 random;

  std::mutex machines_mutex;
  std::map<std::pair<std::string, std::int64_t>, std::shared_ptr<const Interpreter>> machines;

  std::mutex slots_mutex;
  std::unordered_map<std::string, std::shared_ptr<Slot>> slots;

  std::mutex finished_mutex;
  std::condition_variable finished;

  std::mutex retention_mutex;
  std::condition_variable retention_stop;
  bool stopping_retention = false;
  std::thread retention;

  TaskQueues queues;
  TimerService timers;
  ThreadPool pool;  // last: destroyed first, so no job outlives the members it uses
};

void Engine::Impl::Submit(const std::string& execution_id, Job job, Done done) {
  std::shared_ptr<Slot> slot;
  {
    std::lock_guard lock(slots_mutex);
    auto& entry = slots[execution_id];
    if (!entry) entry = std::make_shared<Slot>();
    slot = entry;
  }
  std::lock_guard lock(slot->mutex);
  slot->jobs.emplace_back(std::move(job), std::move(done));
  if (!slot->draining) {
    slot->draining = true;
    pool.Post([this, execution_id, slot] { Drain(execution_id, slot); });
  }
}

// No caller waits for a timer's step to report a failure to, so a commit that fails because the
// store cannot write (a full disk, an I/O error) must not drop the timer: it fires again later,
// and the execution goes on once the store writes again. Its stored record is there all along,
// so a restart in between re-arms it too.
void Engine::Impl::Fire(const std::string& execution_id, const TimerRef& timer) {
  Submit(execution_id, Event{TimerFired{timer}}, [this, execution_id, timer](absl::Status status) {
    if (status.code() != absl::StatusCode::kResourceExhausted &&
        status.code() != absl::StatusCode::kUnavailable) {
      return;  // done, or stale (the timer was cancelled meanwhile)
    }
    timers.Arm(execution_id, timer, NowMillis(clock) + kTimerRetryMillis);
  });
}

absl::Status Engine::Impl::SubmitAndWait(const std::string& execution_id, Job job) {
  auto promise = std::make_shared<std::promise<absl::Status>>();
  auto result = promise->get_future();
  Submit(execution_id, std::move(job),
         [promise](absl::Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

void Engine::Impl::Drain(const std::string& execution_id, std::shared_ptr<Slot> slot) {
  // The state stays loaded while this slot has work, and is dropped when it runs dry: the store
  // is the truth, so parked executions cost no memory here.
  std::optional<ExecutionState> state;
  std::shared_ptr<const Interpreter> interpreter;
  for (;;) {
    std::pair<Job, Done> item;
    {
      std::lock_guard lock(slot->mutex);
      if (slot->jobs.empty()) {
        slot->draining = false;
        break;
      }
      item = std::move(slot->jobs.front());
      slot->jobs.pop_front();
    }
    absl::Status status =
        std::holds_alternative<StartJob>(item.first)
            ? RunStart(execution_id, std::get<StartJob>(item.first), state, interpreter)
            : RunEvent(execution_id, std::get<Event>(item.first), state, interpreter);
    if (!status.ok()) state.reset();  // a failed commit: reload the truth next time
    if (item.second) item.second(std::move(status));
  }
  bool ended = state && state->status != ExecutionStatus::kRunning;
  if (ended) {
    std::scoped_lock lock(slots_mutex, slot->mutex);
    auto it = slots.find(execution_id);
    if (slot->jobs.empty() && it != slots.end() && it->second == slot) slots.erase(it);
  }
}

absl::Status Engine::Impl::RunStart(const std::string& execution_id, StartJob& start,
                                    std::optional<ExecutionState>& state,
                                    std::shared_ptr<const Interpreter>& interpreter) {
  auto existing = store.DescribeExecution(execution_id);
  if (existing.ok()) {
    if (existing->input == start.input) return absl::OkStatus();
    return absl::AlreadyExistsError("an execution named '" + start.info.name + "' of '" +
                                    start.machine +
                                    "' already exists with another input; use another name");
  }
  if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  auto found = InterpreterFor(start.machine, start.info.state_machine_version);
  if (!found.ok()) return found.status();
  interpreter = *found;
  state.emplace();
  StepInput at = At();
  start.info.start_time = at.now;
  Step step = interpreter->Start(*state, start.info, std::move(start.input), at);
  CommitContext created;
  created.created = true;
  absl::Status committed = store.CommitStep(*state, step, created);
  if (!committed.ok()) return committed;
  Release(execution_id, step);
  return absl::OkStatus();
}

absl::Status Engine::Impl::RunEvent(const std::string& execution_id, Event& event,
                                    std::optional<ExecutionState>& state,
                                    std::shared_ptr<const Interpreter>& interpreter) {
  if (!state) {
    auto loaded = store.LoadExecution(execution_id);
    if (!loaded.ok()) return loaded.status();
    auto found =
        InterpreterFor(loaded->info.state_machine_name, loaded->info.state_machine_version);
    if (!found.ok()) return found.status();
    interpreter = *found;
    if (absl::Status attached = interpreter->Attach(*loaded); !attached.ok()) return attached;
    state = std::move(*loaded);
  }
  if (!interpreter->Accepts(*state, event)) {
    return absl::FailedPreconditionError(
        state->status != ExecutionStatus::kRunning
            ? "stale: the execution has already ended (" + std::string(StatusName(state->status)) +
                  ")"
            : "stale: that task attempt or timer is no longer awaited (it completed, timed out "
              "or was retried)");
  }
  CommitContext context;
  if (const auto* done = std::get_if<TaskSucceeded>(&event)) context.completed_task = done->task;
  if (const auto* failed = std::get_if<TaskFailed>(&event)) context.completed_task = failed->task;
  Step step = interpreter->Apply(*state, std::move(event), At());
  absl::Status committed = store.CommitStep(*state, step, context);
  if (!committed.ok()) return committed;
  Release(execution_id, step);
  return absl::OkStatus();
}

void Engine::Impl::Release(const std::string& execution_id, const Step& step) {
  for (const Effect& effect : step.effects) {
    if (const auto* schedule = std::get_if<ScheduleTask>(&effect)) {
      TaskLease lease{MakeTaskToken(execution_id, schedule->task), execution_id, *schedule,
                      NowMillis(clock) + schedule->timeout_seconds * 1000};
      if (dispatcher) {
        dispatcher(lease);
      } else {
        queues.Push(std::move(lease));
      }
    } else if (const auto* cancel = std::get_if<CancelTask>(&effect)) {
      queues.Remove(MakeTaskToken(execution_id, cancel->task));
    } else if (const auto* arm = std::get_if<ArmTimer>(&effect)) {
      if (arm->timer.kind == TimerKind::kContinue) {
        Fire(execution_id, arm->timer);
      } else {
        timers.Arm(execution_id, arm->timer, arm->due);
      }
    } else if (const auto* cancel_timers = std::get_if<CancelTimers>(&effect)) {
      timers.Cancel(execution_id, cancel_timers->frame, cancel_timers->seq);
    }
  }
  if (step.finished) {
    timers.CancelAll(execution_id);
    std::lock_guard lock(finished_mutex);
    finished.notify_all();
  }
}

absl::StatusOr<std::shared_ptr<const Interpreter>> Engine::Impl::InterpreterFor(
    const std::string& machine, std::int64_t version) {
  {
    std::lock_guard lock(machines_mutex);
    auto it = machines.find({machine, version});
    if (it != machines.end()) return it->second;
  }
  auto definition = store.GetDefinition(machine, version);
  if (!definition.ok()) return definition.status();
  dsl::CompileResult compiled = dsl::Compile(definition->definition);
  if (!compiled.machine) {
    return absl::DataLossError("stored definition '" + machine + "' version " +
                               std::to_string(version) + " no longer compiles");
  }
  auto interpreter = std::make_shared<const Interpreter>(compiled.machine, options.interpreter);
  std::lock_guard lock(machines_mutex);
  machines[{machine, definition->version}] = interpreter;
  return interpreter;
}

Engine::Engine(Store& store, const Clock& clock, EngineOptions options, TaskDispatcher dispatcher)
    : impl_(std::make_unique<Impl>(store, clock, std::move(options), std::move(dispatcher))) {}

Engine::~Engine() {
  // Timers first: a firing timer posts to the pool, which must still be there.
  impl_->StopRetention();
  impl_->timers.Stop();
  impl_->queues.Close();
}

absl::Status Engine::Recover() {
  auto timers = impl_->store.ScanDueTimers(std::numeric_limits<std::int64_t>::max(),
                                           std::numeric_limits<int>::max());
  if (!timers.ok()) return timers.status();
  for (const StoredTimer& timer : *timers) {
    if (timer.timer.kind == TimerKind::kContinue) {
      impl_->Fire(timer.execution_id, timer.timer);
    } else {
      impl_->timers.Arm(timer.execution_id, timer.timer, timer.due);
    }
  }
  auto tasks = impl_->store.ScanTasks();
  if (!tasks.ok()) return tasks.status();
  for (StoredTask& stored : *tasks) {
    TaskLease lease{MakeTaskToken(stored.execution_id, stored.task.task), stored.execution_id,
                    std::move(stored.task), 0};
    if (impl_->dispatcher) {
      impl_->dispatcher(lease);
    } else {
      impl_->queues.Push(std::move(lease));
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<StoredDefinition> Engine::PutStateMachine(const std::string& name,
                                                         const std::string& definition) {
  dsl::CompileResult compiled = dsl::Compile(definition);
  if (!compiled.machine) {
    std::string message = "the definition of '" + name + "' has errors:";
    for (const dsl::Diagnostic& diagnostic : compiled.diagnostics) {
      if (diagnostic.severity == dsl::Severity::kError) {
        message += "\n" + dsl::FormatDiagnostic(diagnostic);
      }
    }
    return absl::InvalidArgumentError(message);
  }
  return impl_->store.PutDefinition(name, definition, NowMillis(impl_->clock));
}

absl::StatusOr<std::string> Engine::StartExecution(const std::string& machine,
                                                   const std::string& name, const json& input) {
  auto definition = impl_->store.GetDefinition(machine, 0);
  if (!definition.ok()) return definition.status();
  std::string execution_name = name;
  if (execution_name.empty()) {
    std::lock_guard lock(impl_->random_mutex);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%016llx%016llx",
                  static_cast<unsigned long long>(impl_->random()),
                  static_cast<unsigned long long>(impl_->random()));
    execution_name = buffer;
  }
  std::string id = ExecutionId(machine, execution_name);
  StartJob start;
  start.machine = machine;
  start.info.execution_id = id;
  start.info.name = execution_name;
  start.info.state_machine_id = "arn:stepwise:states:local:stateMachine:" + machine;
  start.info.state_machine_name = machine;
  start.info.state_machine_version = definition->version;
  start.input = input;
  absl::Status status = impl_->SubmitAndWait(id, std::move(start));
  if (!status.ok()) return status;
  return id;
}

absl::Status Engine::StopExecution(const std::string& execution_id, const std::string& error,
                                   const std::string& cause) {
  return impl_->SubmitAndWait(execution_id, Event{StopRequested{error, cause}});
}

absl::StatusOr<ExecutionSummary> Engine::DescribeExecution(const std::string& execution_id) {
  return impl_->store.DescribeExecution(execution_id);
}

absl::StatusOr<ExecutionSummary> Engine::AwaitExecution(const std::string& execution_id,
                                                        std::chrono::milliseconds timeout) {
  auto deadline = std::chrono::steady_clock::now() + timeout;
  for (;;) {
    std::unique_lock lock(impl_->finished_mutex);
    auto summary = impl_->store.DescribeExecution(execution_id);
    if (!summary.ok() || summary->status != ExecutionStatus::kRunning) return summary;
    if (impl_->finished.wait_until(lock, deadline) == std::cv_status::timeout) {
      summary = impl_->store.DescribeExecution(execution_id);
      if (!summary.ok() || summary->status != ExecutionStatus::kRunning) return summary;
      return absl::DeadlineExceededError("execution '" + execution_id + "' is still running");
    }
  }
}

std::optional<TaskLease> Engine::PollTask(const std::string& function,
                                          std::chrono::milliseconds wait) {
  return impl_->queues.Poll(function, wait);
}

namespace {

absl::Status BadToken(const std::string& token) {
  return absl::InvalidArgumentError("'" + token +
                                    "' is not a task token; pass the token of a polled task");
}

}  // namespace

absl::Status Engine::CompleteTask(const std::string& token, json output) {
  std::string execution_id;
  TaskRef task;
  if (!ParseTaskToken(token, execution_id, task)) return BadToken(token);
  return impl_->SubmitAndWait(execution_id, Event{TaskSucceeded{task, std::move(output)}});
}

absl::Status Engine::FailTask(const std::string& token, const std::string& error,
                              const std::string& cause) {
  std::string execution_id;
  TaskRef task;
  if (!ParseTaskToken(token, execution_id, task)) return BadToken(token);
  return impl_->SubmitAndWait(execution_id, Event{TaskFailed{task, error, cause}});
}

absl::Status Engine::HeartbeatTask(const std::string& token) {
  std::string execution_id;
  TaskRef task;
  if (!ParseTaskToken(token, execution_id, task)) return BadToken(token);
  return impl_->SubmitAndWait(execution_id, Event{TaskHeartbeat{task}});
}

}  // namespace stepwise::engine
