// Pass, Choice, Succeed and Fail; the input/output pipeline; history naming and numbering; the
// named errors that are not about tasks.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter_harness.h"

namespace stepwise::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

json RunPass(const std::string& pass_fields, json input) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", )" + pass_fields +
            R"(, "End": true}}})");
  EXPECT_EQ(h.Run(std::move(input)), ExecutionStatus::kSucceeded) << h.error() << h.cause();
  return h.output();
}

// --- Pass -----------------------------------------------------------------------------------

TEST(PassStateTest, WithoutFieldsOutputsItsInput) {
  EXPECT_EQ(RunPass(R"("Comment": "x")", {{"a", 1}}), json({{"a", 1}}));
}

TEST(PassStateTest, ResultReplacesTheInputByDefault) {
  EXPECT_EQ(RunPass(R"("Result": {"r": true})", {{"a", 1}}), json({{"r", true}}));
}

TEST(PassStateTest, ParametersBuildTheResultFromPathsAndLiterals) {
  json output =
      RunPass(R"("Parameters": {"copy.$": "$.a", "fixed": "v", "all.$": "$"})", {{"a", 1}});
  EXPECT_EQ(output, json({{"copy", 1}, {"fixed", "v"}, {"all", {{"a", 1}}}}));
}

TEST(PassStateTest, ParametersEvaluateIntrinsicFunctions) {
  json output = RunPass(
      R"json("Parameters": {"greeting.$": "States.Format('hi {}', $.name)",
                            "sum.$": "States.MathAdd($.n, 2)"})json",
      {{"name", "ann"}, {"n", 40}});
  EXPECT_EQ(output, json({{"greeting", "hi ann"}, {"sum", 42}}));
}

TEST(PassStateTest, ResultPathPutsTheResultInsideTheInput) {
  EXPECT_EQ(RunPass(R"("Result": 7, "ResultPath": "$.r")", {{"a", 1}}), json({{"a", 1}, {"r", 7}}));
}

TEST(PassStateTest, ResultPathCreatesMissingNestedObjects) {
  EXPECT_EQ(RunPass(R"("Result": 7, "ResultPath": "$.x.y.z")", {{"a", 1}}),
            json({{"a", 1}, {"x", {{"y", {{"z", 7}}}}}}));
}

TEST(PassStateTest, ResultPathNullDiscardsTheResultAndKeepsTheInput) {
  EXPECT_EQ(RunPass(R"("Result": 7, "ResultPath": null)", {{"a", 1}}), json({{"a", 1}}));
}

TEST(PassStateTest, OutputPathSelectsPartOfTheOutput) {
  EXPECT_EQ(RunPass(R"("Result": {"keep": [1, 2]}, "OutputPath": "$.keep")", {{"a", 1}}),
            json({1, 2}));
}

TEST(PassStateTest, OutputPathNullOutputsAnEmptyObject) {
  EXPECT_EQ(RunPass(R"("OutputPath": null)", {{"a", 1}}), json::object());
}

TEST(PassStateTest, InputPathSelectsTheEffectiveInput) {
  EXPECT_EQ(RunPass(R"("InputPath": "$.inner")", {{"inner", {{"b", 2}}}}), json({{"b", 2}}));
}

TEST(PassStateTest, InputPathNullGivesAnEmptyEffectiveInput) {
  EXPECT_EQ(RunPass(R"("InputPath": null, "ResultPath": "$.seen")", {{"a", 1}}),
            json({{"a", 1}, {"seen", json::object()}}));
}

TEST(PassStateTest, ResultPathOnAStringInputFailsWithResultPathMatchFailure) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "Result": 1,
                "ResultPath": "$.x", "End": true}}})");
  EXPECT_EQ(h.Run("just a string"), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.ResultPathMatchFailure");
  EXPECT_THAT(h.cause(), HasSubstr("'P' (entered at the event id #2)"));
}

// --- Choice ---------------------------------------------------------------------------------

constexpr const char* kChoice = R"({"StartAt": "C", "States": {
  "C": {"Type": "Choice", "Choices": [
          {"Variable": "$.n", "NumericGreaterThan": 10, "Next": "Big"},
          {"Variable": "$.n", "NumericGreaterThan": 0, "Next": "Positive"}],
        "Default": "Other"},
  "Big": {"Type": "Pass", "Result": "big", "End": true},
  "Positive": {"Type": "Pass", "Result": "positive", "End": true},
  "Other": {"Type": "Pass", "Result": "other", "End": true}}})";

TEST(ChoiceStateTest, TakesTheFirstRuleThatMatches) {
  Harness h(kChoice);
  h.Run({{"n", 50}});
  EXPECT_EQ(h.output(), "big");
}

TEST(ChoiceStateTest, TakesALaterRuleWhenTheFirstDoesNotMatch) {
  Harness h(kChoice);
  h.Run({{"n", 5}});
  EXPECT_EQ(h.output(), "positive");
}

TEST(ChoiceStateTest, TakesTheDefaultWhenNoRuleMatches) {
  Harness h(kChoice);
  h.Run({{"n", -5}});
  EXPECT_EQ(h.output(), "other");
}

TEST(ChoiceStateTest, PassesItsInputThroughInputPathAndOutputPath) {
  Harness h(R"({"StartAt": "C", "States": {
    "C": {"Type": "Choice", "InputPath": "$.in", "OutputPath": "$.keep",
          "Choices": [{"Variable": "$.go", "BooleanEquals": true, "Next": "Done"}]},
    "Done": {"Type": "Succeed"}}})");
  h.Run({{"in", {{"go", true}, {"keep", {{"k", 1}}}}}});
  EXPECT_EQ(h.output(), json({{"k", 1}}));
}

TEST(ChoiceStateTest, NoMatchAndNoDefaultFailsWithNoChoiceMatched) {
  Harness h(R"({"StartAt": "C", "States": {
    "C": {"Type": "Choice",
          "Choices": [{"Variable": "$.n", "NumericEquals": 1, "Next": "Done"}]},
    "Done": {"Type": "Succeed"}}})");
  EXPECT_EQ(h.Run({{"n", 2}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.NoChoiceMatched");
  EXPECT_THAT(h.cause(), HasSubstr("'C'"));
}

// --- Succeed and Fail -----------------------------------------------------------------------

TEST(SucceedStateTest, EndsTheExecutionWithItsFilteredInput) {
  Harness h(R"({"StartAt": "S", "States": {"S": {"Type": "Succeed", "InputPath": "$.a",
                "OutputPath": "$.b"}}})");
  EXPECT_EQ(h.Run({{"a", {{"b", 3}}}}), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), 3);
}

TEST(FailStateTest, EndsTheExecutionWithItsErrorAndCause) {
  Harness h(R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "MyError",
                "Cause": "it broke"}}})");
  EXPECT_EQ(h.Run(json::object()), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "MyError");
  EXPECT_EQ(h.cause(), "it broke");
  EXPECT_EQ(h.FindEvent("ExecutionFailed").details,
            json({{"error", "MyError"}, {"cause", "it broke"}}));
}

TEST(FailStateTest, ErrorPathAndCausePathReadTheInput) {
  Harness h(R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.e",
                "CausePath": "$.c"}}})");
  h.Run({{"e", "FromInput"}, {"c", "because"}});
  EXPECT_EQ(h.error(), "FromInput");
  EXPECT_EQ(h.cause(), "because");
}

TEST(FailStateTest, CausePathMayBeAnIntrinsicFunction) {
  Harness h(R"json({"StartAt": "F", "States": {"F": {"Type": "Fail", "Error": "E",
                    "CausePath": "States.Format('order {} failed', $.id)"}}})json");
  h.Run({{"id", 12}});
  EXPECT_EQ(h.cause(), "order 12 failed");
}

TEST(FailStateTest, ErrorPathToAMissingFieldIsARuntimeError) {
  Harness h(R"({"StartAt": "F", "States": {"F": {"Type": "Fail", "ErrorPath": "$.nope"}}})");
  EXPECT_EQ(h.Run({{"e", 1}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  EXPECT_THAT(h.cause(), HasSubstr("(entered at the event id #2)"));
}

// --- History --------------------------------------------------------------------------------

TEST(HistoryTest, NamesEventsAsStepFunctionsDoes) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "Next": "S"},
                                             "S": {"Type": "Succeed"}}})");
  h.Run({{"a", 1}});
  EXPECT_THAT(h.HistoryTypes(),
              ElementsAre("ExecutionStarted", "PassStateEntered", "PassStateExited",
                          "SucceedStateEntered", "SucceedStateExited", "ExecutionSucceeded"));
  EXPECT_EQ(h.FindEvent("PassStateEntered").state_name, "P");
  EXPECT_EQ(h.FindEvent("PassStateEntered").details["input"], json({{"a", 1}}));
  EXPECT_EQ(h.FindEvent("ExecutionSucceeded").details["output"], json({{"a", 1}}));
}

TEST(HistoryTest, NumbersEventsFromOneInOrderAcrossSteps) {
  Harness h(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "Next": "T"},
                "T": {"Type": "Task", "Resource": "function:f", "End": true}}})");
  h.Run(json::object(), {{"f", Echo}});
  ASSERT_GT(h.steps().size(), 2u);
  ASSERT_FALSE(h.history().empty());
  for (size_t i = 0; i < h.history().size(); ++i) {
    EXPECT_EQ(h.history()[i].id, static_cast<std::int64_t>(i + 1)) << h.history()[i].type;
  }
  EXPECT_EQ(h.state().next_event_id, static_cast<std::int64_t>(h.history().size() + 1));
}

TEST(HistoryTest, EventsCarryTheTimeOfTheirStep) {
  Harness h(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 5, "End": true}}})");
  h.Run(json::object());
  EXPECT_EQ(h.FindEvent("WaitStateEntered").timestamp, kT0);
  EXPECT_EQ(h.FindEvent("WaitStateExited").timestamp, kT0 + 5000);
}

TEST(HistoryTest, WithoutPayloadsEventsCarryNoInputOrOutput) {
  InterpreterOptions options;
  options.history_payloads = false;
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})", options);
  h.Run({{"secret", 1}});
  EXPECT_FALSE(h.FindEvent("PassStateEntered").details.contains("input"));
  EXPECT_FALSE(h.FindEvent("ExecutionSucceeded").details.contains("output"));
  EXPECT_EQ(h.output(), json({{"secret", 1}}));
}

// --- States.Runtime causes ------------------------------------------------------------------

TEST(RuntimeErrorTest, CausesCiteTheIdOfTheStateEnteredEvent) {
  Harness h(R"({"StartAt": "A", "States": {
    "A": {"Type": "Pass", "Next": "B"},
    "B": {"Type": "Pass", "Next": "C"},
    "C": {"Type": "Pass", "InputPath": "$.missing", "End": true}}})");
  EXPECT_EQ(h.Run({{"a", 1}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  // 1 ExecutionStarted, 2-3 A, 4-5 B, 6 CStateEntered.
  EXPECT_EQ(h.cause(),
            "An error occurred while executing the state 'C' (entered at the event id #6). "
            "Invalid path '$.missing' : Missing property in path $['missing']");
}

TEST(RuntimeErrorTest, OutputPathToAMissingFieldIsARuntimeError) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "OutputPath": "$.nope",
                "End": true}}})");
  EXPECT_EQ(h.Run({{"a", 1}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  EXPECT_THAT(h.cause(), HasSubstr("(entered at the event id #2). Invalid path '$.nope'"));
}

TEST(RuntimeErrorTest, ParametersPathToAMissingFieldFailsTheExecution) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
                "Parameters": {"x.$": "$.nope"}, "End": true}}})");
  EXPECT_EQ(h.Run({{"a", 1}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  EXPECT_THAT(h.cause(), HasSubstr("'P' (entered at the event id #2)"));
}

TEST(RuntimeErrorTest, IntrinsicFailureKeepsItsName) {
  Harness h(R"json({"StartAt": "P", "States": {"P": {"Type": "Pass",
                    "Parameters": {"x.$": "States.ArrayGetItem($.a, 5)"}, "End": true}}})json");
  EXPECT_EQ(h.Run({{"a", {1, 2}}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.IntrinsicFailure");
}

// --- States.DataLimitExceeded ---------------------------------------------------------------

InterpreterOptions SmallPayloads() {
  InterpreterOptions options;
  options.max_payload_bytes = 64;
  return options;
}

TEST(DataLimitTest, AStateOutputOverTheLimitFailsWithDataLimitExceeded) {
  Harness h(R"({"StartAt": "Big", "States": {"Big": {"Type": "Pass",
                "Result": "0123456789012345678901234567890123456789012345678901234567890123456789",
                "End": true}}})",
            SmallPayloads());
  EXPECT_EQ(h.Run(json::object()), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.DataLimitExceeded");
  EXPECT_EQ(h.cause(),
            "The state/task 'Big' returned a result with a size exceeding the maximum number of "
            "bytes service limit.");
}

TEST(DataLimitTest, AnOutputExactlyAtTheLimitPasses) {
  // {"s":"..."} is 8 characters plus the string: 56 characters make exactly 64 bytes.
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})", SmallPayloads());
  EXPECT_EQ(h.Run({{"s", std::string(56, 'x')}}), ExecutionStatus::kSucceeded);
  Harness over(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})",
               SmallPayloads());
  EXPECT_EQ(over.Run({{"s", std::string(57, 'x')}}), ExecutionStatus::kFailed);
}

TEST(DataLimitTest, AnExecutionInputOverTheLimitFailsAtOnce) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})", SmallPayloads());
  EXPECT_EQ(h.Run({{"s", std::string(100, 'x')}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.DataLimitExceeded");
  EXPECT_EQ(h.CountEvents("PassStateEntered"), 0);
}

TEST(DataLimitTest, StatesAllDoesNotCatchDataLimitExceeded) {
  Harness h(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "function:big", "End": true,
          "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
    "Caught": {"Type": "Succeed"}}})",
            SmallPayloads());
  EXPECT_EQ(
      h.Run(json::object(), {{"big", [](const json&) { return Returns(std::string(100, 'x')); }}}),
      ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.DataLimitExceeded");
}

TEST(DataLimitTest, ATaskInputOverTheLimitAfterParametersFails) {
  Harness h(R"json({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
                "Parameters": {"many.$": "States.ArrayRange(1, 100, 1)"}, "End": true}}})json",
            SmallPayloads());
  h.Start();
  EXPECT_TRUE(h.pending_tasks().empty());
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.DataLimitExceeded");
}

}  // namespace
}  // namespace stepwise::engine::testing
