// The worker protocol: handing tasks out (to the dispatcher or to long polls), and taking
// completions, failures, heartbeats and callback acknowledgements back by token.
#include <future>
#include <memory>
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

}  // namespace

void Engine::CompleteTaskAsync(const std::string& token, json output,
                               std::function<void(absl::Status)> done) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return done(BadToken(token));
  if (parsed->invocation) {
    // The worker's result is not the state's output: the state waits for the attempt's token.
    impl_->Submit(parsed->execution_id, AcknowledgeJob{parsed->task}, std::move(done));
    return;
  }
  impl_->Submit(parsed->execution_id, Event{TaskSucceeded{parsed->task, std::move(output)}},
                std::move(done));
}

void Engine::FailTaskAsync(const std::string& token, const std::string& error,
                           const std::string& cause, std::function<void(absl::Status)> done) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return done(BadToken(token));
  impl_->Submit(parsed->execution_id, Event{TaskFailed{parsed->task, error, cause}},
                std::move(done));
}

void Engine::HeartbeatTaskAsync(const std::string& token, std::function<void(absl::Status)> done) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return done(BadToken(token));
  impl_->Submit(parsed->execution_id, Event{TaskHeartbeat{parsed->task}}, std::move(done));
}

namespace {

// The blocking forms: the async ones, waited for on the caller's thread.
absl::Status Wait(const std::function<void(std::function<void(absl::Status)>)>& call) {
  auto promise = std::make_shared<std::promise<absl::Status>>();
  auto result = promise->get_future();
  call([promise](absl::Status status) { promise->set_value(std::move(status)); });
  return result.get();
}

}  // namespace

absl::Status Engine::CompleteTask(const std::string& token, json output) {
  return Wait([&](auto done) { CompleteTaskAsync(token, std::move(output), std::move(done)); });
}

absl::Status Engine::FailTask(const std::string& token, const std::string& error,
                              const std::string& cause) {
  return Wait([&](auto done) { FailTaskAsync(token, error, cause, std::move(done)); });
}

absl::Status Engine::HeartbeatTask(const std::string& token) {
  return Wait([&](auto done) { HeartbeatTaskAsync(token, std::move(done)); });
}

}  // namespace stepwise::engine
