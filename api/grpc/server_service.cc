#include "api/grpc/server_service.h"

namespace stepwise::api {

grpc::ServerUnaryReactor* ServerService::Ping(grpc::CallbackServerContext* context,
                                              const v1::PingRequest*, v1::PingResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  response->set_version(STEPWISE_VERSION);
  return Finish(context, grpc::Status::OK);
}

}  // namespace stepwise::api
