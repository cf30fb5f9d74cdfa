#include "client/diagnostics.h"

namespace stepwise::cli::client {

std::vector<dsl::Diagnostic> FromProto(
    const google::protobuf::RepeatedPtrField<v1::Diagnostic>& diagnostics) {
  std::vector<dsl::Diagnostic> converted;
  for (const v1::Diagnostic& d : diagnostics) {
    dsl::Severity severity = d.severity() == v1::Diagnostic::SEVERITY_WARNING
                                 ? dsl::Severity::kWarning
                                 : dsl::Severity::kError;
    converted.push_back({severity, d.pointer(), d.message()});
  }
  return converted;
}

std::vector<dsl::Diagnostic> DefinitionDiagnostics(const grpc::Status& status) {
  v1::ErrorStatus details;
  if (status.error_details().empty() || !details.ParseFromString(status.error_details())) {
    return {};
  }
  for (const google::protobuf::Any& any : details.details()) {
    v1::Diagnostics diagnostics;
    if (any.UnpackTo(&diagnostics)) return FromProto(diagnostics.diagnostics());
  }
  return {};
}

}  // namespace stepwise::cli::client
