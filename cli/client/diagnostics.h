#pragma once

// A definition's diagnostics as the server sends them, turned back into the DSL's own type so
// that the client prints them exactly as the local `stepwise validate` does.
#include <vector>

#include "api/proto/stepwise.pb.h"
#include "grpcpp/support/status.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::cli::client {

std::vector<dsl::Diagnostic> FromProto(
    const google::protobuf::RepeatedPtrField<v1::Diagnostic>& diagnostics);

// The diagnostics in the details of a status refusing a definition (an ErrorStatus holding a
// Diagnostics); empty when the status carries none.
std::vector<dsl::Diagnostic> DefinitionDiagnostics(const grpc::Status& status);

}  // namespace stepwise::cli::client
