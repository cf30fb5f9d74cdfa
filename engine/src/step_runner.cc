#include "step_runner.h"

#include <algorithm>
#include <utility>

#include "state_events.h"

namespace stepwise::engine {

using nlohmann::json;

StepRunner::StepRunner(const dsl::StateMachine& machine, const InterpreterOptions& options,
                       ExecutionState& state, const StepInput& at, Step& step)
    : machine_(machine), options_(options), state_(state), at_(at), step_(step), random_(at.seed) {}

void StepRunner::Start(const ExecutionInfo& info, json input) {
  state_ = ExecutionState{};
  state_.info = info;
  state_.context = MakeContext(info, input);
  HistoryEvent& started = Record("ExecutionStarted");
  started.details = {{"roleArn", info.role_arn}};
  if (options_.history_payloads) started.details["input"] = input;
  Frame& root = NewFrame(0, 0, &machine_.graph);
  if (machine_.timeout_seconds) {
    // On frame 0, which no CancelTimers names: the root frame's ended waits must not cancel it.
    step_.effects.push_back(engine::ArmTimer{TimerRef{0, 0, TimerKind::kExecutionTimeout},
                                             at_.now + *machine_.timeout_seconds * 1000});
  }
  if (auto too_big = CheckSize(root, input)) {
    EndExecution(ExecutionStatus::kFailed, nullptr, std::move(*too_big));
  } else {
    EnterState(root, machine_.graph.start_at, std::move(input));
    state_.ready.push_back(root.id);
    Drain();
  }
}

bool StepRunner::Accepts(const ExecutionState& state, const Event& event) {
  if (state.status != ExecutionStatus::kRunning) return false;
  auto waiting = [&state](const TaskRef& task) {
    auto it = state.frames.find(task.frame);
    return it != state.frames.end() && it->second.phase == FramePhase::kTask &&
           it->second.seq == task.seq;
  };
  if (const auto* done = std::get_if<TaskSucceeded>(&event)) return waiting(done->task);
  if (const auto* failed = std::get_if<TaskFailed>(&event)) return waiting(failed->task);
  if (const auto* beat = std::get_if<TaskHeartbeat>(&event)) return waiting(beat->task);
  if (const auto* fired = std::get_if<TimerFired>(&event)) {
    const TimerRef& timer = fired->timer;
    if (timer.kind == TimerKind::kExecutionTimeout) return true;
    if (timer.kind == TimerKind::kContinue) return !state.ready.empty();
    auto it = state.frames.find(timer.frame);
    if (it == state.frames.end() || it->second.seq != timer.seq) return false;
    switch (timer.kind) {
      case TimerKind::kWait:
        return it->second.phase == FramePhase::kWaiting;
      case TimerKind::kRetry:
        return it->second.phase == FramePhase::kBackoff;
      default:
        return it->second.phase == FramePhase::kTask;
    }
  }
  return true;  // StopRequested
}

void StepRunner::Apply(Event event) {
  if (!Accepts(state_, event)) return;
  if (auto* done = std::get_if<TaskSucceeded>(&event)) {
    OnTaskSucceeded(*Find(done->task.frame), std::move(done->output));
  } else if (auto* failed = std::get_if<TaskFailed>(&event)) {
    OnTaskFailed(*Find(failed->task.frame),
                 dsl::StatesError{std::move(failed->error), std::move(failed->cause)},
                 "TaskFailed");
  } else if (auto* beat = std::get_if<TaskHeartbeat>(&event)) {
    Frame& frame = *Find(beat->task.frame);
    frame.heartbeat_due = at_.now + frame.heartbeat_seconds * 1000;
    Touch(frame);
  } else if (auto* fired = std::get_if<TimerFired>(&event)) {
    OnTimer(fired->timer);
  } else if (auto* stop = std::get_if<StopRequested>(&event)) {
    EndExecution(ExecutionStatus::kAborted, nullptr,
                 dsl::StatesError{std::move(stop->error), std::move(stop->cause)});
  }
  Drain();
  RecordNotes(/*step_over=*/true);  // when the step recorded one event or none
}

void StepRunner::OnTimer(const TimerRef& timer) {
  if (timer.kind == TimerKind::kExecutionTimeout) {
    EndExecution(ExecutionStatus::kTimedOut, nullptr,
                 dsl::StatesError{"States.Timeout", "The execution timed out after " +
                                                        std::to_string(*machine_.timeout_seconds) +
                                                        " seconds."});
    return;
  }
  if (timer.kind == TimerKind::kContinue) return;  // Drain picks up state_.ready
  Frame& frame = *Find(timer.frame);
  switch (timer.kind) {
    case TimerKind::kWait: {
      EndWait(frame);
      json output = std::move(frame.input);  // RunWait left the OutputPath-applied value here
      if (ExitState(frame, std::move(output))) state_.ready.push_back(frame.id);
      return;
    }
    case TimerKind::kRetry:
      EndWait(frame);
      frame.phase = FramePhase::kRunning;
      state_.ready.push_back(frame.id);
      return;
    case TimerKind::kHeartbeat:
      if (at_.now < frame.heartbeat_due) {  // a heartbeat came in since: wait for the new due
        ArmTimer(frame, TimerKind::kHeartbeat, frame.heartbeat_due);
        return;
      }
      OnTaskFailed(frame, dsl::StatesError{"States.HeartbeatTimeout", ""}, "TaskTimedOut");
      return;
    case TimerKind::kTaskTimeout:
      OnTaskFailed(frame, dsl::StatesError{"States.Timeout", ""}, "TaskTimedOut");
      return;
    default:
      return;
  }
}

void StepRunner::Drain() {
  while (!state_.ready.empty() && state_.status == ExecutionStatus::kRunning) {
    if (transitions_ >= options_.max_transitions_per_step) {
      step_.effects.push_back(engine::ArmTimer{TimerRef{0, 0, TimerKind::kContinue}, at_.now});
      break;
    }
    FrameId id = state_.ready.back();
    state_.ready.pop_back();
    if (Frame* frame = Find(id)) RunFrame(*frame);
  }
  if (state_.status != ExecutionStatus::kRunning) state_.ready.clear();
  step_.changed_frames.clear();
  for (FrameId id : touched_) {
    if (state_.frames.count(id)) step_.changed_frames.push_back(id);
  }
  std::sort(step_.changed_frames.begin(), step_.changed_frames.end());
  std::sort(step_.removed_frames.begin(), step_.removed_frames.end());
  step_.removed_frames.erase(std::unique(step_.removed_frames.begin(), step_.removed_frames.end()),
                             step_.removed_frames.end());
}

void StepRunner::RunFrame(Frame& frame) {
  FrameId id = frame.id;
  Frame* current = &frame;
  while (current->phase == FramePhase::kRunning || current->phase == FramePhase::kChildren) {
    bool go_on = current->phase == FramePhase::kChildren ? AdvanceChildren(*current)
                                                         : ExecuteCurrent(*current);
    if (!go_on || state_.status != ExecutionStatus::kRunning) return;
    current = Find(id);
    if (current == nullptr) return;
    if (transitions_ >= options_.max_transitions_per_step) {
      state_.ready.push_back(id);
      return;
    }
  }
}

bool StepRunner::ExecuteCurrent(Frame& frame) {
  const dsl::State& current = Current(frame);
  return std::visit(
      [&](const auto& spec) -> bool {
        using T = std::decay_t<decltype(spec)>;
        if constexpr (std::is_same_v<T, dsl::PassState>) return RunPass(frame, spec);
        if constexpr (std::is_same_v<T, dsl::TaskState>) return RunTask(frame, spec);
        if constexpr (std::is_same_v<T, dsl::ChoiceState>) return RunChoice(frame, spec);
        if constexpr (std::is_same_v<T, dsl::WaitState>) return RunWait(frame, spec);
        if constexpr (std::is_same_v<T, dsl::SucceedState>) return RunSucceed(frame);
        if constexpr (std::is_same_v<T, dsl::FailState>) return RunFail(frame, spec);
        if constexpr (std::is_same_v<T, dsl::ParallelState>) return RunParallel(frame, spec);
        if constexpr (std::is_same_v<T, dsl::MapState>) return RunMap(frame, spec);
        return false;
      },
      current.spec);
}

void StepRunner::EnterState(Frame& frame, int index, json input) {
  ++transitions_;
  frame.state = index;
  frame.phase = FramePhase::kRunning;
  frame.input = std::move(input);
  frame.entered_time = at_.now;
  frame.retry_count = 0;
  frame.retry_counts.assign(Current(frame).retry.size(), 0);
  frame.children.reset();
  HistoryEvent& entered = RecordState(EnteredEventType(Current(frame)), frame);
  frame.entered_event = entered.id;
  step_.inputs_changed.push_back(frame.id);
  if (options_.history_payloads) entered.details["input"] = frame.input;
  Touch(frame);
}

bool StepRunner::ExitState(Frame& frame, json output, int next) {
  const dsl::State& current = Current(frame);
  if (auto too_big = CheckSize(frame, output)) {
    // The output is too big to pass on: the state fails instead (Catch can still handle it).
    // The frame may be gone afterwards (a failed branch), so only its id is used.
    FrameId id = frame.id;
    HandleError(frame, std::move(*too_big));
    return StillRunning(id);
  }
  HistoryEvent& exited = RecordState(ExitedEventType(current), frame);
  if (options_.history_payloads) exited.details["output"] = output;
  if (next < 0) {
    if (current.transition.end) {
      FinishFrame(frame, std::move(output));
      return false;
    }
    next = current.transition.next;
  }
  EnterState(frame, next, std::move(output));
  return true;
}

void StepRunner::HandleError(Frame& frame, dsl::StatesError error) {
  const dsl::State& current = Current(frame);
  // States.Runtime and States.DataLimitExceeded are terminal on AWS: States.ALL (and the
  // TaskFailed wildcard) do not reach them; only naming them does.
  bool terminal = error.error == "States.Runtime" || error.error == "States.DataLimitExceeded";
  auto matches = [&](const std::vector<std::string>& names) {
    if (terminal) return std::find(names.begin(), names.end(), error.error) != names.end();
    return ErrorMatches(names, error.error);
  };
  for (size_t i = 0; i < current.retry.size(); ++i) {
    const dsl::Retrier& retrier = current.retry[i];
    if (!matches(retrier.error_equals)) continue;
    int& attempts = frame.retry_counts[i];
    if (attempts >= retrier.max_attempts) break;  // exhausted: Catch decides
    std::int64_t delay = RetryDelayMillis(retrier, attempts, random_.Next());
    ++attempts;
    ++frame.retry_count;
    frame.phase = FramePhase::kBackoff;
    ArmTimer(frame, TimerKind::kRetry, at_.now + delay);
    Touch(frame);
    return;
  }
  for (const dsl::Catcher& catcher : current.catchers) {
    if (!matches(catcher.error_equals)) continue;
    json error_output = {{"Error", error.error}, {"Cause", error.cause}};
    json output;
    if (!catcher.result_path) {
      output = std::move(frame.input);
    } else {
      output = std::move(frame.input);
      auto assigned = catcher.result_path->Assign(output, std::move(error_output));
      if (!assigned.ok()) {
        FailFrame(frame, dsl::StatesError{"States.ResultPathMatchFailure",
                                          std::string(assigned.message())});
        return;
      }
    }
    EnterState(frame, catcher.next, std::move(output));
    return;
  }
  FailFrame(frame, std::move(error));
}

void StepRunner::FinishFrame(Frame& frame, json output) {
  if (frame.parent == 0) {
    EndExecution(ExecutionStatus::kSucceeded, std::move(output), {});
    return;
  }
  OnChildSucceeded(frame, std::move(output));
}

void StepRunner::FailFrame(Frame& frame, dsl::StatesError error) {
  if (const char* type = FailedEventType(Current(frame))) {
    RecordState(type, frame).details.update({{"error", error.error}, {"cause", error.cause}});
  }
  if (frame.parent == 0) {
    EndExecution(ExecutionStatus::kFailed, nullptr, std::move(error));
    return;
  }
  OnChildFailed(frame, std::move(error));
}

void StepRunner::EndExecution(ExecutionStatus status, json output, dsl::StatesError error) {
  for (auto& [id, frame] : state_.frames) {
    if (frame.phase == FramePhase::kTask) step_.effects.push_back(CancelTask{{id, frame.seq}});
    step_.effects.push_back(CancelTimers{id, frame.seq});
    step_.removed_frames.push_back(id);
  }
  state_.frames.clear();
  state_.ready.clear();
  state_.status = status;
  state_.stop_time = at_.now;
  HistoryEvent& ended = Record(ExecutionEventType(status));
  if (status == ExecutionStatus::kSucceeded) {
    if (options_.history_payloads) ended.details["output"] = output;
    state_.output = std::move(output);
  } else {
    ended.details = {{"error", error.error}, {"cause", error.cause}};
    state_.error = std::move(error.error);
    state_.cause = std::move(error.cause);
  }
  step_.finished = true;
}

void StepRunner::EndWait(Frame& frame) {
  step_.effects.push_back(CancelTimers{frame.id, frame.seq});
  ++frame.seq;
  Touch(frame);
}

void StepRunner::ArmTimer(const Frame& frame, TimerKind kind, std::int64_t due) {
  step_.effects.push_back(engine::ArmTimer{TimerRef{frame.id, frame.seq, kind}, due});
}

}  // namespace stepwise::engine
