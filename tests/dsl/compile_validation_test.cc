// Each validation rule: the diagnostic's location and a message that says what to fix.
#include <gtest/gtest.h>

#include "compile_test_util.h"
#include "stepwise/dsl/compile.h"

namespace stepwise::dsl {
namespace {

using testing::OneState;

TEST(CompileValidation, MalformedJsonIsReportedWithLineAndColumn) {
  auto result = Compile("{\n  \"StartAt\": \"A\",\n  \"States\": {,}\n}");
  EXPECT_EQ(result.machine, nullptr);
  EXPECT_DIAGNOSTIC(result, "", "line 3, column 14");
  EXPECT_DIAGNOSTIC(result, "", "not valid JSON");
}

TEST(CompileValidation, EmptyAndTruncatedTextAreErrorsNotCrashes) {
  for (const char* text : {"", "   ", "{", "[", "{\"StartAt\":", "nul", "\xff\xfe"}) {
    auto result = Compile(text);
    EXPECT_EQ(result.machine, nullptr) << text;
    EXPECT_FALSE(result.diagnostics.empty()) << text;
  }
}

TEST(CompileValidation, DefinitionMustBeAnObject) {
  EXPECT_DIAGNOSTIC(Compile("[1, 2]"), "", "must be a JSON object, not an array");
  EXPECT_DIAGNOSTIC(Compile("\"x\""), "", "not a string");
}

TEST(CompileValidation, StartAtAndStatesAreRequired) {
  auto result = Compile("{}");
  EXPECT_DIAGNOSTIC(result, "", "missing required field 'StartAt'");
  EXPECT_DIAGNOSTIC(result, "", "missing required field 'States'");
  EXPECT_DIAGNOSTIC(Compile(R"({"StartAt": "A", "States": {}})"), "/States", "at least one");
  EXPECT_DIAGNOSTIC(Compile(R"({"StartAt": "A", "States": []})"), "/States",
                    "must be an object");
}

TEST(CompileValidation, StartAtMustNameAState) {
  auto result = Compile(R"({"StartAt": "Strat", "States": {"Start": {"Type": "Succeed"}}})");
  EXPECT_DIAGNOSTIC(result, "/StartAt", "no state named 'Strat' (did you mean 'Start'?)");
}

TEST(CompileValidation, UnknownFieldsAreNamedWithASuggestion) {
  auto result = Compile(OneState(R"({"Type": "Pass", "Nxet": "A", "End": true})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/Nxet", "unknown field 'Nxet' in a Pass state");
  EXPECT_DIAGNOSTIC(result, "/States/S/Nxet", "did you mean 'Next'?");
  EXPECT_DIAGNOSTIC(Compile(R"({"StartAt": "S", "Sates": {}, "States": {"S": {"Type": "Succeed"}}})"),
                    "/Sates", "did you mean 'States'?");
}

TEST(CompileValidation, FieldsOfOtherStateTypesAreUnknown) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass", "Resource": "x", "End": true})")),
                    "/States/S/Resource", "unknown field 'Resource' in a Pass state");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Succeed", "ResultPath": "$.x"})")),
                    "/States/S/ResultPath", "unknown field");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Fail", "InputPath": "$.x"})")),
                    "/States/S/InputPath", "unknown field");
}

TEST(CompileValidation, UnknownStateTypeSuggestsTheClosest) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Paralel", "End": true})")), "/States/S/Type",
                    "did you mean 'Parallel'?");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"End": true})")), "/States/S",
                    "missing required field 'Type'");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"("Pass")")), "/States/S", "must be a JSON object");
}

TEST(CompileValidation, NextAndEndAreExclusiveAndOneIsRequired) {
  auto both = Compile(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B",
      "End": true}, "B": {"Type": "Succeed"}}})");
  EXPECT_DIAGNOSTIC(both, "/States/A/Next", "both 'Next' and 'End'");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass"})")), "/States/S",
                    "needs either 'Next'");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass", "End": false})")), "/States/S/End",
                    "can only be true");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Choice", "Choices": [{"Variable": "$.a",
      "IsNull": true, "Next": "S"}], "Next": "S"})")),
                    "/States/S/Next", "Choices");
}

TEST(CompileValidation, TransitionsToUnknownStatesAreErrors) {
  auto result = Compile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "function:f", "Next": "Bb",
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Nowhere"}]},
      "B": {"Type": "Choice", "Choices": [{"Variable": "$.x", "IsNull": true, "Next": "Gone"}],
            "Default": "Missing"}}})");
  EXPECT_DIAGNOSTIC(result, "/States/A/Next", "no state named 'Bb' (did you mean 'B'?)");
  EXPECT_DIAGNOSTIC(result, "/States/A/Catch/0/Next", "no state named 'Nowhere'");
  EXPECT_DIAGNOSTIC(result, "/States/B/Choices/0/Next", "no state named 'Gone'");
  EXPECT_DIAGNOSTIC(result, "/States/B/Default", "no state named 'Missing'");
}

TEST(CompileValidation, UnreachableStatesAreWarningsNotErrors) {
  auto result = Compile(R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"},
      "Orphan": {"Type": "Pass", "End": true}}})");
  EXPECT_COMPILES(result);
  EXPECT_TRUE(testing::HasDiagnostic(result, "/States/Orphan", "never be reached",
                                     Severity::kWarning))
      << testing::Describe(result);
}

TEST(CompileValidation, StatesReachedOnlyThroughCatchAreReachable) {
  auto result = Compile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Task", "Resource": "function:f", "End": true,
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Handler"}]},
      "Handler": {"Type": "Pass", "End": true}}})");
  EXPECT_COMPILES(result);
  EXPECT_TRUE(result.diagnostics.empty()) << testing::Describe(result);
}

TEST(CompileValidation, AGraphWithoutAnEndIsAnError) {
  auto result = Compile(R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"},
      "B": {"Type": "Pass", "Next": "A"}}})");
  EXPECT_DIAGNOSTIC(result, "/States", "no state ends the execution");
}

TEST(CompileValidation, DuplicateStateNamesAcrossTheMachineAreErrors) {
  auto result = Compile(R"({"StartAt": "P", "States": {"P": {"Type": "Parallel", "Next": "A",
      "Branches": [{"StartAt": "A", "States": {"A": {"Type": "Pass", "End": true}}}]},
      "A": {"Type": "Succeed"}}})");
  EXPECT_EQ(result.machine, nullptr);
  bool reported = testing::HasDiagnostic(result, "/States/A", "duplicate state name 'A'") ||
                  testing::HasDiagnostic(result, "/States/P/Branches/0/States/A",
                                         "duplicate state name 'A'");
  EXPECT_TRUE(reported) << testing::Describe(result);
}

TEST(CompileValidation, DuplicateKeysInTheTextAreErrors) {
  auto result = Compile(R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"},
      "A": {"Type": "Pass", "End": true}}})");
  EXPECT_EQ(result.machine, nullptr);
  EXPECT_DIAGNOSTIC(result, "/States/A", "appears more than once");
  auto nested = Compile(R"({"StartAt": "A", "States": {"A": {"Type": "Pass",
      "Parameters": {"list": [{"k": 1, "k": 2}]}, "End": true}}})");
  EXPECT_DIAGNOSTIC(nested, "/States/A/Parameters/list/0/k", "appears more than once");
}

TEST(CompileValidation, BranchesCannotTransitionOutsideThemselves) {
  auto result = Compile(R"({"StartAt": "P", "States": {
      "P": {"Type": "Parallel", "Next": "After", "Branches": [
        {"StartAt": "Inner", "States": {"Inner": {"Type": "Pass", "Next": "After"}}}]},
      "After": {"Type": "Succeed"}}})");
  EXPECT_DIAGNOSTIC(result, "/States/P/Branches/0/States/Inner/Next",
                    "'After' is defined in the top-level States, outside /States/P/Branches/0");
  auto into = Compile(R"({"StartAt": "M", "States": {
      "M": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "X",
        "States": {"X": {"Type": "Pass", "End": true}}}},
      "Jump": {"Type": "Pass", "Next": "X"}}})");
  EXPECT_DIAGNOSTIC(into, "/States/Jump/Next", "outside the top-level States");
}

TEST(CompileValidation, BadPathsAreReportedWhereTheyAre) {
  auto result = Compile(OneState(R"({"Type": "Pass", "InputPath": "a.b", "ResultPath": "$.a[*]",
      "OutputPath": 5, "End": true})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/InputPath", "not a valid path");
  EXPECT_DIAGNOSTIC(result, "/States/S/ResultPath", "not a valid reference path");
  EXPECT_DIAGNOSTIC(result, "/States/S/OutputPath", "must be a string");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass", "ResultPath": "$$.x", "End": true})")),
                    "/States/S/ResultPath", "context object");
}

TEST(CompileValidation, BadTemplateValuesAreReportedAtTheirKey) {
  auto result = Compile(OneState(R"json({"Type": "Pass", "End": true, "Parameters": {
      "a.$": 5, "b": {"c.$": "no-dollar"}, "d.$": "States.Nope(1)", "e.$": "$.x", "e": 1}})json"));
  EXPECT_DIAGNOSTIC(result, "/States/S/Parameters/a.$", "must be a string");
  EXPECT_DIAGNOSTIC(result, "/States/S/Parameters/b/c.$", "must be a path");
  EXPECT_DIAGNOSTIC(result, "/States/S/Parameters/d.$", "Nope");
  EXPECT_DIAGNOSTIC(result, "/States/S/Parameters/e.$", "both produce the key 'e'");
  EXPECT_EQ(result.machine, nullptr);
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass", "Parameters": [1], "End": true})")),
                    "/States/S/Parameters", "must be a JSON object");
}

TEST(CompileValidation, BadNumbersSayTheAllowedRange) {
  auto result = Compile(OneState(R"({"Type": "Task", "Resource": "function:f", "End": true,
      "TimeoutSeconds": 0, "HeartbeatSeconds": 1.5,
      "Retry": [{"ErrorEquals": ["E"], "BackoffRate": 0.5, "MaxAttempts": -1,
                 "IntervalSeconds": "2", "MaxDelaySeconds": 0, "JitterStrategy": "HALF"}]})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/TimeoutSeconds", "between 1 and 99999999");
  EXPECT_DIAGNOSTIC(result, "/States/S/HeartbeatSeconds", "whole number");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/BackoffRate", ">= 1");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/MaxAttempts", "between 0 and");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/IntervalSeconds", "must be an integer");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/MaxDelaySeconds", "between 1 and");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/JitterStrategy", "FULL or NONE");
}

TEST(CompileValidation, HeartbeatMustBeShorterThanTimeout) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Task", "Resource": "function:f",
      "TimeoutSeconds": 10, "HeartbeatSeconds": 10, "End": true})")),
                    "/States/S/HeartbeatSeconds", "smaller than 'TimeoutSeconds'");
}

TEST(CompileValidation, LiteralAndPathFormsAreExclusive) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Task", "Resource": "function:f",
      "TimeoutSeconds": 10, "TimeoutSecondsPath": "$.t", "End": true})")),
                    "/States/S/TimeoutSecondsPath", "not both");
}

TEST(CompileValidation, StatesAllMustBeAloneAndLast) {
  auto result = Compile(R"({"StartAt": "S", "States": {"S": {"Type": "Task",
      "Resource": "function:f", "End": true,
      "Retry": [{"ErrorEquals": ["States.ALL", "X"]}, {"ErrorEquals": ["Y"]}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "F"}, {"ErrorEquals": ["Z"], "Next": "F"}]},
      "F": {"Type": "Fail"}}})");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0/ErrorEquals", "must appear alone");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0", "must be the last");
  EXPECT_DIAGNOSTIC(result, "/States/S/Catch/0", "must be the last");
}

TEST(CompileValidation, RetriersAndCatchersNeedTheirFields) {
  auto result = Compile(OneState(R"({"Type": "Task", "Resource": "function:f", "End": true,
      "Retry": [{}, 5, {"ErrorEquals": []}], "Catch": [{"ErrorEquals": ["E"]}]})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/0", "missing required field 'ErrorEquals'");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/1", "must be an object");
  EXPECT_DIAGNOSTIC(result, "/States/S/Retry/2/ErrorEquals", "non-empty array");
  EXPECT_DIAGNOSTIC(result, "/States/S/Catch/0", "missing required field 'Next'");
}

TEST(CompileValidation, ChoiceNeedsChoices) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Choice", "Default": "S"})")), "/States/S",
                    "missing required field 'Choices'");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Choice", "Choices": []})")),
                    "/States/S/Choices", "non-empty array");
}

TEST(CompileValidation, MapAndParallelNeedTheirGraphs) {
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Map", "End": true})")), "/States/S",
                    "needs 'ItemProcessor'");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Parallel", "End": true, "Branches": []})")),
                    "/States/S/Branches", "non-empty array");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Parallel", "End": true,
      "Branches": [{"StartAt": "X", "States": {"X": {"Type": "Pass", "End": true}}, "Foo": 1}]})")),
                    "/States/S/Branches/0/Foo", "unknown field 'Foo' in a Parallel branch");
}

TEST(CompileValidation, DistributedOnlyFieldsNeedDistributedMode) {
  auto result = Compile(OneState(R"({"Type": "Map", "End": true, "Label": "L",
      "ItemProcessor": {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/Label", "only allowed when");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Map", "End": true,
      "ItemProcessor": {"ProcessorConfig": {"Mode": "FAST"}, "StartAt": "P",
                        "States": {"P": {"Type": "Pass", "End": true}}}})")),
                    "/States/S/ItemProcessor/ProcessorConfig/Mode", "INLINE or DISTRIBUTED");
}

TEST(CompileValidation, ItemReaderAndResultWriterAreNotSupportedYet) {
  auto result = Compile(OneState(R"({"Type": "Map", "End": true, "ItemReader": {},
      "ResultWriter": {}, "ItemProcessor": {"ProcessorConfig": {"Mode": "DISTRIBUTED"},
      "StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}})"));
  EXPECT_DIAGNOSTIC(result, "/States/S/ItemReader", "not supported yet");
  EXPECT_DIAGNOSTIC(result, "/States/S/ResultWriter", "not supported yet");
}

TEST(CompileValidation, JsonataIsNotSupportedYet) {
  EXPECT_DIAGNOSTIC(Compile(R"({"QueryLanguage": "JSONata", "StartAt": "S",
      "States": {"S": {"Type": "Succeed"}}})"),
                    "/QueryLanguage", "not supported yet");
  EXPECT_DIAGNOSTIC(Compile(OneState(R"({"Type": "Pass", "Assign": {"x": 1}, "End": true})")),
                    "/States/S/Assign", "not supported yet");
}

TEST(CompileValidation, EveryProblemIsReportedInOneRun) {
  auto result = Compile(R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "Nope"},
      "B": {"Type": "Wait", "End": true},
      "C": {"Type": "Task", "End": true}}})");
  EXPECT_DIAGNOSTIC(result, "/States/A/Next", "no state named");
  EXPECT_DIAGNOSTIC(result, "/States/B", "exactly one of");
  EXPECT_DIAGNOSTIC(result, "/States/C", "missing required field 'Resource'");
}

TEST(CompileValidation, PointersEscapeSlashAndTilde) {
  auto result = Compile(R"({"StartAt": "a/b~c", "States": {"a/b~c": {"Type": "Pass",
      "Next": "x"}}})");
  EXPECT_DIAGNOSTIC(result, "/States/a~1b~0c/Next", "no state named 'x'");
}

}  // namespace
}  // namespace stepwise::dsl
