#include "api/grpc/status_mapping.h"

#include <string>

#include "api/grpc/proto_convert.h"
#include "api/proto/stepwise.pb.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::api {

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), std::string(status.message()));
}

grpc::Status DefinitionError(const std::vector<dsl::Diagnostic>& diagnostics) {
  std::string message = "the definition has errors:";
  v1::Diagnostics list;
  for (const dsl::Diagnostic& diagnostic : diagnostics) {
    if (diagnostic.severity != dsl::Severity::kError) continue;
    message += "\n" + dsl::FormatDiagnostic(diagnostic);
    ToProto(diagnostic, *list.add_diagnostics());
  }
  v1::ErrorStatus details;
  details.set_code(grpc::StatusCode::INVALID_ARGUMENT);
  details.set_message(message);
  details.add_details()->PackFrom(list);
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message, details.SerializeAsString());
}

grpc::Status InvalidArgument(const std::string& message) {
  return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, message);
}

}  // namespace stepwise::api
