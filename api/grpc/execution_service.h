#pragma once

#include "api/grpc/call_guard.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// The Executions gRPC service (callback API). Calls that write go through the engine's
// asynchronous calls, so a call waiting for its step to be committed holds no thread; reads
// (describe, list, history) are short store reads done inline.
class ExecutionService final : public v1::Executions::CallbackService {
 public:
  ExecutionService(engine::Engine& engine, engine::Store& store, const CallGuard& guard)
      : engine_(engine), store_(store), guard_(guard) {}

  grpc::ServerUnaryReactor* StartExecution(grpc::CallbackServerContext* context,
                                           const v1::StartExecutionRequest* request,
                                           v1::StartExecutionResponse* response) override;
  grpc::ServerUnaryReactor* StartSyncExecution(grpc::CallbackServerContext* context,
                                               const v1::StartSyncExecutionRequest* request,
                                               v1::Execution* response) override;
  grpc::ServerUnaryReactor* StopExecution(grpc::CallbackServerContext* context,
                                          const v1::StopExecutionRequest* request,
                                          v1::StopExecutionResponse* response) override;
  grpc::ServerUnaryReactor* DescribeExecution(grpc::CallbackServerContext* context,
                                              const v1::DescribeExecutionRequest* request,
                                              v1::Execution* response) override;
  grpc::ServerUnaryReactor* ListExecutions(grpc::CallbackServerContext* context,
                                           const v1::ListExecutionsRequest* request,
                                           v1::ListExecutionsResponse* response) override;
  grpc::ServerUnaryReactor* GetExecutionHistory(grpc::CallbackServerContext* context,
                                                const v1::GetExecutionHistoryRequest* request,
                                                v1::GetExecutionHistoryResponse* response) override;
  grpc::ServerWriteReactor<v1::HistoryEvent>* WatchExecution(
      grpc::CallbackServerContext* context, const v1::WatchExecutionRequest* request) override;
  grpc::ServerUnaryReactor* RedriveExecution(grpc::CallbackServerContext* context,
                                             const v1::RedriveExecutionRequest* request,
                                             v1::RedriveExecutionResponse* response) override;

 private:
  class SyncStart;
  class Watch;

  engine::Engine& engine_;
  engine::Store& store_;
  const CallGuard& guard_;
};

}  // namespace stepwise::api
