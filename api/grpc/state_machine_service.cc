#include "api/grpc/state_machine_service.h"

#include <algorithm>
#include <string>
#include <vector>

#include "api/grpc/proto_convert.h"
#include "api/grpc/status_mapping.h"
#include "stepwise/dsl/compile.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::api {
namespace {

bool HasErrors(const dsl::CompileResult& result) { return result.machine == nullptr; }

}  // namespace

grpc::ServerUnaryReactor* StateMachineService::ValidateStateMachine(
    grpc::CallbackServerContext* context, const v1::ValidateStateMachineRequest* request,
    v1::ValidateStateMachineResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  dsl::CompileResult result = dsl::Compile(request->definition());
  response->set_valid(!HasErrors(result));
  for (const dsl::Diagnostic& diagnostic : result.diagnostics) {
    ToProto(diagnostic, *response->add_diagnostics());
  }
  return Finish(context, grpc::Status::OK);
}

grpc::Status StateMachineService::Store(const std::string& name, const std::string& definition,
                                        bool creating, v1::StateMachine& response) {
  if (absl::Status named = CheckName("the state machine name", name); !named.ok()) {
    return ToGrpcStatus(named);
  }
  dsl::CompileResult compiled = dsl::Compile(definition);
  if (HasErrors(compiled)) return DefinitionError(compiled.diagnostics);
  auto existing = store_.GetDefinition(name, 0);
  if (!existing.ok() && existing.status().code() != absl::StatusCode::kNotFound) {
    return ToGrpcStatus(existing.status());
  }
  if (creating && existing.ok()) {
    if (existing->definition == definition) {  // a retried create
      ToProto(*existing, existing->version, response);
      return grpc::Status::OK;
    }
    return grpc::Status(grpc::StatusCode::ALREADY_EXISTS,
                        "state machine '" + name + "' already exists (version " +
                            std::to_string(existing->version) +
                            ") with another definition; update it to add a version");
  }
  if (!creating && !existing.ok()) {
    return grpc::Status(grpc::StatusCode::NOT_FOUND,
                        "state machine '" + name + "' does not exist; create it first");
  }
  auto stored = engine_.PutStateMachine(name, definition);
  if (!stored.ok()) return ToGrpcStatus(stored.status());
  ToProto(*stored, stored->version, response);
  return grpc::Status::OK;
}

grpc::ServerUnaryReactor* StateMachineService::CreateStateMachine(
    grpc::CallbackServerContext* context, const v1::CreateStateMachineRequest* request,
    v1::StateMachine* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  return Finish(context, Store(request->name(), request->definition(), true, *response));
}

grpc::ServerUnaryReactor* StateMachineService::UpdateStateMachine(
    grpc::CallbackServerContext* context, const v1::UpdateStateMachineRequest* request,
    v1::StateMachine* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  return Finish(context, Store(request->name(), request->definition(), false, *response));
}

grpc::ServerUnaryReactor* StateMachineService::DescribeStateMachine(
    grpc::CallbackServerContext* context, const v1::DescribeStateMachineRequest* request,
    v1::StateMachine* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  if (request->version() < 0) {
    return Finish(context, InvalidArgument("version must be 0 (the latest) or more"));
  }
  auto latest = store_.GetDefinition(request->name(), 0);
  if (!latest.ok()) {
    if (latest.status().code() == absl::StatusCode::kNotFound) {
      return Finish(context,
                    grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 "state machine '" + request->name() + "' does not exist"));
    }
    return Finish(context, ToGrpcStatus(latest.status()));
  }
  if (request->version() == 0 || request->version() == latest->version) {
    ToProto(*latest, latest->version, *response);
    return Finish(context, grpc::Status::OK);
  }
  auto version = store_.GetDefinition(request->name(), request->version());
  if (!version.ok()) {
    if (version.status().code() == absl::StatusCode::kNotFound) {
      return Finish(context,
                    grpc::Status(grpc::StatusCode::NOT_FOUND,
                                 "state machine '" + request->name() + "' has no version " +
                                     std::to_string(request->version()) + "; the latest is " +
                                     std::to_string(latest->version)));
    }
    return Finish(context, ToGrpcStatus(version.status()));
  }
  ToProto(*version, latest->version, *response);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StateMachineService::ListStateMachines(
    grpc::CallbackServerContext* context, const v1::ListStateMachinesRequest* request,
    v1::ListStateMachinesResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  auto size = PageSize(request->page_size());
  if (!size.ok()) return Finish(context, ToGrpcStatus(size.status()));
  auto all = store_.ListDefinitions();
  if (!all.ok()) return Finish(context, ToGrpcStatus(all.status()));
  std::sort(all->begin(), all->end(), [](const auto& a, const auto& b) { return a.name < b.name; });
  // The token is the last name served: names are unique and ordered, so a page neither
  // repeats nor skips a machine created or deleted meanwhile.
  auto begin = std::upper_bound(
      all->begin(), all->end(), request->page_token(),
      [](const std::string& token, const engine::StoredDefinition& d) { return token < d.name; });
  if (request->page_token().empty()) begin = all->begin();
  auto end = begin;
  while (end != all->end() && end - begin < *size) ++end;
  for (auto it = begin; it != end; ++it) {
    ToProto(*it, it->version, *response->add_state_machines());
  }
  if (end != all->end()) response->set_next_page_token(std::prev(end)->name);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* StateMachineService::DeleteStateMachine(
    grpc::CallbackServerContext* context, const v1::DeleteStateMachineRequest* request,
    v1::DeleteStateMachineResponse*) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  return Finish(context, ToGrpcStatus(engine_.DeleteStateMachine(request->name())));
}

}  // namespace stepwise::api
