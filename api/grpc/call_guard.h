#pragma once

#include <string>

#include "grpcpp/grpcpp.h"

namespace stepwise::api {

// Checks the bearer token every call of the Stepwise services must carry when the server was
// given one ("authorization: Bearer <token>" metadata). Health checks and reflection are not
// guarded: they reveal nothing and load balancers call them without credentials.
class CallGuard {
 public:
  // An empty token lets every call through.
  explicit CallGuard(std::string token) : token_(std::move(token)) {}

  // OK, or UNAUTHENTICATED saying what was missing.
  grpc::Status Check(const grpc::CallbackServerContext& context) const;

 private:
  std::string token_;
};

// Finishes a unary call with `status` on the context's default reactor.
grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status);

}  // namespace stepwise::api
