#pragma once

#include <vector>

#include "absl/status/status.h"
#include "grpcpp/support/status.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::api {

// The gRPC status for an engine or store status: the codes are the same numbers, and the
// message (which says what to fix) is kept.
grpc::Status ToGrpcStatus(const absl::Status& status);

// INVALID_ARGUMENT for a definition that does not compile: the message lists each error as
// "POINTER: message" on its own line, and the status details carry them as a
// stepwise.v1.Diagnostics for programs.
grpc::Status DefinitionError(const std::vector<dsl::Diagnostic>& diagnostics);

grpc::Status InvalidArgument(const std::string& message);

}  // namespace stepwise::api
