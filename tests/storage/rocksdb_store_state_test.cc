// CommitStep and LoadExecution over states made by the real interpreter: what is loaded is the
// state that was committed, frame by frame, and a step writes only what it changed.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstddef>
#include <limits>
#include <string>

#include "storage/store_test_support.h"

namespace stepwise::storage::testing {
namespace {

using engine::ExecutionStatus;
using engine::TimerKind;

std::string MapMachine(int max_concurrency) {
  return R"({"StartAt": "Fan", "States": {"Fan": {"Type": "Map", "ItemsPath": "$.items",
      "MaxConcurrency": )" +
         std::to_string(max_concurrency) + R"(, "End": true,
      "ItemProcessor": {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "function:work", "End": true}}}}}})";
}

json Items(int count) {
  json items = json::array();
  for (int i = 0; i < count; ++i) items.push_back(i);
  return items;
}

class RocksStoreStateTest : public StoreTest {
 protected:
  void ExpectLoadedEqualsLive(const StoredRun& run) {
    auto loaded = store().LoadExecution(run.id());
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ExpectSameState(run.state(), *loaded);
  }
};

TEST_F(RocksStoreStateTest, MapWithOutstandingTasksLoadsAsTheLiveStateAfterEveryStep) {
  StoredRun run(store(), MapMachine(2));
  run.Start({{"items", Items(5)}});
  ASSERT_EQ(run.harness().pending_tasks().size(), 2u);
  ExpectLoadedEqualsLive(run);
  run.Succeed(run.harness().pending_tasks()[1].task, "second");
  ExpectLoadedEqualsLive(run);
  run.Succeed(run.harness().pending_tasks()[0].task, "first");
  ExpectLoadedEqualsLive(run);
  const engine::Frame& root = run.state().frames.at(1);
  ASSERT_TRUE(root.children.has_value());
  EXPECT_EQ(root.children->started, 4);
  EXPECT_EQ(root.children->results[0], "first");
  EXPECT_EQ(root.children->results[1], "second");
  EXPECT_TRUE(root.children->items[0].is_null());  // handed to its iteration
  EXPECT_EQ(root.children->items[4], 4);
}

TEST_F(RocksStoreStateTest, ParallelWithAWaitAndATaskInBackoffLoadsAsTheLiveState) {
  StoredRun run(store(), R"({"StartAt": "Both", "States": {"Both": {"Type": "Parallel",
      "End": true, "Branches": [
        {"StartAt": "Nap", "States": {"Nap": {"Type": "Wait", "Seconds": 10, "End": true}}},
        {"StartAt": "Call", "States": {"Call": {"Type": "Task", "Resource": "function:call",
          "HeartbeatSeconds": 5, "TimeoutSeconds": 20,
          "Retry": [{"ErrorEquals": ["Flaky"], "MaxAttempts": 3}], "End": true}}}]}}})");
  run.Start({{"x", 1}});
  ExpectLoadedEqualsLive(run);
  run.Fail(run.harness().OnlyTask().task, "Flaky");
  ExpectLoadedEqualsLive(run);
  Reopen();
  ExpectLoadedEqualsLive(run);
}

TEST_F(RocksStoreStateTest, StepCutShortKeepsItsReadyFramesAndOneContinueTimer) {
  engine::InterpreterOptions options;
  options.max_transitions_per_step = 3;
  StoredRun run(store(), R"({"StartAt": "A", "States": {
      "A": {"Type": "Pass", "Next": "B"}, "B": {"Type": "Pass", "Next": "C"},
      "C": {"Type": "Pass", "Next": "D"}, "D": {"Type": "Pass", "Next": "E"},
      "E": {"Type": "Pass", "Next": "F"}, "F": {"Type": "Pass", "Next": "G"},
      "G": {"Type": "Pass", "End": true}}})",
                options);
  run.Start({{"n", 1}});
  ASSERT_FALSE(run.state().ready.empty());
  ExpectLoadedEqualsLive(run);
  run.FireNext(TimerKind::kContinue);
  ASSERT_EQ(run.state().status, ExecutionStatus::kRunning);
  ExpectLoadedEqualsLive(run);
  // Each step armed a continue timer for the same ref: the store keeps the latest only.
  auto timers = store().ScanDueTimers(std::numeric_limits<std::int64_t>::max(), 100);
  ASSERT_TRUE(timers.ok()) << timers.status();
  ASSERT_EQ(timers->size(), 1u);
  EXPECT_EQ((*timers)[0].timer.kind, TimerKind::kContinue);
}

TEST_F(RocksStoreStateTest, MapStartedAgainInALoopForgetsTheLastRoundsResults) {
  StoredRun run(store(), R"json({"StartAt": "Fan", "States": {
      "Fan": {"Type": "Map", "ItemsPath": "$.items", "ResultPath": "$.results", "Next": "Count",
        "ItemProcessor": {"StartAt": "W", "States": {
          "W": {"Type": "Task", "Resource": "function:w", "End": true}}}},
      "Count": {"Type": "Pass", "Next": "Again",
        "Parameters": {"items.$": "$.items", "round.$": "States.MathAdd($.round, 1)"}},
      "Again": {"Type": "Choice", "Default": "Done",
        "Choices": [{"Variable": "$.round", "NumericLessThan": 2, "Next": "Fan"}]},
      "Done": {"Type": "Succeed"}}})json");
  run.Start({{"items", {"a", "b"}}, {"round", 0}});
  run.Succeed(run.harness().pending_tasks()[0].task, "a1");
  run.Succeed(run.harness().OnlyTask().task, "b1");
  ASSERT_EQ(run.harness().pending_tasks().size(), 2u);  // the second round began
  ExpectLoadedEqualsLive(run);
  run.Succeed(run.harness().pending_tasks()[1].task, "b2");
  ExpectLoadedEqualsLive(run);
}

// The bytes of the batch of the step that completes a Map's first iteration (and starts the
// next), in a store of its own.
std::size_t IterationStepBytes(int items) {
  TempDir dir;
  std::size_t bytes = 0;
  RocksStoreOptions options;
  options.sync_writes = false;
  options.on_commit = [&bytes](std::size_t batch) { bytes = batch; };
  auto store = OpenRocksStore(dir.path(), options);
  EXPECT_TRUE(store.ok()) << store.status();
  if (!store.ok()) return 0;
  StoredRun run(**store, MapMachine(2));
  run.Start({{"items", Items(items)}});
  std::size_t start_bytes = bytes;
  run.Succeed(run.harness().pending_tasks()[0].task, json{{"ok", true}});
  EXPECT_GT(start_bytes, bytes);  // the start wrote the items; this step did not
  EXPECT_EQ(run.harness().pending_tasks().size(), 2u);
  return bytes;
}

TEST(RocksStoreStepSizeTest, OneStepOfAThousandItemMapWritesAFewHundredBytes) {
  std::size_t ten = IterationStepBytes(10);
  std::size_t thousand = IterationStepBytes(1000);
  // One iteration's end and the next one's start: about 700 bytes of state (the execution
  // record, two frame headers, the new iteration's input, the finished one's result, a task
  // and a timer, with their keys) and about 560 of history (seven events, with payloads). The
  // same however many items the Map has.
  EXPECT_LT(thousand, 1400u);
  EXPECT_LE(thousand, ten + 16);
}

constexpr const char* kTimedMachine = R"({"StartAt": "Fan", "TimeoutSeconds": 3600,
    "States": {"Fan": {"Type": "Map", "MaxConcurrency": 1, "End": true,
      "ItemProcessor": {"StartAt": "Work", "States": {
        "Work": {"Type": "Task", "Resource": "function:work", "TimeoutSeconds": 30,
                 "End": true}}}}}})";

TEST_F(RocksStoreStateTest, FinishedExecutionKeepsItsOutputAndNoFramesTimersOrTasks) {
  StoredRun run(store(), kTimedMachine);
  run.Start(Items(2));
  auto timers = store().ScanDueTimers(std::numeric_limits<std::int64_t>::max(), 100);
  ASSERT_TRUE(timers.ok()) << timers.status();
  EXPECT_EQ(timers->size(), 2u);  // the execution's timeout and the task's
  while (run.state().status == ExecutionStatus::kRunning) {
    engine::ScheduleTask task = run.harness().OnlyTask();
    run.Succeed(task.task, task.input);
  }
  auto loaded = store().LoadExecution(run.id());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ExpectSameState(run.state(), *loaded);
  EXPECT_TRUE(loaded->frames.empty());
  EXPECT_EQ(loaded->output, json({0, 1}));
  timers = store().ScanDueTimers(std::numeric_limits<std::int64_t>::max(), 100);
  ASSERT_TRUE(timers.ok());
  EXPECT_TRUE(timers->empty());
  auto tasks = store().ScanTasks();
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
  auto unfinished = store().ListUnfinished();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_TRUE(unfinished->empty());
}

TEST_F(RocksStoreStateTest, EverythingCommittedIsThereAfterReopening) {
  StoredRun run(store(), MapMachine(2));
  run.Start({{"items", Items(4)}});
  run.Succeed(run.harness().pending_tasks()[0].task, "zero");
  Reopen();
  ExpectLoadedEqualsLive(run);
  auto history = store().ReadHistory(run.id(), 1, 1000);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->size(), run.harness().history().size());
  for (std::size_t i = 0; i < history->size(); ++i) {
    EXPECT_EQ((*history)[i].id, run.harness().history()[i].id);
    EXPECT_EQ((*history)[i].type, run.harness().history()[i].type);
    EXPECT_EQ((*history)[i].details, run.harness().history()[i].details);
  }
  auto tasks = store().ScanTasks();
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), run.harness().pending_tasks().size());
  for (std::size_t i = 0; i < tasks->size(); ++i) {
    EXPECT_EQ((*tasks)[i].task.task, run.harness().pending_tasks()[i].task);
    EXPECT_EQ((*tasks)[i].task.input, run.harness().pending_tasks()[i].input);
  }
  auto unfinished = store().ListUnfinished();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_THAT(*unfinished, ::testing::ElementsAre(run.id()));
}

TEST_F(RocksStoreStateTest, LoadingAnUnknownExecutionIsNotFound) {
  EXPECT_EQ(store().LoadExecution("arn:nothing").status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().DescribeExecution("arn:nothing").status().code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace stepwise::storage::testing
