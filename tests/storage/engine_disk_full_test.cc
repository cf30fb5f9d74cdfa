// The Engine on a disk that fills up: requests that must write fail cleanly with
// ResourceExhausted, reads go on being served, nothing accepted is lost, and once space is freed
// the same requests (and the timers that fired meanwhile) go through.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "stepwise/storage/rocksdb_store.h"
#include "storage/full_disk_file_system.h"
#include "storage/temp_dir.h"

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

class EngineDiskFullTest : public ::testing::Test {
 protected:
  void SetUp() override {
    storage::RocksStoreOptions options;
    options.sync_writes = false;
    options.env = disk_.env.get();
    auto store = storage::OpenRocksStore(dir_.path(), options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    engine_ = std::make_unique<Engine>(*store_, clock_);
    ASSERT_TRUE(engine_->Recover().ok());
    ASSERT_TRUE(engine_->PutStateMachine("tasks", kTaskMachine).ok());
    ASSERT_TRUE(engine_->PutStateMachine("nap", kWaitMachine).ok());
  }

  void FillDisk() { disk_.file_system->full() = true; }
  void FreeSpace() { disk_.file_system->full() = false; }

  // After space is freed RocksDB first recovers from the error, and writes are refused until it
  // has (still ResourceExhausted: the last write found the disk full); `attempt` is repeated
  // until it gives anything else.
  static absl::Status UntilRecovered(const std::function<absl::Status()>& attempt) {
    auto deadline = std::chrono::steady_clock::now() + 60s;
    absl::Status status = attempt();
    while ((status.code() == absl::StatusCode::kResourceExhausted ||
            status.code() == absl::StatusCode::kUnavailable) &&
           std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(50ms);  // RocksDB's recovery offers nothing to wait on
      status = attempt();
    }
    return status;
  }

  storage::testing::TempDir dir_;
  storage::testing::FullDiskEnv disk_;
  engine::ManualClock clock_;
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<Engine> engine_;
};

TEST_F(EngineDiskFullTest, StartingFailsCleanlyWhileReadsGoOnAndSucceedsOnceSpaceIsFreed) {
  auto first = engine_->StartExecution("tasks", "first", json{{"x", 1}});
  ASSERT_TRUE(first.ok()) << first.status();

  FillDisk();
  auto refused = engine_->StartExecution("tasks", "second", json{{"x", 2}});
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(refused.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.status().message(), HasSubstr("disk is full"));
  auto stored = engine_->PutStateMachine("later", kTaskMachine);
  EXPECT_EQ(stored.status().code(), absl::StatusCode::kResourceExhausted) << stored.status();
  EXPECT_THAT(stored.status().message(), HasSubstr("disk is full"));

  auto described = engine_->DescribeExecution(*first);
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->status, ExecutionStatus::kRunning);
  EXPECT_EQ(described->input, (json{{"x", 1}}));
  EXPECT_TRUE(engine_->PollTask("double", 5s).has_value()) << "the first execution's task is lost";

  FreeSpace();
  std::string second;
  absl::Status started = UntilRecovered([&] {
    auto id = engine_->StartExecution("tasks", "second", json{{"x", 2}});
    if (id.ok()) second = *id;
    return id.status();
  });
  ASSERT_TRUE(started.ok()) << started;
  auto lease = engine_->PollTask("double", 5s);
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->execution_id, second);
  EXPECT_EQ(lease->task.input, (json{{"x", 2}}));
}

TEST_F(EngineDiskFullTest, ACompletionRefusedForLackOfSpaceIsAcceptedWhenRepeatedLater) {
  auto id = engine_->StartExecution("tasks", "run", json{{"x", 21}});
  ASSERT_TRUE(id.ok()) << id.status();
  auto lease = engine_->PollTask("double", 5s);
  ASSERT_TRUE(lease.has_value());

  FillDisk();
  absl::Status refused = engine_->CompleteTask(lease->token, json{{"x", 42}});
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted) << refused;
  auto described = engine_->DescribeExecution(*id);
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->status, ExecutionStatus::kRunning);  // the refused completion left no trace

  FreeSpace();
  absl::Status accepted = UntilRecovered([&] {
    return engine_->CompleteTask(lease->token, json{{"x", 42}});
  });
  ASSERT_TRUE(accepted.ok()) << accepted;
  auto summary = engine_->AwaitExecution(*id, 10s);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary->output, (json{{"x", 42}}));
  // Applied once: a repeat is stale.
  EXPECT_EQ(engine_->CompleteTask(lease->token, json{{"x", 0}}).code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST_F(EngineDiskFullTest, ATimerThatFiresOnAFullDiskIsNotLost) {
  auto id = engine_->StartExecution("nap", "n1", json::object());
  ASSERT_TRUE(id.ok()) << id.status();

  FillDisk();
  int before = disk_.file_system->refusals();
  clock_.Advance(10s);  // the Wait's timer fires; its step cannot be written
  ASSERT_TRUE(disk_.file_system->AwaitRefusals(before + 1, 10s));
  auto described = engine_->DescribeExecution(*id);
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->status, ExecutionStatus::kRunning);

  FreeSpace();
  // The engine fires the timer again a second later, for as long as the store refuses.
  absl::StatusOr<engine::ExecutionSummary> summary = absl::UnknownError("not awaited yet");
  for (int second = 0; second < 60; ++second) {
    clock_.Advance(1s);
    summary = engine_->AwaitExecution(*id, 1s);
    if (summary.ok()) break;
  }
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary->output, json("rested"));
}

}  // namespace
}  // namespace stepwise
