// Redriving FAILED, TIMED_OUT and ABORTED executions on the durable engine: they go on from
// where they stopped, Map iterations and Parallel branches that finished keep their results,
// and $$.Execution.RedriveCount counts. On a real RocksDB store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::ExecutionStatus;
using engine::TaskLease;
using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr const char* kFlaky = R"({"StartAt": "Prepare", "States": {
  "Prepare": {"Type": "Pass", "Result": {"ready": true}, "ResultPath": "$.prep", "Next": "Work"},
  "Work": {"Type": "Task", "Resource": "function:work",
           "Parameters": {"n.$": "$.n", "redrives.$": "$$.Execution.RedriveCount"},
           "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 1, "IntervalSeconds": 1}],
           "End": true}}})";

constexpr const char* kMap = R"({"StartAt": "Each", "States": {
  "Each": {"Type": "Map", "ItemsPath": "$.items", "End": true,
           "ItemProcessor": {"StartAt": "Item", "States": {
             "Item": {"Type": "Task", "Resource": "function:item", "End": true}}}}}})";

constexpr const char* kParallel = R"({"StartAt": "Both", "States": {
  "Both": {"Type": "Parallel", "End": true, "Branches": [
    {"StartAt": "Left", "States": {"Left": {"Type": "Task", "Resource": "function:left",
                                            "End": true}}},
    {"StartAt": "Right", "States": {"Right": {"Type": "Task", "Resource": "function:right",
                                              "End": true}}}]}}})";

class RedriveTest : public EngineTest {
 protected:
  TaskLease Poll(const std::string& function) {
    std::optional<TaskLease> lease = engine_->PollTask(function, 5s);
    EXPECT_TRUE(lease.has_value()) << "no task of " << function;
    return lease.value_or(TaskLease{});
  }
  bool Idle(const std::string& function) { return !engine_->PollTask(function, 100ms); }
  std::vector<std::string> Types(const std::string& id) {
    std::vector<std::string> types;
    auto history = store_->ReadHistory(id, 1, 1000);
    EXPECT_TRUE(history.ok()) << history.status();
    if (history.ok()) {
      for (const auto& event : *history) types.push_back(event.type);
    }
    return types;
  }
  // Fails `function`'s task for good (its retry too).
  void FailForGood(const std::string& function, const std::string& error) {
    ASSERT_TRUE(engine_->FailTask(Poll(function).token, error, "it broke").ok());
  }
};

TEST_F(RedriveTest, AFailedTaskRunsAgainWithTheRedriveCountAndTheExecutionSucceeds) {
  Put("flaky", kFlaky);
  std::string id = Start("flaky", "r1", json{{"n", 3}});
  TaskLease first = Poll("work");
  EXPECT_EQ(first.task.input["redrives"], 0);
  ASSERT_TRUE(engine_->FailTask(first.token, "Broken", "no luck").ok());
  auto failed = Await(id);
  ASSERT_EQ(failed.status, ExecutionStatus::kFailed);
  EXPECT_EQ(failed.error, "Broken");

  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  auto running = engine_->DescribeExecution(id);
  ASSERT_TRUE(running.ok());
  EXPECT_EQ(running->status, ExecutionStatus::kRunning);
  EXPECT_EQ(running->redrive_count, 1);
  EXPECT_TRUE(running->error.empty());
  TaskLease again = Poll("work");
  EXPECT_EQ(again.task.input, (json{{"n", 3}, {"redrives", 1}}));
  EXPECT_EQ(again.task.attempt, 0) << "retries count afresh";
  // The attempt cut short by the failure is stale now.
  EXPECT_EQ(engine_->CompleteTask(first.token, json("late")).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(engine_->CompleteTask(again.token, json("done")).ok());
  auto summary = Await(id);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, json("done"));
  EXPECT_EQ(summary.redrive_count, 1);

  std::vector<std::string> types = Types(id);
  auto redriven = std::find(types.begin(), types.end(), "ExecutionRedriven");
  ASSERT_NE(redriven, types.end());
  EXPECT_EQ(*(redriven - 1), "ExecutionFailed");
  EXPECT_EQ(*(redriven + 1), "TaskStateEntered");  // Work, not Prepare: it resumes, not restarts
  EXPECT_EQ(std::count(types.begin(), types.end(), "PassStateEntered"), 1);
}

TEST_F(RedriveTest, OnlyFailedTimedOutOrAbortedExecutionsCanBeRedriven) {
  Put("flaky", kFlaky);
  std::string id = Start("flaky", "r2", json{{"n", 1}});
  absl::Status running = engine_->RedriveExecution(id);
  EXPECT_EQ(running.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(running.message(), HasSubstr("is still RUNNING"));
  ASSERT_TRUE(engine_->CompleteTask(Poll("work").token, json(1)).ok());
  Await(id);
  absl::Status succeeded = engine_->RedriveExecution(id);
  EXPECT_EQ(succeeded.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(succeeded.message(), HasSubstr("SUCCEEDED"));
  EXPECT_EQ(engine_->RedriveExecution("arn:nothing").code(), absl::StatusCode::kNotFound);
}

TEST_F(RedriveTest, RedrivingMovesTheExecutionBetweenStatusListings) {
  Put("flaky", kFlaky);
  std::string id = Start("flaky", "r3", json{{"n", 1}});
  FailForGood("work", "Broken");
  Await(id);
  auto listed = [this](ExecutionStatus status) {
    engine::ExecutionFilter filter;
    filter.machine_name = "flaky";
    filter.status = status;
    auto page = store_->ListExecutions(filter, "", 10);
    EXPECT_TRUE(page.ok());
    return page.ok() ? page->executions.size() : 0u;
  };
  EXPECT_EQ(listed(ExecutionStatus::kFailed), 1u);
  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  EXPECT_EQ(listed(ExecutionStatus::kFailed), 0u);
  EXPECT_EQ(listed(ExecutionStatus::kRunning), 1u);
  auto unfinished = store_->ListUnfinished();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_THAT(*unfinished, ElementsAre(id));
  // Fails again: a second redrive counts two.
  FailForGood("work", "Broken");
  Await(id);
  EXPECT_EQ(listed(ExecutionStatus::kFailed), 1u);
  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  EXPECT_EQ(Poll("work").task.input["redrives"], 2);
}

TEST_F(RedriveTest, AMapRerunsOnlyItsUnsuccessfulIterations) {
  Put("map", kMap);
  std::string id = Start("map", "m1", json{{"items", {0, 1, 2, 3}}});
  std::map<int, TaskLease> leases;
  for (int i = 0; i < 4; ++i) {
    TaskLease lease = Poll("item");
    leases[lease.task.input.get<int>()] = lease;
  }
  ASSERT_EQ(leases.size(), 4u);
  ASSERT_TRUE(engine_->CompleteTask(leases[0].token, json("zero")).ok());
  ASSERT_TRUE(engine_->CompleteTask(leases[1].token, json("one")).ok());
  ASSERT_TRUE(engine_->FailTask(leases[2].token, "Broken", "item 2").ok());  // 3 still running
  ASSERT_EQ(Await(id).status, ExecutionStatus::kFailed);

  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  std::map<int, TaskLease> rerun;
  for (int i = 0; i < 2; ++i) {
    TaskLease lease = Poll("item");
    rerun[lease.task.input.get<int>()] = lease;
  }
  EXPECT_TRUE(Idle("item")) << "a successful iteration ran again";
  ASSERT_EQ(rerun.count(2), 1u);
  ASSERT_EQ(rerun.count(3), 1u);
  ASSERT_TRUE(engine_->CompleteTask(rerun[2].token, json("two")).ok());
  ASSERT_TRUE(engine_->CompleteTask(rerun[3].token, json("three")).ok());
  auto summary = Await(id);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  EXPECT_EQ(summary.output, json({"zero", "one", "two", "three"}));
}

TEST_F(RedriveTest, AParallelRerunsOnlyItsFailedBranchAfterARestart) {
  Put("parallel", kParallel);
  std::string id = Start("parallel", "p1");
  ASSERT_TRUE(engine_->CompleteTask(Poll("left").token, json("L")).ok());
  FailForGood("right", "Broken");
  ASSERT_EQ(Await(id).status, ExecutionStatus::kFailed);

  Open();  // what a redrive resumes from is durable
  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  TaskLease right = Poll("right");
  EXPECT_TRUE(Idle("left"));
  ASSERT_TRUE(engine_->CompleteTask(right.token, json("R")).ok());
  auto summary = Await(id);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  EXPECT_EQ(summary.output, json({"L", "R"}));
}

TEST_F(RedriveTest, TimedOutAndAbortedExecutionsGoOnFromTheirTask) {
  Put("slow", R"({"StartAt": "Work", "TimeoutSeconds": 60, "States": {
    "Work": {"Type": "Task", "Resource": "function:slow", "TimeoutSeconds": 3600,
             "End": true}}})");
  std::string timed_out = Start("slow", "t1");
  ASSERT_FALSE(Idle("slow"));
  clock_.Advance(61s);
  auto summary = Await(timed_out);
  ASSERT_EQ(summary.status, ExecutionStatus::kTimedOut);
  ASSERT_TRUE(engine_->RedriveExecution(timed_out).ok());
  TaskLease lease = Poll("slow");
  ASSERT_TRUE(engine_->CompleteTask(lease.token, json("late but done")).ok());
  EXPECT_EQ(Await(timed_out).output, json("late but done"));

  std::string aborted = Start("slow", "a1");
  ASSERT_FALSE(Idle("slow"));
  ASSERT_TRUE(engine_->StopExecution(aborted, "Operator", "oops").ok());
  ASSERT_TRUE(engine_->RedriveExecution(aborted).ok());
  clock_.Advance(61s);  // the execution's timeout counts from the redrive
  summary = Await(aborted);
  EXPECT_EQ(summary.status, ExecutionStatus::kTimedOut);
  EXPECT_EQ(summary.redrive_count, 1);
}

TEST_F(RedriveTest, AnExecutionThatFailedInItsFirstStepStartsOver) {
  Put("first", R"({"StartAt": "Check", "States": {
    "Check": {"Type": "Choice", "Choices": [{"Variable": "$$.Execution.RedriveCount",
              "NumericEquals": 0, "Next": "Fail"}], "Default": "Done"},
    "Fail": {"Type": "Fail", "Error": "NotYet"},
    "Done": {"Type": "Pass", "Result": "second time lucky", "End": true}}})");
  std::string id = Start("first", "f1");
  ASSERT_EQ(Await(id).error, "NotYet");
  ASSERT_TRUE(engine_->RedriveExecution(id).ok());
  auto summary = Await(id);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, json("second time lucky"));
}

TEST_F(RedriveTest, ADeletedStateMachineCannotBeRedriven) {
  Put("flaky", kFlaky);
  std::string id = Start("flaky", "d1", json{{"n", 1}});
  FailForGood("work", "Broken");
  Await(id);
  ASSERT_TRUE(engine_->DeleteStateMachine("flaky").ok());
  Open();  // no compiled copy left in memory
  absl::Status refused = engine_->RedriveExecution(id);
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(refused.message(), HasSubstr("no longer exists"));
}

}  // namespace
}  // namespace stepwise::testing
