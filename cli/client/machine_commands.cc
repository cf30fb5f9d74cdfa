// `stepwise machine create|update|describe|list|delete|validate`: the StateMachines service.
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "client/argument_values.h"
#include "client/client_command.h"
#include "client/connection.h"
#include "client/diagnostics.h"
#include "client/output.h"
#include "commands.h"
#include "definition_file.h"

namespace stepwise::cli {
namespace client {
namespace {

void PrintMachine(const v1::StateMachine& machine, bool with_definition) {
  Fields fields = {
      {"name", machine.name()},
      {"arn", machine.arn()},
      {"version", std::to_string(machine.version()) + " (latest " +
                      std::to_string(machine.latest_version()) + ")"},
      {"created", FormatTime(machine.created_at())},
  };
  if (with_definition) fields.push_back({"definition", PrettyJson(machine.definition())});
  PrintFields(fields, std::cout);
}

int CreateOrUpdate(const Invocation& invocation, bool update) {
  const std::string& name = invocation.args()[0];
  const std::string& file = invocation.args()[1];
  absl::StatusOr<std::string> definition = ReadFileArgument("the definition file", file);
  if (!definition.ok()) return invocation.UsageError(definition.status());
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  auto stub = v1::StateMachines::NewStub(connection->channel());
  v1::StateMachine machine;
  grpc::Status status;
  if (update) {
    v1::UpdateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(*definition);
    status = stub->UpdateStateMachine(connection->Context().get(), request, &machine);
  } else {
    v1::CreateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(*definition);
    status = stub->CreateStateMachine(connection->Context().get(), request, &machine);
  }
  std::string what = std::string(invocation.name()) + " " + name;
  if (!status.ok()) return connection->Fail(what, status, file);
  if (invocation.options().json) {
    PrintJsonLine(machine, std::cout);
  } else {
    PrintMachine(machine, /*with_definition=*/false);
  }
  return kExitOk;
}

int Describe(const Invocation& invocation) {
  v1::DescribeStateMachineRequest request;
  request.set_name(invocation.args()[0]);
  if (std::optional<std::string> version = invocation.Value("--version")) {
    absl::StatusOr<std::int64_t> number = ParseCount("--version", *version, 1);
    if (!number.ok()) return invocation.UsageError(number.status());
    request.set_version(*number);
  }
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::StateMachine machine;
  grpc::Status status = v1::StateMachines::NewStub(connection->channel())
                            ->DescribeStateMachine(connection->Context().get(), request, &machine);
  if (!status.ok()) return connection->Fail("machine describe " + request.name(), status);
  if (invocation.options().json) {
    PrintJsonLine(machine, std::cout);
  } else {
    PrintMachine(machine, /*with_definition=*/true);
  }
  return kExitOk;
}

int List(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  auto stub = v1::StateMachines::NewStub(connection->channel());
  // Every page, gathered into one response: machines are few, and a list that stops at a page
  // boundary would look complete when it is not.
  v1::ListStateMachinesResponse all;
  v1::ListStateMachinesRequest request;
  request.set_page_size(1000);
  do {
    v1::ListStateMachinesResponse page;
    grpc::Status status = stub->ListStateMachines(connection->Context().get(), request, &page);
    if (!status.ok()) return connection->Fail("machine list", status);
    for (v1::StateMachine& machine : *page.mutable_state_machines()) {
      *all.add_state_machines() = std::move(machine);
    }
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty());
  if (invocation.options().json) {
    PrintJsonLine(all, std::cout);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::StateMachine& machine : all.state_machines()) {
    rows.push_back({machine.name(), std::to_string(machine.latest_version()),
                    FormatTime(machine.created_at())});
  }
  PrintTable({"NAME", "VERSION", "UPDATED"}, rows, std::cout);
  return kExitOk;
}

int Delete(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::DeleteStateMachineRequest request;
  request.set_name(invocation.args()[0]);
  v1::DeleteStateMachineResponse response;
  grpc::Status status = v1::StateMachines::NewStub(connection->channel())
                            ->DeleteStateMachine(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("machine delete " + request.name(), status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    std::cout << "deleted state machine " << request.name() << "\n";
  }
  return kExitOk;
}

// Prints like the local `stepwise validate`, so that editors and scripts read both alike.
int Validate(const Invocation& invocation) {
  const std::string& file = invocation.args()[0];
  absl::StatusOr<std::string> definition = ReadFileArgument("the definition file", file);
  if (!definition.ok()) return invocation.UsageError(definition.status());
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::ValidateStateMachineRequest request;
  request.set_definition(*definition);
  v1::ValidateStateMachineResponse response;
  grpc::Status status = v1::StateMachines::NewStub(connection->channel())
                            ->ValidateStateMachine(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("machine validate " + file, status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    PrintDiagnostics(file, FromProto(response.diagnostics()), std::cout);
    if (response.valid()) std::cout << file << ": ok\n";
  }
  return response.valid() ? kExitOk : kExitFailed;
}

std::vector<ClientCommand> MachineCommands() {
  return {
      {"machine create",
       {"NAME", "FILE"},
       {},
       R"(usage: stepwise machine create NAME FILE

Stores the definition in FILE (Amazon States Language, JSON) as version 1 of state machine
NAME. The server checks it: a definition with errors is refused, each error printed with its
location. Creating the same name with the same definition again is a no-op.
)",
       [](const Invocation& invocation) { return CreateOrUpdate(invocation, false); }},
      {"machine update",
       {"NAME", "FILE"},
       {},
       R"(usage: stepwise machine update NAME FILE

Stores the definition in FILE as the next version of state machine NAME. Running executions
keep the version they started on.
)",
       [](const Invocation& invocation) { return CreateOrUpdate(invocation, true); }},
      {"machine describe",
       {"NAME"},
       {{"--version", true}},
       R"(usage: stepwise machine describe NAME [--version N]

Prints a state machine and its definition.

  --version N   that version (default: the latest)
)",
       Describe},
      {"machine list",
       {},
       {},
       R"(usage: stepwise machine list

Lists every state machine with its latest version.
)",
       List},
      {"machine delete",
       {"NAME"},
       {},
       R"(usage: stepwise machine delete NAME

Deletes a state machine and all its versions. Refused while executions of it are running.
)",
       Delete},
      {"machine validate",
       {"FILE"},
       {},
       R"(usage: stepwise machine validate FILE

Has the server check the definition in FILE without storing it, and prints each problem as
FILE: error: /pointer: message. Exits 1 when the definition has errors.
)",
       Validate},
  };
}

}  // namespace
}  // namespace client

int RunMachine(const std::vector<std::string>& args) {
  return client::RunGroup("machine", client::MachineCommands(), args);
}

}  // namespace stepwise::cli
