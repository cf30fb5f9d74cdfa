#pragma once

#include "api/grpc/call_guard.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// The StateMachines gRPC service (callback API). Definitions are compiled inline on the callback
// thread: compiling is CPU-only and bounded by the request size limit.
class StateMachineService final : public v1::StateMachines::CallbackService {
 public:
  StateMachineService(engine::Engine& engine, engine::Store& store, const CallGuard& guard)
      : engine_(engine), store_(store), guard_(guard) {}

  grpc::ServerUnaryReactor* ValidateStateMachine(
      grpc::CallbackServerContext* context, const v1::ValidateStateMachineRequest* request,
      v1::ValidateStateMachineResponse* response) override;
  grpc::ServerUnaryReactor* CreateStateMachine(grpc::CallbackServerContext* context,
                                               const v1::CreateStateMachineRequest* request,
                                               v1::StateMachine* response) override;
  grpc::ServerUnaryReactor* UpdateStateMachine(grpc::CallbackServerContext* context,
                                               const v1::UpdateStateMachineRequest* request,
                                               v1::StateMachine* response) override;
  grpc::ServerUnaryReactor* DescribeStateMachine(grpc::CallbackServerContext* context,
                                                 const v1::DescribeStateMachineRequest* request,
                                                 v1::StateMachine* response) override;
  grpc::ServerUnaryReactor* ListStateMachines(grpc::CallbackServerContext* context,
                                              const v1::ListStateMachinesRequest* request,
                                              v1::ListStateMachinesResponse* response) override;
  grpc::ServerUnaryReactor* DeleteStateMachine(grpc::CallbackServerContext* context,
                                               const v1::DeleteStateMachineRequest* request,
                                               v1::DeleteStateMachineResponse* response) override;

 private:
  // Compiles and stores a version; `creating` refuses a name that exists with another
  // definition, updating refuses a name that does not exist.
  grpc::Status Store(const std::string& name, const std::string& definition, bool creating,
                     v1::StateMachine& response);

  engine::Engine& engine_;
  engine::Store& store_;
  const CallGuard& guard_;
};

}  // namespace stepwise::api
