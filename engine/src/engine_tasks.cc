// The worker protocol: handing tasks out (to the dispatcher or to long polls), and taking
// completions, failures, heartbeats and callback acknowledgements back by token.
#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <utility>

#include "engine_impl.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine {

using nlohmann::json;

void Engine::Impl::Dispatch(const std::string& execution_id, ScheduleTask task,
                            std::int64_t deadline) {
  if (StartsExecution(task.integration)) {
    LaunchChild(execution_id, task);  // the engine's own work, never a worker's
    return;
  }
  const std::string& function = QueueName(task);
  std::int64_t now = NowMillis(clock);
  std::optional<CircuitBreaker::Change> change;
  std::optional<std::string> refusal = gate.Refusal(function, now, &change);
  if (change) {
    // Submitted before the task can complete, so the history tells of the trial before its end.
    RecordJob record{CircuitNote(function, *change)};
    record.note.state_name = task.state_name;
    Submit(execution_id, std::move(record), [](const absl::Status&) {});
  }
  if (refusal) {
    // Failed at once, as a worker's failure would be, so that Retry and Catch apply. Should the
    // store refuse the step, the task's timeout fails it later instead.
    Submit(execution_id, Event{TaskFailed{task.task, "Stepwise.CircuitOpen", *refusal}},
           [](const absl::Status&) {});
    return;
  }
  // The function's per-invocation limit, as the worker sees its deadline.
  deadline = std::min(
      deadline, now + static_cast<std::int64_t>(gate.Limits(function).timeout.count()) * 1000);
  TaskLease lease;
  lease.callback = task.integration == TaskIntegration::kCallback;
  lease.token = FormatTaskToken(TaskToken{execution_id, task.task, lease.callback});
  lease.execution_id = execution_id;
  lease.task = std::move(task);
  lease.deadline = deadline;
  if (dispatcher) {
    dispatcher(lease);
  } else {
    queues.Push(std::move(lease));
  }
}

std::optional<TaskLease> Engine::PollTask(const std::string& function,
                                          std::chrono::milliseconds wait) {
  return impl_->queues.Poll(function, wait);
}

PollId Engine::PollTaskAsync(const std::vector<std::string>& functions,
                             std::chrono::milliseconds wait,
                             std::function<void(std::optional<TaskLease>)> done) {
  return impl_->queues.PollAsync(functions, wait, std::move(done));
}

void Engine::CancelPoll(PollId id) { impl_->queues.Cancel(id); }

void Engine::ReleasePolls() {
  impl_->queues.Release();
  impl_->watchers.Release();
}

namespace {

absl::Status BadToken(const std::string& token) {
  return absl::InvalidArgumentError("'" + token +
                                    "' is not a task token; pass the token of a polled task "
                                    "or the $$.Task.Token a callback task was given");
}

// A completion, failure or heartbeat, as the job of the execution its token names.
struct TokenJob {
  std::string execution_id;
  Job job;
};

absl::StatusOr<TokenJob> SucceedJob(const std::string& token, json output) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return BadToken(token);
  if (parsed->invocation) {
    // The worker's result is not the state's output: the state waits for the attempt's token.
    return TokenJob{parsed->execution_id, AcknowledgeJob{parsed->task}};
  }
  return TokenJob{parsed->execution_id, Event{TaskSucceeded{parsed->task, std::move(output)}}};
}

absl::StatusOr<TokenJob> FailJob(const std::string& token, const std::string& error,
                                 const std::string& cause) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return BadToken(token);
  return TokenJob{parsed->execution_id, Event{TaskFailed{parsed->task, error, cause}}};
}

absl::StatusOr<TokenJob> HeartbeatJob(const std::string& token) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return BadToken(token);
  return TokenJob{parsed->execution_id, Event{TaskHeartbeat{parsed->task}}};
}

}  // namespace

void Engine::CompleteTaskAsync(const std::string& token, json output,
                               std::function<void(absl::Status)> done) {
  auto job = SucceedJob(token, std::move(output));
  if (!job.ok()) return done(job.status());
  impl_->Submit(job->execution_id, std::move(job->job), std::move(done), /*on_this_thread=*/true);
}

void Engine::FailTaskAsync(const std::string& token, const std::string& error,
                           const std::string& cause, std::function<void(absl::Status)> done) {
  auto job = FailJob(token, error, cause);
  if (!job.ok()) return done(job.status());
  impl_->Submit(job->execution_id, std::move(job->job), std::move(done), /*on_this_thread=*/true);
}

void Engine::HeartbeatTaskAsync(const std::string& token, std::function<void(absl::Status)> done) {
  auto job = HeartbeatJob(token);
  if (!job.ok()) return done(job.status());
  impl_->Submit(job->execution_id, std::move(job->job), std::move(done), /*on_this_thread=*/true);
}

// The blocking forms run the step on the caller's thread when the execution is idle.
absl::Status Engine::CompleteTask(const std::string& token, json output) {
  auto job = SucceedJob(token, std::move(output));
  if (!job.ok()) return job.status();
  return impl_->SubmitAndWait(job->execution_id, std::move(job->job));
}

absl::Status Engine::FailTask(const std::string& token, const std::string& error,
                              const std::string& cause) {
  auto job = FailJob(token, error, cause);
  if (!job.ok()) return job.status();
  return impl_->SubmitAndWait(job->execution_id, std::move(job->job));
}

absl::Status Engine::HeartbeatTask(const std::string& token) {
  auto job = HeartbeatJob(token);
  if (!job.ok()) return job.status();
  return impl_->SubmitAndWait(job->execution_id, std::move(job->job));
}

}  // namespace stepwise::engine
