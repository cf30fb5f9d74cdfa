// The durable Engine over a real RocksDB store in a temp dir: starting, tasks through the worker
// protocol, durable timers on a manual clock, idempotency, and resuming after a restart.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "storage/engine_test_support.h"

namespace stepwise {
namespace {

using engine::Engine;
using engine::ExecutionStatus;
using nlohmann::json;
using ::testing::HasSubstr;
using namespace std::chrono_literals;

constexpr const char* kTaskMachine = R"({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:double", "End": true}}})";

constexpr const char* kWaitMachine = R"({"StartAt": "Nap", "States": {
  "Nap": {"Type": "Wait", "Seconds": 10, "Next": "Done"},
  "Done": {"Type": "Pass", "Result": "rested", "End": true}}})";

class DurableEngineTest : public testing::EngineTest {};

TEST_F(DurableEngineTest, APassMachineRunsToItsOutput) {
  ASSERT_TRUE(engine_
                  ->PutStateMachine("hello", R"json({"StartAt": "P", "States": {
      "P": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
            "End": true}}})json")
                  .ok());
  auto id = engine_->StartExecution("hello", "first", json{{"who", "ada"}});
  ASSERT_TRUE(id.ok()) << id.status();
  auto summary = Await(*id);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, (json{{"greeting", "hi ada"}}));
  EXPECT_EQ(summary.input, (json{{"who", "ada"}}));
}

TEST_F(DurableEngineTest, ADefinitionWithErrorsIsRefusedWithItsDiagnostics) {
  auto stored = engine_->PutStateMachine("broken", R"({"StartAt": "Nowhere", "States": {
      "Here": {"Type": "Succeed"}}})");
  ASSERT_FALSE(stored.ok());
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(stored.status().message(), HasSubstr("Nowhere"));
}

TEST_F(DurableEngineTest, ATaskIsPolledCompletedOnceAndLateCompletionsAreRefused) {
  ASSERT_TRUE(engine_->PutStateMachine("tasks", kTaskMachine).ok());
  auto id = engine_->StartExecution("tasks", "run", json{{"x", 21}});
  ASSERT_TRUE(id.ok()) << id.status();
  auto lease = engine_->PollTask("double", 5s);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->task.input, (json{{"x", 21}}));
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"x", 42}}).ok());
  EXPECT_EQ(Await(*id).output, (json{{"x", 42}}));

  absl::Status again = engine_->CompleteTask(lease->token, json{{"x", 0}});
  EXPECT_EQ(again.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(again.message(), HasSubstr("stale"));
  EXPECT_EQ(Await(*id).output, (json{{"x", 42}}));  // unchanged
  EXPECT_EQ(engine_->CompleteTask("not-a-token", json{}).code(),
            absl::StatusCode::kInvalidArgument);
}

// Executions whose state is kept in memory between steps and executions whose state was
// dropped (one warm slot for four executions, stepped in turn, some steps through the blocking
// calls, some through the async ones) all step on what their last step committed.
TEST_F(DurableEngineTest, StepsAreRightWhetherOrNotTheStateWasKeptWarm) {
  engine::EngineOptions options;
  options.warm_executions = 1;
  Open(options);
  Put("three", R"({"StartAt": "A", "States": {
    "A": {"Type": "Task", "Resource": "function:add", "Next": "B"},
    "B": {"Type": "Task", "Resource": "function:add", "Next": "C"},
    "C": {"Type": "Task", "Resource": "function:add", "End": true}}})");
  std::vector<std::string> ids;
  for (int i = 0; i < 4; ++i) ids.push_back(Start("three", "e" + std::to_string(i), {{"n", i}}));
  for (int round = 0; round < 3; ++round) {
    std::vector<engine::TaskLease> leases;
    for (int i = 0; i < 4; ++i) {
      auto lease = engine_->PollTask("add", 5s);
      ASSERT_TRUE(lease.has_value()) << "round " << round;
      leases.push_back(*lease);
    }
    for (std::size_t i = 0; i < leases.size(); ++i) {
      json output = {{"n", leases[i].task.input["n"].get<int>() + 10}};
      if (i % 2 == 0) {
        ASSERT_TRUE(engine_->CompleteTask(leases[i].token, output).ok());
      } else {
        testing::Answer<absl::Status> done;
        engine_->CompleteTaskAsync(leases[i].token, output, done.Callback());
        ASSERT_TRUE(done.Get().ok());
      }
      // A stale completion of the same attempt changes nothing, warm or not.
      EXPECT_EQ(engine_->CompleteTask(leases[i].token, json{{"n", -1}}).code(),
                absl::StatusCode::kFailedPrecondition);
    }
  }
  for (int i = 0; i < 4; ++i) {
    engine::ExecutionSummary summary = Await(ids[i]);
    EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded) << ids[i];
    EXPECT_EQ(summary.output, (json{{"n", i + 30}})) << ids[i];
  }
}

TEST_F(DurableEngineTest, StartingIsIdempotentByName) {
  ASSERT_TRUE(engine_->PutStateMachine("tasks", kTaskMachine).ok());
  auto first = engine_->StartExecution("tasks", "once", json{{"x", 1}});
  auto second = engine_->StartExecution("tasks", "once", json{{"x", 1}});
  ASSERT_TRUE(first.ok() && second.ok());
  EXPECT_EQ(*first, *second);
  auto other = engine_->StartExecution("tasks", "once", json{{"x", 2}});
  EXPECT_EQ(other.status().code(), absl::StatusCode::kAlreadyExists);
  // Only one task was scheduled for the two starts.
  ASSERT_TRUE(engine_->PollTask("double", 5s).has_value());
  EXPECT_FALSE(engine_->PollTask("double", 50ms).has_value());
}

TEST_F(DurableEngineTest, AWaitEndsWhenTheClockReachesItsTimer) {
  ASSERT_TRUE(engine_->PutStateMachine("nap", kWaitMachine).ok());
  auto id = engine_->StartExecution("nap", "n1", json::object());
  ASSERT_TRUE(id.ok());
  EXPECT_EQ(engine_->AwaitExecution(*id, 100ms).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  clock_.Advance(10s);
  auto summary = Await(*id);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, json("rested"));
}

TEST_F(DurableEngineTest, ARestartResumesTimersAndRequeuesTasks) {
  ASSERT_TRUE(engine_->PutStateMachine("nap", kWaitMachine).ok());
  ASSERT_TRUE(engine_->PutStateMachine("tasks", kTaskMachine).ok());
  auto nap = engine_->StartExecution("nap", "n1", json::object());
  auto task = engine_->StartExecution("tasks", "t1", json{{"x", 5}});
  ASSERT_TRUE(nap.ok() && task.ok());
  ASSERT_TRUE(engine_->PollTask("double", 5s).has_value());  // leased, then "lost" with the process

  Open();  // restart: a new engine on the same directory
  auto lease = engine_->PollTask("double", 5s);
  ASSERT_TRUE(lease.has_value()) << "the leased task was not re-queued";
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"x", 10}}).ok());
  EXPECT_EQ(Await(*task).output, (json{{"x", 10}}));

  clock_.Advance(10s);
  EXPECT_EQ(Await(*nap).status, ExecutionStatus::kSucceeded);
}

TEST_F(DurableEngineTest, RetryBackoffWaitsOnADurableTimer) {
  ASSERT_TRUE(engine_
                  ->PutStateMachine("retry", R"({"StartAt": "Work", "States": {
      "Work": {"Type": "Task", "Resource": "function:flaky", "End": true,
               "Retry": [{"ErrorEquals": ["Busy"], "IntervalSeconds": 30}]}}})")
                  .ok());
  auto id = engine_->StartExecution("retry", "r1", json::object());
  ASSERT_TRUE(id.ok());
  auto first = engine_->PollTask("flaky", 5s);
  ASSERT_TRUE(first.has_value());
  ASSERT_TRUE(engine_->FailTask(first->token, "Busy", "try later").ok());
  EXPECT_FALSE(engine_->PollTask("flaky", 100ms).has_value()) << "retried before its backoff";
  clock_.Advance(30s);
  auto second = engine_->PollTask("flaky", 5s);
  ASSERT_TRUE(second.has_value());
  EXPECT_EQ(second->task.attempt, 1);
  ASSERT_TRUE(engine_->CompleteTask(second->token, json("ok")).ok());
  EXPECT_EQ(Await(*id).output, json("ok"));
}

TEST_F(DurableEngineTest, StoppingAbortsAndCancelsTheQueuedTask) {
  ASSERT_TRUE(engine_->PutStateMachine("tasks", kTaskMachine).ok());
  auto id = engine_->StartExecution("tasks", "s1", json::object());
  ASSERT_TRUE(id.ok());
  ASSERT_TRUE(engine_->StopExecution(*id, "Operator", "stopped by a test").ok());
  auto summary = Await(*id);
  EXPECT_EQ(summary.status, ExecutionStatus::kAborted);
  EXPECT_EQ(summary.error, "Operator");
  EXPECT_FALSE(engine_->PollTask("double", 50ms).has_value());
}

TEST_F(DurableEngineTest, RetentionDeletesFinishedExecutionsBeyondTheCount) {
  engine::EngineOptions options;
  options.retain_count = 1;
  options.retention_interval = 10ms;
  Open(options);
  ASSERT_TRUE(engine_
                  ->PutStateMachine("p", R"({"StartAt": "P", "States": {
      "P": {"Type": "Pass", "End": true}}})")
                  .ok());
  auto old_one = engine_->StartExecution("p", "old", json::object());
  ASSERT_TRUE(old_one.ok());
  Await(*old_one);
  clock_.Advance(1s);
  auto new_one = engine_->StartExecution("p", "new", json::object());
  ASSERT_TRUE(new_one.ok());
  Await(*new_one);
  auto deadline = std::chrono::steady_clock::now() + 10s;
  while (engine_->DescribeExecution(*old_one).ok() && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(10ms);  // retention runs on its own schedule: poll for its effect
  }
  EXPECT_EQ(engine_->DescribeExecution(*old_one).status().code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(engine_->DescribeExecution(*new_one).ok());
}

}  // namespace
}  // namespace stepwise
