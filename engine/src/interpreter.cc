#include "stepwise/engine/interpreter.h"

#include <utility>

#include "step_runner.h"

namespace stepwise::engine {

Interpreter::Interpreter(std::shared_ptr<const dsl::StateMachine> machine,
                         InterpreterOptions options)
    : machine_(std::move(machine)), options_(options) {}

Step Interpreter::Start(ExecutionState& state, const ExecutionInfo& info, nlohmann::json input,
                        const StepInput& at) const {
  Step step;
  StepRunner(*machine_, options_, state, at, step).Start(info, std::move(input));
  return step;
}

Step Interpreter::Apply(ExecutionState& state, Event event, const StepInput& at) const {
  Step step;
  StepRunner(*machine_, options_, state, at, step).Apply(std::move(event));
  return step;
}

bool Interpreter::Accepts(const ExecutionState& state, const Event& event) const {
  return StepRunner::Accepts(state, event);
}

}  // namespace stepwise::engine
