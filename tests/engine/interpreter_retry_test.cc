// Retry (the computed delays, MaxAttempts, MaxDelaySeconds, jitter, matching order) and Catch.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <set>
#include <string>
#include <vector>

#include "interpreter_harness.h"

namespace stepwise::engine::testing {
namespace {

using ::testing::ElementsAre;
using ::testing::ElementsAreArray;

std::string TaskWithRetry(const std::string& retry) {
  return R"json({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
                 "TimeoutSeconds": 1000, "Retry": )json" +
         retry + R"json(, "End": true}}})json";
}

// Fails the pending task with each error in turn (at the current time), firing the retry timer
// after each failure that armed one, and returns each backoff in ms (due - time of failure).
std::vector<Millis> Backoffs(Harness& h, const std::vector<std::string>& errors) {
  std::vector<Millis> delays;
  for (const std::string& error : errors) {
    if (h.pending_tasks().size() != 1) {
      ADD_FAILURE() << "no single pending task before failing with " << error;
      break;
    }
    Millis failed_at = h.now();
    h.Fail(h.OnlyTask().task, error);
    std::optional<ArmTimer> retry = h.NextTimer(TimerKind::kRetry);
    if (!retry) break;
    delays.push_back(retry->due - failed_at);
    h.Fire(*retry);
  }
  return delays;
}

TEST(RetryTest, DelaysAreIntervalSecondsTimesBackoffRateToTheRetryNumber) {
  Harness h(TaskWithRetry(
      R"([{"ErrorEquals": ["E"], "IntervalSeconds": 2, "BackoffRate": 3, "MaxAttempts": 4}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"E", "E", "E", "E", "E"}), ElementsAre(2000, 6000, 18000, 54000));
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "E");
}

TEST(RetryTest, DefaultsAreOneSecondRateTwoAndThreeAttempts) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"]}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"E", "E", "E", "E"}), ElementsAre(1000, 2000, 4000));
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
}

TEST(RetryTest, FractionalBackoffRatesGiveExactMilliseconds) {
  Harness h(TaskWithRetry(
      R"([{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 1.5, "MaxAttempts": 3}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"E", "E", "E"}), ElementsAre(1000, 1500, 2250));
}

TEST(RetryTest, RetryBackoffIsCappedByMaxDelaySeconds) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"], "IntervalSeconds": 1, "BackoffRate": 10,
                                "MaxAttempts": 4, "MaxDelaySeconds": 5}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"E", "E", "E", "E"}), ElementsAre(1000, 5000, 5000, 5000));
}

TEST(RetryTest, MaxAttemptsZeroMeansNeverRetry) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"], "MaxAttempts": 0}])"));
  h.Start();
  h.Fail(h.OnlyTask().task, "E");
  EXPECT_FALSE(h.NextTimer(TimerKind::kRetry).has_value());
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
}

TEST(RetryTest, TheRetriedTaskIsScheduledAgainWithTheSameInputAndTheNextAttempt) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"]}])"));
  h.Start({{"a", 1}});
  ScheduleTask first = h.OnlyTask();
  h.Fail(first.task, "E");
  EXPECT_TRUE(h.pending_tasks().empty());  // nothing runs during the backoff
  h.FireNext(TimerKind::kRetry);
  ScheduleTask second = h.OnlyTask();
  EXPECT_EQ(second.input, first.input);
  EXPECT_EQ(second.attempt, 1);
  EXPECT_EQ(h.CountEvents("TaskStateEntered"), 1);
  EXPECT_EQ(h.CountEvents("TaskScheduled"), 2);
}

TEST(RetryTest, JitterFullDrawsEachDelayBetweenZeroAndTheCap) {
  std::set<Millis> seen;
  for (std::uint64_t seed = 1; seed <= 200; ++seed) {
    Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"], "IntervalSeconds": 4, "BackoffRate": 2,
                                  "MaxAttempts": 2, "MaxDelaySeconds": 6,
                                  "JitterStrategy": "FULL"}])"));
    h.Start(json::object(), kT0, seed);
    std::vector<Millis> delays = Backoffs(h, {"E", "E"});
    ASSERT_EQ(delays.size(), 2u);
    EXPECT_GE(delays[0], 0);
    EXPECT_LE(delays[0], 4000);
    EXPECT_GE(delays[1], 0);
    EXPECT_LE(delays[1], 6000);  // 8 s capped by MaxDelaySeconds
    seen.insert(delays.begin(), delays.end());
  }
  EXPECT_GT(seen.size(), 100u);
  EXPECT_GT(*seen.rbegin(), 4000);  // the second delay's range reaches past the first's
}

TEST(RetryTest, JitterIsReproducibleForTheSameSeed) {
  auto delays = [](std::uint64_t seed) {
    Harness h(TaskWithRetry(
        R"([{"ErrorEquals": ["E"], "IntervalSeconds": 10, "JitterStrategy": "FULL"}])"));
    h.Start(json::object(), kT0, seed);
    return Backoffs(h, {"E", "E", "E"});
  };
  EXPECT_EQ(delays(7), delays(7));
  EXPECT_NE(delays(7), delays(8));
}

TEST(RetryTest, RetriersAreMatchedInOrderAndEachKeepsItsOwnCount) {
  Harness h(TaskWithRetry(R"([
      {"ErrorEquals": ["A"], "IntervalSeconds": 1, "MaxAttempts": 1},
      {"ErrorEquals": ["B"], "IntervalSeconds": 5, "BackoffRate": 2, "MaxAttempts": 2}])"));
  h.Start();
  // B's second retry doubles from B's own count, not from the total number of retries.
  EXPECT_THAT(Backoffs(h, {"A", "B", "B", "A"}), ElementsAre(1000, 5000, 10000));
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "A");
}

TEST(RetryTest, TheFirstMatchingRetrierDecidesEvenWhenExhausted) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["E"], "MaxAttempts": 0},
                               {"ErrorEquals": ["States.ALL"], "MaxAttempts": 5}])"));
  h.Start();
  h.Fail(h.OnlyTask().task, "E");
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
}

TEST(RetryTest, StatesAllMatchesAnyError) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["States.ALL"], "MaxAttempts": 2}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"Anything", "States.Timeout", "X"}), ElementsAre(1000, 2000));
}

TEST(RetryTest, StatesTaskFailedMatchesFunctionErrors) {
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["States.TaskFailed"], "MaxAttempts": 1}])"));
  h.Start();
  EXPECT_THAT(Backoffs(h, {"Lambda.Unknown"}), ElementsAre(1000));
}

TEST(RetryTest, StatesTaskFailedDoesNotMatchStatesTimeout) {
  Harness h(R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
    "TimeoutSeconds": 3, "Retry": [{"ErrorEquals": ["States.TaskFailed"]}], "End": true}}})");
  h.Start();
  h.FireNext(TimerKind::kTaskTimeout);
  EXPECT_FALSE(h.NextTimer(TimerKind::kRetry).has_value());
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Timeout");
}

TEST(RetryTest, StatesTimeoutCanBeRetriedByName) {
  Harness h(R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
    "TimeoutSeconds": 3, "Retry": [{"ErrorEquals": ["States.Timeout"]}], "End": true}}})");
  h.Start();
  h.FireNext(TimerKind::kTaskTimeout);
  std::optional<ArmTimer> retry = h.NextTimer(TimerKind::kRetry);
  ASSERT_TRUE(retry.has_value());
  EXPECT_EQ(retry->due, kT0 + 3000 + 1000);
}

TEST(RetryTest, StatesAllDoesNotRetryStatesRuntime) {
  Harness h(R"({"StartAt": "T", "States": {"T": {"Type": "Task", "Resource": "function:f",
    "TimeoutSecondsPath": "$.missing", "Retry": [{"ErrorEquals": ["States.ALL"]}],
    "End": true}}})");
  h.Start();
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
}

TEST(RetryTest, ASucceedingRetryCompletesTheState) {
  int calls = 0;
  Harness h(TaskWithRetry(R"([{"ErrorEquals": ["Flaky"], "MaxAttempts": 5}])"));
  h.Run(json::object(), {{"f", [&calls](const json&) {
                            return ++calls < 3 ? Throws("Flaky") : Returns("third time lucky");
                          }}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), "third time lucky");
  EXPECT_EQ(h.invocations("f"), 3);
  EXPECT_EQ(h.now(), kT0 + 1000 + 2000);
}

// --- Catch ----------------------------------------------------------------------------------

std::string TaskWithCatch(const std::string& catchers, const std::string& extra = "") {
  return R"json({"StartAt": "T", "States": {
    "T": {"Type": "Task", "Resource": "function:f", )json" +
         extra + R"json("Catch": )json" + catchers + R"json(, "End": true},
    "A": {"Type": "Pass", "Result": "A", "ResultPath": "$.via", "End": true},
    "B": {"Type": "Pass", "Result": "B", "ResultPath": "$.via", "End": true},
    "C": {"Type": "Pass", "Result": "C", "ResultPath": "$.via", "End": true}}})json";
}

FunctionOutcome FailsWithE(const json&) { return Throws("E", "the cause"); }

TEST(CatchTest, ResultPathGetsTheErrorAndCause) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["E"], "ResultPath": "$.err", "Next": "A"}])"));
  h.Run({{"in", 1}}, {{"f", FailsWithE}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(),
            json({{"in", 1}, {"err", {{"Error", "E"}, {"Cause", "the cause"}}}, {"via", "A"}}));
}

TEST(CatchTest, WithoutResultPathTheErrorReplacesTheInput) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["E"], "Next": "A"}])"));
  h.Run({{"in", 1}}, {{"f", FailsWithE}});
  EXPECT_EQ(h.output(), json({{"Error", "E"}, {"Cause", "the cause"}, {"via", "A"}}));
}

TEST(CatchTest, ResultPathNullKeepsTheInput) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["E"], "ResultPath": null, "Next": "A"}])"));
  h.Run({{"in", 1}}, {{"f", FailsWithE}});
  EXPECT_EQ(h.output(), json({{"in", 1}, {"via", "A"}}));
}

TEST(CatchTest, TheFirstMatchingCatcherWins) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["Other"], "Next": "A"},
                               {"ErrorEquals": ["E"], "Next": "B"},
                               {"ErrorEquals": ["States.ALL"], "Next": "C"}])"));
  h.Run(json::object(), {{"f", FailsWithE}});
  EXPECT_EQ(h.output()["via"], "B");
}

TEST(CatchTest, RetriesComeFirstAndCatchTakesOverWhenTheyAreExhausted) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["E"], "ResultPath": "$.err", "Next": "A"}])",
                          R"("Retry": [{"ErrorEquals": ["E"], "MaxAttempts": 2}], )"));
  h.Run(json::object(), {{"f", FailsWithE}});
  ASSERT_EQ(h.status(), ExecutionStatus::kSucceeded) << h.error() << ": " << h.cause();
  EXPECT_EQ(h.invocations("f"), 3);
  EXPECT_EQ(h.output()["via"], "A");
  EXPECT_EQ(h.output()["err"]["Error"], "E");
}

TEST(CatchTest, AnUncaughtErrorFailsTheExecution) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["Other"], "Next": "A"}])"));
  h.Run(json::object(), {{"f", FailsWithE}});
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "E");
  EXPECT_EQ(h.cause(), "the cause");
}

TEST(CatchTest, CatchesStatesTimeoutByName) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.err",
                               "Next": "B"}])",
                          R"("TimeoutSeconds": 2, )"));
  h.Start();
  h.FireNext(TimerKind::kTaskTimeout);
  ASSERT_EQ(h.status(), ExecutionStatus::kSucceeded) << h.error() << ": " << h.cause();
  EXPECT_EQ(h.output()["err"]["Error"], "States.Timeout");
  EXPECT_EQ(h.now(), kT0 + 2000);
}

TEST(CatchTest, AResultPathMatchFailureIsCaughtWithTheStateInputKept) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["States.ResultPathMatchFailure"],
                               "ResultPath": null, "Next": "A"}])",
                          R"("ResultPath": "$.s.inner", )"));
  h.Run({{"s", "a string"}}, {{"f", Echo}});
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded) << h.error() << ": " << h.cause();
  EXPECT_EQ(h.output(), json({{"s", "a string"}, {"via", "A"}}));
}

TEST(CatchTest, ACatcherWhoseResultPathDoesNotFitFailsWithResultPathMatchFailure) {
  Harness h(TaskWithCatch(R"([{"ErrorEquals": ["E"], "ResultPath": "$.s.err", "Next": "A"}])"));
  h.Run({{"s", "a string"}}, {{"f", FailsWithE}});
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.ResultPathMatchFailure");
}

}  // namespace
}  // namespace stepwise::engine::testing
