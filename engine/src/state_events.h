#pragma once

#include "stepwise/dsl/state_machine.h"
#include "stepwise/engine/execution_state.h"

namespace stepwise::engine {

// History event names, as Step Functions spells them.
const char* EnteredEventType(const dsl::State& state);  // "TaskStateEntered", ...
const char* ExitedEventType(const dsl::State& state);   // "TaskStateExited", ...
// "MapStateFailed" / "ParallelStateFailed"; nullptr for states without such an event.
const char* FailedEventType(const dsl::State& state);
const char* ExecutionEventType(ExecutionStatus status);  // "ExecutionSucceeded", ...

}  // namespace stepwise::engine
