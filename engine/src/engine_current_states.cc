// Which states a running execution is in, for the REST API and the console.
#include <algorithm>
#include <string>
#include <vector>

#include "engine_impl.h"

namespace stepwise::engine {

absl::StatusOr<std::vector<ActiveState>> Engine::CurrentStates(const std::string& execution_id) {
  absl::StatusOr<ExecutionState> state = impl_->store.LoadExecution(execution_id);
  if (!state.ok()) return state.status();
  std::vector<ActiveState> active;
  if (state->status != ExecutionStatus::kRunning) return active;
  auto interpreter =
      impl_->InterpreterFor(state->info.state_machine_name, state->info.state_machine_version);
  if (!interpreter.ok()) return interpreter.status();
  // Frames are stored without their graphs: attaching finds each frame's graph again.
  if (absl::Status attached = (*interpreter)->Attach(*state); !attached.ok()) return attached;
  for (const auto& [id, frame] : state->frames) {
    if (frame.graph == nullptr || frame.state < 0 ||
        frame.state >= static_cast<int>(frame.graph->states.size())) {
      continue;
    }
    ActiveState entry;
    entry.name = frame.graph->states[frame.state].name;
    entry.phase = frame.phase;
    entry.entered_time = frame.entered_time;
    entry.frame = id;
    entry.parent_frame = frame.parent;
    entry.child_index = frame.child_index;
    active.push_back(std::move(entry));
  }
  std::sort(active.begin(), active.end(),
            [](const ActiveState& a, const ActiveState& b) { return a.frame < b.frame; });
  return active;
}

}  // namespace stepwise::engine
