#include "stepwise/engine/engine.h"

#include <algorithm>
#include <cstdio>
#include <future>
#include <limits>
#include <utility>

#include "engine_impl.h"
#include "stepwise/dsl/compile.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

// How long work that found the store unwritable waits before it is tried again.
constexpr std::chrono::milliseconds kRetryDelay{1000};

}  // namespace

std::int64_t NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

std::string ExecutionId(const std::string& machine, const std::string& name) {
  return "arn:stepwise:states:local:execution:" + machine + ":" + name;
}

std::string StateMachineId(const std::string& machine) {
  return "arn:stepwise:states:local:stateMachine:" + machine;
}

bool Transient(const absl::Status& status) {
  return status.code() == absl::StatusCode::kResourceExhausted ||
         status.code() == absl::StatusCode::kUnavailable;
}

Engine::Impl::Impl(Store& store, const Clock& clock, EngineOptions options,
                   TaskDispatcher dispatcher)
    : store(store),
      clock(clock),
      options(std::move(options)),
      dispatcher(std::move(dispatcher)),
      random(std::random_device{}()),
      timers(clock, [this](const std::string& id, const TimerRef& timer) { Fire(id, timer); }),
      pool(this->options.step_threads) {
  for (const FunctionLimits& limits : this->options.functions) gate.Register(limits);
  if (this->options.retain_for.count() > 0 || this->options.retain_count > 0) {
    retention = std::thread([this] { EnforceRetention(); });
  }
}

void Engine::Impl::EnforceRetention() {
  std::unique_lock lock(retention_mutex);
  while (!retention_stop.wait_for(lock, options.retention_interval,
                                  [this] { return stopping_retention; })) {
    std::int64_t cutoff = options.retain_for.count() > 0
                              ? NowMillis(clock) - options.retain_for.count() * 1000
                              : std::numeric_limits<std::int64_t>::min();
    std::int64_t keep =
        options.retain_count > 0 ? options.retain_count : std::numeric_limits<std::int64_t>::max();
    lock.unlock();
    // A failure (disk full, ...) is retried at the next interval; serving goes on.
    (void)store.DeleteFinished(cutoff, keep);
    lock.lock();
  }
}

void Engine::Impl::StopRetention() {
  {
    std::lock_guard lock(retention_mutex);
    stopping_retention = true;
  }
  retention_stop.notify_all();
  if (retention.joinable()) retention.join();
}

StepInput Engine::Impl::At() {
  std::lock_guard lock(random_mutex);
  StepInput at;
  at.now = NowMillis(clock);
  at.seed = random();
  return at;
}

void Engine::Impl::RetryLater(std::function<void()> run) {
  deadlines.Schedule(std::chrono::steady_clock::now() + kRetryDelay, std::move(run));
}

std::shared_ptr<Engine::Impl::Slot> Engine::Impl::LockedSlot(const std::string& execution_id,
                                                             std::unique_lock<std::mutex>& lock) {
  for (;;) {
    std::shared_ptr<Slot> slot;
    {
      std::lock_guard slots_lock(slots_mutex);
      auto& entry = slots[execution_id];
      if (!entry) entry = std::make_shared<Slot>(execution_id);
      slot = entry;
    }
    std::unique_lock slot_lock(slot->mutex);
    if (slot->retired) continue;  // retired since it was looked up: it is out of `slots` now
    lock = std::move(slot_lock);
    return slot;
  }
}

void Engine::Impl::Submit(const std::string& execution_id, Job job, Done done,
                          bool on_this_thread) {
  std::unique_lock<std::mutex> lock;
  std::shared_ptr<Slot> slot = LockedSlot(execution_id, lock);
  slot->jobs.emplace_back(std::move(job), std::move(done));
  if (!slot->draining) {
    slot->draining = true;
    lock.unlock();
    if (on_this_thread) return Drain(std::move(slot));
    pool.Post([this, slot] { Drain(slot); });
  }
}

// No caller waits for a timer's step to report a failure to, so a commit that fails because the
// store cannot write (a full disk, an I/O error) must not drop the timer: it fires again later,
// and the execution goes on once the store writes again. Its stored record is there all along,
// so a restart in between re-arms it too.
void Engine::Impl::Fire(const std::string& execution_id, const TimerRef& timer) {
  Submit(execution_id, Event{TimerFired{timer}}, [this, execution_id, timer](absl::Status status) {
    if (!Transient(status)) return;  // done, or stale (the timer was cancelled meanwhile)
    timers.Arm(execution_id, timer, NowMillis(clock) + kRetryDelay.count());
  });
}

absl::Status Engine::Impl::SubmitAndWait(const std::string& execution_id, Job job) {
  std::unique_lock<std::mutex> lock;
  std::shared_ptr<Slot> slot = LockedSlot(execution_id, lock);
  if (!slot->draining) {  // idle, and so with no jobs queued
    // This thread runs the job itself, as the slot's drainer, instead of handing it to a step
    // thread and sleeping until it is done: two thread hand-offs fewer per blocking call.
    slot->draining = true;
    lock.unlock();
    JobOutcome outcome = RunJob(*slot, job);
    absl::Status status;
    if (auto* pending = std::get_if<PendingStep>(&outcome)) {
      const ExecutionState& state = *slot->loaded->state;
      status = Finish(*slot, *pending, Commit(state, pending->step, pending->context));
    } else {
      status = std::get<absl::Status>(std::move(outcome));
    }
    if (!LetGo(slot)) pool.Post([this, slot] { Drain(slot); });
    return status;
  }
  auto promise = std::make_shared<std::promise<absl::Status>>();
  auto result = promise->get_future();
  slot->jobs.emplace_back(
      std::move(job), [promise](absl::Status status) { promise->set_value(std::move(status)); });
  lock.unlock();
  return result.get();
}

void Engine::Impl::Drain(std::shared_ptr<Slot> slot) {
  for (;;) {
    std::optional<std::pair<Job, Done>> item;
    {
      std::lock_guard lock(slot->mutex);
      if (!slot->jobs.empty()) {
        item.emplace(std::move(slot->jobs.front()));
        slot->jobs.pop_front();
      }
    }
    if (!item) {
      if (LetGo(slot)) return;
      continue;
    }
    JobOutcome outcome = RunJob(*slot, item->first);
    if (auto* pending = std::get_if<PendingStep>(&outcome)) {
      return CommitAndGoOn(std::move(slot), std::move(*pending), std::move(item->second));
    }
    if (item->second) item->second(std::get<absl::Status>(std::move(outcome)));
  }
}

void Engine::Impl::CommitAndGoOn(std::shared_ptr<Slot> slot, PendingStep pending, Done done) {
  pool.Hold();  // the callback posts the slot's next drain
  auto job = std::make_shared<PendingStep>(std::move(pending));
  const ExecutionState& state = *slot->loaded->state;
  auto began = std::chrono::steady_clock::now();
  store.CommitStepAsync(
      state, job->step, job->context,
      [this, slot, job, done = std::move(done), began](absl::Status committed) mutable {
        if (committed.ok()) CountCommit(*slot->loaded->state, job->step, job->context, began);
        absl::Status status = Finish(*slot, *job, std::move(committed));
        if (done) done(std::move(status));
        // The next jobs go to a step thread: this may be the store's writing thread, whose
        // next write waits for it.
        if (!LetGo(slot)) pool.Post([this, slot] { Drain(slot); });
        // Nothing of the engine's may be touched once the hold is dropped (it may be going).
        slot.reset();
        job.reset();
        done = nullptr;
        pool.DropHold();
      });
}

absl::Status Engine::Impl::Finish(Slot& slot, PendingStep& pending, absl::Status committed) {
  Loaded& loaded = *slot.loaded;
  if (!committed.ok()) loaded.state.reset();  // reload the truth next time
  if (pending.then) pending.then(committed);
  if (committed.ok() && pending.release) Release(*loaded.state, pending.step);
  return committed;
}

JobOutcome Engine::Impl::RunJob(Slot& slot, Job& job) {
  if (!slot.loaded) slot.loaded = std::make_unique<Loaded>();
  Loaded& loaded = *slot.loaded;
  const std::string& execution_id = slot.execution_id;
  JobOutcome outcome = std::visit(
      [&](auto& job) -> JobOutcome {
        using T = std::decay_t<decltype(job)>;
        if constexpr (std::is_same_v<T, StartJob>) return RunStart(execution_id, job, loaded);
        if constexpr (std::is_same_v<T, Event>) return RunEvent(execution_id, job, loaded);
        if constexpr (std::is_same_v<T, AcknowledgeJob>) {
          return RunAcknowledge(execution_id, job, loaded);
        }
        if constexpr (std::is_same_v<T, RedriveJob>) return RunRedrive(execution_id, loaded);
        if constexpr (std::is_same_v<T, RecordJob>) return RunRecord(execution_id, job, loaded);
      },
      job);
  if (const auto* status = std::get_if<absl::Status>(&outcome); status && !status->ok()) {
    loaded.state.reset();  // a failed job: reload the truth next time
  }
  return outcome;
}

bool Engine::Impl::LetGo(const std::shared_ptr<Slot>& slot) {
  // The store is the truth: a parked execution that is not among the warm ones costs no memory
  // here, and an ended one none at all.
  bool running = slot->loaded && slot->loaded->state &&
                 slot->loaded->state->status == ExecutionStatus::kRunning;
  {
    std::lock_guard lock(slot->mutex);
    if (!slot->jobs.empty()) return false;
    if (!running) slot->loaded.reset();
    slot->draining = false;  // from here on, another thread may drain it
  }
  if (running) {
    KeepWarm(slot);
  } else {
    Unwarm(slot);
    Retire(slot);
  }
  return true;
}

void Engine::Impl::Retire(const std::shared_ptr<Slot>& slot) {
  std::scoped_lock lock(slots_mutex, slot->mutex);
  if (slot->retired || slot->draining || !slot->jobs.empty()) return;
  auto it = slots.find(slot->execution_id);
  if (it != slots.end() && it->second == slot) slots.erase(it);
  slot->retired = true;
  slot->loaded.reset();
}

void Engine::Impl::KeepWarm(const std::shared_ptr<Slot>& slot) {
  std::shared_ptr<Slot> cooled;
  {
    std::lock_guard lock(warm_mutex);
    if (slot->warm_at) {
      warm.splice(warm.begin(), warm, *slot->warm_at);
    } else {
      warm.push_front(slot);
      slot->warm_at = warm.begin();
    }
    if (warm.size() > static_cast<std::size_t>(std::max(0, options.warm_executions))) {
      cooled = warm.back();
      cooled->warm_at.reset();
      warm.pop_back();
    }
  }
  if (cooled) Retire(cooled);  // unless it is draining: its drainer warms it again
}

void Engine::Impl::Unwarm(const std::shared_ptr<Slot>& slot) {
  std::lock_guard lock(warm_mutex);
  if (!slot->warm_at) return;
  warm.erase(*slot->warm_at);
  slot->warm_at.reset();
}

StartJob Engine::Impl::MakeStart(const std::string& machine, const std::string& name, json input) {
  std::string execution_name = name;
  if (execution_name.empty()) {
    std::lock_guard lock(random_mutex);
    char buffer[40];
    std::snprintf(buffer, sizeof buffer, "%016llx%016llx",
                  static_cast<unsigned long long>(random()),
                  static_cast<unsigned long long>(random()));
    execution_name = buffer;
  }
  StartJob start;
  start.machine = machine;
  start.info.execution_id = ExecutionId(machine, execution_name);
  start.info.name = execution_name;
  start.info.state_machine_id = StateMachineId(machine);
  start.info.state_machine_name = machine;
  start.input = std::move(input);
  return start;
}

JobOutcome Engine::Impl::RunStart(const std::string& execution_id, StartJob& start,
                                  Loaded& loaded) {
  auto existing = store.DescribeExecution(execution_id);
  if (existing.ok()) {
    if (existing->input == start.input) {
      if (start.start_time) *start.start_time = existing->info.start_time;
      return absl::OkStatus();
    }
    return absl::AlreadyExistsError("an execution named '" + start.info.name + "' of '" +
                                    start.machine +
                                    "' already exists with another input; use another name");
  }
  if (existing.status().code() != absl::StatusCode::kNotFound) return existing.status();
  // Held until the first step is committed (PendingStep::then lets it go).
  definitions_guard.LockShared();
  auto version = LatestVersion(start.machine);
  absl::StatusOr<std::shared_ptr<const Interpreter>> found =
      version.ok() ? InterpreterFor(start.machine, *version) : version.status();
  if (!found.ok()) {
    definitions_guard.UnlockShared();
    return found.status();
  }
  loaded.interpreter = *found;
  loaded.state.emplace();
  StepInput at = At();
  start.info.state_machine_version = *version;
  start.info.start_time = at.now;
  PendingStep pending;
  pending.step = loaded.interpreter->Start(*loaded.state, start.info, std::move(start.input), at);
  pending.context.created = true;
  pending.then = [this, start_time = start.start_time,
                  at = start.info.start_time](const absl::Status& committed) {
    definitions_guard.UnlockShared();
    if (committed.ok() && start_time) *start_time = at;
  };
  return pending;
}

absl::StatusOr<std::int64_t> Engine::Impl::LatestVersion(const std::string& machine) {
  {
    std::lock_guard lock(machines_mutex);
    auto it = latest_versions.find(machine);
    if (it != latest_versions.end()) return it->second;
  }
  auto definition = store.GetDefinition(machine, 0);
  if (!definition.ok()) return definition.status();
  NoteLatestVersion(machine, definition->version);
  return definition->version;
}

void Engine::Impl::NoteLatestVersion(const std::string& machine, std::int64_t version) {
  // A store of a newer version may have been noted while this one was read: keep the newest.
  std::lock_guard lock(machines_mutex);
  auto [it, inserted] = latest_versions.try_emplace(machine, version);
  if (!inserted) it->second = std::max(it->second, version);
}

absl::Status Engine::Impl::EnsureLoaded(const std::string& execution_id, Loaded& loaded) {
  if (loaded.state) return absl::OkStatus();
  auto state = store.LoadExecution(execution_id);
  if (!state.ok()) return state.status();
  auto found = InterpreterFor(state->info.state_machine_name, state->info.state_machine_version);
  if (!found.ok()) return found.status();
  if (absl::Status attached = (*found)->Attach(*state); !attached.ok()) return attached;
  loaded.interpreter = *found;
  loaded.state = std::move(*state);
  return absl::OkStatus();
}

namespace {

absl::Status Stale(const ExecutionState& state) {
  return absl::FailedPreconditionError(
      state.status != ExecutionStatus::kRunning
          ? "stale: the execution has already ended (" + std::string(StatusName(state.status)) + ")"
          : "stale: that task attempt or timer is no longer awaited (it completed, timed out "
            "or was retried)");
}

}  // namespace

JobOutcome Engine::Impl::RunEvent(const std::string& execution_id, Event& event, Loaded& loaded) {
  if (absl::Status ready = EnsureLoaded(execution_id, loaded); !ready.ok()) return ready;
  ExecutionState& state = *loaded.state;
  if (!loaded.interpreter->Accepts(state, event)) return Stale(state);
  CommitContext context;
  if (const auto* done = std::get_if<TaskSucceeded>(&event)) context.completed_task = done->task;
  if (const auto* failed = std::get_if<TaskFailed>(&event)) context.completed_task = failed->task;
  // An invocation this event ends, and how, for its function's limits and circuit breaker.
  std::optional<std::pair<TaskRef, FunctionGate::Outcome>> over;
  if (const auto* done = std::get_if<TaskSucceeded>(&event)) {
    over.emplace(done->task, FunctionGate::Outcome::kSucceeded);
  } else if (const auto* failed = std::get_if<TaskFailed>(&event)) {
    over.emplace(failed->task, FunctionGate::Outcome::kFailed);
  } else if (const auto* fired = std::get_if<TimerFired>(&event)) {
    const TimerRef& timer = fired->timer;
    if (timer.kind == TimerKind::kTaskTimeout || timer.kind == TimerKind::kHeartbeat) {
      over.emplace(TaskRef{timer.frame, timer.seq}, FunctionGate::Outcome::kFailed);
    }
  }
  // The invocation ends before the step commits, so that a change of its function's circuit
  // is told in the step's history. Should the commit fail, the outcome still counted: the
  // invocation did end so, and a repeated completion finds it over and counts nothing.
  StepInput at = At();
  if (over) {
    std::optional<HistoryNote> change = InvocationOver(execution_id, over->first, over->second);
    if (change) {
      change->state_name = TaskStateName(state, over->first);
      at.notes.push_back(*std::move(change));
    }
  }
  PendingStep pending;
  pending.step = loaded.interpreter->Apply(state, std::move(event), at);
  pending.context = std::move(context);
  return pending;
}

JobOutcome Engine::Impl::RunAcknowledge(const std::string& execution_id, const AcknowledgeJob& ack,
                                        Loaded& loaded) {
  if (absl::Status ready = EnsureLoaded(execution_id, loaded); !ready.ok()) return ready;
  ExecutionState& state = *loaded.state;
  // Awaited exactly when a heartbeat for it would be accepted.
  if (!loaded.interpreter->Accepts(state, Event{TaskHeartbeat{ack.task}})) return Stale(state);
  PendingStep pending;
  pending.context.completed_task = ack.task;
  pending.release = false;
  if (auto change = InvocationOver(execution_id, ack.task, FunctionGate::Outcome::kSucceeded)) {
    change->state_name = TaskStateName(state, ack.task);
    AddNote(state, *std::move(change), pending.step);
  }
  return pending;
}

void Engine::Impl::AddNote(ExecutionState& state, HistoryNote note, Step& step) {
  if (!options.interpreter.record_history) return;
  HistoryEvent& event = step.history.emplace_back();
  event.id = state.next_event_id++;
  event.timestamp = NowMillis(clock);
  event.type = note.type;
  event.state_name = std::move(note.state_name);
  event.details = std::move(note.details);
}

JobOutcome Engine::Impl::RunRecord(const std::string& execution_id, const RecordJob& record,
                                   Loaded& loaded) {
  if (absl::Status ready = EnsureLoaded(execution_id, loaded); !ready.ok()) return ready;
  ExecutionState& state = *loaded.state;
  if (state.status != ExecutionStatus::kRunning || !options.interpreter.record_history) {
    return absl::OkStatus();
  }
  PendingStep pending;  // released, to tell the execution's watchers
  AddNote(state, record.note, pending.step);
  return pending;
}

void Engine::Impl::Release(const ExecutionState& state, const Step& step) {
  const std::string& execution_id = state.info.execution_id;
  for (const Effect& effect : step.effects) {
    if (const auto* schedule = std::get_if<ScheduleTask>(&effect)) {
      Dispatch(execution_id, *schedule, NowMillis(clock) + schedule->timeout_seconds * 1000);
    } else if (const auto* cancel = std::get_if<CancelTask>(&effect)) {
      queues.Remove(execution_id, cancel->task);
      InvocationOver(execution_id, cancel->task, FunctionGate::Outcome::kCancelled);
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
    if (!state.info.parent_task_token.empty()) {
      ExecutionSummary child;
      child.info = state.info;
      child.status = state.status;
      child.stop_time = state.stop_time;
      child.input = ExecutionInput(state);
      child.output = state.output;
      child.error = state.error;
      child.cause = state.cause;
      child.last_event_id = state.next_event_id - 1;
      child.redrive_count = state.redrive_count;
      NotifyParent(child);
    }
    std::lock_guard lock(finished_mutex);
    finished.notify_all();
  }
  if (watchers.active()) {
    watchers.Observe(execution_id, state.next_event_id - 1,
                     state.status != ExecutionStatus::kRunning);
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
  // Timers first: a firing timer posts to the pool, which must still be there. Then every
  // waiting caller is answered, and the deadline thread (whose retries post to the pool) stops
  // before the pool runs its last jobs.
  impl_->StopRetention();
  impl_->timers.Stop();
  impl_->queues.Release();
  impl_->watchers.Release();
  impl_->deadlines.Stop();
}

absl::Status Engine::Recover() {
  auto functions = impl_->store.ListFunctions();
  if (!functions.ok()) return functions.status();
  for (FunctionLimits& limits : *functions) impl_->gate.Register(std::move(limits));
  // The options' functions (a server's --functions file) win over the stored ones.
  for (const FunctionLimits& limits : impl_->options.functions) impl_->gate.Register(limits);
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
    // Child starts are re-issued (idempotent by name); a parent whose child ended meanwhile is
    // completed by LaunchChild.
    impl_->Dispatch(stored.execution_id, std::move(stored.task), 0);
  }
  return absl::OkStatus();
}

void Engine::StartExecutionAsync(const std::string& machine, const std::string& name,
                                 const json& input,
                                 std::function<void(absl::StatusOr<StartedExecution>)> done) {
  StartJob start = impl_->MakeStart(machine, name, input);
  std::string id = start.info.execution_id;
  auto start_time = std::make_shared<std::int64_t>(0);
  start.start_time = start_time;
  impl_->Submit(
      id, std::move(start),
      [id, start_time, done = std::move(done)](absl::Status status) {
        if (!status.ok()) return done(std::move(status));
        done(StartedExecution{id, *start_time});
      },
      /*on_this_thread=*/true);
}

absl::StatusOr<std::string> Engine::StartExecution(const std::string& machine,
                                                   const std::string& name, const json& input) {
  StartJob start = impl_->MakeStart(machine, name, input);
  std::string id = start.info.execution_id;
  absl::Status status = impl_->SubmitAndWait(id, std::move(start));
  if (!status.ok()) return status;
  return id;
}

void Engine::StopExecutionAsync(const std::string& execution_id, const std::string& error,
                                const std::string& cause, std::function<void(absl::Status)> done) {
  impl_->Submit(execution_id, Event{StopRequested{error, cause}}, std::move(done),
                /*on_this_thread=*/true);
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

}  // namespace stepwise::engine
