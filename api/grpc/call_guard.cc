#include "api/grpc/call_guard.h"

#include <string_view>

namespace stepwise::api {
namespace {

// Compares without stopping at the first difference, so that the time a refusal takes says
// nothing about how much of the token was right.
bool SameSecret(std::string_view given, std::string_view expected) {
  unsigned char difference = given.size() == expected.size() ? 0 : 1;
  for (std::size_t i = 0; i < given.size(); ++i) {
    difference |= static_cast<unsigned char>(given[i] ^ expected[i % expected.size()]);
  }
  return difference == 0;
}

}  // namespace

grpc::Status CallGuard::Check(const grpc::CallbackServerContext& context) const {
  if (token_.empty()) return grpc::Status::OK;
  const auto& metadata = context.client_metadata();
  auto found = metadata.find("authorization");
  if (found == metadata.end()) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "this server requires a token: send 'authorization: Bearer <token>' "
                        "(the CLI's --token or STEPWISE_TOKEN)");
  }
  std::string_view value(found->second.data(), found->second.size());
  constexpr std::string_view kScheme = "Bearer ";
  if (!value.starts_with(kScheme) || !SameSecret(value.substr(kScheme.size()), token_)) {
    return grpc::Status(grpc::StatusCode::UNAUTHENTICATED,
                        "the bearer token is wrong; use the token the server was started with");
  }
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* Finish(grpc::CallbackServerContext* context, const grpc::Status& status) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(status);
  return reactor;
}

}  // namespace stepwise::api
