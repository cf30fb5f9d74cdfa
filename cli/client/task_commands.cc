// `stepwise task poll|succeed|fail|heartbeat`: the worker protocol by hand, for scripts, for
// completing `.waitForTaskToken` callbacks, and for seeing what a function is being asked.
#include <unistd.h>

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

// What PollTask waits when given no wait (see the .proto).
constexpr std::int64_t kDefaultPollWaitMs = 20'000;

// "stepwise-cli@HOST:PID": who polled, as the server records it.
std::string WorkerName() {
  char host[256] = {};
  if (gethostname(host, sizeof host - 1) != 0) host[0] = '\0';
  return "stepwise-cli@" + std::string(host) + ":" + std::to_string(getpid());
}

int Poll(const Invocation& invocation) {
  v1::PollTaskRequest request;
  for (const std::string& function : invocation.args()) request.add_functions(function);
  request.set_worker(WorkerName());
  if (std::optional<std::string> wait = invocation.Value("--wait")) {
    absl::StatusOr<std::int64_t> millis = ParseSecondsAsMillis("--wait", *wait);
    if (!millis.ok()) return invocation.UsageError(millis.status());
    request.set_wait_ms(*millis);
  }
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  std::int64_t wait_ms = request.wait_ms() > 0 ? request.wait_ms() : kDefaultPollWaitMs;
  v1::PollTaskResponse response;
  grpc::Status status =
      v1::Tasks::NewStub(connection->channel())
          ->PollTask(connection->Context(std::chrono::milliseconds(wait_ms)).get(), request,
                     &response);
  if (!status.ok()) return connection->Fail("task poll", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
    return kExitOk;
  }
  // No task is not a failure: a worker polls again.
  if (!response.has_task()) {
    std::cerr << "no task came within " << wait_ms / 1000.0 << " s\n";
    return kExitOk;
  }
  const v1::Task& task = response.task();
  Fields fields = {
      {"token", task.token()},
      {"execution", task.execution_id()},
      {"state", task.state_name()},
      {"function", task.function()},
      {"resource", task.resource()},
      {"attempt", std::to_string(task.attempt())},
      {"deadline", FormatTime(task.deadline())},
  };
  if (task.heartbeat_seconds() > 0) {
    fields.push_back({"heartbeat", std::to_string(task.heartbeat_seconds()) + " s"});
  }
  if (task.callback()) fields.push_back({"callback", "yes (.waitForTaskToken)"});
  fields.push_back({"input", PrettyJson(task.input())});
  PrintFields(fields, std::cout);
  return kExitOk;
}

int Succeed(const Invocation& invocation) {
  std::optional<std::string> output = invocation.Value("--output");
  if (!output) return invocation.UsageError("--output JSON is required");
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::SucceedTaskRequest request;
  request.set_token(invocation.args()[0]);
  request.set_output(*output);
  v1::SucceedTaskResponse response;
  grpc::Status status = v1::Tasks::NewStub(connection->channel())
                            ->SucceedTask(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("task succeed", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    std::cout << "task succeeded\n";
  }
  return kExitOk;
}

int Fail(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::FailTaskRequest request;
  request.set_token(invocation.args()[0]);
  request.set_error(invocation.Value("--error").value_or(""));
  request.set_cause(invocation.Value("--cause").value_or(""));
  v1::FailTaskResponse response;
  grpc::Status status = v1::Tasks::NewStub(connection->channel())
                            ->FailTask(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("task fail", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else {
    std::cout << "task failed\n";
  }
  return kExitOk;
}

// Exits 1 when the task was cancelled, so that a script's heartbeat loop can stop on it.
int Heartbeat(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::HeartbeatTaskRequest request;
  request.set_token(invocation.args()[0]);
  v1::HeartbeatTaskResponse response;
  grpc::Status status = v1::Tasks::NewStub(connection->channel())
                            ->HeartbeatTask(connection->Context().get(), request, &response);
  if (!status.ok()) return connection->Fail("task heartbeat", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
  } else if (response.cancelled()) {
    std::cout << "cancelled: the execution no longer waits for this task; give it up\n";
  } else {
    std::cout << "ok\n";
  }
  return response.cancelled() ? kExitFailed : kExitOk;
}

std::vector<ClientCommand> TaskCommands() {
  return {
      {"task poll",
       {"FUNCTION..."},
       {{"--wait", true}},
       R"(usage: stepwise task poll FUNCTION... [--wait SECONDS]

Waits for one task of the named functions (or activity ARNs) and prints it with its token.
Prints nothing on stdout (and exits 0) when none came. The task is now leased to you: complete
it with `task succeed` or `task fail` before its deadline.

  --wait SECONDS   how long to wait for a task (default 20, at most 60)
)",
       Poll},
      {"task succeed",
       {"TOKEN"},
       {{"--output", true}},
       R"(usage: stepwise task succeed TOKEN --output JSON

Completes the task (or .waitForTaskToken callback) named by TOKEN with an output.

  --output JSON   the task's result (required)
)",
       Succeed},
      {"task fail",
       {"TOKEN"},
       {{"--error", true}, {"--cause", true}},
       R"(usage: stepwise task fail TOKEN [--error E] [--cause C]

Fails the task named by TOKEN; the state's Retry and Catch see the error.

  --error E   the error name (default States.TaskFailed)
  --cause C   a sentence saying why
)",
       Fail},
      {"task heartbeat",
       {"TOKEN"},
       {},
       R"(usage: stepwise task heartbeat TOKEN

Tells the server the task is still being worked on. Exits 1 when the task was cancelled (the
execution stopped, or the state timed out or moved on).
)",
       Heartbeat},
  };
}

}  // namespace
}  // namespace client

int RunTask(const std::vector<std::string>& args) {
  return client::RunGroup("task", client::TaskCommands(), args);
}

}  // namespace stepwise::cli
