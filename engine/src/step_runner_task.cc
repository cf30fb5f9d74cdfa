// Task states: scheduling an invocation, and what its success, failure or timeout leads to.
#include <string>
#include <utility>

#include "step_runner.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine {

using nlohmann::json;
using Kind = dsl::TaskResource::Kind;

namespace {

// "arn:aws:lambda:REGION:ACCOUNT:function:NAME[:QUALIFIER]" (or a plain name) -> NAME.
std::string LambdaFunctionName(const std::string& function_name) {
  static constexpr std::string_view kMarker = ":function:";
  auto at = function_name.find(kMarker);
  if (at == std::string::npos) {
    if (function_name.rfind("function:", 0) == 0) return function_name.substr(9);
    return function_name;
  }
  std::string name = function_name.substr(at + kMarker.size());
  return name.substr(0, name.find(':'));
}

// What lambda:invoke hands the function: its Payload, where a string holding JSON arrives
// parsed and a missing or null Payload arrives as {} (as on AWS).
json LambdaPayload(json& parameters) {
  auto it = parameters.find("Payload");
  if (it == parameters.end() || it->is_null()) return json::object();
  if (it->is_string()) {
    json parsed =
        json::parse(it->get_ref<const std::string&>(), nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_discarded()) return parsed;
  }
  return std::move(*it);
}

// The compiler reads `function:NAME.waitForTaskToken` (and a Lambda ARN with that suffix) as a
// function whose name ends with the suffix; the callback pattern is taken off the name here.
constexpr std::string_view kCallbackSuffix = ".waitForTaskToken";

bool HasCallbackSuffix(const dsl::TaskResource& resource) {
  return resource.kind == Kind::kFunction && resource.name.size() > kCallbackSuffix.size() &&
         resource.name.ends_with(kCallbackSuffix);
}

TaskIntegration IntegrationOf(const dsl::TaskResource& resource) {
  using Pattern = dsl::TaskResource::Pattern;
  if (resource.kind == Kind::kStartExecution) {
    switch (resource.pattern) {
      case Pattern::kSync:
        return TaskIntegration::kStartExecutionSync;
      case Pattern::kSync2:
        return TaskIntegration::kStartExecutionSync2;
      case Pattern::kWaitForTaskToken:
        return TaskIntegration::kStartExecutionCallback;
      case Pattern::kRequestResponse:
        return TaskIntegration::kStartExecution;
    }
  }
  if (resource.pattern == Pattern::kWaitForTaskToken || HasCallbackSuffix(resource)) {
    return TaskIntegration::kCallback;
  }
  return TaskIntegration::kInvoke;
}

bool WaitsForToken(TaskIntegration integration) {
  return integration == TaskIntegration::kCallback ||
         integration == TaskIntegration::kStartExecutionCallback;
}

// lambda:invoke's result: the function's return value wrapped as the Lambda Invoke API answers.
json LambdaInvokeResult(json payload) {
  return json{{"ExecutedVersion", "$LATEST"},
              {"Payload", std::move(payload)},
              {"SdkHttpMetadata",
               {{"HttpHeaders", {{"Content-Type", "application/json"}}}, {"HttpStatusCode", 200}}},
              {"SdkResponseMetadata", {{"RequestId", "00000000-0000-0000-0000-000000000000"}}},
              {"StatusCode", 200}};
}

}  // namespace

bool StepRunner::RunTask(Frame& frame, const dsl::TaskState& task) {
  const dsl::State& current = Current(frame);
  FrameId id = frame.id;
  auto effective = EffectiveInput(frame, /*keep_raw=*/true);
  if (!effective.ok()) return HandleError(frame, effective.error()), StillRunning(id);
  const json& selected = effective.value();

  auto timeout = ResolveInteger(frame, task.timeout_seconds, selected, "TimeoutSecondsPath", 60);
  if (!timeout.ok()) return HandleError(frame, timeout.error()), StillRunning(id);
  auto heartbeat =
      ResolveInteger(frame, task.heartbeat_seconds, selected, "HeartbeatSecondsPath", 0);
  if (!heartbeat.ok()) return HandleError(frame, heartbeat.error()), StillRunning(id);
  if (timeout.value() <= 0 || heartbeat.value() < 0) {
    return HandleError(frame, RuntimeError(frame,
                                           "TimeoutSeconds and HeartbeatSeconds must be "
                                           "positive integers")),
           StillRunning(id);
  }

  TaskRef ref{frame.id, frame.seq};
  TaskIntegration integration = IntegrationOf(task.resource);
  bool with_token = WaitsForToken(integration);
  if (with_token) {
    state_.context["Task"] = {{"Token", MakeTaskToken(state_.info.execution_id, ref)}};
  }
  auto parameters = ApplyTemplate(frame, current.parameters, std::move(effective).value());
  if (with_token) state_.context.erase("Task");
  if (!parameters.ok()) return HandleError(frame, parameters.error()), StillRunning(id);

  ScheduleTask schedule;
  schedule.task = ref;
  schedule.state_name = current.name;
  schedule.resource = task.resource.uri;
  schedule.timeout_seconds = timeout.value();
  if (heartbeat.value() > 0) schedule.heartbeat_seconds = heartbeat.value();
  schedule.attempt = frame.retry_count;
  schedule.integration = integration;
  json input = std::move(parameters).value();
  if (StartsExecution(integration)) {
    auto machine = input.is_object() ? input.find("StateMachineArn") : input.end();
    if (!input.is_object() || machine == input.end() || !machine->is_string()) {
      return HandleError(frame, RuntimeError(frame,
                                             "The states:startExecution integration needs "
                                             "Parameters with a string 'StateMachineArn'")),
             StillRunning(id);
    }
    schedule.input = std::move(input);
  } else if (task.resource.kind == Kind::kLambdaInvoke) {
    auto name = input.is_object() ? input.find("FunctionName") : input.end();
    if (!input.is_object() || name == input.end() || !name->is_string()) {
      return HandleError(frame, RuntimeError(frame,
                                             "The lambda:invoke integration needs "
                                             "Parameters with a string 'FunctionName'")),
             StillRunning(id);
    }
    schedule.function = LambdaFunctionName(name->get<std::string>());
    schedule.input = LambdaPayload(input);
  } else {
    // An activity names no function: its workers poll for its whole ARN (as AWS's
    // GetActivityTask takes it), so its tasks go by the Resource, apart from any function of
    // the same name.
    if (task.resource.kind != Kind::kActivity) schedule.function = task.resource.name;
    if (HasCallbackSuffix(task.resource) && schedule.function.ends_with(kCallbackSuffix)) {
      schedule.function.resize(schedule.function.size() - kCallbackSuffix.size());
    }
    schedule.input = std::move(input);
  }
  // The state's input after Parameters is subject to the payload limit too (as on AWS).
  if (auto too_big = CheckSize(frame, schedule.input)) {
    return HandleError(frame, *too_big), StillRunning(id);
  }

  HistoryEvent& scheduled = Record("TaskScheduled");
  scheduled.details = {{"resource", task.resource.uri},
                       {"timeoutInSeconds", schedule.timeout_seconds}};
  if (schedule.heartbeat_seconds) {
    scheduled.details["heartbeatInSeconds"] = *schedule.heartbeat_seconds;
  }
  if (options_.history_payloads) scheduled.details["parameters"] = schedule.input;
  Record("TaskStarted").details = {{"resource", task.resource.uri}};

  frame.phase = FramePhase::kTask;
  ArmTimer(frame, TimerKind::kTaskTimeout, at_.now + schedule.timeout_seconds * 1000);
  frame.heartbeat_seconds = heartbeat.value();
  if (frame.heartbeat_seconds > 0) {
    frame.heartbeat_due = at_.now + frame.heartbeat_seconds * 1000;
    ArmTimer(frame, TimerKind::kHeartbeat, frame.heartbeat_due);
  }
  Touch(frame);
  step_.effects.push_back(std::move(schedule));
  return false;
}

void StepRunner::OnTaskSucceeded(Frame& frame, json output) {
  const dsl::State& current = Current(frame);
  const auto& task = std::get<dsl::TaskState>(current.spec);
  FrameId id = frame.id;
  EndWait(frame);
  frame.phase = FramePhase::kRunning;
  // A callback (.waitForTaskToken) outputs what the token was completed with, unwrapped.
  if (task.resource.kind == Kind::kLambdaInvoke &&
      task.resource.pattern != dsl::TaskResource::Pattern::kWaitForTaskToken) {
    output = LambdaInvokeResult(std::move(output));
  }
  HistoryEvent& succeeded = Record("TaskSucceeded");
  succeeded.details = {{"resource", task.resource.uri}};
  if (options_.history_payloads) succeeded.details["output"] = output;

  auto resume = [this, id] {
    if (StillRunning(id)) state_.ready.push_back(id);
  };
  if (auto too_big = CheckSize(frame, output)) return HandleError(frame, *too_big), resume();
  auto selected = ApplyTemplate(frame, current.result_selector, std::move(output));
  if (!selected.ok()) return HandleError(frame, selected.error()), resume();
  auto state_output = StateOutput(frame, current.result_path, std::move(selected).value());
  if (!state_output.ok()) {
    // A ResultPath that does not fit can be caught; an OutputPath that selects nothing is a
    // States.Runtime that AWS does not let the state's Catch handle.
    if (state_output.error().error == "States.Runtime") {
      return FailFrame(frame, state_output.error());
    }
    return HandleError(frame, state_output.error()), resume();
  }
  if (ExitState(frame, std::move(state_output).value())) resume();
}

void StepRunner::OnTaskFailed(Frame& frame, dsl::StatesError error, const char* event_type) {
  FrameId id = frame.id;
  if (std::string_view(event_type) == "TaskTimedOut") {
    step_.effects.push_back(CancelTask{{frame.id, frame.seq}});
  }
  EndWait(frame);
  frame.phase = FramePhase::kRunning;
  Record(event_type).details = {{"error", error.error}, {"cause", error.cause}};
  HandleError(frame, std::move(error));
  if (StillRunning(id)) state_.ready.push_back(id);
}

}  // namespace stepwise::engine
