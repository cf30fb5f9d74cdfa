// What the compiler builds for each state type, and the fields each type accepts.
#include <gtest/gtest.h>

#include "compile_test_util.h"
#include "stepwise/dsl/compile.h"

namespace stepwise::dsl {
namespace {

using testing::OneState;

const State& OnlyState(const CompileResult& result) { return result.machine->graph.states[0]; }

TEST(CompileStates, PassKeepsResultAndPipelineFields) {
  auto result = Compile(OneState(R"({"Type": "Pass", "Result": {"x": 1}, "ResultPath": "$.r",
      "InputPath": "$.in", "OutputPath": null, "Parameters": {"a.$": "$.b"}, "End": true})"));
  EXPECT_COMPILES(result);
  const State& state = OnlyState(result);
  const auto& pass = std::get<PassState>(state.spec);
  EXPECT_EQ(*pass.result, nlohmann::json({{"x", 1}}));
  EXPECT_EQ(state.result_path->text(), "$.r");
  EXPECT_EQ(state.input_path->text(), "$.in");
  EXPECT_FALSE(state.output_path.has_value()) << "OutputPath null must be kept as null";
  EXPECT_TRUE(state.parameters.has_value());
  EXPECT_TRUE(state.transition.end);
}

TEST(CompileStates, AbsentPathsDefaultToRoot) {
  auto result = Compile(OneState(R"({"Type": "Pass", "End": true})"));
  EXPECT_COMPILES(result);
  EXPECT_EQ(OnlyState(result).input_path->text(), "$");
  EXPECT_EQ(OnlyState(result).result_path->text(), "$");
  EXPECT_EQ(OnlyState(result).output_path->text(), "$");
}

TEST(CompileStates, ResultPathNullDiscardsTheResult) {
  auto result = Compile(OneState(R"({"Type": "Pass", "ResultPath": null, "End": true})"));
  EXPECT_COMPILES(result);
  EXPECT_FALSE(OnlyState(result).result_path.has_value());
}

TEST(CompileStates, TaskReadsResourceTimeoutsAndErrorHandling) {
  auto result = Compile(R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:charge", "TimeoutSeconds": 30,
            "HeartbeatSecondsPath": "$.hb", "Credentials": {"RoleArn": "x"},
            "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 2, "MaxAttempts": 5,
                       "BackoffRate": 1.5, "MaxDelaySeconds": 10, "JitterStrategy": "FULL"},
                      {"ErrorEquals": ["States.ALL"]}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "F"}],
            "End": true},
      "F": {"Type": "Fail", "Error": "E", "Cause": "C"}}})");
  EXPECT_COMPILES(result);
  const State& task_state = result.machine->graph.states[result.machine->graph.index.at("T")];
  const auto& task = std::get<TaskState>(task_state.spec);
  EXPECT_EQ(task.resource.kind, TaskResource::Kind::kFunction);
  EXPECT_EQ(task.resource.name, "charge");
  EXPECT_EQ(*task.timeout_seconds.literal, 30);
  EXPECT_EQ(task.heartbeat_seconds.path->text(), "$.hb");
  ASSERT_EQ(task_state.retry.size(), 2u);
  EXPECT_EQ(task_state.retry[0].interval_seconds, 2.0);
  EXPECT_EQ(task_state.retry[0].max_attempts, 5);
  EXPECT_EQ(task_state.retry[0].backoff_rate, 1.5);
  EXPECT_EQ(*task_state.retry[0].max_delay_seconds, 10.0);
  EXPECT_TRUE(task_state.retry[0].full_jitter);
  // The spec's defaults.
  EXPECT_EQ(task_state.retry[1].interval_seconds, 1.0);
  EXPECT_EQ(task_state.retry[1].max_attempts, 3);
  EXPECT_EQ(task_state.retry[1].backoff_rate, 2.0);
  EXPECT_FALSE(task_state.retry[1].full_jitter);
  ASSERT_EQ(task_state.catchers.size(), 1u);
  EXPECT_EQ(task_state.catchers[0].next, result.machine->graph.index.at("F"));
  EXPECT_EQ(task_state.catchers[0].result_path->text(), "$.error");
}

TEST(CompileStates, TaskResourceFormsAreClassified) {
  struct Case {
    const char* resource;
    TaskResource::Kind kind;
    const char* name;
    const char* qualifier;
    TaskResource::Pattern pattern;
  };
  using K = TaskResource::Kind;
  using P = TaskResource::Pattern;
  for (const Case& c : std::vector<Case>{
           {"function:resize", K::kFunction, "resize", "", P::kRequestResponse},
           {"arn:aws:lambda:us-east-1:123456789012:function:resize", K::kFunction, "resize", "",
            P::kRequestResponse},
           {"arn:aws:lambda:us-east-1:123456789012:function:resize:prod", K::kFunction, "resize",
            "prod", P::kRequestResponse},
           {"arn:aws:states:us-east-1:123456789012:activity:approve", K::kActivity, "approve", "",
            P::kRequestResponse},
           {"arn:aws:states:::states:startExecution.sync:2", K::kStartExecution, "", "", P::kSync2},
           {"arn:aws:states:::states:startExecution.sync", K::kStartExecution, "", "", P::kSync},
           {"arn:aws:states:::sqs:sendMessage.waitForTaskToken", K::kOther, "", "",
            P::kWaitForTaskToken},
           {"arn:aws:states:::task:Add", K::kOther, "", "", P::kRequestResponse},
       }) {
    auto result = Compile(OneState(std::string(R"({"Type": "Task", "Resource": ")") +
                                   c.resource + R"(", "End": true})"));
    ASSERT_NE(result.machine, nullptr) << c.resource << testing::Describe(result);
    const auto& resource = std::get<TaskState>(OnlyState(result).spec).resource;
    EXPECT_EQ(resource.kind, c.kind) << c.resource;
    EXPECT_EQ(resource.name, c.name) << c.resource;
    EXPECT_EQ(resource.qualifier, c.qualifier) << c.resource;
    EXPECT_EQ(resource.pattern, c.pattern) << c.resource;
    EXPECT_EQ(resource.uri, c.resource);
  }
}

TEST(CompileStates, LambdaInvokeNeedsFunctionName) {
  auto missing = Compile(OneState(
      R"({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke", "End": true})"));
  EXPECT_DIAGNOSTIC(missing, "/States/S/Resource", "FunctionName");
  auto given = Compile(OneState(R"({"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f", "Payload.$": "$"}, "End": true})"));
  EXPECT_COMPILES(given);
  EXPECT_EQ(std::get<TaskState>(OnlyState(given).spec).resource.kind,
            TaskResource::Kind::kLambdaInvoke);
}

TEST(CompileStates, ChoiceResolvesEveryBranchAndDefault) {
  auto result = Compile(R"({"StartAt": "C", "States": {
      "C": {"Type": "Choice", "Choices": [
              {"Variable": "$.n", "NumericGreaterThan": 1, "Next": "Big"},
              {"Not": {"Variable": "$.s", "StringEquals": "x"}, "Next": "Small"}],
            "Default": "Other"},
      "Big": {"Type": "Succeed"}, "Small": {"Type": "Succeed"}, "Other": {"Type": "Succeed"}}})");
  EXPECT_COMPILES(result);
  const auto& graph = result.machine->graph;
  const auto& choice = std::get<ChoiceState>(graph.states[graph.index.at("C")].spec);
  ASSERT_EQ(choice.choices.size(), 2u);
  EXPECT_EQ(choice.choices[0].next, graph.index.at("Big"));
  EXPECT_EQ(choice.choices[1].next, graph.index.at("Small"));
  EXPECT_EQ(choice.default_next, graph.index.at("Other"));
}

TEST(CompileStates, WaitAcceptsEachOfItsFourForms) {
  for (const char* field : {R"("Seconds": 5)", R"("SecondsPath": "$.s")",
                            R"("Timestamp": "2024-01-31T12:00:00Z")",
                            R"("TimestampPath": "$.t")"}) {
    auto result =
        Compile(OneState(std::string(R"({"Type": "Wait", )") + field + R"(, "End": true})"));
    EXPECT_COMPILES(result);
  }
  auto timestamp = Compile(OneState(R"({"Type": "Wait", "Timestamp": "2024-01-31T12:00:00Z",
      "End": true})"));
  ASSERT_NE(timestamp.machine, nullptr);
  EXPECT_TRUE(std::get<WaitState>(OnlyState(timestamp).spec).timestamp.has_value());
}

TEST(CompileStates, WaitWithAnInvalidTimestampIsAWarningAsOnAws) {
  auto result = Compile(OneState(R"({"Type": "Wait", "Timestamp": "2016-12-05 21:29:29Z",
      "End": true})"));
  EXPECT_COMPILES(result);
  EXPECT_TRUE(testing::HasDiagnostic(result, "/States/S/Timestamp", "RFC 3339",
                                     Severity::kWarning));
  const auto& wait = std::get<WaitState>(OnlyState(result).spec);
  EXPECT_EQ(wait.timestamp_text, "2016-12-05 21:29:29Z");
  EXPECT_FALSE(wait.timestamp.has_value());
}

TEST(CompileStates, WaitNeedsExactlyOneDuration) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Wait", "End": true})")), "/States/S",
                    "exactly one of");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Wait", "Seconds": 1, "SecondsPath": "$.x",
      "End": true})")),
                    "/States/S", "several");
}

TEST(CompileStates, FailTakesLiteralsOrPathsOrIntrinsics) {
  auto result = Compile(OneState(R"json({"Type": "Fail", "ErrorPath": "$.e",
      "CausePath": "States.Format('bad {}', $.c)"})json"));
  EXPECT_COMPILES(result);
  const auto& fail = std::get<FailState>(OnlyState(result).spec);
  EXPECT_EQ(fail.error_path->text(), "$.e");
  EXPECT_FALSE(fail.error.has_value());
  EXPECT_TRUE(fail.cause_path.has_value());
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Fail", "Error": "a", "ErrorPath": "$.e"})")),
                    "/States/S/ErrorPath", "not both");
}

TEST(CompileStates, SucceedAndFailNeedNoTransition) {
  EXPECT_COMPILES(Compile(OneState(R"({"Type": "Succeed", "InputPath": "$.a"})")));
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Succeed", "Next": "X"})")), "/States/S/Next",
                    "unknown field 'Next'");
}

TEST(CompileStates, ParallelCompilesEachBranchAsItsOwnGraph) {
  auto result = Compile(OneState(R"({"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Succeed"}}},
      {"StartAt": "C", "States": {"C": {"Type": "Pass", "End": true}}}],
      "ResultSelector": {"first.$": "$[0]"}})"));
  EXPECT_COMPILES(result);
  const auto& parallel = std::get<ParallelState>(OnlyState(result).spec);
  ASSERT_EQ(parallel.branches.size(), 2u);
  EXPECT_EQ(parallel.branches[0]->states.size(), 2u);
  EXPECT_EQ(parallel.branches[0]->states[parallel.branches[0]->index.at("A")].transition.next,
            parallel.branches[0]->index.at("B"));
  EXPECT_EQ(parallel.branches[1]->start_at_name, "C");
}

TEST(CompileStates, MapReadsItsFields) {
  auto result = Compile(OneState(R"({"Type": "Map", "End": true, "ItemsPath": "$.items",
      "MaxConcurrencyPath": "$.mc", "ItemSelector": {"v.$": "$$.Map.Item.Value"},
      "ToleratedFailureCount": 2,
      "ItemProcessor": {"ProcessorConfig": {"Mode": "INLINE"}, "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": true}}}})"));
  EXPECT_COMPILES(result);
  const auto& map = std::get<MapState>(OnlyState(result).spec);
  EXPECT_EQ(map.items_path->text(), "$.items");
  EXPECT_EQ(map.max_concurrency.path->text(), "$.mc");
  EXPECT_EQ(*map.tolerated_failure_count.literal, 2);
  EXPECT_TRUE(map.item_selector.has_value());
  EXPECT_FALSE(map.distributed);
  EXPECT_EQ(map.processor->start_at_name, "P");
}

TEST(CompileStates, MapAcceptsTheOlderIteratorAndParameters) {
  auto result = Compile(OneState(R"({"Type": "Map", "End": true, "MaxConcurrency": 1,
      "Parameters": {"x.$": "$$.Map.Item.Index"},
      "Iterator": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}})"));
  EXPECT_COMPILES(result);
  const auto& map = std::get<MapState>(OnlyState(result).spec);
  EXPECT_TRUE(map.item_selector.has_value());
  EXPECT_EQ(*map.max_concurrency.literal, 1);
}

TEST(CompileStates, DistributedMapAcceptsLabelAndItemBatcher) {
  auto result = Compile(OneState(R"({"Type": "Map", "End": true, "Label": "Batches",
      "ItemBatcher": {"MaxItemsPerBatch": 10, "BatchInput": {"k": 1}},
      "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED", "ExecutionType": "STANDARD"},
                        "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}})"));
  EXPECT_COMPILES(result);
  const auto& map = std::get<MapState>(OnlyState(result).spec);
  EXPECT_TRUE(map.distributed);
  EXPECT_EQ(map.label, "Batches");
  EXPECT_EQ(map.execution_type, "STANDARD");
  EXPECT_TRUE(map.item_batcher.has_value());
}

TEST(CompileStates, TopLevelFieldsAreKept) {
  auto result = Compile(R"({"Comment": "c", "Version": "1.0", "TimeoutSeconds": 60,
      "StartAt": "S", "States": {"S": {"Type": "Succeed"}}})");
  EXPECT_COMPILES(result);
  EXPECT_EQ(result.machine->comment, "c");
  EXPECT_EQ(result.machine->version, "1.0");
  EXPECT_EQ(*result.machine->timeout_seconds, 60);
  EXPECT_EQ(result.machine->definition["Comment"], "c");
}

}  // namespace
}  // namespace stepwise::dsl
