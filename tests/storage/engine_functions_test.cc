// Functions as resources in the Engine over a real RocksDB store: the bulkhead (max_concurrency)
// holds tasks back until an invocation ends, and the circuit breaker opens after failures, fails
// tasks at once with Stepwise.CircuitOpen (which Catch matches), half-opens after its period on
// the engine's clock, and closes after a successful trial.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stepwise/engine/engine.h"
#include "stepwise/engine/functions.h"
#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::CircuitState;
using engine::ExecutionStatus;
using engine::FunctionLimits;
using engine::TaskLease;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kSlow = R"({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:slow", "End": true}}})";

constexpr const char* kFlaky = R"({"StartAt": "Call", "States": {
  "Call": {"Type": "Task", "Resource": "function:flaky", "End": true,
           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught", "Next": "Caught"}]},
  "Caught": {"Type": "Pass", "End": true}}})";

using PollAnswer = Answer<std::optional<TaskLease>>;

class EngineFunctionsTest : public EngineTest {
 protected:
  // The execution's history as "Type" or "Type(from->to)" for circuit events, in order.
  std::vector<std::string> Events(const std::string& id) {
    auto history = store_->ReadHistory(id, 1, 1000);
    EXPECT_TRUE(history.ok()) << history.status();
    std::vector<std::string> events;
    if (!history.ok()) return events;
    for (const auto& event : *history) {
      std::string text = event.type;
      if (event.type.starts_with("FunctionCircuit")) {
        EXPECT_EQ(event.details["function"], "flaky");
        EXPECT_EQ(event.state_name, "Call");
        EXPECT_FALSE(event.details["cause"].get<std::string>().empty());
        text += "(" + event.details["from"].get<std::string>() + "->" +
                event.details["to"].get<std::string>() + ")";
      }
      events.push_back(text);
    }
    return events;
  }
};

TEST_F(EngineFunctionsTest, MaxConcurrencyHoldsTasksBackUntilAnInvocationEnds) {
  FunctionLimits slow;
  slow.name = "slow";
  slow.max_concurrency = 2;
  ASSERT_TRUE(engine_->RegisterFunction(slow).ok());
  Put("slow", kSlow);
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Start("slow", "s" + std::to_string(i), {{"i", i}}));

  std::vector<std::unique_ptr<PollAnswer>> polls;
  for (int i = 0; i < 4; ++i) {
    polls.push_back(std::make_unique<PollAnswer>());
    engine_->PollTaskAsync({"slow"}, 30s, polls.back()->Callback());
  }
  // Two are handed out at once; the other two polls wait although two tasks are queued.
  std::vector<std::optional<TaskLease>> leases(4);
  leases[0] = polls[0]->Get();
  leases[1] = polls[1]->Get();
  ASSERT_TRUE(leases[0].has_value());
  ASSERT_TRUE(leases[1].has_value());
  EXPECT_FALSE(polls[2]->Ready());
  EXPECT_FALSE(polls[3]->Ready());
  EXPECT_EQ(engine_->DescribeFunction("slow").in_flight, 2);
  EXPECT_TRUE(engine_->DescribeFunction("slow").registered);

  // An invocation ends: the next waiting poll gets a task at once.
  ASSERT_TRUE(engine_->CompleteTask(leases[0]->token, json{{"done", 0}}).ok());
  leases[2] = polls[2]->Get();
  ASSERT_TRUE(leases[2].has_value());
  EXPECT_FALSE(polls[3]->Ready());
  EXPECT_EQ(engine_->DescribeFunction("slow").in_flight, 2);
  // A failure frees the slot as well.
  ASSERT_TRUE(engine_->FailTask(leases[1]->token, "Oops", "on purpose").ok());
  leases[3] = polls[3]->Get();
  ASSERT_TRUE(leases[3].has_value());
  ASSERT_TRUE(engine_->CompleteTask(leases[2]->token, json{{"done", 2}}).ok());
  ASSERT_TRUE(engine_->CompleteTask(leases[3]->token, json{{"done", 3}}).ok());
  for (const std::string& id : ids) EXPECT_NE(Await(id).status, ExecutionStatus::kRunning);
  engine::FunctionStatus status = engine_->DescribeFunction("slow");
  EXPECT_EQ(status.in_flight, 0);
  EXPECT_EQ(status.succeeded, 3);
  EXPECT_EQ(status.failed, 1);
}

TEST_F(EngineFunctionsTest, TheCircuitOpensFailsFastHalfOpensAndClosesAfterATrial) {
  FunctionLimits flaky;
  flaky.name = "flaky";
  flaky.circuit_breaker.failure_threshold = 2;
  flaky.circuit_breaker.window = 60s;
  flaky.circuit_breaker.open_for = 10s;
  flaky.circuit_breaker.half_open_probes = 1;
  ASSERT_TRUE(engine_->RegisterFunction(flaky).ok());
  Put("flaky", kFlaky);

  std::vector<std::string> failed;
  for (int i = 0; i < 2; ++i) {
    failed.push_back(Start("flaky", "fail" + std::to_string(i)));
    auto lease = engine_->PollTask("flaky", 5s);
    ASSERT_TRUE(lease.has_value());
    ASSERT_TRUE(engine_->FailTask(lease->token, "Boom", "the function broke").ok());
    EXPECT_EQ(Await(failed.back()).output["caught"]["Error"], "Boom");
  }
  EXPECT_EQ(engine_->DescribeFunction("flaky").circuit, CircuitState::kOpen);
  EXPECT_EQ(engine_->DescribeFunction("flaky").circuit_opened, 1);
  // The failure that opened it tells so, right after the failure itself and before the Catch
  // moves on; the failure before it changed nothing.
  EXPECT_THAT(
      Events(failed[1]),
      ::testing::ElementsAre("ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                             "TaskFailed", "FunctionCircuitOpened(CLOSED->OPEN)",
                             "PassStateEntered", "PassStateExited", "ExecutionSucceeded"));
  EXPECT_THAT(Events(failed[0]),
              ::testing::Not(::testing::Contains(::testing::StartsWith("FunctionCircuit"))));

  // Open: the task fails at once, no worker involved, and Catch handles it like any error.
  std::string refused = Start("flaky", "refused");
  engine::ExecutionSummary summary = Await(refused);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output["caught"]["Error"], "Stepwise.CircuitOpen");
  EXPECT_THAT(summary.output["caught"]["Cause"].get<std::string>(), HasSubstr("'flaky' is open"));
  EXPECT_FALSE(engine_->PollTask("flaky", 0ms).has_value());
  EXPECT_EQ(engine_->DescribeFunction("flaky").refused, 1);

  // After open_for on the engine's clock: half-open, one trial goes through and closes it.
  clock_.Advance(10s);
  EXPECT_EQ(engine_->DescribeFunction("flaky").circuit, CircuitState::kHalfOpen);
  std::string trial = Start("flaky", "trial");
  auto lease = engine_->PollTask("flaky", 5s);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->execution_id, trial);
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"ok", true}}).ok());
  EXPECT_EQ(Await(trial).output, (json{{"ok", true}}));
  EXPECT_EQ(engine_->DescribeFunction("flaky").circuit, CircuitState::kClosed);
  // The trial's execution tells of the half-opening that let it through and of the closing.
  std::vector<std::string> events = Events(trial);
  auto half_opened =
      std::find(events.begin(), events.end(), "FunctionCircuitHalfOpened(OPEN->HALF_OPEN)");
  auto succeeded = std::find(events.begin(), events.end(), "TaskSucceeded");
  ASSERT_NE(half_opened, events.end()) << ::testing::PrintToString(events);
  ASSERT_NE(succeeded, events.end());
  EXPECT_LT(half_opened, succeeded);
  EXPECT_EQ(*(succeeded + 1), "FunctionCircuitClosed(HALF_OPEN->CLOSED)");
}

TEST_F(EngineFunctionsTest, AnUnregisteredFunctionRunsUnderTheDefaultsAndCapsTheDeadline) {
  engine::EngineOptions options;
  options.function_defaults.timeout = 5s;
  Open(options);
  Put("slow", kSlow);  // TimeoutSeconds defaults to 60 s: the function's 5 s cut it
  std::string id = Start("slow", "capped");
  auto lease = engine_->PollTask("slow", 5s);
  ASSERT_TRUE(lease.has_value());
  std::int64_t now =
      std::chrono::duration_cast<std::chrono::milliseconds>(clock_.Now().time_since_epoch())
          .count();
  EXPECT_LE(lease->deadline, now + 5000);
  EXPECT_GT(lease->deadline, now);
  engine::FunctionStatus status = engine_->DescribeFunction("slow");
  EXPECT_FALSE(status.registered);
  EXPECT_EQ(status.in_flight, 1);
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{}).ok());
  EXPECT_EQ(Await(id).status, ExecutionStatus::kSucceeded);
}

TEST_F(EngineFunctionsTest, ARegistrationOutlivesARestartAndBadLimitsAreRefusedByName) {
  FunctionLimits slow;
  slow.name = "slow";
  slow.timeout = 7s;
  slow.max_concurrency = 3;
  slow.rate_per_second = 2.5;
  slow.circuit_breaker.failure_threshold = 4;
  slow.circuit_breaker.window = 1500ms;
  slow.circuit_breaker.open_for = 250ms;
  slow.circuit_breaker.half_open_probes = 2;
  ASSERT_TRUE(engine_->RegisterFunction(slow).ok());

  FunctionLimits bad = slow;
  bad.max_concurrency = 0;
  absl::Status refused = engine_->RegisterFunction(bad);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("'slow': max_concurrency"));
  bad = slow;
  bad.circuit_breaker.half_open_probes = 0;
  EXPECT_THAT(std::string(engine_->RegisterFunction(bad).message()), HasSubstr("half_open_probes"));

  Open();  // a new engine on the same store
  engine::FunctionStatus status = engine_->DescribeFunction("slow");
  EXPECT_TRUE(status.registered);
  EXPECT_EQ(status.limits.timeout, 7s);
  EXPECT_EQ(status.limits.max_concurrency, 3);  // the refused change left it as it was
  EXPECT_EQ(status.limits.rate_per_second, 2.5);
  EXPECT_EQ(status.limits.circuit_breaker.failure_threshold, 4);
  EXPECT_EQ(status.limits.circuit_breaker.window, 1500ms);
  EXPECT_EQ(status.limits.circuit_breaker.open_for, 250ms);
  EXPECT_EQ(status.limits.circuit_breaker.half_open_probes, 2);
}

}  // namespace
}  // namespace stepwise::testing
