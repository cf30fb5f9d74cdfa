#pragma once

// A test harness around the pure interpreter: compiles a definition, starts an execution at a
// fixed time and seed, feeds events at chosen times, and keeps everything that came out
// (history, effects, the tasks and timers still pending). `RunToCompletion` answers every task
// with a C++ function and fires timers in due order on a simulated clock: nothing sleeps.

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "stepwise/dsl/compile.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/interpreter.h"

namespace stepwise::engine::testing {

using nlohmann::json;

// 2023-11-14T22:13:20.000Z: the instant every execution starts at unless a test says otherwise.
inline constexpr Millis kT0 = 1'700'000'000'000;

// Compiles `definition`; when it does not compile, fails the test with the diagnostics and
// returns a machine that fails at once with "Harness.DoesNotCompile", so the test goes on safely.
inline std::shared_ptr<const dsl::StateMachine> CompileOrFail(std::string_view definition) {
  dsl::CompileResult result = dsl::Compile(definition);
  if (result.machine) return result.machine;
  std::string messages;
  for (const dsl::Diagnostic& diagnostic : result.diagnostics) {
    messages += dsl::FormatDiagnostic(diagnostic) + "\n";
  }
  ADD_FAILURE() << "the definition does not compile:\n" << messages << definition;
  return dsl::Compile(R"({"StartAt": "F", "States": {"F": {"Type": "Fail",
                          "Error": "Harness.DoesNotCompile"}}})")
      .machine;
}

// What a function given to RunToCompletion answers.
struct FunctionOutcome {
  bool succeeded = true;
  json output;
  std::string error;
  std::string cause;
};
inline FunctionOutcome Returns(json output) { return {true, std::move(output), "", ""}; }
inline FunctionOutcome Throws(std::string error, std::string cause = "") {
  return {false, nullptr, std::move(error), std::move(cause)};
}

// Functions by name (ScheduleTask::function), or else by the whole Resource string.
using Functions = std::map<std::string, std::function<FunctionOutcome(const json&)>, std::less<>>;

inline ExecutionInfo TestExecutionInfo() {
  ExecutionInfo info;
  info.execution_id = "arn:stepwise:execution:test-machine:run-1";
  info.name = "run-1";
  info.state_machine_id = "arn:stepwise:stateMachine:test-machine";
  info.state_machine_name = "test-machine";
  info.role_arn = "arn:aws:iam::123456789012:role/test";
  info.start_time = kT0;
  return info;
}

class Harness {
 public:
  explicit Harness(std::string_view definition, InterpreterOptions options = {})
      : interpreter_(CompileOrFail(definition), options) {}

  Step Start(json input = json::object(), Millis now = kT0, std::uint64_t seed = 1) {
    now_ = now;
    seed_ = seed;
    ExecutionInfo info = TestExecutionInfo();
    info.start_time = now;
    return Keep(interpreter_.Start(state_, info, std::move(input), At(now, seed)));
  }

  // Feeds one event at `now` (default: the current time; time never goes backwards). Every
  // call gets a new seed derived from the start seed.
  Step Feed(Event event, std::optional<Millis> now = std::nullopt) {
    if (now) now_ = std::max(now_, *now);
    accepted_ = interpreter_.Accepts(state_, event);
    if (const auto* done = std::get_if<TaskSucceeded>(&event)) Forget(done->task);
    if (const auto* failed = std::get_if<TaskFailed>(&event)) Forget(failed->task);
    return Keep(interpreter_.Apply(state_, std::move(event), At(now_, ++seed_)));
  }
  Step Succeed(const TaskRef& task, json output, std::optional<Millis> now = std::nullopt) {
    return Feed(TaskSucceeded{task, std::move(output)}, now);
  }
  Step Fail(const TaskRef& task, std::string error, std::string cause = "",
            std::optional<Millis> now = std::nullopt) {
    return Feed(TaskFailed{task, std::move(error), std::move(cause)}, now);
  }
  Step Heartbeat(const TaskRef& task, std::optional<Millis> now = std::nullopt) {
    return Feed(TaskHeartbeat{task}, now);
  }
  // Fires `timer` at its due time (or now, when that is later) and forgets it.
  Step Fire(ArmTimer timer) {  // a copy: `timer` may be one of timers_, which this erases
    auto it = std::find_if(timers_.begin(), timers_.end(), [&](const ArmTimer& pending) {
      return pending.timer == timer.timer && pending.due == timer.due;
    });
    if (it != timers_.end()) timers_.erase(it);
    return Feed(TimerFired{timer.timer}, timer.due);
  }
  // Fires the earliest pending timer of `kind`; fails the test when there is none.
  Step FireNext(TimerKind kind) {
    std::optional<ArmTimer> timer = NextTimer(kind);
    if (!timer) {
      ADD_FAILURE() << "no pending timer of kind " << static_cast<int>(kind);
      return Step{};
    }
    return Fire(*timer);
  }
  Step Stop(std::string error = "", std::string cause = "") {
    return Feed(StopRequested{std::move(error), std::move(cause)});
  }
  bool Accepts(const Event& event) const { return interpreter_.Accepts(state_, event); }
  // Whether the last Feed was accepted (Interpreter::Accepts said so beforehand).
  bool accepted() const { return accepted_; }

  // Tasks scheduled and not yet completed (by the test) or cancelled (by the interpreter), in
  // the order they were scheduled.
  const std::vector<ScheduleTask>& pending_tasks() const { return tasks_; }
  // The pending task of `state_name` (the first one when several are pending).
  ScheduleTask Task(std::string_view state_name) const {
    for (const ScheduleTask& task : tasks_) {
      if (task.state_name == state_name) return task;
    }
    ADD_FAILURE() << "no pending task of state '" << state_name << "'";
    return ScheduleTask{};
  }
  // The one pending task; fails the test when there is not exactly one.
  ScheduleTask OnlyTask() const {
    if (tasks_.size() != 1) {
      ADD_FAILURE() << "expected exactly one pending task, have " << tasks_.size();
      return tasks_.empty() ? ScheduleTask{} : tasks_.front();
    }
    return tasks_.front();
  }
  // Timers armed and neither fired nor cancelled (CancelTimers), in the order armed.
  const std::vector<ArmTimer>& pending_timers() const { return timers_; }
  std::optional<ArmTimer> NextTimer(TimerKind kind) const {
    std::optional<ArmTimer> next;
    for (const ArmTimer& timer : timers_) {
      if (timer.timer.kind == kind && (!next || timer.due < next->due)) next = timer;
    }
    return next;
  }
  // The most pending tasks there ever were at once (after any one step).
  std::size_t max_pending_tasks() const { return max_pending_tasks_; }

  // Runs to the end: answers pending tasks in the order scheduled with `functions` (at the
  // current time), and when none is pending fires the earliest pending timer with the clock
  // jumping to its due time. Returns the final status.
  ExecutionStatus RunToCompletion(const Functions& functions, int max_events = 1'000'000) {
    for (int events = 0; state_.status == ExecutionStatus::kRunning; ++events) {
      if (events >= max_events) {
        ADD_FAILURE() << "still running after " << max_events << " events";
        break;
      }
      if (!tasks_.empty()) {
        ScheduleTask task = tasks_.front();
        auto function = functions.find(task.function.empty() ? task.resource : task.function);
        if (function == functions.end()) function = functions.find(task.resource);
        if (function == functions.end()) {
          ADD_FAILURE() << "no function for '" << task.function << "' / '" << task.resource << "'";
          Fail(task.task, "Harness.NoFunction");
          continue;
        }
        ++invocations_[function->first];
        FunctionOutcome outcome = function->second(task.input);
        if (outcome.succeeded) {
          Succeed(task.task, std::move(outcome.output));
        } else {
          Fail(task.task, std::move(outcome.error), std::move(outcome.cause));
        }
        continue;
      }
      if (timers_.empty()) {
        ADD_FAILURE() << "running, but no task or timer is pending";
        break;
      }
      auto earliest =
          std::min_element(timers_.begin(), timers_.end(),
                           [](const ArmTimer& a, const ArmTimer& b) { return a.due < b.due; });
      Fire(*earliest);
    }
    return state_.status;
  }
  ExecutionStatus Run(json input, const Functions& functions = {}) {
    Start(std::move(input));
    return RunToCompletion(functions);
  }
  int invocations(std::string_view function) const {
    auto it = invocations_.find(function);
    return it == invocations_.end() ? 0 : it->second;
  }

  const ExecutionState& state() const { return state_; }
  ExecutionStatus status() const { return state_.status; }
  const json& output() const { return state_.output; }
  const std::string& error() const { return state_.error; }
  const std::string& cause() const { return state_.cause; }
  Millis now() const { return now_; }

  const std::vector<Step>& steps() const { return steps_; }
  const std::vector<HistoryEvent>& history() const { return history_; }
  const std::vector<Effect>& effects() const { return effects_; }
  std::vector<std::string> HistoryTypes() const {
    std::vector<std::string> types;
    for (const HistoryEvent& event : history_) types.emplace_back(event.type);
    return types;
  }
  // The `nth` history event of `type` (0 for the first); fails the test when there is none.
  HistoryEvent FindEvent(std::string_view type, int nth = 0) const {
    for (const HistoryEvent& event : history_) {
      if (type == event.type && nth-- == 0) return event;
    }
    ADD_FAILURE() << "no history event " << type;
    return HistoryEvent{};
  }
  int CountEvents(std::string_view type) const {
    return static_cast<int>(std::count_if(history_.begin(), history_.end(),
                                          [&](const HistoryEvent& e) { return type == e.type; }));
  }
  // Every effect of type T emitted so far.
  template <typename T>
  std::vector<T> All() const {
    std::vector<T> found;
    for (const Effect& effect : effects_) {
      if (const auto* typed = std::get_if<T>(&effect)) found.push_back(*typed);
    }
    return found;
  }

 private:
  static StepInput At(Millis now, std::uint64_t seed) {
    StepInput at;
    at.now = now;
    at.seed = seed;
    return at;
  }

  Step Keep(Step step) {
    for (const Effect& effect : step.effects) {
      if (const auto* task = std::get_if<ScheduleTask>(&effect)) tasks_.push_back(*task);
      if (const auto* cancel = std::get_if<CancelTask>(&effect)) Forget(cancel->task);
      if (const auto* timer = std::get_if<ArmTimer>(&effect)) timers_.push_back(*timer);
      if (const auto* cancel = std::get_if<CancelTimers>(&effect)) {
        std::erase_if(timers_, [&](const ArmTimer& timer) {
          return timer.timer.frame == cancel->frame && timer.timer.seq == cancel->seq;
        });
      }
    }
    max_pending_tasks_ = std::max(max_pending_tasks_, tasks_.size());
    history_.insert(history_.end(), step.history.begin(), step.history.end());
    effects_.insert(effects_.end(), step.effects.begin(), step.effects.end());
    steps_.push_back(step);
    return step;
  }
  void Forget(const TaskRef& task) {
    std::erase_if(tasks_, [&](const ScheduleTask& pending) { return pending.task == task; });
  }

  Interpreter interpreter_;
  ExecutionState state_;
  Millis now_ = kT0;
  std::uint64_t seed_ = 1;
  bool accepted_ = false;
  std::vector<ScheduleTask> tasks_;
  std::vector<ArmTimer> timers_;
  std::size_t max_pending_tasks_ = 0;
  std::map<std::string, int, std::less<>> invocations_;
  std::vector<Step> steps_;
  std::vector<HistoryEvent> history_;
  std::vector<Effect> effects_;
};

// Functions for the common cases.
inline FunctionOutcome Echo(const json& input) { return Returns(input); }

}  // namespace stepwise::engine::testing
