#include "api/grpc/state_machine_service.h"

#include "stepwise/dsl/compile.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::api {
namespace {

v1::Diagnostic::Severity ToProto(dsl::Severity severity) {
  switch (severity) {
    case dsl::Severity::kError:
      return v1::Diagnostic::SEVERITY_ERROR;
    case dsl::Severity::kWarning:
      return v1::Diagnostic::SEVERITY_WARNING;
  }
  return v1::Diagnostic::SEVERITY_UNSPECIFIED;
}

}  // namespace

grpc::ServerUnaryReactor* StateMachineService::ValidateStateMachine(
    grpc::CallbackServerContext* context, const v1::ValidateStateMachineRequest* request,
    v1::ValidateStateMachineResponse* response) {
  // Compiling is CPU-only and bounded by the request size limit, so it runs inline on the
  // callback thread rather than being handed to another executor.
  dsl::CompileResult result = dsl::Compile(request->definition());
  response->set_valid(result.machine != nullptr);
  for (const dsl::Diagnostic& diagnostic : result.diagnostics) {
    v1::Diagnostic* out = response->add_diagnostics();
    out->set_severity(ToProto(diagnostic.severity));
    out->set_pointer(diagnostic.pointer);
    out->set_message(diagnostic.message);
  }
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  reactor->Finish(grpc::Status::OK);
  return reactor;
}

}  // namespace stepwise::api
