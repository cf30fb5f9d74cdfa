// Child executions: a Task whose Resource is arn:aws:states:::states:startExecution (with
// .sync, .sync:2 or .waitForTaskToken, or none) starts an execution of another machine. The
// engine does this work itself; such tasks never reach a worker.
//
// Durability: the parent's task record stays stored until the task completes, so Recover()
// re-issues the start (idempotent: the child's name is fixed by the parent's attempt unless
// Parameters.Name gives one) and, for .sync, completes the parent at once if the child has
// already ended. A child whose parent waits carries the parent's task token in its own start
// record, and its final step's release completes the parent's task.
#include <cstdio>
#include <string>
#include <utility>

#include "engine_impl.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

// "arn:aws:states:REGION:ACCOUNT:stateMachine:NAME" (or a plain name) -> NAME.
std::string MachineName(const std::string& arn) {
  auto colon = arn.rfind(':');
  return colon == std::string::npos ? arn : arn.substr(colon + 1);
}

// A name of the parent's attempt: the same every time that attempt is (re-)issued, so a start
// repeated after a crash finds the child it started before; another attempt (a retry) starts
// another child.
std::string DefaultChildName(const std::string& parent_id, const TaskRef& task) {
  std::uint64_t hash = 14695981039346656037ull;  // FNV-1a
  for (unsigned char c : parent_id) hash = (hash ^ c) * 1099511628211ull;
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%016llx-%llu-%llu", static_cast<unsigned long long>(hash),
                static_cast<unsigned long long>(task.frame),
                static_cast<unsigned long long>(task.seq));
  return buffer;
}

// The AWS error a failed StartExecution call raises in the parent's task.
std::string StartErrorName(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kNotFound:
      return "StepFunctions.StateMachineDoesNotExistException";
    case absl::StatusCode::kAlreadyExists:
      return "StepFunctions.ExecutionAlreadyExistsException";
    case absl::StatusCode::kInvalidArgument:
      return "StepFunctions.InvalidExecutionInputException";
    default:
      return "States.TaskFailed";
  }
}

bool IsSync(TaskIntegration integration) {
  return integration == TaskIntegration::kStartExecutionSync ||
         integration == TaskIntegration::kStartExecutionSync2;
}

// DescribeExecution's answer, as a .sync task outputs it (and its Cause carries it on failure):
// Input and Output as JSON text, or as JSON values for .sync:2.
json DescribeJson(const ExecutionSummary& child, bool as_json) {
  auto payload = [as_json](const json& value) { return as_json ? value : json(value.dump()); };
  json out = {
      {"ExecutionArn", child.info.execution_id}, {"Input", payload(child.input)},
      {"InputDetails", {{"Included", true}}},    {"Name", child.info.name},
      {"StartDate", child.info.start_time},      {"StateMachineArn", child.info.state_machine_id},
      {"Status", StatusName(child.status)},      {"StopDate", child.stop_time}};
  if (child.status == ExecutionStatus::kSucceeded) {
    out["Output"] = payload(child.output);
    out["OutputDetails"] = {{"Included", true}};
  } else {
    out["Error"] = child.error;
    out["Cause"] = child.cause;
  }
  if (child.redrive_count > 0) out["RedriveCount"] = child.redrive_count;
  return out;
}

// What the child is started with: Parameters.Input as given (an object, or a string holding
// JSON), {} when absent.
absl::StatusOr<json> ChildInput(const json& parameters) {
  auto input = parameters.find("Input");
  if (input == parameters.end() || input->is_null()) return json::object();
  if (!input->is_string()) return *input;
  json parsed = json::parse(input->get_ref<const std::string&>(), nullptr,
                            /*allow_exceptions=*/false);
  if (parsed.is_discarded()) {
    return absl::InvalidArgumentError("Parameters.Input is a string that does not hold JSON");
  }
  return parsed;
}

}  // namespace

void Engine::Impl::LaunchChild(const std::string& parent_id, const ScheduleTask& task) {
  std::string token = MakeTaskToken(parent_id, task.task);
  const json& parameters = task.input;
  auto input = ChildInput(parameters);
  if (!input.ok()) {
    return FailParentTask(token, StartErrorName(input.status()),
                          std::string(input.status().message()));
  }
  std::string name = DefaultChildName(parent_id, task.task);
  if (auto given = parameters.find("Name"); given != parameters.end() && !given->is_null()) {
    if (!given->is_string() || given->get_ref<const std::string&>().empty()) {
      return FailParentTask(token, "StepFunctions.InvalidNameException",
                            "Parameters.Name must be a non-empty string");
    }
    name = given->get<std::string>();
  }
  StartJob start =
      MakeStart(MachineName(parameters.at("StateMachineArn").get<std::string>()), name, *input);
  start.info.parent_execution_id = parent_id;
  if (IsSync(task.integration)) {
    start.info.parent_task_token = token;
    start.info.parent_wants_json = task.integration == TaskIntegration::kStartExecutionSync2;
  }
  std::string child_id = start.info.execution_id;
  Submit(child_id, std::move(start), [this, parent_id, task, token, child_id](absl::Status status) {
    if (Transient(status))
      return RetryLater([this, parent_id, task] { LaunchChild(parent_id, task); });
    if (!status.ok()) {
      return FailParentTask(token, StartErrorName(status), std::string(status.message()));
    }
    if (task.integration == TaskIntegration::kStartExecutionCallback) {
      // Started: the task now waits for its token; a restart need not start the child again.
      Submit(parent_id, AcknowledgeJob{task.task}, nullptr);
      return;
    }
    auto child = store.DescribeExecution(child_id);
    if (!child.ok()) {
      return RetryLater([this, parent_id, task] { LaunchChild(parent_id, task); });
    }
    if (task.integration == TaskIntegration::kStartExecution) {
      return CompleteParentTask(
          token, {{"ExecutionArn", child_id}, {"StartDate", child->info.start_time}});
    }
    // .sync: the child's end completes the task; one that has ended already (a start repeated
    // after a restart, or a child that ran to its end in its first step) does so now. A second
    // completion of the same attempt is refused as stale, so both paths may run.
    if (child->status != ExecutionStatus::kRunning) {
      child->info.parent_task_token = token;
      child->info.parent_wants_json = task.integration == TaskIntegration::kStartExecutionSync2;
      NotifyParent(*child);
    }
  });
}

void Engine::Impl::NotifyParent(const ExecutionSummary& child) {
  const std::string& token = child.info.parent_task_token;
  if (token.empty()) return;
  if (child.status == ExecutionStatus::kSucceeded) {
    return CompleteParentTask(token, DescribeJson(child, child.info.parent_wants_json));
  }
  FailParentTask(token, "States.TaskFailed",
                 DescribeJson(child, child.info.parent_wants_json).dump());
}

void Engine::Impl::CompleteParentTask(const std::string& token, json output) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return;
  Submit(parsed->execution_id, Event{TaskSucceeded{parsed->task, output}},
         [this, token, output](absl::Status status) {
           // Stale (the task timed out, the parent was stopped) is an answer too.
           if (Transient(status)) {
             RetryLater([this, token, output] { CompleteParentTask(token, output); });
           }
         });
}

void Engine::Impl::FailParentTask(const std::string& token, const std::string& error,
                                  const std::string& cause) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (!parsed) return;
  Submit(parsed->execution_id, Event{TaskFailed{parsed->task, error, cause}},
         [this, token, error, cause](absl::Status status) {
           if (Transient(status)) {
             RetryLater([this, token, error, cause] { FailParentTask(token, error, cause); });
           }
         });
}

}  // namespace stepwise::engine
