#pragma once

#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::api {

// The StateMachines gRPC service (callback API: no thread is held per call). Register it on a
// grpc::ServerBuilder; it must outlive the server.
class StateMachineService final : public v1::StateMachines::CallbackService {
 public:
  // Compiles the definition and returns every diagnostic. A bad definition is a successful
  // call with valid = false; the RPC itself fails only for reasons outside the definition.
  grpc::ServerUnaryReactor* ValidateStateMachine(
      grpc::CallbackServerContext* context, const v1::ValidateStateMachineRequest* request,
      v1::ValidateStateMachineResponse* response) override;
};

}  // namespace stepwise::api
