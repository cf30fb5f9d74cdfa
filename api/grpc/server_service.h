#pragma once

#include "api/grpc/call_guard.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::api {

// The Server gRPC service: Ping, a call that does nothing but pass through the whole stack
// (transport, TLS, token check), as a liveness probe for clients and a baseline for benchmarks.
class ServerService final : public v1::Server::CallbackService {
 public:
  explicit ServerService(const CallGuard& guard) : guard_(guard) {}

  grpc::ServerUnaryReactor* Ping(grpc::CallbackServerContext* context,
                                 const v1::PingRequest* request,
                                 v1::PingResponse* response) override;

 private:
  const CallGuard& guard_;
};

}  // namespace stepwise::api
