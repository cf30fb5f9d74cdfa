// `exec start`, `exec stop`, `exec redrive`: the calls that change an execution.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>

#include "api/proto/stepwise.grpc.pb.h"
#include "client/argument_values.h"
#include "client/connection.h"
#include "client/exec_commands.h"
#include "client/execution_output.h"
#include "client/output.h"

namespace stepwise::cli::client {
namespace {

// What StartSyncExecution waits when given no timeout (see the .proto).
constexpr std::int64_t kDefaultSyncTimeoutMs = 60'000;

// The input text of `exec start`, or an error for the usage message; "" lets the server use
// its default ({}) rather than the client guessing it.
absl::StatusOr<std::string> StartInput(const Invocation& invocation) {
  std::optional<std::string> text = invocation.Value("--input");
  std::optional<std::string> file = invocation.Value("--input-file");
  if (text && file) {
    return absl::InvalidArgumentError("give the input once: --input JSON or --input-file FILE");
  }
  if (file) return ReadFileArgument("--input-file", *file);
  return text.value_or("");
}

int StartSync(const Invocation& invocation, const Connection& connection,
              v1::StartExecutionRequest start) {
  v1::StartSyncExecutionRequest request;
  if (std::optional<std::string> timeout = invocation.Value("--timeout")) {
    absl::StatusOr<std::int64_t> millis = ParseSecondsAsMillis("--timeout", *timeout);
    if (!millis.ok()) return invocation.UsageError(millis.status());
    request.set_timeout_ms(*millis);
  }
  *request.mutable_start() = std::move(start);
  std::int64_t wait_ms = request.timeout_ms() > 0 ? request.timeout_ms() : kDefaultSyncTimeoutMs;
  v1::Execution execution;
  grpc::Status status =
      v1::Executions::NewStub(connection.channel())
          ->StartSyncExecution(connection.Context(std::chrono::milliseconds(wait_ms)).get(),
                               request, &execution);
  if (!status.ok()) {
    return connection.Fail("exec start " + request.start().state_machine(), status);
  }
  if (invocation.options().json) {
    PrintJsonLine(execution, std::cout);
  } else {
    PrintExecution(execution, std::cout);
  }
  return execution.status() == v1::SUCCEEDED ? kExitOk : kExitFailed;
}

}  // namespace

int ExecStart(const Invocation& invocation) {
  if (invocation.Has("--timeout") && !invocation.Has("--sync")) {
    return invocation.UsageError("--timeout applies to --sync only");
  }
  absl::StatusOr<std::string> input = StartInput(invocation);
  if (!input.ok()) return invocation.UsageError(input.status());
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::StartExecutionRequest request;
  request.set_state_machine(invocation.args()[0]);
  request.set_name(invocation.Value("--name").value_or(""));
  request.set_input(*std::move(input));
  if (invocation.Has("--sync")) return StartSync(invocation, *connection, std::move(request));

  v1::StartExecutionResponse response;
  grpc::Status status = v1::Executions::NewStub(connection->channel())
                            ->StartExecution(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("exec start " + request.state_machine(), status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    // The id alone, so that `ID=$(stepwise exec start M)` works.
    std::cout << response.execution_id() << "\n";
  }
  return kExitOk;
}

int ExecStop(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::StopExecutionRequest request;
  request.set_execution_id(invocation.args()[0]);
  request.set_error(invocation.Value("--error").value_or(""));
  request.set_cause(invocation.Value("--cause").value_or(""));
  v1::StopExecutionResponse response;
  grpc::Status status = v1::Executions::NewStub(connection->channel())
                            ->StopExecution(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("exec stop " + request.execution_id(), status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    std::cout << "stopped " << request.execution_id() << " at " << FormatTime(response.stop_time())
              << "\n";
  }
  return kExitOk;
}

int ExecRedrive(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::RedriveExecutionRequest request;
  request.set_execution_id(invocation.args()[0]);
  v1::RedriveExecutionResponse response;
  grpc::Status status = v1::Executions::NewStub(connection->channel())
                            ->RedriveExecution(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("exec redrive " + request.execution_id(), status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    std::cout << "redrove " << request.execution_id() << " at "
              << FormatTime(response.redrive_time()) << " (redrive " << response.redrive_count()
              << ")\n";
  }
  return kExitOk;
}

}  // namespace stepwise::cli::client
