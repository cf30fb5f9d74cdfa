#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <unordered_set>

#include "retry_policy.h"
#include "stepwise/dsl/outcome.h"
#include "stepwise/dsl/state_machine.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/interpreter.h"

namespace stepwise::engine {

// The work of one Interpreter call: advances `state` and fills `step`. Lives for one call only.
// Frames ready to run are kept in ExecutionState::ready and run depth-first, each until it has
// to wait (a task, a timer, its children) or ends.
class StepRunner {
 public:
  StepRunner(const dsl::StateMachine& machine, const InterpreterOptions& options,
             ExecutionState& state, const StepInput& at, Step& step);

  void Start(const ExecutionInfo& info, nlohmann::json input);
  void Apply(Event event);
  void Redrive();  // step_runner_redrive.cc
  static bool Accepts(const ExecutionState& state, const Event& event);

 private:
  using json = nlohmann::json;

  // --- the run loop (step_runner.cc) ---
  void Drain();
  void RunFrame(Frame& frame);
  // Runs the frame's current state once; false when the frame has to stop (it waits, ended, or
  // was removed).
  bool ExecuteCurrent(Frame& frame);
  void EnterState(Frame& frame, int index, json input);
  // Leaves the current state with `output` for `next` (-1: the state's own transition).
  // Returns whether the frame goes on running.
  bool ExitState(Frame& frame, json output, int next = -1);
  void HandleError(Frame& frame, dsl::StatesError error);
  void FinishFrame(Frame& frame, json output);
  void FailFrame(Frame& frame, dsl::StatesError error);
  void EndExecution(ExecutionStatus status, json output, dsl::StatesError error);
  // Ends the current wait of `frame`: later completions and timers for it become stale.
  void EndWait(Frame& frame);
  void ArmTimer(const Frame& frame, TimerKind kind, std::int64_t due);
  void OnTimer(const TimerRef& timer);

  // --- helpers for the states (step_runner_io.cc) ---
  const dsl::State& Current(const Frame& frame) const { return frame.graph->states[frame.state]; }
  Frame* Find(FrameId id);
  // Whether frame `id` still exists and is running (after an error handler or a transition
  // that may have removed it, put it to wait, or sent it to a Catch).
  bool StillRunning(FrameId id);
  Frame& NewFrame(FrameId parent, std::int64_t child_index, const dsl::StateGraph* graph);
  void Touch(const Frame& frame) { touched_.insert(frame.id); }
  void RemoveFrame(FrameId id);
  void AbandonDescendants(FrameId ancestor);
  const json& Context(const Frame& frame);
  dsl::EvalScope Scope(const json& input, const json& context);
  HistoryEvent& Record(const char* type);
  // Records the StepInput's notes not recorded yet, once the step's first event is (or when
  // the step is over).
  void RecordNotes(bool step_over = false);
  HistoryEvent& NewEvent(const char* type);
  HistoryEvent& RecordState(const char* suffix, const Frame& frame);
  dsl::StatesError RuntimeError(const Frame& frame, const std::string& what) const;
  // The state's InputPath applied to its raw input (moved out when the path is `$`).
  dsl::Outcome<json> EffectiveInput(Frame& frame, bool keep_raw);
  dsl::Outcome<json> ApplyTemplate(const Frame& frame, const std::optional<dsl::PayloadTemplate>&,
                                   json input);
  // ResultPath then OutputPath: the state's output from its raw input and its result.
  dsl::Outcome<json> StateOutput(Frame& frame, const std::optional<dsl::JsonPath>& result_path,
                                 json result);
  dsl::Outcome<json> ApplyOutputPath(const Frame& frame, json value);
  std::optional<dsl::StatesError> CheckSize(const Frame& frame, const json& value) const;
  // An integer given literally or through a path (TimeoutSecondsPath, MaxConcurrencyPath...).
  dsl::Outcome<std::int64_t> ResolveInteger(const Frame& frame,
                                            const dsl::LiteralOrPath<std::int64_t>& field,
                                            const json& input, const char* path_field,
                                            std::int64_t fallback);

  // --- the states (step_runner_states.cc, step_runner_task.cc, step_runner_children.cc) ---
  bool RunPass(Frame& frame, const dsl::PassState& pass);
  bool RunChoice(Frame& frame, const dsl::ChoiceState& choice);
  bool RunWait(Frame& frame, const dsl::WaitState& wait);
  bool RunSucceed(Frame& frame);
  bool RunFail(Frame& frame, const dsl::FailState& fail);
  bool RunTask(Frame& frame, const dsl::TaskState& task);
  void OnTaskSucceeded(Frame& frame, json output);
  void OnTaskFailed(Frame& frame, dsl::StatesError error, const char* event_type);
  bool RunParallel(Frame& frame, const dsl::ParallelState& parallel);
  bool RunMap(Frame& frame, const dsl::MapState& map);
  // Starts the next child of a Parallel/Map frame if there is one and room for it, or completes
  // the state when every child is done. Returns whether the frame goes on running.
  bool AdvanceChildren(Frame& frame);
  void OnChildSucceeded(Frame& child, json output);
  void OnChildFailed(Frame& child, dsl::StatesError error);
  bool CompleteChildren(Frame& frame);

  const dsl::StateMachine& machine_;
  const InterpreterOptions& options_;
  ExecutionState& state_;
  const StepInput& at_;
  Step& step_;
  SeededRandom random_;
  std::unordered_set<FrameId> touched_;
  HistoryEvent scratch_event_;  // where events go when history is not recorded
  int recorded_ = 0;            // events recorded by this step so far
  std::size_t notes_recorded_ = 0;
  int transitions_ = 0;
  // Which frame and state the shared context object currently describes.
  FrameId context_frame_ = 0;
  int context_state_ = -1;
  std::int64_t context_entered_ = -1;
  int context_retry_ = -1;
};

}  // namespace stepwise::engine
