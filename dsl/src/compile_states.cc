// The per-type halves of Compiler::CompileState: each checks the fields its type allows and
// fills State::spec.
#include <limits>
#include <string>
#include <vector>

#include "compiler.h"
#include "stepwise/dsl/choice_rule.h"
#include "stepwise/dsl/payload_template.h"
#include "stepwise/dsl/timestamp.h"

namespace stepwise::dsl::internal {

using nlohmann::json;

namespace {

// Fields the JSONata flavour and variables introduce; they get "not supported yet", not
// "unknown field".
const std::vector<std::string_view> kNotYetSupported = {"QueryLanguage", "Arguments", "Output",
                                                        "Assign", "Items"};

constexpr std::int64_t kMaxSeconds = 99999999;  // AWS's largest accepted timeout
constexpr double kUnbounded = std::numeric_limits<double>::max();

}  // namespace

std::optional<PayloadTemplate> Compiler::CompileTemplate(FieldReader& fields,
                                                         std::string_view key) {
  const json* value = fields.Get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_object()) {
    fields.Error(key, "'" + std::string(key) + "' must be a JSON object, not " +
                          DescribeType(*value));
    return std::nullopt;
  }
  return PayloadTemplate::Compile(*value, fields.PointerTo(key), diagnostics_);
}

void Compiler::CompileTransition(FieldReader& fields, State& state) {
  auto next = fields.NonEmptyString("Next");
  const json* end = fields.Get("End");
  bool ends = false;
  if (end != nullptr) {
    if (!end->is_boolean()) {
      fields.Error("End", "'End' must be true, not " + DescribeType(*end));
    } else if (!end->get<bool>()) {
      fields.Error("End", "'End' can only be true; to continue, use 'Next' instead");
    } else {
      ends = true;
    }
  }
  if (next && ends) {
    fields.Error("Next", "a state cannot have both 'Next' and 'End'; keep one of them");
  } else if (!fields.Has("Next") && end == nullptr) {
    fields.diagnostics().Error(fields.pointer(), "a " + state.type +
                                                     " state needs either 'Next' (the state "
                                                     "to go to) or \"End\": true");
  }
  state.transition.end = ends || !next;  // a broken transition is reported above
  if (next && !ends) {
    state.transition.end = false;
    state.transition.next_name = *next;
  }
}

void Compiler::CompilePass(FieldReader& fields, State& state) {
  fields.CheckKnownFields({"Type", "Comment", "Next", "End", "InputPath", "OutputPath",
                           "ResultPath", "Parameters", "Result"},
                          "a Pass state", kNotYetSupported);
  PassState pass;
  if (const json* result = fields.Get("Result")) pass.result = *result;
  state.parameters = CompileTemplate(fields, "Parameters");
  CompileTransition(fields, state);
  state.spec = std::move(pass);
}

void Compiler::CompileTask(FieldReader& fields, State& state) {
  fields.CheckKnownFields(
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
       "ResultSelector", "Retry", "Catch", "Resource", "TimeoutSeconds", "TimeoutSecondsPath",
       "HeartbeatSeconds", "HeartbeatSecondsPath", "Credentials"},
      "a Task state", kNotYetSupported);
  TaskState task;
  if (auto uri = fields.NonEmptyString("Resource", /*required=*/true)) {
    task.resource = ParseTaskResource(*uri);
  }
  task.timeout_seconds = fields.IntegerOrPath("TimeoutSeconds", 1, kMaxSeconds);
  task.heartbeat_seconds = fields.IntegerOrPath("HeartbeatSeconds", 1, kMaxSeconds);
  if (task.timeout_seconds.literal && task.heartbeat_seconds.literal &&
      *task.heartbeat_seconds.literal >= *task.timeout_seconds.literal) {
    fields.Error("HeartbeatSeconds", "'HeartbeatSeconds' must be smaller than 'TimeoutSeconds' (" +
                                         std::to_string(*task.timeout_seconds.literal) + ")");
  }
  if (const json* credentials = fields.Get("Credentials"); credentials && !credentials->is_object()) {
    fields.Error("Credentials", "'Credentials' must be an object, not " +
                                    DescribeType(*credentials));
  }
  state.parameters = CompileTemplate(fields, "Parameters");
  if (task.resource.kind == TaskResource::Kind::kLambdaInvoke) {
    const json* parameters = fields.Get("Parameters");
    if (parameters == nullptr || !parameters->is_object() ||
        !(parameters->contains("FunctionName") || parameters->contains("FunctionName.$"))) {
      fields.Error(parameters ? "Parameters" : "Resource",
                   "a Task on '" + task.resource.uri +
                       "' needs 'Parameters' with 'FunctionName' (the function to invoke)");
    }
  }
  state.result_selector = CompileTemplate(fields, "ResultSelector");
  CompileTransition(fields, state);
  CompileRetry(fields, state);
  CompileCatch(fields, state);
  state.spec = std::move(task);
}

void Compiler::CompileChoice(FieldReader& fields, State& state) {
  fields.CheckKnownFields({"Type", "Comment", "Choices", "Default", "InputPath", "OutputPath"},
                          "a Choice state", kNotYetSupported);
  if (fields.Has("Next") || fields.Has("End")) {
    fields.Error(fields.Has("Next") ? "Next" : "End",
                 "a Choice state moves on through its 'Choices' and 'Default', not 'Next'/'End'");
  }
  ChoiceState choice;
  const json* choices = fields.Get("Choices");
  if (choices == nullptr) {
    fields.diagnostics().Error(fields.pointer(), "missing required field 'Choices'");
  } else if (!choices->is_array() || choices->empty()) {
    fields.Error("Choices", "'Choices' must be a non-empty array of Choice Rules");
  } else {
    std::string pointer = fields.PointerTo("Choices");
    for (size_t i = 0; i < choices->size(); ++i) {
      const json& rule = (*choices)[i];
      std::string rule_pointer = JoinPointer(pointer, i);
      auto compiled = ChoiceRule::Compile(rule, rule_pointer, /*top_level=*/true, diagnostics_);
      if (!compiled || !rule.is_object()) continue;
      auto next = rule.find("Next");
      if (next == rule.end() || !next->is_string()) continue;  // reported by ChoiceRule
      choice.choices.push_back({*std::move(compiled), next->get<std::string>(), -1});
    }
  }
  choice.default_name = fields.NonEmptyString("Default").value_or("");
  state.transition.end = false;
  state.spec = std::move(choice);
}

void Compiler::CompileWait(FieldReader& fields, State& state) {
  fields.CheckKnownFields({"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "Seconds",
                           "SecondsPath", "Timestamp", "TimestampPath"},
                          "a Wait state", kNotYetSupported);
  WaitState wait;
  int given = 0;
  for (const char* key : {"Seconds", "SecondsPath", "Timestamp", "TimestampPath"}) {
    given += fields.Has(key) ? 1 : 0;
  }
  if (given != 1) {
    fields.diagnostics().Error(fields.pointer(),
                               "a Wait state needs exactly one of 'Seconds', 'SecondsPath', "
                               "'Timestamp' or 'TimestampPath'" +
                                   std::string(given == 0 ? "" : " (it has several)"));
  }
  wait.seconds.literal = fields.Integer("Seconds", 0, kMaxSeconds);
  wait.seconds.path = fields.Path("SecondsPath", JsonPath::Kind::kReferencePath);
  if (auto text = fields.String("Timestamp")) {
    wait.timestamp_text = *text;
    wait.timestamp = ParseTimestamp(*text);
    if (!wait.timestamp) {
      // AWS accepts such a definition and fails the execution when it reaches the state.
      fields.diagnostics().Warning(fields.PointerTo("Timestamp"),
                                   "'" + *text + "' is not an RFC 3339 timestamp such as "
                                   "2024-01-31T12:00:00Z; the state will fail with States.Runtime");
    }
  }
  wait.timestamp_path = fields.Path("TimestampPath", JsonPath::Kind::kReferencePath);
  CompileTransition(fields, state);
  state.spec = std::move(wait);
}

void Compiler::CompileFail(FieldReader& fields, State& state) {
  fields.CheckKnownFields({"Type", "Comment", "Error", "ErrorPath", "Cause", "CausePath"},
                          "a Fail state", kNotYetSupported);
  FailState fail;
  auto dynamic = [&](const char* key) -> std::optional<DynamicValue> {
    auto text = fields.String(key);
    if (!text) return std::nullopt;
    auto value = DynamicValue::Parse(*text);
    if (!value.ok()) {
      fields.Error(key, std::string(value.status().message()));
      return std::nullopt;
    }
    return *std::move(value);
  };
  for (auto [literal, path] : {std::pair{"Error", "ErrorPath"}, std::pair{"Cause", "CausePath"}}) {
    if (fields.Has(literal) && fields.Has(path)) {
      fields.Error(path, std::string("use either '") + literal + "' or '" + path + "', not both");
    }
  }
  fail.error = fields.String("Error");
  fail.error_path = dynamic("ErrorPath");
  fail.cause = fields.String("Cause");
  fail.cause_path = dynamic("CausePath");
  state.spec = std::move(fail);
}

void Compiler::CompileParallel(FieldReader& fields, State& state) {
  fields.CheckKnownFields({"Type", "Comment", "Next", "End", "InputPath", "OutputPath",
                           "ResultPath", "Parameters", "ResultSelector", "Retry", "Catch",
                           "Branches"},
                          "a Parallel state", kNotYetSupported);
  ParallelState parallel;
  const json* branches = fields.Get("Branches");
  if (branches == nullptr) {
    fields.diagnostics().Error(fields.pointer(), "missing required field 'Branches'");
  } else if (!branches->is_array() || branches->empty()) {
    fields.Error("Branches", "'Branches' must be a non-empty array of {StartAt, States} objects");
  } else {
    for (size_t i = 0; i < branches->size(); ++i) {
      auto graph = CompileGraph((*branches)[i], JoinPointer(fields.PointerTo("Branches"), i),
                                GraphKind::kBranch);
      if (graph) parallel.branches.push_back(std::move(graph));
    }
  }
  state.parameters = CompileTemplate(fields, "Parameters");
  state.result_selector = CompileTemplate(fields, "ResultSelector");
  CompileTransition(fields, state);
  CompileRetry(fields, state);
  CompileCatch(fields, state);
  state.spec = std::move(parallel);
}

void Compiler::CompileMap(FieldReader& fields, State& state) {
  fields.CheckKnownFields(
      {"Type", "Comment", "Next", "End", "InputPath", "OutputPath", "ResultPath", "Parameters",
       "ItemSelector", "ResultSelector", "Retry", "Catch", "ItemsPath", "ItemProcessor",
       "Iterator", "MaxConcurrency", "MaxConcurrencyPath", "ToleratedFailurePercentage",
       "ToleratedFailurePercentagePath", "ToleratedFailureCount", "ToleratedFailureCountPath",
       "Label", "ItemBatcher"},
      "a Map state",
      {"QueryLanguage", "Arguments", "Output", "Assign", "Items", "ItemReader", "ResultWriter"});
  MapState map;
  bool has_processor = fields.Has("ItemProcessor");
  bool has_iterator = fields.Has("Iterator");
  if (has_processor && has_iterator) {
    fields.Error("Iterator", "use either 'ItemProcessor' or the older 'Iterator', not both");
  } else if (!has_processor && !has_iterator) {
    fields.diagnostics().Error(fields.pointer(), "a Map state needs 'ItemProcessor' (the states "
                                                 "run for each item)");
  }
  const char* processor_key = has_processor ? "ItemProcessor" : "Iterator";
  if (const json* processor = fields.Get(processor_key)) {
    // The older 'Iterator' takes the same fields as 'ItemProcessor', ProcessorConfig included.
    map.processor =
        CompileGraph(*processor, fields.PointerTo(processor_key), GraphKind::kItemProcessor);
    if (processor->is_object() && processor->contains("ProcessorConfig")) {
      FieldReader config((*processor)["ProcessorConfig"],
                         JoinPointer(fields.PointerTo(processor_key), "ProcessorConfig"),
                         diagnostics_);
      if (!(*processor)["ProcessorConfig"].is_object()) {
        diagnostics_.Error(config.pointer(), "'ProcessorConfig' must be an object");
      } else {
        config.CheckKnownFields({"Mode", "ExecutionType"}, "ProcessorConfig");
        auto mode = config.String("Mode");
        if (mode && *mode != "INLINE" && *mode != "DISTRIBUTED") {
          config.Error("Mode", "'Mode' must be INLINE or DISTRIBUTED, not '" + *mode + "'");
        }
        map.distributed = mode && *mode == "DISTRIBUTED";
        map.execution_type = config.String("ExecutionType").value_or("");
        if (!map.execution_type.empty() && map.execution_type != "STANDARD" &&
            map.execution_type != "EXPRESS") {
          config.Error("ExecutionType", "'ExecutionType' must be STANDARD or EXPRESS, not '" +
                                            map.execution_type + "'");
        }
      }
    }
  }
  map.items_path = fields.PathOrDefault("ItemsPath", JsonPath::Kind::kReferencePath);
  if (fields.Has("ItemSelector") && fields.Has("Parameters")) {
    fields.Error("Parameters", "use either 'ItemSelector' or the older 'Parameters', not both");
  }
  map.item_selector = CompileTemplate(fields, fields.Has("ItemSelector") ? "ItemSelector"
                                                                         : "Parameters");
  state.result_selector = CompileTemplate(fields, "ResultSelector");
  map.max_concurrency = fields.IntegerOrPath("MaxConcurrency", 0, kMaxSeconds);
  map.tolerated_failure_percentage = fields.NumberOrPath("ToleratedFailurePercentage", 0, 100);
  map.tolerated_failure_count =
      fields.IntegerOrPath("ToleratedFailureCount", 0, std::numeric_limits<std::int32_t>::max());
  // Tolerated failures apply to inline Maps too (Stepwise runs them with the same rules).
  for (const char* key : {"Label", "ItemBatcher"}) {
    if (fields.Has(key) && !map.distributed) {
      fields.Error(key, std::string("'") + key + "' is only allowed when "
                        "ItemProcessor.ProcessorConfig.Mode is DISTRIBUTED");
    }
  }
  if (auto label = fields.String("Label")) {
    if (label->size() > 40 || label->find_first_of(" <>{}[]?*\"#%\\^|~`$&,;:/") != std::string::npos) {
      fields.Error("Label", "'Label' must be at most 40 characters without spaces or any of "
                            "<>{}[]?*\"#%\\^|~`$&,;:/");
    }
    map.label = *label;
  }
  if (const json* batcher = fields.Get("ItemBatcher")) {
    FieldReader batch(*batcher, fields.PointerTo("ItemBatcher"), diagnostics_);
    if (!batcher->is_object()) {
      fields.Error("ItemBatcher", "'ItemBatcher' must be an object");
    } else {
      batch.CheckKnownFields({"MaxItemsPerBatch", "MaxItemsPerBatchPath", "MaxInputBytesPerBatch",
                              "MaxInputBytesPerBatchPath", "BatchInput"},
                             "ItemBatcher");
      batch.IntegerOrPath("MaxItemsPerBatch", 1, std::numeric_limits<std::int32_t>::max());
      batch.IntegerOrPath("MaxInputBytesPerBatch", 1, 256 * 1024);
      if (const json* input = batch.Get("BatchInput"); input && !input->is_object()) {
        batch.Error("BatchInput", "'BatchInput' must be an object");
      }
      map.item_batcher = *batcher;
    }
  }
  CompileTransition(fields, state);
  CompileRetry(fields, state);
  CompileCatch(fields, state);
  state.spec = std::move(map);
}

}  // namespace stepwise::dsl::internal
