#pragma once

#include "api/grpc/call_guard.h"
#include "api/grpc/worker_registry.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/engine/engine.h"

namespace stepwise::api {

// The Functions gRPC service: functions' limits and state (the engine's), and the workers
// serving them (the Tasks service's records).
class FunctionService final : public v1::Functions::CallbackService {
 public:
  FunctionService(engine::Engine& engine, const CallGuard& guard, WorkerRegistry& workers)
      : engine_(engine), guard_(guard), workers_(workers) {}

  grpc::ServerUnaryReactor* RegisterFunction(grpc::CallbackServerContext* context,
                                             const v1::RegisterFunctionRequest* request,
                                             v1::RegisterFunctionResponse* response) override;
  grpc::ServerUnaryReactor* DescribeFunction(grpc::CallbackServerContext* context,
                                             const v1::DescribeFunctionRequest* request,
                                             v1::FunctionDescription* response) override;
  grpc::ServerUnaryReactor* ListFunctions(grpc::CallbackServerContext* context,
                                          const v1::ListFunctionsRequest* request,
                                          v1::ListFunctionsResponse* response) override;
  grpc::ServerUnaryReactor* ListWorkers(grpc::CallbackServerContext* context,
                                        const v1::ListWorkersRequest* request,
                                        v1::ListWorkersResponse* response) override;

 private:
  engine::Engine& engine_;
  const CallGuard& guard_;
  WorkerRegistry& workers_;
};

}  // namespace stepwise::api
