// Parallel and Map states: result order, inputs of branches and iterations, concurrency,
// failure propagation (and the cancelling of the rest), tolerated failures, Catch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter_harness.h"

namespace stepwise::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

// --- Parallel -------------------------------------------------------------------------------

constexpr const char* kThreeBranches = R"json({"StartAt": "Par", "States": {
  "Par": {"Type": "Parallel", "End": true, "Branches": [
    {"StartAt": "B0", "States": {"B0": {"Type": "Task", "Resource": "function:b0", "End": true}}},
    {"StartAt": "B1", "States": {"B1": {"Type": "Task", "Resource": "function:b1", "End": true}}},
    {"StartAt": "B2", "States": {"B2": {"Type": "Task", "Resource": "function:b2", "End": true}}}
  ]}}})json";

TEST(ParallelStateTest, StartsEveryBranchWithTheSameInput) {
  Harness h(kThreeBranches);
  h.Start({{"x", 1}});
  ASSERT_EQ(h.pending_tasks().size(), 3u);
  for (const ScheduleTask& task : h.pending_tasks()) EXPECT_EQ(task.input, json({{"x", 1}}));
}

TEST(ParallelStateTest, ResultsAreInBranchOrderEvenWhenBranchesFinishInReverse) {
  Harness h(kThreeBranches);
  h.Start({{"x", 1}});
  h.Succeed(h.Task("B2").task, "two");
  h.Succeed(h.Task("B1").task, "one");
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning);
  h.Succeed(h.Task("B0").task, "zero");
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({"zero", "one", "two"}));
}

TEST(ParallelStateTest, ParametersResultSelectorAndResultPathApply) {
  Harness h(R"json({"StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "Parameters": {"v.$": "$.v"},
            "ResultSelector": {"first.$": "$[0]"}, "ResultPath": "$.out", "End": true,
            "Branches": [{"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}},
                         {"StartAt": "Q", "States": {"Q": {"Type": "Pass", "Result": 2,
                                                             "End": true}}}]}}})json");
  h.Run({{"v", 5}});
  EXPECT_EQ(h.output(), json({{"v", 5}, {"out", {{"first", {{"v", 5}}}}}}));
}

TEST(ParallelStateTest, AFailingBranchFailsTheStateWithItsErrorAndCancelsTheOtherBranch) {
  Harness h(R"json({"StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "function:slow",
                                               "End": true}}},
      {"StartAt": "Bad", "States": {"Bad": {"Type": "Task", "Resource": "function:bad",
                                             "End": true}}}]}}})json");
  h.Start();
  TaskRef slow = h.Task("Slow").task;
  h.Fail(h.Task("Bad").task, "Boom", "it blew up");
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "Boom");
  EXPECT_EQ(h.cause(), "it blew up");
  std::vector<CancelTask> cancelled = h.All<CancelTask>();
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled.front().task, slow);
  EXPECT_EQ(h.CountEvents("ParallelStateFailed"), 1);
  EXPECT_FALSE(h.Accepts(TaskSucceeded{slow, 1}));
}

TEST(ParallelStateTest, AFailingBranchStopsTheOthersEvenWhenTheStateCatchesIt) {
  Harness h(R"json({"StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "Next": "Done",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.err", "Next": "Caught"}],
            "Branches": [
      {"StartAt": "Slow", "States": {"Slow": {"Type": "Task", "Resource": "function:slow",
                                               "End": true}}},
      {"StartAt": "Bad", "States": {"Bad": {"Type": "Fail", "Error": "Boom",
                                             "Cause": "c"}}}]},
    "Caught": {"Type": "Pass", "End": true},
    "Done": {"Type": "Pass", "End": true}}})json");
  h.Start({{"in", 1}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({{"in", 1}, {"err", {{"Error", "Boom"}, {"Cause", "c"}}}}));
  EXPECT_THAT(h.pending_tasks(), IsEmpty());
  EXPECT_EQ(h.All<CancelTask>().size(), 1u);
}

TEST(ParallelStateTest, HistoryNamesTheParallelEvents) {
  Harness h(R"json({"StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}}]}}})json");
  h.Run(json::object());
  EXPECT_THAT(h.HistoryTypes(),
              ElementsAre("ExecutionStarted", "ParallelStateEntered", "ParallelStateStarted",
                          "PassStateEntered", "PassStateExited", "ParallelStateSucceeded",
                          "ParallelStateExited", "ExecutionSucceeded"));
}

// --- Map ------------------------------------------------------------------------------------

std::string MapOf(const std::string& map_fields, const std::string& processor_state) {
  return R"json({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true, )json" + map_fields +
         R"json("ItemProcessor": {"StartAt": "I", "States": {"I": )json" + processor_state +
         R"json(}}}}})json";
}

constexpr const char* kTaskItem =
    R"json({"Type": "Task", "Resource": "function:f", "End": true})json";
constexpr const char* kPassItem = R"json({"Type": "Pass", "End": true})json";

TEST(MapStateTest, ResultsAreInItemOrderWhateverOrderIterationsFinishIn) {
  Harness h(MapOf("", kTaskItem));
  h.Start({10, 20, 30});
  ASSERT_EQ(h.pending_tasks().size(), 3u);
  std::vector<ScheduleTask> tasks = h.pending_tasks();
  EXPECT_EQ(tasks[0].input, 10);
  EXPECT_EQ(tasks[2].input, 30);
  h.Succeed(tasks[2].task, "c");
  h.Succeed(tasks[0].task, "a");
  h.Succeed(tasks[1].task, "b");
  EXPECT_EQ(h.output(), json({"a", "b", "c"}));
}

TEST(MapStateTest, ItemSelectorSeesTheItemIndexTheItemValueAndTheStateInput) {
  Harness h(MapOf(R"json("ItemsPath": "$.items",
                         "ItemSelector": {"i.$": "$$.Map.Item.Index", "v.$": "$$.Map.Item.Value",
                                          "k.$": "$.k"}, )json",
                  kPassItem));
  h.Run({{"items", {"a", "b"}}, {"k", 1}});
  EXPECT_EQ(h.output(), json({{{"i", 0}, {"v", "a"}, {"k", 1}}, {{"i", 1}, {"v", "b"}, {"k", 1}}}));
}

TEST(MapStateTest, ItemsPathSelectsTheArray) {
  Harness h(MapOf(R"json("ItemsPath": "$.list", "ResultPath": "$.out", )json", kPassItem));
  h.Run({{"list", {1, 2}}});
  EXPECT_EQ(h.output(), json({{"list", {1, 2}}, {"out", {1, 2}}}));
}

std::size_t MostTasksAtOnce(const std::string& map_fields) {
  Harness h(MapOf(map_fields, kTaskItem));
  h.Start({1, 2, 3, 4, 5});
  std::size_t at_start = h.pending_tasks().size();
  EXPECT_EQ(h.RunToCompletion({{"f", Echo}}), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({1, 2, 3, 4, 5}));
  EXPECT_EQ(h.max_pending_tasks(), at_start);
  return h.max_pending_tasks();
}

TEST(MapStateTest, MaxConcurrencyOneRunsOneIterationAtATime) {
  EXPECT_EQ(MostTasksAtOnce(R"("MaxConcurrency": 1, )"), 1u);
}

TEST(MapStateTest, MaxConcurrencyTwoRunsTwoIterationsAtATime) {
  EXPECT_EQ(MostTasksAtOnce(R"("MaxConcurrency": 2, )"), 2u);
}

TEST(MapStateTest, MaxConcurrencyZeroOrAbsentRunsEveryIterationAtOnce) {
  EXPECT_EQ(MostTasksAtOnce(R"("MaxConcurrency": 0, )"), 5u);
  EXPECT_EQ(MostTasksAtOnce(""), 5u);
}

TEST(MapStateTest, MaxConcurrencyOneStartsItemsInOrder) {
  Harness h(MapOf(R"("MaxConcurrency": 1, )", kTaskItem));
  h.Start({"a", "b", "c"});
  std::vector<json> order;
  while (h.status() == ExecutionStatus::kRunning && h.pending_tasks().size() == 1) {
    order.push_back(h.OnlyTask().input);
    h.Succeed(h.OnlyTask().task, h.OnlyTask().input);
  }
  EXPECT_THAT(order, ElementsAre("a", "b", "c"));
}

TEST(MapStateTest, AnEmptyArrayGivesAnEmptyResult) {
  Harness h(MapOf("", kTaskItem));
  EXPECT_EQ(h.Run(json::array()), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json::array());
  EXPECT_EQ(h.CountEvents("MapIterationStarted"), 0);
}

TEST(MapStateTest, ANonArrayInputIsARuntimeError) {
  Harness h(MapOf("", kPassItem));
  EXPECT_EQ(h.Run({{"a", 1}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  EXPECT_EQ(h.cause(),
            "An error occurred while executing the state 'M' (entered at the event id #2). "
            "Map state input must be an array but was: {\"a\":1}");
}

TEST(MapStateTest, ARuntimeErrorInAnIterationCitesTheInnerStatesEnteredEvent) {
  Harness h(MapOf("", R"json({"Type": "Pass", "InputPath": "$.x", "End": true})json"));
  EXPECT_EQ(h.Run(json::parse(R"([{"y": 1}])")), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  // 1 ExecutionStarted, 2 MapStateEntered, 3 MapStateStarted, 4 MapIterationStarted, 5 I.
  EXPECT_THAT(h.cause(), ::testing::StartsWith("An error occurred while executing the state 'I' "
                                               "(entered at the event id #5)."));
}

TEST(MapStateTest, AFailedIterationFailsTheStateAndCancelsTheRunningOnes) {
  Harness h(MapOf("", kTaskItem));
  h.Start({1, 2, 3});
  std::vector<ScheduleTask> tasks = h.pending_tasks();
  ASSERT_EQ(tasks.size(), 3u);
  h.Fail(tasks[1].task, "ItemError", "bad item");
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "ItemError");
  EXPECT_EQ(h.cause(), "bad item");
  EXPECT_EQ(h.All<CancelTask>().size(), 2u);
  EXPECT_EQ(h.CountEvents("MapIterationFailed"), 1);
  EXPECT_EQ(h.CountEvents("MapStateFailed"), 1);
}

FunctionOutcome FailOnOdd(const json& item) {
  return item.get<int>() % 2 == 1 ? Throws("Odd", "odd item") : Returns(item);
}

TEST(MapStateTest, FailuresUpToToleratedFailureCountAreTolerated) {
  Harness h(MapOf(R"("ToleratedFailureCount": 2, )", kTaskItem));
  EXPECT_EQ(h.Run({1, 2, 3, 4}, {{"f", FailOnOdd}}), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output()[1], 2);
  EXPECT_EQ(h.output()[3], 4);
}

TEST(MapStateTest, OneFailureMoreThanToleratedFailureCountFailsTheState) {
  Harness h(MapOf(R"("ToleratedFailureCount": 1, )", kTaskItem));
  EXPECT_EQ(h.Run({1, 2, 3, 4}, {{"f", FailOnOdd}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.ExceedToleratedFailureThreshold");
}

TEST(MapStateTest, FailuresUpToToleratedFailurePercentageAreTolerated) {
  Harness h(MapOf(R"("ToleratedFailurePercentage": 50, )", kTaskItem));
  EXPECT_EQ(h.Run({1, 2, 3, 4}, {{"f", FailOnOdd}}), ExecutionStatus::kSucceeded);
}

TEST(MapStateTest, FailuresOverToleratedFailurePercentageFailTheState) {
  Harness h(MapOf(R"("ToleratedFailurePercentage": 49, )", kTaskItem));
  EXPECT_EQ(h.Run({1, 2, 3, 4}, {{"f", FailOnOdd}}), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.ExceedToleratedFailureThreshold");
}

TEST(MapStateTest, CatchOnMapHandlesAFailedIteration) {
  Harness h(R"json({"StartAt": "M", "States": {
    "M": {"Type": "Map", "Next": "Done",
          "Catch": [{"ErrorEquals": ["Odd"], "ResultPath": "$.err", "Next": "Caught"}],
          "ItemsPath": "$.items",
          "ItemProcessor": {"StartAt": "I", "States": {
            "I": {"Type": "Task", "Resource": "function:f", "End": true}}}},
    "Caught": {"Type": "Pass", "End": true},
    "Done": {"Type": "Pass", "End": true}}})json");
  h.Run({{"items", {2, 3}}}, {{"f", FailOnOdd}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(),
            json({{"items", {2, 3}}, {"err", {{"Error", "Odd"}, {"Cause", "odd item"}}}}));
}

TEST(MapStateTest, HistoryNamesTheMapEvents) {
  Harness h(MapOf("", kPassItem));
  h.Run({7});
  EXPECT_THAT(
      h.HistoryTypes(),
      ElementsAre("ExecutionStarted", "MapStateEntered", "MapStateStarted", "MapIterationStarted",
                  "PassStateEntered", "PassStateExited", "MapIterationSucceeded",
                  "MapStateSucceeded", "MapStateExited", "ExecutionSucceeded"));
  EXPECT_EQ(h.FindEvent("MapStateStarted").details["length"], 1);
  EXPECT_EQ(h.FindEvent("MapIterationStarted").details["index"], 0);
}

TEST(MapStateTest, IterationsOfAMapInsideAMapEachGetTheirOwnItems) {
  Harness h(R"json({"StartAt": "Outer", "States": {
    "Outer": {"Type": "Map", "End": true, "ItemProcessor": {"StartAt": "Inner", "States": {
      "Inner": {"Type": "Map", "End": true,
                "ItemSelector": {"v.$": "$$.Map.Item.Value", "i.$": "$$.Map.Item.Index"},
                "ItemProcessor": {"StartAt": "P", "States": {
                  "P": {"Type": "Pass", "End": true}}}}}}}}})json");
  h.Run({{1, 2}, {3}});
  EXPECT_EQ(h.output(),
            json({{{{"v", 1}, {"i", 0}}, {{"v", 2}, {"i", 1}}}, {{{"v", 3}, {"i", 0}}}}));
}

TEST(MapStateTest, ToleratedFailuresLetLaterItemsStartUnderMaxConcurrency) {
  Harness h(MapOf(R"("MaxConcurrency": 1, "ToleratedFailureCount": 5, )", kTaskItem));
  EXPECT_EQ(h.Run({1, 2, 3, 4}, {{"f", FailOnOdd}}), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.invocations("f"), 4);
  EXPECT_EQ(h.max_pending_tasks(), 1u);
  EXPECT_EQ(h.output()[3], 4);
}

TEST(MapStateTest, IterationsThatWaitFinishOnTheSimulatedClockInItemOrder) {
  Harness h(MapOf("", R"json({"Type": "Wait", "SecondsPath": "$", "End": true})json"));
  EXPECT_EQ(h.Run({3, 1, 2}), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({3, 1, 2}));
  EXPECT_EQ(h.now(), kT0 + 3000);
}

TEST(MapStateTest, AManyItemMapContinuesThroughBoundedSteps) {
  InterpreterOptions options;
  options.max_transitions_per_step = 50;
  options.history_payloads = false;
  Harness h(MapOf("", R"json({"Type": "Pass", "Parameters": {"n.$": "$"}, "End": true})json"),
            options);
  json items = json::array();
  for (int i = 0; i < 1000; ++i) items.push_back(i);
  ASSERT_EQ(h.Run(items), ExecutionStatus::kSucceeded);
  ASSERT_EQ(h.output().size(), 1000u);
  EXPECT_EQ(h.output()[999], json({{"n", 999}}));
  EXPECT_GE(h.steps().size(), 20u);
  for (const Step& step : h.steps()) {
    int entered = 0;
    for (const HistoryEvent& event : step.history) {
      entered += std::string_view(event.type).ends_with("StateEntered") ? 1 : 0;
    }
    EXPECT_LE(entered, 50);
  }
}

TEST(MapStateTest, AFailureDeepInsideCancelsEveryTaskBelowTheFailedMap) {
  Harness h(R"json({"StartAt": "M", "States": {"M": {"Type": "Map", "End": true,
    "ItemProcessor": {"StartAt": "Par", "States": {"Par": {"Type": "Parallel", "End": true,
      "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:a",
                                           "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "function:b",
                                           "End": true}}}]}}}}}})json");
  h.Start({1, 2});
  ASSERT_EQ(h.pending_tasks().size(), 4u);
  h.Fail(h.Task("A").task, "Deep");
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "Deep");
  EXPECT_EQ(h.All<CancelTask>().size(), 3u);
  EXPECT_THAT(h.pending_tasks(), IsEmpty());
  EXPECT_TRUE(h.state().frames.empty());
}

TEST(ParallelStateTest, TheMachineTimeoutCancelsTheTasksOfEveryBranch) {
  Harness h(R"json({"TimeoutSeconds": 5, "StartAt": "Par", "States": {
    "Par": {"Type": "Parallel", "End": true, "Branches": [
      {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:a",
                                         "End": true}}},
      {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "function:b",
                                         "End": true}}}]}}})json");
  h.Start();
  h.FireNext(TimerKind::kExecutionTimeout);
  EXPECT_EQ(h.status(), ExecutionStatus::kTimedOut);
  EXPECT_EQ(h.All<CancelTask>().size(), 2u);
  EXPECT_THAT(h.pending_tasks(), IsEmpty());
}

TEST(MapStateTest, ItemSelectorSeesTheMapStateAsTheCurrentState) {
  Harness h(MapOf(R"json("ItemSelector": {"outer.$": "$$.State.Name"}, )json",
                  R"json({"Type": "Pass", "Parameters": {"inner.$": "$$.State.Name",
                                                         "outer.$": "$.outer"},
                          "End": true})json"));
  h.Run({1, 2, 3});
  json expected = {{"inner", "I"}, {"outer", "M"}};
  EXPECT_EQ(h.output(), json({expected, expected, expected}));
}

}  // namespace
}  // namespace stepwise::engine::testing
