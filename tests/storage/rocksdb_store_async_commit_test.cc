// CommitStepAsync: steps handed over without waiting are written (many as one batch), each
// caller told of its own outcome, and nothing handed over is lost when the store closes.
#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "storage/store_test_support.h"

namespace stepwise::storage::testing {
namespace {

using engine::ExecutionStatus;
using engine::ScheduleTask;

// Counts outcomes as they come, from whichever thread the store calls back on.
class Outcomes {
 public:
  engine::Store::CommitDone Expect() {
    return [this](absl::Status status) {
      std::lock_guard lock(mutex_);
      if (status.ok()) {
        ++ok_;
      } else {
        errors_.push_back(status);
      }
      changed_.notify_all();
    };
  }
  // Waits until `count` outcomes came; false if they do not within 30 s.
  bool WaitFor(int count) {
    std::unique_lock lock(mutex_);
    return changed_.wait_for(lock, std::chrono::seconds(30),
                             [&] { return ok_ + static_cast<int>(errors_.size()) >= count; });
  }
  int ok() {
    std::lock_guard lock(mutex_);
    return ok_;
  }
  std::vector<absl::Status> errors() {
    std::lock_guard lock(mutex_);
    return errors_;
  }

 private:
  std::mutex mutex_;
  std::condition_variable changed_;
  int ok_ = 0;
  std::vector<absl::Status> errors_;
};

ScheduleTask Task(engine::FrameId frame, std::uint64_t seq) {
  ScheduleTask task;
  task.task = engine::TaskRef{frame, seq};
  task.resource = "function:f";
  task.input = json{{"n", seq}};
  task.timeout_seconds = 60;
  return task;
}

TEST(RocksStoreAsyncCommitTest, StepsFromManyThreadsAreAllWrittenAndEachCallerHearsOnce) {
  TempDir dir;
  std::atomic<int> batches{0};
  std::atomic<std::size_t> bytes{0};
  RocksStoreOptions options;
  options.on_commit = [&](std::size_t size) {
    batches.fetch_add(1);
    bytes.fetch_add(size);
  };
  auto opened = OpenRocksStore(dir.path(), options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  engine::Store& store = **opened;

  constexpr int kThreads = 8;
  constexpr int kExecutionsEach = 25;
  constexpr int kExecutions = kThreads * kExecutionsEach;
  Outcomes created;
  std::vector<engine::ExecutionState> states;
  for (int i = 0; i < kExecutions; ++i) {
    states.push_back(MakeExecution("m", "e" + std::to_string(i), kT0 + i));
  }
  // Each thread creates its executions, then (once told they are durable) schedules a task in
  // each: the second step of an execution waits for its first, as the Engine's strand does.
  std::vector<std::thread> threads;
  Outcomes scheduled;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kExecutionsEach; i < (t + 1) * kExecutionsEach; ++i) {
        engine::CommitContext context;
        context.created = true;
        store.CommitStepAsync(states[i], engine::Step{}, context, created.Expect());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(created.WaitFor(kExecutions));
  EXPECT_EQ(created.ok(), kExecutions);
  threads.clear();
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = t * kExecutionsEach; i < (t + 1) * kExecutionsEach; ++i) {
        engine::Step step;
        step.effects.push_back(Task(0, static_cast<std::uint64_t>(i)));
        store.CommitStepAsync(states[i], step, {}, scheduled.Expect());
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  ASSERT_TRUE(scheduled.WaitFor(kExecutions));
  EXPECT_EQ(scheduled.ok(), kExecutions);
  EXPECT_TRUE(scheduled.errors().empty());
  // on_commit hears of every step, with its own batch's size (not its group's).
  EXPECT_EQ(batches.load(), 2 * kExecutions);
  EXPECT_LT(bytes.load(), static_cast<std::size_t>(2 * kExecutions) * 4096);

  // Reopened, as after a restart: every step is there.
  opened->reset();
  auto reopened = OpenRocksStore(dir.path(), options);
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto tasks = (*reopened)->ScanTasks();
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), static_cast<std::size_t>(kExecutions));
  std::vector<bool> seen(kExecutions, false);
  for (const engine::StoredTask& task : *tasks) {
    auto seq = static_cast<int>(task.task.task.seq);
    ASSERT_LT(seq, kExecutions);
    EXPECT_EQ(task.execution_id, states[static_cast<std::size_t>(seq)].info.execution_id);
    EXPECT_EQ(task.task.input, (json{{"n", seq}}));
    seen[static_cast<std::size_t>(seq)] = true;
  }
  for (int i = 0; i < kExecutions; ++i) EXPECT_TRUE(seen[static_cast<std::size_t>(i)]) << i;
  auto running = (*reopened)->CountExecutions("m", ExecutionStatus::kRunning, 1000);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(*running, kExecutions);
}

TEST(RocksStoreAsyncCommitTest, AStepThatCannotBeWrittenIsRefusedToItsCallerAlone) {
  TempDir dir;
  auto opened = OpenRocksStore(dir.path());
  ASSERT_TRUE(opened.ok()) << opened.status();
  engine::Store& store = **opened;
  Outcomes outcomes;
  auto good = MakeExecution("m", "good", kT0);
  auto never_created = MakeExecution("m", "ghost", kT0);
  engine::CommitContext created;
  created.created = true;
  store.CommitStepAsync(good, engine::Step{}, created, outcomes.Expect());
  // Not created: refused before anything is queued, and the good one is unaffected.
  store.CommitStepAsync(never_created, engine::Step{}, {}, outcomes.Expect());
  ASSERT_TRUE(outcomes.WaitFor(2));
  EXPECT_EQ(outcomes.ok(), 1);
  ASSERT_EQ(outcomes.errors().size(), 1u);
  EXPECT_EQ(outcomes.errors()[0].code(), absl::StatusCode::kNotFound);
  EXPECT_TRUE(store.DescribeExecution(good.info.execution_id).ok());
  EXPECT_EQ(store.DescribeExecution(never_created.info.execution_id).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(RocksStoreAsyncCommitTest, ClosingTheStoreWritesWhatWasHandedOverFirst) {
  TempDir dir;
  constexpr int kExecutions = 300;
  Outcomes outcomes;
  {
    auto opened = OpenRocksStore(dir.path());
    ASSERT_TRUE(opened.ok()) << opened.status();
    engine::CommitContext created;
    created.created = true;
    for (int i = 0; i < kExecutions; ++i) {
      (*opened)->CommitStepAsync(MakeExecution("m", "e" + std::to_string(i), kT0), engine::Step{},
                                 created, outcomes.Expect());
    }
  }  // closed at once: what is still queued is written first
  EXPECT_EQ(outcomes.ok(), kExecutions);
  auto reopened = OpenRocksStore(dir.path());
  ASSERT_TRUE(reopened.ok()) << reopened.status();
  auto running = (*reopened)->CountExecutions("m", ExecutionStatus::kRunning, 1000);
  ASSERT_TRUE(running.ok()) << running.status();
  EXPECT_EQ(*running, kExecutions);
}

}  // namespace
}  // namespace stepwise::storage::testing
