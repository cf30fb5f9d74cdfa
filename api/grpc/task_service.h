#pragma once

#include "api/grpc/call_guard.h"
#include "api/grpc/worker_registry.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/engine/deadline_queue.h"
#include "stepwise/engine/engine.h"

namespace stepwise::api {

// The Tasks gRPC service: the worker protocol. A long poll waits inside the engine's task
// queues as a callback, so thousands of idle workers cost no threads. Every call naming its
// worker is noted in `workers`.
class TaskService final : public v1::Tasks::CallbackService {
 public:
  TaskService(engine::Engine& engine, const CallGuard& guard, WorkerRegistry& workers)
      : engine_(engine), guard_(guard), workers_(workers) {}

  grpc::ServerUnaryReactor* PollTask(grpc::CallbackServerContext* context,
                                     const v1::PollTaskRequest* request,
                                     v1::PollTaskResponse* response) override;
  grpc::ServerUnaryReactor* SucceedTask(grpc::CallbackServerContext* context,
                                        const v1::SucceedTaskRequest* request,
                                        v1::SucceedTaskResponse* response) override;
  grpc::ServerUnaryReactor* FailTask(grpc::CallbackServerContext* context,
                                     const v1::FailTaskRequest* request,
                                     v1::FailTaskResponse* response) override;
  grpc::ServerUnaryReactor* HeartbeatTask(grpc::CallbackServerContext* context,
                                          const v1::HeartbeatTaskRequest* request,
                                          v1::HeartbeatTaskResponse* response) override;
  // A worker's session (worker_session.h).
  grpc::ServerBidiReactor<v1::WorkerMessage, v1::ServerMessage>* Connect(
      grpc::CallbackServerContext* context) override;

 private:
  class Poll;

  engine::Engine& engine_;
  const CallGuard& guard_;
  WorkerRegistry& workers_;
  engine::DeadlineQueue delayed_;  // the worker sessions' delayed acknowledgements
};

}  // namespace stepwise::api
