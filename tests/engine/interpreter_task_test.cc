// Task states: resources, the input/output pipeline around a task, the context object, task
// tokens, timeouts and heartbeats, stale events and StopRequested.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "interpreter_harness.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

std::string OneTask(const std::string& task_fields) {
  return R"json({"StartAt": "T", "States": {"T": {"Type": "Task", )json" + task_fields +
         R"json(, "End": true}}})json";
}

// --- Resources ------------------------------------------------------------------------------

TEST(TaskResourceTest, FunctionResourceSchedulesTheNamedFunctionWithTheInput) {
  Harness h(OneTask(R"("Resource": "function:greet")"));
  h.Start({{"who", "ann"}});
  ScheduleTask task = h.OnlyTask();
  EXPECT_EQ(task.function, "greet");
  EXPECT_EQ(task.resource, "function:greet");
  EXPECT_EQ(task.state_name, "T");
  EXPECT_EQ(task.input, json({{"who", "ann"}}));
  EXPECT_EQ(task.attempt, 0);
  h.Succeed(task.task, {{"hello", "ann"}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({{"hello", "ann"}}));
}

TEST(TaskResourceTest, LambdaArnWithQualifierSchedulesTheFunctionName) {
  Harness h(OneTask(R"("Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet:prod")"));
  h.Start({{"a", 1}});
  EXPECT_EQ(h.OnlyTask().function, "greet");
  EXPECT_EQ(h.OnlyTask().input, json({{"a", 1}}));
}

TEST(TaskResourceTest, LambdaArnResultIsNotWrapped) {
  Harness h(OneTask(R"("Resource": "arn:aws:lambda:us-east-1:123456789012:function:greet")"));
  h.Run(json::object(), {{"greet", [](const json&) { return Returns(42); }}});
  EXPECT_EQ(h.output(), 42);
}

TEST(TaskResourceTest, OtherResourcesLeaveTheFunctionEmptyAndKeepTheResource) {
  Harness h(OneTask(R"("Resource": "arn:aws:states:::task:Add")"));
  h.Start({{"a", 1}});
  EXPECT_EQ(h.OnlyTask().function, "");
  EXPECT_EQ(h.OnlyTask().resource, "arn:aws:states:::task:Add");
}

TEST(TaskResourceTest, AnActivityIsNoFunctionAndGoesByItsWholeArn) {
  Harness h(OneTask(R"("Resource": "arn:aws:states:us-east-1:123456789012:activity:approve")"));
  h.Start({{"a", 1}});
  EXPECT_EQ(h.OnlyTask().function, "") << "a function 'approve' must not get its tasks";
  EXPECT_EQ(h.OnlyTask().resource, "arn:aws:states:us-east-1:123456789012:activity:approve");
}

constexpr const char* kLambdaInvoke = R"json({"StartAt": "T", "States": {"T": {"Type": "Task",
  "Resource": "arn:aws:states:::lambda:invoke",
  "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:greet:7",
                 "Payload": {"x.$": "$.x"}},
  "End": true}}})json";

TEST(LambdaInvokeTest, SchedulesFunctionNameWithThePayloadOnly) {
  Harness h(kLambdaInvoke);
  h.Start({{"x", 5}, {"y", 6}});
  EXPECT_EQ(h.OnlyTask().function, "greet");
  EXPECT_EQ(h.OnlyTask().input, json({{"x", 5}}));
}

TEST(LambdaInvokeTest, WrapsTheResultAsTheLambdaInvokeApiAnswers) {
  Harness h(kLambdaInvoke);
  h.Run({{"x", 5}}, {{"greet", [](const json& in) { return Returns({{"got", in["x"]}}); }}});
  ASSERT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output()["Payload"], json({{"got", 5}}));
  EXPECT_EQ(h.output()["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(h.output()["StatusCode"], 200);
  EXPECT_TRUE(h.output().contains("SdkHttpMetadata"));
  EXPECT_TRUE(h.output().contains("SdkResponseMetadata"));
}

TEST(LambdaInvokeTest, AStringPayloadHoldingJsonArrivesParsed) {
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f", "Payload": "[1, \"two\"]"})json"));
  h.Start();
  EXPECT_EQ(h.OnlyTask().function, "f");
  EXPECT_EQ(h.OnlyTask().input, json({1, "two"}));
}

TEST(LambdaInvokeTest, AStringPayloadThatIsNotJsonArrivesAsTheString) {
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f", "Payload": "plain words"})json"));
  h.Start();
  EXPECT_EQ(h.OnlyTask().input, "plain words");
}

TEST(LambdaInvokeTest, AMissingPayloadArrivesAsAnEmptyObject) {
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f"})json"));
  h.Start({{"ignored", true}});
  EXPECT_EQ(h.OnlyTask().input, json::object());
}

TEST(LambdaInvokeTest, ResultSelectorCanUnwrapThePayload) {
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke",
      "Parameters": {"FunctionName": "f", "Payload.$": "$"},
      "ResultSelector": {"value.$": "$.Payload.v"})json"));
  h.Run({{"v", 3}}, {{"f", Echo}});
  EXPECT_EQ(h.output(), json({{"value", 3}}));
}

// --- The pipeline around a task --------------------------------------------------------------

TEST(TaskPipelineTest, ParametersWithPathsAndIntrinsicsMakeTheTaskInput) {
  Harness h(OneTask(R"json("Resource": "function:f",
      "Parameters": {"id.$": "$.order.id", "tag.$": "States.Format('o-{}', $.order.id)",
                     "items.$": "States.ArrayLength($.order.items)", "fixed": {"k": "v"}})json"));
  h.Start({{"order", {{"id", 9}, {"items", {1, 2, 3}}}}});
  EXPECT_EQ(h.OnlyTask().input,
            json({{"id", 9}, {"tag", "o-9"}, {"items", 3}, {"fixed", {{"k", "v"}}}}));
}

TEST(TaskPipelineTest, AppliesInputPathParametersResultSelectorResultPathOutputPathInOrder) {
  Harness h(OneTask(R"json("Resource": "function:f", "InputPath": "$.in",
      "Parameters": {"n.$": "$.n"},
      "ResultSelector": {"doubled.$": "$.r"},
      "ResultPath": "$.in.result",
      "OutputPath": "$.in")json"));
  h.Run({{"in", {{"n", 4}}}, {"other", 1}}, {{"f", [](const json& in) {
                                                return Returns({{"r", in["n"].get<int>() * 2}});
                                              }}});
  EXPECT_EQ(h.FindEvent("TaskScheduled").details["parameters"], json({{"n", 4}}));
  EXPECT_EQ(h.output(), json({{"n", 4}, {"result", {{"doubled", 8}}}}));
}

TEST(TaskPipelineTest, ResultPathNullKeepsTheInput) {
  Harness h(OneTask(R"("Resource": "function:f", "ResultPath": null)"));
  h.Run({{"a", 1}}, {{"f", [](const json&) { return Returns("dropped"); }}});
  EXPECT_EQ(h.output(), json({{"a", 1}}));
}

TEST(TaskPipelineTest, ErrorsRaisedByFunctionsKeepTheirOwnNames) {
  Harness h(OneTask(R"("Resource": "function:f")"));
  h.Run(json::object(), {{"f", [](const json&) { return Throws("Lambda.Unknown", "boom"); }}});
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "Lambda.Unknown");
  EXPECT_EQ(h.cause(), "boom");
  EXPECT_EQ(h.FindEvent("TaskFailed").details["error"], "Lambda.Unknown");
}

TEST(TaskPipelineTest, HistoryShowsScheduledStartedSucceeded) {
  Harness h(OneTask(R"("Resource": "function:f")"));
  h.Run(json::object(), {{"f", Echo}});
  EXPECT_THAT(h.HistoryTypes(),
              ElementsAre("ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                          "TaskSucceeded", "TaskStateExited", "ExecutionSucceeded"));
  EXPECT_EQ(h.FindEvent("TaskScheduled").details["resource"], "function:f");
  EXPECT_EQ(h.FindEvent("TaskScheduled").details["timeoutInSeconds"], 60);
}

TEST(TaskPipelineTest, ARuntimeErrorAfterARetryCitesTheStateEnteredEvent) {
  Harness h(R"json({"StartAt": "P", "States": {
    "P": {"Type": "Pass", "Next": "T"},
    "T": {"Type": "Task", "Resource": "function:f", "ResultSelector": {"v.$": "$.value"},
          "Retry": [{"ErrorEquals": ["E"]}], "End": true}}})json");
  h.Start();
  h.Fail(h.OnlyTask().task, "E");
  h.FireNext(TimerKind::kRetry);
  h.Succeed(h.OnlyTask().task, {{"other", 1}});
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  // 1 ExecutionStarted, 2-3 P, 4 TaskStateEntered: the retry does not enter the state again.
  EXPECT_THAT(h.cause(), ::testing::StartsWith("An error occurred while executing the state 'T' "
                                               "(entered at the event id #4)."));
}

TEST(TaskPipelineTest, InputPathNullGivesTheTaskAnEmptyObject) {
  Harness h(OneTask(R"("Resource": "function:f", "InputPath": null)"));
  h.Start({{"a", 1}});
  EXPECT_EQ(h.OnlyTask().input, json::object());
}

// --- The context object ---------------------------------------------------------------------

TEST(ContextObjectTest, ParametersSeeExecutionAndStateFields) {
  Harness h(OneTask(R"json("Resource": "function:f", "Parameters": {
      "id.$": "$$.Execution.Id", "name.$": "$$.Execution.Name",
      "input.$": "$$.Execution.Input", "start.$": "$$.Execution.StartTime",
      "machine.$": "$$.StateMachine.Name", "state.$": "$$.State.Name",
      "entered.$": "$$.State.EnteredTime", "retries.$": "$$.State.RetryCount"})json"));
  h.Start({{"a", 1}});
  EXPECT_EQ(h.OnlyTask().input, json({{"id", "arn:stepwise:execution:test-machine:run-1"},
                                      {"name", "run-1"},
                                      {"input", {{"a", 1}}},
                                      {"start", "2023-11-14T22:13:20.000Z"},
                                      {"machine", "test-machine"},
                                      {"state", "T"},
                                      {"entered", "2023-11-14T22:13:20.000Z"},
                                      {"retries", 0}}));
}

TEST(ContextObjectTest, StateNameAndEnteredTimeFollowTheCurrentState) {
  Harness h(R"json({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 3, "Next": "T"},
    "T": {"Type": "Task", "Resource": "function:f",
          "Parameters": {"s.$": "$$.State.Name", "e.$": "$$.State.EnteredTime"},
          "End": true}}})json");
  h.Start();
  h.FireNext(TimerKind::kWait);
  EXPECT_EQ(h.OnlyTask().input, json({{"s", "T"}, {"e", "2023-11-14T22:13:23.000Z"}}));
}

TEST(ContextObjectTest, RetryCountCountsTheRetriesOfTheState) {
  Harness h(OneTask(R"json("Resource": "function:f",
      "Parameters": {"retries.$": "$$.State.RetryCount"},
      "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1, "MaxAttempts": 3}])json"));
  h.Start();
  EXPECT_EQ(h.OnlyTask().input["retries"], 0);
  h.Fail(h.OnlyTask().task, "E");
  h.FireNext(TimerKind::kRetry);
  EXPECT_EQ(h.OnlyTask().input["retries"], 1);
  EXPECT_EQ(h.OnlyTask().attempt, 1);
  h.Fail(h.OnlyTask().task, "E");
  h.FireNext(TimerKind::kRetry);
  EXPECT_EQ(h.OnlyTask().input["retries"], 2);
  EXPECT_EQ(h.OnlyTask().attempt, 2);
}

TEST(ContextObjectTest, TaskTokenIsTheTokenOfTheScheduledTask) {
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}})json"));
  h.Start();
  ScheduleTask task = h.OnlyTask();
  ASSERT_TRUE(task.input["token"].is_string());
  // The whole token, naming the execution too, so that any client can complete it.
  std::optional<TaskToken> token = ParseTaskToken(task.input["token"].get<std::string>());
  ASSERT_TRUE(token.has_value());
  EXPECT_EQ(token->task, task.task);
  EXPECT_EQ(token->execution_id, h.state().info.execution_id);
  EXPECT_FALSE(token->invocation);
  EXPECT_EQ(task.integration, TaskIntegration::kCallback);
}

TEST(ContextObjectTest, AFunctionResourceTakesTheCallbackSuffixOffItsName) {
  Harness h(OneTask(R"json("Resource": "function:approve.waitForTaskToken",
      "Parameters": {"token.$": "$$.Task.Token"})json"));
  h.Start();
  ScheduleTask task = h.OnlyTask();
  EXPECT_EQ(task.function, "approve");
  EXPECT_EQ(task.integration, TaskIntegration::kCallback);
  EXPECT_EQ(task.input["token"], MakeTaskToken(h.state().info.execution_id, task.task));
  h.Succeed(task.task, {{"approved", true}});
  EXPECT_EQ(h.output(), json({{"approved", true}}));
}

TEST(ContextObjectTest, StartExecutionTasksNeedAStateMachineArn) {
  Harness good(OneTask(R"json("Resource": "arn:aws:states:::states:startExecution.sync:2",
      "Parameters": {"StateMachineArn": "arn:aws:states:us-east-1:1:stateMachine:child",
                     "Input": {"n": 1}})json"));
  good.Start();
  EXPECT_EQ(good.OnlyTask().integration, TaskIntegration::kStartExecutionSync2);
  EXPECT_EQ(good.OnlyTask().input["Input"], json({{"n", 1}}));
  EXPECT_TRUE(good.OnlyTask().function.empty());

  Harness bad(OneTask(R"json("Resource": "arn:aws:states:::states:startExecution",
      "Parameters": {"Input": {}})json"));
  bad.Start();
  EXPECT_EQ(bad.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(bad.error(), "States.Runtime");
}

TEST(ContextObjectTest, CallbackTaskOutputIsWhatTheTokenWasCompletedWith) {
  // With .waitForTaskToken the output is what SendTaskSuccess sent, not an Invoke response.
  Harness h(OneTask(R"json("Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
      "Parameters": {"FunctionName": "f", "Payload": {"token.$": "$$.Task.Token"}})json"));
  h.Start();
  h.Succeed(h.OnlyTask().task, {{"approved", true}});
  EXPECT_EQ(h.output(), json({{"approved", true}}));
}

TEST(ContextObjectTest, TaskTokenIsAbsentWithoutWaitForTaskToken) {
  Harness h(OneTask(R"json("Resource": "function:f",
      "Parameters": {"token.$": "$$.Task.Token"})json"));
  h.Start();
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
}

// --- Task tokens ----------------------------------------------------------------------------

TEST(TaskRefTest, TokenRoundTrips) {
  for (TaskRef ref : {TaskRef{1, 0}, TaskRef{3, 17}, TaskRef{18446744073709551615ULL, 42}}) {
    std::optional<TaskRef> back = TaskRef::FromToken(ref.Token());
    ASSERT_TRUE(back.has_value()) << ref.Token();
    EXPECT_EQ(*back, ref);
  }
  EXPECT_EQ((TaskRef{3, 17}.Token()), "3.17");
}

TEST(TaskTokenTest, BothFormsRoundTripAndNameTheExecution) {
  const std::string id = "arn:stepwise:states:local:execution:m:odd@name";
  std::string attempt = MakeTaskToken(id, TaskRef{3, 17});
  EXPECT_EQ(attempt, "3.17@" + id);
  std::string invocation = FormatTaskToken(TaskToken{id, TaskRef{3, 17}, true});
  EXPECT_EQ(invocation, "3.17.i@" + id);
  for (const std::string& text : {attempt, invocation}) {
    std::optional<TaskToken> parsed = ParseTaskToken(text);
    ASSERT_TRUE(parsed.has_value()) << text;
    EXPECT_EQ(parsed->execution_id, id);
    EXPECT_EQ(parsed->task, (TaskRef{3, 17}));
    EXPECT_EQ(parsed->invocation, text == invocation);
  }
}

TEST(TaskTokenTest, JunkIsNoToken) {
  for (const char* junk : {"", "3.17", "3.17@", "@exec", "3@exec", "3.17.x@exec", "3.17.i.i@exec",
                           "0.1@exec", "a.b@exec"}) {
    EXPECT_FALSE(ParseTaskToken(junk).has_value()) << '"' << junk << '"';
  }
}

TEST(TaskRefTest, FromTokenRejectsJunk) {
  for (const char* junk : {"", "3", "3.", ".5", "a.b", "3.5x", "x3.5", "0.1", "-1.2", "3.-2",
                           "3.5.6", " 3.5", "3 .5", "99999999999999999999999.1"}) {
    EXPECT_FALSE(TaskRef::FromToken(junk).has_value()) << '"' << junk << '"';
  }
}

// --- Timeouts and heartbeats ----------------------------------------------------------------

TEST(TaskTimeoutTest, TimeoutSecondsDefaultsToSixty) {
  Harness h(OneTask(R"("Resource": "function:f")"));
  h.Start();
  EXPECT_EQ(h.OnlyTask().timeout_seconds, 60);
  EXPECT_FALSE(h.OnlyTask().heartbeat_seconds.has_value());
  std::optional<ArmTimer> timeout = h.NextTimer(TimerKind::kTaskTimeout);
  ASSERT_TRUE(timeout.has_value());
  EXPECT_EQ(timeout->due, kT0 + 60000);
  EXPECT_FALSE(h.NextTimer(TimerKind::kHeartbeat).has_value());
}

TEST(TaskTimeoutTest, TimeoutSecondsPathReadsTheEffectiveInput) {
  Harness h(OneTask(R"("Resource": "function:f", "TimeoutSecondsPath": "$.limit")"));
  h.Start({{"limit", 5}});
  EXPECT_EQ(h.OnlyTask().timeout_seconds, 5);
  EXPECT_EQ(h.NextTimer(TimerKind::kTaskTimeout)->due, kT0 + 5000);
}

TEST(TaskTimeoutTest, TimeoutSecondsPathToANonIntegerIsARuntimeError) {
  Harness h(OneTask(R"("Resource": "function:f", "TimeoutSecondsPath": "$.limit")"));
  h.Start({{"limit", "soon"}});
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  EXPECT_THAT(h.pending_tasks(), IsEmpty());
}

TEST(TaskTimeoutTest, TheTimeoutTimerFailsTheTaskWithStatesTimeoutAndCancelsIt) {
  Harness h(OneTask(R"("Resource": "function:f", "TimeoutSeconds": 10)"));
  h.Start();
  TaskRef task = h.OnlyTask().task;
  h.FireNext(TimerKind::kTaskTimeout);
  EXPECT_EQ(h.now(), kT0 + 10000);
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Timeout");
  EXPECT_EQ(h.CountEvents("TaskTimedOut"), 1);
  std::vector<CancelTask> cancelled = h.All<CancelTask>();
  ASSERT_FALSE(cancelled.empty());
  EXPECT_EQ(cancelled.front().task, task);
}

TEST(TaskTimeoutTest, AHeartbeatPushesTheHeartbeatDeadline) {
  Harness h(OneTask(R"("Resource": "function:f", "TimeoutSeconds": 100,
                       "HeartbeatSeconds": 10)"));
  h.Start();
  EXPECT_EQ(h.OnlyTask().heartbeat_seconds, 10);
  EXPECT_EQ(h.NextTimer(TimerKind::kHeartbeat)->due, kT0 + 10000);
  TaskRef task = h.OnlyTask().task;
  h.Heartbeat(task, kT0 + 8000);
  EXPECT_TRUE(h.accepted());
  h.FireNext(TimerKind::kHeartbeat);  // the first deadline passes: a heartbeat came since
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning);
  std::optional<ArmTimer> next = h.NextTimer(TimerKind::kHeartbeat);
  ASSERT_TRUE(next.has_value());
  EXPECT_EQ(next->due, kT0 + 18000);
  h.Succeed(task, "done", kT0 + 17000);
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
}

TEST(TaskTimeoutTest, NoHeartbeatBeforeTheDeadlineFailsWithHeartbeatTimeout) {
  Harness h(OneTask(R"("Resource": "function:f", "TimeoutSeconds": 100,
                       "HeartbeatSeconds": 10)"));
  h.Start();
  h.Heartbeat(h.OnlyTask().task, kT0 + 8000);
  h.FireNext(TimerKind::kHeartbeat);
  h.FireNext(TimerKind::kHeartbeat);
  EXPECT_EQ(h.now(), kT0 + 18000);
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.HeartbeatTimeout");
}

TEST(TaskTimeoutTest, HeartbeatSecondsPathReadsTheEffectiveInput) {
  Harness h(OneTask(R"("Resource": "function:f", "HeartbeatSecondsPath": "$.hb")"));
  h.Start({{"hb", 7}});
  EXPECT_EQ(h.OnlyTask().heartbeat_seconds, 7);
  EXPECT_EQ(h.NextTimer(TimerKind::kHeartbeat)->due, kT0 + 7000);
}

TEST(TaskTimeoutTest, StatesTaskFailedDoesNotCatchStatesTimeout) {
  Harness h(R"({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 1, "End": true,
          "Catch": [{"ErrorEquals": ["States.TaskFailed"], "Next": "Caught"}]},
    "Caught": {"Type": "Succeed"}}})");
  h.Start();
  h.FireNext(TimerKind::kTaskTimeout);
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Timeout");
}

TEST(TaskTimeoutTest, MachineTimeoutEndsTheExecutionTimedOut) {
  Harness h(R"({"TimeoutSeconds": 30, "StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 100, "End": true}}})");
  h.Start();
  TaskRef task = h.OnlyTask().task;
  std::optional<ArmTimer> timer = h.NextTimer(TimerKind::kExecutionTimeout);
  ASSERT_TRUE(timer.has_value());
  EXPECT_EQ(timer->due, kT0 + 30000);
  h.Fire(*timer);
  EXPECT_EQ(h.status(), ExecutionStatus::kTimedOut);
  EXPECT_EQ(h.error(), "States.Timeout");
  EXPECT_EQ(h.history().back().type, std::string("ExecutionTimedOut"));
  EXPECT_THAT(h.pending_tasks(), IsEmpty());
  EXPECT_FALSE(h.Accepts(TaskSucceeded{task, 1}));
}

TEST(TaskTimeoutTest, MachineTimeoutTimerIsNotCancelledWhenARootWaitEnds) {
  // CancelTimers of the root frame's finished waits must not take the machine's timeout along.
  Harness h(R"({"TimeoutSeconds": 30, "StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
    "T": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 100, "End": true}}})");
  h.Start();
  h.FireNext(TimerKind::kWait);
  std::optional<ArmTimer> timer = h.NextTimer(TimerKind::kExecutionTimeout);
  ASSERT_TRUE(timer.has_value());
  h.Fire(*timer);
  EXPECT_EQ(h.status(), ExecutionStatus::kTimedOut);
}

// --- Stale events ---------------------------------------------------------------------------

TEST(StaleEventTest, ACompletionForAnAttemptBeforeARetryChangesNothing) {
  Harness h(OneTask(R"json("Resource": "function:f",
      "Retry": [{"ErrorEquals": ["E"], "IntervalSeconds": 1}])json"));
  h.Start();
  TaskRef first = h.OnlyTask().task;
  h.Fail(first, "E");
  h.FireNext(TimerKind::kRetry);
  TaskRef second = h.OnlyTask().task;
  ASSERT_FALSE(second == first);
  std::int64_t next_event = h.state().next_event_id;
  Step stale = h.Succeed(first, "late");
  EXPECT_FALSE(h.accepted());
  EXPECT_THAT(stale.history, IsEmpty());
  EXPECT_THAT(stale.effects, IsEmpty());
  EXPECT_EQ(h.state().next_event_id, next_event);
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning);
  h.Succeed(second, "fresh");
  EXPECT_EQ(h.output(), "fresh");
}

TEST(StaleEventTest, ARepeatedCompletionChangesNothing) {
  Harness h(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "function:f", "Next": "B"},
    "B": {"Type": "Task", "Resource": "function:f", "End": true}}})");
  h.Start();
  TaskRef a = h.Task("A").task;
  h.Succeed(a, 1);
  EXPECT_TRUE(h.accepted());
  Step again = h.Fail(a, "Late");
  EXPECT_FALSE(h.accepted());
  EXPECT_THAT(again.history, IsEmpty());
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning);
  EXPECT_EQ(h.OnlyTask().state_name, "B");
}

TEST(StaleEventTest, TheTimeoutTimerOfACompletedTaskIsIgnored) {
  Harness h(R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 5, "Next": "B"},
    "B": {"Type": "Task", "Resource": "function:f", "TimeoutSeconds": 5, "End": true}}})");
  h.Start();
  std::optional<ArmTimer> old_timeout = h.NextTimer(TimerKind::kTaskTimeout);
  ASSERT_TRUE(old_timeout.has_value());
  h.Succeed(h.Task("A").task, 1, kT0 + 1000);
  Step stale = h.Feed(TimerFired{old_timeout->timer}, kT0 + 5000);
  EXPECT_FALSE(h.accepted());
  EXPECT_THAT(stale.history, IsEmpty());
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning);
}

TEST(StaleEventTest, TheTimerOfAnEndedWaitIsIgnored) {
  Harness h(R"({"StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "Next": "T"},
    "T": {"Type": "Task", "Resource": "function:f", "End": true}}})");
  h.Start();
  ArmTimer wait = *h.NextTimer(TimerKind::kWait);
  h.Fire(wait);
  EXPECT_TRUE(h.accepted());
  Step again = h.Fire(wait);
  EXPECT_FALSE(h.accepted());
  EXPECT_THAT(again.history, IsEmpty());
  EXPECT_EQ(h.CountEvents("WaitStateExited"), 1);
}

TEST(StaleEventTest, UnknownTasksAndFinishedExecutionsAcceptNothing) {
  Harness h(OneTask(R"("Resource": "function:f")"));
  h.Start();
  EXPECT_FALSE(h.Accepts(TaskSucceeded{TaskRef{99, 0}, 1}));
  TaskRef task = h.OnlyTask().task;
  EXPECT_TRUE(h.Accepts(TaskHeartbeat{task}));
  h.Succeed(task, 1);
  EXPECT_FALSE(h.Accepts(TaskSucceeded{task, 1}));
  EXPECT_FALSE(h.Accepts(StopRequested{}));
}

// --- StopRequested --------------------------------------------------------------------------

TEST(StopTest, StopRequestedAbortsAndCancelsTheRunningTask) {
  Harness h(OneTask(R"("Resource": "function:f")"));
  h.Start();
  TaskRef task = h.OnlyTask().task;
  Step stop = h.Stop("User.Stop", "no longer needed");
  EXPECT_TRUE(stop.finished);
  EXPECT_EQ(h.status(), ExecutionStatus::kAborted);
  EXPECT_EQ(h.error(), "User.Stop");
  EXPECT_EQ(h.cause(), "no longer needed");
  EXPECT_EQ(h.history().back().type, std::string("ExecutionAborted"));
  std::vector<CancelTask> cancelled = h.All<CancelTask>();
  ASSERT_EQ(cancelled.size(), 1u);
  EXPECT_EQ(cancelled.front().task, task);
  EXPECT_STREQ(StatusName(h.status()), "ABORTED");
}

}  // namespace
}  // namespace stepwise::engine::testing
