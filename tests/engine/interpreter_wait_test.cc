// Wait states (the exact due times, the bad values), the machine's TimeoutSeconds, and long runs
// cut into steps that continue through kContinue timers.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "interpreter_harness.h"

namespace stepwise::engine::testing {
namespace {

using ::testing::HasSubstr;

std::string OneWait(const std::string& wait_fields) {
  return R"json({"StartAt": "W", "States": {"W": {"Type": "Wait", )json" + wait_fields +
         R"json(, "End": true}}})json";
}

// 2030-01-01T00:00:00Z in milliseconds since the epoch.
constexpr Millis k2030 = 1'893'456'000'000;

Millis WaitDue(const std::string& wait_fields, json input) {
  Harness h(OneWait(wait_fields));
  h.Start(std::move(input));
  EXPECT_EQ(h.status(), ExecutionStatus::kRunning) << h.error() << ": " << h.cause();
  std::optional<ArmTimer> timer = h.NextTimer(TimerKind::kWait);
  return timer ? timer->due : -1;
}

std::string WaitFailure(const std::string& wait_fields, json input) {
  Harness h(OneWait(wait_fields));
  h.Start(std::move(input));
  EXPECT_EQ(h.status(), ExecutionStatus::kFailed);
  EXPECT_EQ(h.error(), "States.Runtime");
  return h.cause();
}

TEST(WaitStateTest, SecondsArmsATimerDueThatManySecondsLater) {
  EXPECT_EQ(WaitDue(R"("Seconds": 10)", {}), kT0 + 10000);
}

TEST(WaitStateTest, SecondsZeroIsDueAtOnce) { EXPECT_EQ(WaitDue(R"("Seconds": 0)", {}), kT0); }

TEST(WaitStateTest, SecondsPathReadsTheInput) {
  EXPECT_EQ(WaitDue(R"("SecondsPath": "$.s")", {{"s", 3}}), kT0 + 3000);
}

TEST(WaitStateTest, TimestampIsTheDueTime) {
  EXPECT_EQ(WaitDue(R"("Timestamp": "2030-01-01T00:00:00Z")", {}), k2030);
}

TEST(WaitStateTest, TimestampKeepsMillisecondsAndOffsets) {
  EXPECT_EQ(WaitDue(R"("Timestamp": "2030-01-01T01:00:00.250+01:00")", {}), k2030 + 250);
}

TEST(WaitStateTest, TimestampPathReadsTheInput) {
  EXPECT_EQ(WaitDue(R"("TimestampPath": "$.t")", {{"t", "2030-01-01T00:00:01Z"}}), k2030 + 1000);
}

TEST(WaitStateTest, ATimestampInThePastIsDueInThePast) {
  EXPECT_EQ(WaitDue(R"("Timestamp": "2001-01-01T00:00:00Z")", {}), 978'307'200'000);
}

TEST(WaitStateTest, WaitsUntilTheTimerFiresAndThenPassesItsInputOn) {
  Harness h(R"({"StartAt": "W", "States": {"W": {"Type": "Wait", "Seconds": 2,
                "InputPath": "$.in", "OutputPath": "$.keep", "End": true}}})");
  Step started = h.Start({{"in", {{"keep", {{"k", 1}}}}}});
  EXPECT_FALSE(started.finished);
  EXPECT_EQ(h.CountEvents("WaitStateExited"), 0);
  h.FireNext(TimerKind::kWait);
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({{"k", 1}}));
  EXPECT_EQ(h.FindEvent("WaitStateExited").timestamp, kT0 + 2000);
}

TEST(WaitStateTest, NegativeSecondsPathIsARuntimeError) {
  EXPECT_EQ(WaitFailure(R"("SecondsPath": "$.s")", {{"s", -1}}),
            "An error occurred while executing the state 'W' (entered at the event id #2). "
            "The SecondsPath parameter references a negative value: $.s == -1");
}

TEST(WaitStateTest, FractionalSecondsPathIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("SecondsPath": "$.s")", {{"s", 1.5}}),
              HasSubstr("The SecondsPath parameter cannot be parsed as a long value: $.s == 1.5"));
}

TEST(WaitStateTest, StringSecondsPathIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("SecondsPath": "$.s")", {{"s", "ten"}}),
              HasSubstr("cannot be parsed as a long value: $.s == ten"));
}

TEST(WaitStateTest, MissingSecondsPathIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("SecondsPath": "$.s")", {{"x", 1}}),
              HasSubstr("Invalid path '$.s' : Missing property in path $['s']"));
}

TEST(WaitStateTest, TimestampPathWithoutAnOffsetIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("TimestampPath": "$.t")", {{"t", "2016-12-05T21:29:29"}}),
              HasSubstr("The TimestampPath parameter does not reference a valid ISO-8601 "
                        "extended offset date-time format string: $.t == 2016-12-05T21:29:29"));
}

TEST(WaitStateTest, TimestampPathToANumberIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("TimestampPath": "$.t")", {{"t", 5}}),
              HasSubstr("date-time format string: $.t == 5"));
}

TEST(WaitStateTest, AnUnparsableTimestampIsARuntimeError) {
  EXPECT_THAT(WaitFailure(R"("Timestamp": "2016-12-05 21:29:29Z")", {}),
              HasSubstr("The Timestamp field cannot be parsed as an ISO-8601 extended offset "
                        "date-time format string: 2016-12-05 21:29:29Z"));
}

// --- The machine's TimeoutSeconds -----------------------------------------------------------

TEST(MachineTimeoutTest, EndsTheExecutionTimedOutWhileAWaitIsLonger) {
  Harness h(R"({"TimeoutSeconds": 10, "StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 100, "End": true}}})");
  EXPECT_EQ(h.Run(json::object()), ExecutionStatus::kTimedOut);
  EXPECT_EQ(h.now(), kT0 + 10000);
  EXPECT_EQ(h.error(), "States.Timeout");
  EXPECT_STREQ(StatusName(h.status()), "TIMED_OUT");
}

TEST(MachineTimeoutTest, DoesNotFireAfterTheExecutionEnded) {
  Harness h(R"({"TimeoutSeconds": 10, "StartAt": "W", "States": {
    "W": {"Type": "Wait", "Seconds": 1, "End": true}}})");
  h.Start();
  ArmTimer timeout = *h.NextTimer(TimerKind::kExecutionTimeout);
  h.FireNext(TimerKind::kWait);
  ASSERT_EQ(h.status(), ExecutionStatus::kSucceeded);
  Step late = h.Fire(timeout);
  EXPECT_FALSE(h.accepted());
  EXPECT_EQ(h.status(), ExecutionStatus::kSucceeded);
  EXPECT_TRUE(late.history.empty());
}

// --- Long runs ------------------------------------------------------------------------------

TEST(LongRunTest, ALoopOfFiveThousandIterationsContinuesThroughBoundedSteps) {
  InterpreterOptions options;
  options.max_transitions_per_step = 100;
  options.history_payloads = false;
  Harness h(R"json({"StartAt": "Init", "States": {
    "Init": {"Type": "Pass", "Result": {"i": 0}, "Next": "Inc"},
    "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)"}, "Next": "Check"},
    "Check": {"Type": "Choice",
              "Choices": [{"Variable": "$.i", "NumericLessThan": 5000, "Next": "Inc"}],
              "Default": "Done"},
    "Done": {"Type": "Succeed"}}})json",
            options);
  ASSERT_EQ(h.Run(json::object()), ExecutionStatus::kSucceeded);
  EXPECT_EQ(h.output(), json({{"i", 5000}}));
  // Init, 5000 x (Inc, Check), Done.
  const int transitions = 1 + 2 * 5000 + 1;
  EXPECT_EQ(h.CountEvents("PassStateEntered") + h.CountEvents("ChoiceStateEntered") +
                h.CountEvents("SucceedStateEntered"),
            transitions);
  EXPECT_GE(h.steps().size(), static_cast<size_t>(transitions / 100));
  for (size_t i = 0; i < h.steps().size(); ++i) {
    const Step& step = h.steps()[i];
    int entered = 0;
    bool continues = false;
    for (const HistoryEvent& event : step.history) {
      entered += std::string_view(event.type).ends_with("StateEntered") ? 1 : 0;
    }
    for (const Effect& effect : step.effects) {
      const auto* timer = std::get_if<ArmTimer>(&effect);
      continues |= timer != nullptr && timer->timer.kind == TimerKind::kContinue;
    }
    EXPECT_LE(entered, 100) << "step " << i;
    EXPECT_EQ(continues, i + 1 < h.steps().size()) << "step " << i;
  }
  EXPECT_EQ(h.now(), kT0);  // kContinue timers are due at once: no time passes
}

TEST(LongRunTest, AContinueTimerWithNothingLeftIsNotAccepted) {
  Harness h(R"({"StartAt": "P", "States": {"P": {"Type": "Wait", "Seconds": 1, "End": true}}})");
  h.Start();
  EXPECT_FALSE(h.Accepts(TimerFired{TimerRef{0, 0, TimerKind::kContinue}}));
}

}  // namespace
}  // namespace stepwise::engine::testing
