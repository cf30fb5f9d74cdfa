#include "api/grpc/task_service.h"

#include <atomic>
#include <chrono>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/grpc/proto_convert.h"
#include "api/grpc/status_mapping.h"
#include "api/grpc/worker_session.h"

namespace stepwise::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultPollMs = 20'000;
constexpr std::int64_t kMaxPollMs = 60'000;

}  // namespace

// One long poll: parked in the engine until a task comes, the wait ends, or the client goes
// away (OnCancel withdraws it). Deletes itself in OnDone.
class TaskService::Poll : public grpc::ServerUnaryReactor {
 public:
  Poll(engine::Engine& engine, WorkerRegistry& workers, std::string worker,
       std::vector<std::string> functions, std::chrono::milliseconds wait,
       v1::PollTaskResponse* response)
      : engine_(engine), response_(response) {
    std::lock_guard lock(mutex_);
    id_ = engine_.PollTaskAsync(
        std::move(functions), wait,
        [this, &workers, worker = std::move(worker)](std::optional<engine::TaskLease> lease) {
          if (lease) ToProto(*lease, *response_->mutable_task());
          workers.PollEnded(worker, lease.has_value(), NowMillis());
          Finish(grpc::Status::OK);
        });
    registered_ = true;
  }

  void OnCancel() override {
    std::lock_guard lock(mutex_);
    if (registered_) engine_.CancelPoll(id_);
  }

  void OnDone() override { delete this; }

 private:
  engine::Engine& engine_;
  v1::PollTaskResponse* response_;
  std::mutex mutex_;  // OnCancel may come before PollTaskAsync has returned the id
  engine::PollId id_{};
  bool registered_ = false;
};

grpc::ServerUnaryReactor* TaskService::PollTask(grpc::CallbackServerContext* context,
                                                const v1::PollTaskRequest* request,
                                                v1::PollTaskResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  if (request->functions().empty()) {
    return Finish(context, InvalidArgument("name at least one function (or activity) to poll for"));
  }
  if (request->wait_ms() < 0 || request->wait_ms() > kMaxPollMs) {
    return Finish(context, InvalidArgument("wait_ms must be 0 (20 s) to 60000"));
  }
  std::vector<std::string> functions(request->functions().begin(), request->functions().end());
  std::int64_t wait = request->wait_ms() == 0 ? kDefaultPollMs : request->wait_ms();
  std::string worker = request->worker().empty() ? context->peer() : request->worker();
  workers_.PollStarted(worker, request->host(), functions, NowMillis());
  return new Poll(engine_, workers_, std::move(worker), std::move(functions),
                  std::chrono::milliseconds(wait), response);
}

grpc::ServerUnaryReactor* TaskService::SucceedTask(grpc::CallbackServerContext* context,
                                                   const v1::SucceedTaskRequest* request,
                                                   v1::SucceedTaskResponse*) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  workers_.Contact(request->worker(), NowMillis());
  auto output = ParseJsonField("output", request->output(), json::object());
  if (!output.ok()) return Finish(context, ToGrpcStatus(output.status()));
  if (request->cold_start()) engine_.NoteColdStart(request->token());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine_.CompleteTaskAsync(request->token(), *std::move(output), [reactor](absl::Status status) {
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerUnaryReactor* TaskService::FailTask(grpc::CallbackServerContext* context,
                                                const v1::FailTaskRequest* request,
                                                v1::FailTaskResponse*) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  workers_.Contact(request->worker(), NowMillis());
  std::string error = request->error().empty() ? "States.TaskFailed" : request->error();
  if (request->cold_start()) engine_.NoteColdStart(request->token());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine_.FailTaskAsync(request->token(), error, request->cause(),
                        [reactor](absl::Status status) { reactor->Finish(ToGrpcStatus(status)); });
  return reactor;
}

grpc::ServerUnaryReactor* TaskService::HeartbeatTask(grpc::CallbackServerContext* context,
                                                     const v1::HeartbeatTaskRequest* request,
                                                     v1::HeartbeatTaskResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  workers_.Contact(request->worker(), NowMillis());
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine_.HeartbeatTaskAsync(request->token(), [reactor, response](absl::Status status) {
    // A task no longer awaited is the worker's cue to stop: an answer, not an error.
    if (status.code() == absl::StatusCode::kFailedPrecondition) {
      response->set_cancelled(true);
      return reactor->Finish(grpc::Status::OK);
    }
    reactor->Finish(ToGrpcStatus(status));
  });
  return reactor;
}

grpc::ServerBidiReactor<v1::WorkerMessage, v1::ServerMessage>* TaskService::Connect(
    grpc::CallbackServerContext* context) {
  return new WorkerSession(engine_, workers_, delayed_, *context, guard_.Check(*context));
}

}  // namespace stepwise::api
