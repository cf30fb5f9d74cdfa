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
  if (!id) {  // watches are released: answer at once
    if (!summary.ok()) return done(summary.status());
    if (summary->last_event_id > after_event_id || summary->status != ExecutionStatus::kRunning) {
      return done(summary->last_event_id);
    }
    // Not the latest id again: a caller that waits on in a loop would be answered at once,
    // forever, on its own thread.
    return done(absl::UnavailableError(
        "history watches are released: the engine is shutting down; watch again once it is "
        "back"));
  }
  if (!summary.ok()) return impl_->watchers.Fail(*id, summary.status());
  impl_->watchers.Observe(execution_id, summary->last_event_id,
                          summary->status != ExecutionStatus::kRunning);
}

}  // namespace stepwise::engine
