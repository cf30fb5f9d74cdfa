// Redrive: an unsuccessful execution goes on from the waits it had before it ended.
#include <algorithm>
#include <utility>
#include <vector>

#include "step_runner.h"

namespace stepwise::engine {

void StepRunner::Redrive() {
  state_.status = ExecutionStatus::kRunning;
  state_.output = nullptr;
  state_.error.clear();
  state_.cause.clear();
  state_.stop_time = 0;
  ++state_.redrive_count;
  state_.context["Execution"]["RedriveCount"] = state_.redrive_count;
  Record("ExecutionRedriven").details = {{"redriveCount", state_.redrive_count}};
  if (machine_.timeout_seconds) {
    step_.effects.push_back(engine::ArmTimer{TimerRef{0, 0, TimerKind::kExecutionTimeout},
                                             at_.now + *machine_.timeout_seconds * 1000});
  }
  state_.ready.clear();
  if (state_.frames.empty()) {  // it ended in its first step: nothing was kept to resume
    Frame& root = NewFrame(0, 0, &machine_.graph);
    EnterState(root, machine_.graph.start_at, ExecutionInput(state_));
    state_.ready.push_back(root.id);
    Drain();
    return;
  }
  // Parents before their children: `ready` is run last-in first-out, so children run first and
  // a Parallel or Map then sees how many of them still run.
  std::vector<FrameId> ids;
  for (const auto& [id, frame] : state_.frames) ids.push_back(id);
  std::sort(ids.begin(), ids.end());
  for (FrameId id : ids) {
    Frame& frame = state_.frames.at(id);
    switch (frame.phase) {
      case FramePhase::kTask:
      case FramePhase::kBackoff:
        // A new attempt: completions and timers of the one cut short by the end are stale.
        ++frame.seq;
        EnterState(frame, frame.state, frame.input);
        state_.ready.push_back(id);
        break;
      case FramePhase::kWaiting:
        // Its due time went with its timer; it has waited already: the wait ends now.
        ++frame.seq;
        Touch(frame);
        ArmTimer(frame, TimerKind::kWait, at_.now);
        break;
      case FramePhase::kChildren:
        frame.children->queued = true;
        Touch(frame);
        state_.ready.push_back(id);
        break;
      case FramePhase::kRunning:
        state_.ready.push_back(id);
        break;
    }
  }
  Drain();
}

}  // namespace stepwise::engine
