// Watching an execution's history grow, without a thread per watcher.
#include <utility>

#include "engine_impl.h"

namespace stepwise::engine {

void Engine::AwaitHistoryAsync(const std::string& execution_id, std::int64_t after_event_id,
                               std::chrono::milliseconds wait,
                               std::function<void(absl::StatusOr<std::int64_t>)> done) {
  // Registered before the store is read: a commit that lands in between is either in what the
  // read sees or is observed by the watcher (Release observes after every commit).
  auto id = impl_->watchers.Add(execution_id, after_event_id, wait, done);
  auto summary = impl_->store.DescribeExecution(execution_id);
  if (!id) {  // watches are released: answer with what the store says, at once
    if (!summary.ok()) return done(summary.status());
    return done(summary->last_event_id);
  }
  if (!summary.ok()) return impl_->watchers.Fail(*id, summary.status());
  impl_->watchers.Observe(execution_id, summary->last_event_id,
                          summary->status != ExecutionStatus::kRunning);
}

}  // namespace stepwise::engine
