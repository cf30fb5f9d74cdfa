// Redriving a finished execution, as Step Functions' RedriveExecution does.
//
// What is re-run: the store keeps an unsuccessful execution's frames as they were before the
// step that ended it, so a redrive goes on from the waits the execution had then (see
// Interpreter::Redrive): the failed task (and any other task, retry backoff or Wait in flight
// in another branch) runs again, a Map or Parallel keeps the results of its finished iterations
// or branches, and the rest of the machine follows. Limits, compared with AWS:
//  - When the step that ended the execution ran several states after its last wait (a task
//    succeeded, then a Pass or Choice failed on its input), the redrive re-runs from that
//    wait, i.e. the task that had succeeded runs again.
//  - Map iterations whose failure was tolerated (ToleratedFailure...) keep their error as their
//    result and are not re-run.
//  - An interrupted Wait state ends at once; the execution's TimeoutSeconds counts from the
//    redrive; an execution that ended in its first step (or was kept by a release older than
//    redrive) starts over from its input.
//  - It runs the definition version the execution started with, which must still exist.
//  - Child executions are not redriven with their parent: a re-run startExecution task starts
//    a new child (its name comes from the new attempt), unless Parameters.Name fixes it.
#include <string>

#include "engine_impl.h"

namespace stepwise::engine {

JobOutcome Engine::Impl::RunRedrive(const std::string& execution_id, Loaded& loaded) {
  // The store's copy, not the strand's: only it holds the frames kept at the end.
  loaded.state.reset();
  auto summary = store.DescribeExecution(execution_id);
  if (!summary.ok()) return summary.status();
  switch (summary->status) {
    case ExecutionStatus::kRunning:
      return absl::FailedPreconditionError("execution '" + execution_id +
                                           "' is still RUNNING; only an execution that ended "
                                           "FAILED, TIMED_OUT or ABORTED can be redriven");
    case ExecutionStatus::kSucceeded:
      return absl::FailedPreconditionError("execution '" + execution_id +
                                           "' SUCCEEDED; only an execution that ended FAILED, "
                                           "TIMED_OUT or ABORTED can be redriven");
    default:
      break;
  }
  if (absl::Status ready = EnsureLoaded(execution_id, loaded); !ready.ok()) {
    if (!absl::IsNotFound(ready)) return ready;
    return absl::FailedPreconditionError(
        "execution '" + execution_id + "' cannot be redriven: version " +
        std::to_string(summary->info.state_machine_version) + " of state machine '" +
        summary->info.state_machine_name + "', which it ran, no longer exists");
  }
  PendingStep pending;
  pending.step = loaded.interpreter->Redrive(*loaded.state, At());
  pending.context.redriven = true;
  return pending;
}

absl::Status Engine::RedriveExecution(const std::string& execution_id) {
  return impl_->SubmitAndWait(execution_id, RedriveJob{});
}

}  // namespace stepwise::engine
