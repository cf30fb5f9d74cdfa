// `stepwise function register|describe|list|workers`: functions' limits and state (circuit,
// invocations in flight, counts), and the workers serving them.
#include <chrono>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "client/argument_values.h"
#include "client/client_command.h"
#include "client/connection.h"
#include "client/output.h"
#include "commands.h"

namespace stepwise::cli {
namespace client {
namespace {

std::string Seconds(std::int64_t millis) {
  std::string text = std::to_string(millis / 1000);
  if (millis % 1000 != 0) {
    std::string fraction = std::to_string(1000 + millis % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    text += "." + fraction;
  }
  return text + " s";
}

void PrintFunction(const v1::FunctionDescription& function) {
  const v1::FunctionLimits& limits = function.limits();
  const v1::CircuitBreakerLimits& breaker = limits.circuit_breaker();
  std::string rate = limits.rate_per_second() > 0
                         ? std::to_string(limits.rate_per_second()) + " per second"
                         : "no limit";
  std::string circuit = function.circuit();
  if (function.has_circuit_open_until()) {
    circuit += " until " + FormatTime(function.circuit_open_until());
  }
  Fields fields = {
      {"name", limits.name()},
      {"registered", function.registered() ? "yes" : "no (the defaults)"},
      {"timeout", Seconds(limits.timeout_seconds() * 1000)},
      {"max concurrency", std::to_string(limits.max_concurrency())},
      {"rate", rate},
      {"circuit breaker", std::to_string(breaker.failure_threshold()) + " failures within " +
                              Seconds(breaker.window_ms()) + " open it for " +
                              Seconds(breaker.open_ms()) + ", then " +
                              std::to_string(breaker.half_open_probes()) + " trial(s)"},
      {"circuit", circuit},
      {"in flight", std::to_string(function.in_flight())},
      {"succeeded", std::to_string(function.succeeded())},
      {"failed", std::to_string(function.failed())},
      {"refused", std::to_string(function.refused()) + " (circuit open)"},
      {"circuit opened", std::to_string(function.circuit_opened()) + " time(s)"},
  };
  PrintFields(fields, std::cout);
}

// Sets the request's limits from the flags given; a flag not given keeps the server's default.
absl::Status ReadLimitFlags(const Invocation& invocation, v1::FunctionLimits& limits) {
  v1::CircuitBreakerLimits& breaker = *limits.mutable_circuit_breaker();
  if (auto value = invocation.Value("--timeout")) {
    auto seconds = ParseCount("--timeout", *value, 1);
    if (!seconds.ok()) return seconds.status();
    limits.set_timeout_seconds(*seconds);
  }
  if (auto value = invocation.Value("--max-concurrency")) {
    auto count = ParseCount("--max-concurrency", *value, 1);
    if (!count.ok()) return count.status();
    limits.set_max_concurrency(static_cast<int>(*count));
  }
  if (auto value = invocation.Value("--rate")) {
    auto millis = ParseSecondsAsMillis("--rate", *value);  // a non-negative decimal
    if (!millis.ok()) return millis.status();
    limits.set_rate_per_second(static_cast<double>(*millis) / 1000.0);
  }
  if (auto value = invocation.Value("--failure-threshold")) {
    auto count = ParseCount("--failure-threshold", *value, 0);
    if (!count.ok()) return count.status();
    breaker.set_failure_threshold(static_cast<int>(*count));
  }
  if (auto value = invocation.Value("--window")) {
    auto millis = ParseSecondsAsMillis("--window", *value);
    if (!millis.ok()) return millis.status();
    breaker.set_window_ms(*millis);
  }
  if (auto value = invocation.Value("--open")) {
    auto millis = ParseSecondsAsMillis("--open", *value);
    if (!millis.ok()) return millis.status();
    breaker.set_open_ms(*millis);
  }
  if (auto value = invocation.Value("--probes")) {
    auto count = ParseCount("--probes", *value, 1);
    if (!count.ok()) return count.status();
    breaker.set_half_open_probes(static_cast<int>(*count));
  }
  return absl::OkStatus();
}

int Register(const Invocation& invocation) {
  v1::RegisterFunctionRequest request;
  request.mutable_limits()->set_name(invocation.args()[0]);
  if (absl::Status read = ReadLimitFlags(invocation, *request.mutable_limits()); !read.ok()) {
    return invocation.UsageError(read);
  }
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::RegisterFunctionResponse response;
  grpc::Status status = v1::Functions::NewStub(connection->channel())
                            ->RegisterFunction(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("function register", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    PrintFunction(response.function());
  }
  return kExitOk;
}

int Describe(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::DescribeFunctionRequest request;
  request.set_name(invocation.args()[0]);
  v1::FunctionDescription response;
  grpc::Status status = v1::Functions::NewStub(connection->channel())
                            ->DescribeFunction(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("function describe", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    PrintFunction(response);
  }
  return kExitOk;
}

int List(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::ListFunctionsResponse response;
  grpc::Status status =
      v1::Functions::NewStub(connection->channel())
          ->ListFunctions(connection->Context().get(), v1::ListFunctionsRequest(), &response);
  if (!status.ok()) return connection->Fail("function list", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::FunctionDescription& function : response.functions()) {
    rows.push_back({function.limits().name(), function.registered() ? "yes" : "no",
                    function.circuit(), std::to_string(function.in_flight()),
                    std::to_string(function.limits().max_concurrency()),
                    std::to_string(function.succeeded()), std::to_string(function.failed()),
                    std::to_string(function.refused())});
  }
  PrintTable(
      {"NAME", "REGISTERED", "CIRCUIT", "IN FLIGHT", "MAX", "SUCCEEDED", "FAILED", "REFUSED"}, rows,
      std::cout);
  return kExitOk;
}

int Workers(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::ListWorkersResponse response;
  grpc::Status status =
      v1::Functions::NewStub(connection->channel())
          ->ListWorkers(connection->Context().get(), v1::ListWorkersRequest(), &response);
  if (!status.ok()) return connection->Fail("function workers", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
    return kExitOk;
  }
  std::vector<std::vector<std::string>> rows;
  for (const v1::WorkerDescription& worker : response.workers()) {
    std::string functions;
    for (const std::string& function : worker.functions()) {
      functions += (functions.empty() ? "" : ",") + function;
    }
    rows.push_back({worker.name(), worker.host(), functions, FormatTime(worker.last_contact()),
                    std::to_string(worker.polls_waiting()),
                    std::to_string(worker.tasks_received())});
  }
  PrintTable({"WORKER", "HOST", "FUNCTIONS", "LAST CONTACT", "POLLING", "TASKS"}, rows, std::cout);
  return kExitOk;
}

std::vector<ClientCommand> FunctionCommands() {
  return {
      {"function register",
       {"NAME"},
       {{"--timeout", true},
        {"--max-concurrency", true},
        {"--rate", true},
        {"--failure-threshold", true},
        {"--window", true},
        {"--open", true},
        {"--probes", true}},
       R"(usage: stepwise function register NAME [limits]

Registers the limits a function runs under, or changes them; the server keeps them across
restarts (a --functions file given to the server wins over them). A limit not given takes the
server's default.

  --timeout SECONDS           the per-invocation time limit (default 900)
  --max-concurrency N         invocations in flight at most (default 1000)
  --rate N                    invocations started per second at most (0: no limit)
  --failure-threshold N       failures within the window that open the circuit (0: never)
  --window SECONDS            the circuit breaker's window (default 60)
  --open SECONDS              how long the circuit stays open (default 30)
  --probes N                  trial invocations while half-open (default 1)
)",
       Register},
      {"function describe",
       {"NAME"},
       {},
       R"(usage: stepwise function describe NAME

A function's limits and state: its circuit, invocations in flight, and what its invocations
did since the server started.
)",
       Describe},
      {"function list",
       {},
       {},
       R"(usage: stepwise function list

Every function registered or invoked since the server started.
)",
       List},
      {"function workers",
       {},
       {},
       R"(usage: stepwise function workers

The workers heard from in the last hour: what they serve and when they last called.
)",
       Workers},
  };
}

}  // namespace
}  // namespace client

int RunFunction(const std::vector<std::string>& args) {
  return client::RunGroup("function", client::FunctionCommands(), args);
}

}  // namespace stepwise::cli
