#include "state_events.h"

namespace stepwise::engine {

// Indexed like dsl::StateSpec's alternatives.
constexpr const char* kEntered[] = {
    "PassStateEntered",    "TaskStateEntered", "ChoiceStateEntered",   "WaitStateEntered",
    "SucceedStateEntered", "FailStateEntered", "ParallelStateEntered", "MapStateEntered"};
constexpr const char* kExited[] = {"PassStateExited",     "TaskStateExited",    "ChoiceStateExited",
                                   "WaitStateExited",     "SucceedStateExited", "FailStateExited",
                                   "ParallelStateExited", "MapStateExited"};
static_assert(std::variant_size_v<dsl::StateSpec> == std::size(kEntered));

const char* EnteredEventType(const dsl::State& state) { return kEntered[state.spec.index()]; }

const char* ExitedEventType(const dsl::State& state) { return kExited[state.spec.index()]; }

const char* FailedEventType(const dsl::State& state) {
  if (std::holds_alternative<dsl::MapState>(state.spec)) return "MapStateFailed";
  if (std::holds_alternative<dsl::ParallelState>(state.spec)) return "ParallelStateFailed";
  return nullptr;
}

const char* ExecutionEventType(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kSucceeded:
      return "ExecutionSucceeded";
    case ExecutionStatus::kFailed:
      return "ExecutionFailed";
    case ExecutionStatus::kTimedOut:
      return "ExecutionTimedOut";
    case ExecutionStatus::kAborted:
      return "ExecutionAborted";
    case ExecutionStatus::kRunning:
      break;
  }
  return "ExecutionStarted";
}

}  // namespace stepwise::engine
