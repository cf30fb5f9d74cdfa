// The states that finish within one step: Pass, Choice, Succeed and Fail, and Wait's start.
#include <string>
#include <utility>

#include "state_events.h"
#include "step_runner.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

// How AWS quotes a value in Cause texts: strings bare, everything else as JSON.
std::string Shown(const json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

}  // namespace

bool StepRunner::RunPass(Frame& frame, const dsl::PassState& pass) {
  const dsl::State& current = Current(frame);
  FrameId id = frame.id;
  bool result_replaces_input = current.result_path && current.result_path->text() == "$";
  auto effective = EffectiveInput(frame, /*keep_raw=*/!result_replaces_input);
  if (!effective.ok()) return FailFrame(frame, effective.error()), false;
  json result;
  if (pass.result) {
    result = *pass.result;
  } else {
    auto parameters = ApplyTemplate(frame, current.parameters, std::move(effective).value());
    if (!parameters.ok()) return FailFrame(frame, parameters.error()), false;
    result = std::move(parameters).value();
  }
  auto output = StateOutput(frame, current.result_path, std::move(result));
  if (!output.ok()) return FailFrame(frame, output.error()), false;
  return ExitState(frame, std::move(output).value()) && Find(id) != nullptr;
}

bool StepRunner::RunChoice(Frame& frame, const dsl::ChoiceState& choice) {
  auto effective = EffectiveInput(frame, /*keep_raw=*/false);
  if (!effective.ok()) return FailFrame(frame, effective.error()), false;
  const json& input = effective.value();
  dsl::EvalScope scope = Scope(input, Context(frame));
  int next = -1;
  for (const auto& branch : choice.choices) {
    auto matched = branch.rule.Evaluate(scope);
    if (!matched.ok()) {
      return FailFrame(frame, RuntimeError(frame, std::string(matched.status().message()))), false;
    }
    if (*matched) {
      next = branch.next;
      break;
    }
  }
  if (next < 0) next = choice.default_next;
  if (next < 0) {
    return FailFrame(frame, dsl::StatesError{"States.NoChoiceMatched",
                                             "No Choice Rules matched and no Default was "
                                             "specified in the state '" +
                                                 Current(frame).name + "'"}),
           false;
  }
  auto output = ApplyOutputPath(frame, std::move(effective).value());
  if (!output.ok()) return FailFrame(frame, output.error()), false;
  return ExitState(frame, std::move(output).value(), next);
}

bool StepRunner::RunWait(Frame& frame, const dsl::WaitState& wait) {
  auto effective = EffectiveInput(frame, /*keep_raw=*/false);
  if (!effective.ok()) return FailFrame(frame, effective.error()), false;
  const json& input = effective.value();
  std::int64_t due = at_.now;
  if (wait.seconds.literal) {
    due += *wait.seconds.literal * 1000;
  } else if (wait.seconds.path) {
    const dsl::JsonPath& path = *wait.seconds.path;
    auto value = path.Evaluate(path.is_context() ? Context(frame) : input);
    if (!value.ok()) {
      return FailFrame(frame, RuntimeError(frame, "Invalid path '" + path.text() + "' : " +
                                                      std::string(value.status().message()))),
             false;
    }
    if (!value->is_number_integer() && !value->is_number_unsigned()) {
      return FailFrame(frame, RuntimeError(frame,
                                           "The SecondsPath parameter cannot be parsed as "
                                           "a long value: " +
                                               path.text() + " == " + Shown(*value))),
             false;
    }
    std::int64_t seconds = value->get<std::int64_t>();
    if (seconds < 0) {
      return FailFrame(frame, RuntimeError(frame,
                                           "The SecondsPath parameter references a "
                                           "negative value: " +
                                               path.text() + " == " + Shown(*value))),
             false;
    }
    due += seconds * 1000;
  } else if (!wait.timestamp_text.empty()) {
    if (!wait.timestamp) {
      return FailFrame(frame, RuntimeError(frame,
                                           "The Timestamp field cannot be parsed as an "
                                           "ISO-8601 extended offset date-time format "
                                           "string: " +
                                               wait.timestamp_text)),
             false;
    }
    due = wait.timestamp->epoch_seconds * 1000 + wait.timestamp->nanos / 1000000;
  } else if (wait.timestamp_path) {
    const dsl::JsonPath& path = *wait.timestamp_path;
    auto value = path.Evaluate(path.is_context() ? Context(frame) : input);
    if (!value.ok()) {
      return FailFrame(frame, RuntimeError(frame, "Invalid path '" + path.text() + "' : " +
                                                      std::string(value.status().message()))),
             false;
    }
    std::optional<dsl::Timestamp> when;
    if (value->is_string()) when = dsl::ParseTimestamp(value->get_ref<const std::string&>());
    if (!when) {
      return FailFrame(frame, RuntimeError(frame,
                                           "The TimestampPath parameter does not "
                                           "reference a valid ISO-8601 extended offset "
                                           "date-time format string: " +
                                               path.text() + " == " + Shown(*value))),
             false;
    }
    due = when->epoch_seconds * 1000 + when->nanos / 1000000;
  }
  auto output = ApplyOutputPath(frame, std::move(effective).value());
  if (!output.ok()) return FailFrame(frame, output.error()), false;
  frame.input = std::move(output).value();  // what the state emits when the timer fires
  step_.inputs_changed.push_back(frame.id);
  frame.phase = FramePhase::kWaiting;
  ArmTimer(frame, TimerKind::kWait, due);
  Touch(frame);
  return false;
}

bool StepRunner::RunSucceed(Frame& frame) {
  auto effective = EffectiveInput(frame, /*keep_raw=*/false);
  if (!effective.ok()) return FailFrame(frame, effective.error()), false;
  auto output = ApplyOutputPath(frame, std::move(effective).value());
  if (!output.ok()) return FailFrame(frame, output.error()), false;
  if (auto too_big = CheckSize(frame, output.value())) return FailFrame(frame, *too_big), false;
  HistoryEvent& exited = RecordState(ExitedEventType(Current(frame)), frame);
  if (options_.history_payloads) exited.details["output"] = output.value();
  FinishFrame(frame, std::move(output).value());
  return false;
}

bool StepRunner::RunFail(Frame& frame, const dsl::FailState& fail) {
  dsl::StatesError error;
  auto resolve = [&](const std::optional<std::string>& literal,
                     const std::optional<dsl::DynamicValue>& dynamic, const char* field,
                     std::string& out) -> bool {
    if (literal) {
      out = *literal;
      return true;
    }
    if (!dynamic) return true;
    auto value = dynamic->Evaluate(Scope(frame.input, Context(frame)), field);
    if (!value.ok()) {
      dsl::StatesError raised = value.error();
      if (raised.error == "States.Runtime") raised = RuntimeError(frame, raised.cause);
      FailFrame(frame, std::move(raised));
      return false;
    }
    out = Shown(value.value());
    return true;
  };
  if (!resolve(fail.error, fail.error_path, "ErrorPath", error.error)) return false;
  if (!resolve(fail.cause, fail.cause_path, "CausePath", error.cause)) return false;
  FailFrame(frame, std::move(error));
  return false;
}

}  // namespace stepwise::engine
