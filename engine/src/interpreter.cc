#include "stepwise/engine/interpreter.h"

#include <algorithm>
#include <string>
#include <utility>
#include <vector>

#include "step_runner.h"

namespace stepwise::engine {

bool StartsExecution(TaskIntegration integration) {
  switch (integration) {
    case TaskIntegration::kStartExecution:
    case TaskIntegration::kStartExecutionSync:
    case TaskIntegration::kStartExecutionSync2:
    case TaskIntegration::kStartExecutionCallback:
      return true;
    case TaskIntegration::kInvoke:
    case TaskIntegration::kCallback:
      return false;
  }
  return false;
}

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

Step Interpreter::Redrive(ExecutionState& state, const StepInput& at) const {
  Step step;
  StepRunner(*machine_, options_, state, at, step).Redrive();
  return step;
}

absl::Status Interpreter::Attach(ExecutionState& state) const {
  // Parents first: a child's graph is its parent's current Parallel branch or Map processor.
  std::vector<Frame*> order;
  order.reserve(state.frames.size());
  for (auto& [id, frame] : state.frames) order.push_back(&frame);
  std::sort(order.begin(), order.end(),
            [](const Frame* a, const Frame* b) { return a->id < b->id; });
  for (Frame* frame : order) {
    if (frame->parent == 0) {
      frame->graph = &machine_->graph;
    } else {
      auto parent = state.frames.find(frame->parent);
      if (parent == state.frames.end() || parent->second.graph == nullptr ||
          parent->second.state < 0 ||
          parent->second.state >= static_cast<int>(parent->second.graph->states.size())) {
        return absl::FailedPreconditionError("frame " + std::to_string(frame->id) +
                                             " has no parent frame in this execution");
      }
      const dsl::State& owner = parent->second.graph->states[parent->second.state];
      if (const auto* map = std::get_if<dsl::MapState>(&owner.spec)) {
        frame->graph = map->processor.get();
      } else if (const auto* parallel = std::get_if<dsl::ParallelState>(&owner.spec)) {
        if (frame->child_index < 0 ||
            frame->child_index >= static_cast<std::int64_t>(parallel->branches.size())) {
          return absl::FailedPreconditionError("frame " + std::to_string(frame->id) +
                                               " names a Parallel branch the machine lacks");
        }
        frame->graph = parallel->branches[static_cast<size_t>(frame->child_index)].get();
      } else {
        return absl::FailedPreconditionError("frame " + std::to_string(frame->id) +
                                             "'s parent is not in a Parallel or Map state");
      }
    }
    if (frame->state >= static_cast<int>(frame->graph->states.size())) {
      return absl::FailedPreconditionError("frame " + std::to_string(frame->id) +
                                           " is in a state the machine lacks");
    }
  }
  return absl::OkStatus();
}

bool Interpreter::Accepts(const ExecutionState& state, const Event& event) const {
  return StepRunner::Accepts(state, event);
}

}  // namespace stepwise::engine
