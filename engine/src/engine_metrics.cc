// Counting what the engine does, for /metrics: each commit's latency and what it did.
#include <chrono>
#include <string>
#include <string_view>

#include "engine_impl.h"

namespace stepwise::engine {

absl::Status Engine::Impl::Commit(const ExecutionState& state, const Step& step,
                                  const CommitContext& context) {
  auto began = std::chrono::steady_clock::now();
  absl::Status committed = store.CommitStep(state, step, context);
  if (committed.ok()) CountCommit(state, step, context, began);
  return committed;
}

void Engine::Impl::CountCommit(const ExecutionState& state, const Step& step,
                               const CommitContext& context,
                               std::chrono::steady_clock::time_point began) {
  commit_latency.Observe(
      std::chrono::duration<double>(std::chrono::steady_clock::now() - began).count());
  if (context.created) executions_started.fetch_add(1, std::memory_order_relaxed);
  if (step.finished) {
    executions_finished[static_cast<std::size_t>(state.status)].fetch_add(
        1, std::memory_order_relaxed);
  }
  std::int64_t entered = 0;
  for (const HistoryEvent& event : step.history) {
    if (std::string_view(event.type).ends_with("StateEntered")) ++entered;
  }
  if (entered > 0) state_transitions.fetch_add(entered, std::memory_order_relaxed);
}

EngineMetrics Engine::Metrics() {
  EngineMetrics metrics;
  metrics.executions_started = impl_->executions_started.load(std::memory_order_relaxed);
  for (ExecutionStatus status : {ExecutionStatus::kSucceeded, ExecutionStatus::kFailed,
                                 ExecutionStatus::kTimedOut, ExecutionStatus::kAborted}) {
    metrics.executions_finished[StatusName(status)] =
        impl_->executions_finished[static_cast<std::size_t>(status)].load(
            std::memory_order_relaxed);
  }
  metrics.state_transitions = impl_->state_transitions.load(std::memory_order_relaxed);
  metrics.step_commit = impl_->commit_latency.Read();
  metrics.task_dispatch = impl_->queues.DispatchLatencies();
  metrics.timers_pending = static_cast<std::int64_t>(impl_->timers.size());
  metrics.polls_waiting = static_cast<std::int64_t>(impl_->queues.waiting());
  return metrics;
}

}  // namespace stepwise::engine
