// The Engine's asynchronous calls, for a server that parks no thread per request: starts,
// completions and stops answered through callbacks; long polls that wait as entries (not
// threads), over several functions, cancelled or released; and watching history grow. On a
// real RocksDB store; every wait is on a callback's answer, never a sleep.
#include <dirent.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::ExecutionStatus;
using engine::TaskLease;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kTwoTasks = R"({"StartAt": "A", "States": {
  "A": {"Type": "Task", "Resource": "function:alpha", "Next": "B"},
  "B": {"Type": "Task", "Resource": "function:beta", "End": true}}})";

// How many threads this process has now.
int Threads() {
  int count = 0;
  if (DIR* dir = opendir("/proc/self/task")) {
    while (dirent* entry = readdir(dir)) count += entry->d_name[0] != '.';
    closedir(dir);
  }
  return count;
}

using AsyncEngineTest = EngineTest;
using PollAnswer = Answer<std::optional<TaskLease>>;

TEST_F(AsyncEngineTest, StartExecutionAsyncAnswersWithTheIdOrWhyNot) {
  Put("two", kTwoTasks);
  Answer<absl::StatusOr<engine::StartedExecution>> started;
  engine_->StartExecutionAsync("two", "a1", json{{"n", 1}}, started.Callback());
  auto first = started.Get();
  ASSERT_TRUE(first.ok()) << first.status();
  auto summary = engine_->DescribeExecution(first->execution_id);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->status, ExecutionStatus::kRunning);
  EXPECT_EQ(first->start_time, summary->info.start_time);
  EXPECT_GT(first->start_time, 0);

  // The same name and input: the same execution, with its own start time.
  Answer<absl::StatusOr<engine::StartedExecution>> again;
  engine_->StartExecutionAsync("two", "a1", json{{"n", 1}}, again.Callback());
  auto repeated = again.Get();
  ASSERT_TRUE(repeated.ok()) << repeated.status();
  EXPECT_EQ(repeated->execution_id, first->execution_id);
  EXPECT_EQ(repeated->start_time, first->start_time);
  Answer<absl::StatusOr<engine::StartedExecution>> clash;
  engine_->StartExecutionAsync("two", "a1", json{{"n", 2}}, clash.Callback());
  EXPECT_EQ(clash.Get().status().code(), absl::StatusCode::kAlreadyExists);
  Answer<absl::StatusOr<engine::StartedExecution>> missing;
  engine_->StartExecutionAsync("nowhere", "", json::object(), missing.Callback());
  EXPECT_EQ(missing.Get().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AsyncEngineTest, CompletionsAndStopsAnswerThroughTheirCallbacks) {
  Put("two", kTwoTasks);
  std::string id = Start("two", "c1");
  auto alpha = engine_->PollTask("alpha", 5s);
  ASSERT_TRUE(alpha.has_value());
  Answer<absl::Status> beat;
  engine_->HeartbeatTaskAsync(alpha->token, beat.Callback());
  EXPECT_TRUE(beat.Get().ok());
  Answer<absl::Status> completed;
  engine_->CompleteTaskAsync(alpha->token, json{{"a", true}}, completed.Callback());
  EXPECT_TRUE(completed.Get().ok());
  Answer<absl::Status> repeated;
  engine_->CompleteTaskAsync(alpha->token, json{{"a", false}}, repeated.Callback());
  EXPECT_EQ(repeated.Get().code(), absl::StatusCode::kFailedPrecondition);
  Answer<absl::Status> junk;
  engine_->FailTaskAsync("junk", "E", "", junk.Callback());
  EXPECT_EQ(junk.Get().code(), absl::StatusCode::kInvalidArgument);

  Answer<absl::Status> stopped;
  engine_->StopExecutionAsync(id, "Operator", "enough", stopped.Callback());
  EXPECT_TRUE(stopped.Get().ok());
  EXPECT_EQ(Await(id).status, ExecutionStatus::kAborted);
  Answer<absl::Status> twice;
  engine_->StopExecutionAsync(id, "Operator", "again", twice.Callback());
  EXPECT_EQ(twice.Get().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(AsyncEngineTest, AFailedTaskFailsTheExecutionThroughTheAsyncCall) {
  Put("two", kTwoTasks);
  std::string id = Start("two", "f1");
  auto alpha = engine_->PollTask("alpha", 5s);
  ASSERT_TRUE(alpha.has_value());
  Answer<absl::Status> failed;
  engine_->FailTaskAsync(alpha->token, "Boom", "it broke", failed.Callback());
  EXPECT_TRUE(failed.Get().ok());
  auto summary = Await(id);
  EXPECT_EQ(summary.status, ExecutionStatus::kFailed);
  EXPECT_EQ(summary.error, "Boom");
  EXPECT_EQ(summary.cause, "it broke");
}

TEST_F(AsyncEngineTest, AWaitingPollGetsTheTaskScheduledLater) {
  Put("two", kTwoTasks);
  PollAnswer poll;
  engine_->PollTaskAsync({"beta", "alpha"}, 10s, poll.Callback());
  EXPECT_FALSE(poll.Ready());
  std::string id = Start("two", "p1", json{{"x", 1}});
  std::optional<TaskLease> lease = poll.Get();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->execution_id, id);
  EXPECT_EQ(lease->task.function, "alpha");
  EXPECT_EQ(lease->task.input, (json{{"x", 1}}));
  EXPECT_FALSE(lease->callback);
  EXPECT_GT(lease->deadline, 0);

  PollAnswer next;  // the same poll over both functions now gets beta's task
  engine_->PollTaskAsync({"alpha", "beta"}, 10s, next.Callback());
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"x", 2}}).ok());
  std::optional<TaskLease> beta = next.Get();
  ASSERT_TRUE(beta.has_value());
  EXPECT_EQ(beta->task.function, "beta");
  ASSERT_TRUE(engine_->CompleteTask(beta->token, json{{"x", 3}}).ok());
  EXPECT_EQ(Await(id).output, (json{{"x", 3}}));
}

TEST_F(AsyncEngineTest, WaitingPollsHoldNoThread) {
  int before = Threads();
  std::vector<std::unique_ptr<PollAnswer>> polls;
  for (int i = 0; i < 500; ++i) {
    polls.push_back(std::make_unique<PollAnswer>());
    engine_->PollTaskAsync({"f" + std::to_string(i % 7)}, 30s, polls.back()->Callback());
  }
  EXPECT_EQ(Threads(), before);
  engine_->ReleasePolls();
  for (auto& poll : polls) EXPECT_FALSE(poll->Get().has_value());
}

TEST_F(AsyncEngineTest, APollEndsWithNothingAtItsDeadlineInRealTimeEvenOnAManualClock) {
  auto begin = std::chrono::steady_clock::now();
  PollAnswer poll;
  engine_->PollTaskAsync({"idle"}, 100ms, poll.Callback());
  EXPECT_FALSE(poll.Get().has_value());
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 100ms);
}

TEST_F(AsyncEngineTest, CancelPollAnswersAWaitingPollOnceAndLeavesADeliveredOneAlone) {
  Put("two", kTwoTasks);
  PollAnswer gone;
  engine::PollId id = engine_->PollTaskAsync({"alpha"}, 10s, gone.Callback());
  engine_->CancelPoll(id);
  ASSERT_TRUE(gone.Ready()) << "answered before CancelPoll returned";
  EXPECT_FALSE(gone.Get().has_value());
  engine_->CancelPoll(id);
  EXPECT_EQ(gone.calls(), 1);

  // The cancelled poll took nothing: the task goes to the next poll.
  std::string execution = Start("two", "k1");
  PollAnswer taken;
  engine::PollId delivered = engine_->PollTaskAsync({"alpha"}, 10s, taken.Callback());
  std::optional<TaskLease> lease = taken.Get();
  ASSERT_TRUE(lease.has_value());
  engine_->CancelPoll(delivered);  // the client went away after delivery: still delivered
  EXPECT_EQ(taken.calls(), 1);
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json::object()).ok());
  // TaskSucceeded, TaskStateExited, TaskStateEntered, TaskScheduled, TaskStarted: at B's task.
  EXPECT_EQ(engine_->DescribeExecution(execution)->last_event_id, 9);
}

TEST_F(AsyncEngineTest, ReleasePollsAnswersEveryWaiterAndLaterPollsAtOnceButKeepsTasks) {
  Put("two", kTwoTasks);
  PollAnswer waiting;
  engine_->PollTaskAsync({"alpha"}, 30s, waiting.Callback());
  Answer<absl::StatusOr<std::int64_t>> watching;
  std::string id = Start("two", "r1");
  ASSERT_TRUE(waiting.Get().has_value());  // took r1's task
  engine_->AwaitHistoryAsync(id, 100, 30s, watching.Callback());
  PollAnswer idle;
  engine_->PollTaskAsync({"alpha"}, 30s, idle.Callback());

  engine_->ReleasePolls();
  EXPECT_FALSE(idle.Get().has_value());
  auto latest = watching.Get();
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(*latest, engine_->DescribeExecution(id)->last_event_id);

  std::string other = Start("two", "r2");
  PollAnswer later;
  engine_->PollTaskAsync({"alpha"}, 30s, later.Callback());
  ASSERT_TRUE(later.Ready());
  EXPECT_FALSE(later.Get().has_value());
  // A later watch is answered at once: with the latest id when there is news for it, and
  // otherwise Unavailable, so that a caller watching in a loop does not spin.
  std::int64_t last = engine_->DescribeExecution(other)->last_event_id;
  Answer<absl::StatusOr<std::int64_t>> news;
  engine_->AwaitHistoryAsync(other, last - 1, 30s, news.Callback());
  ASSERT_TRUE(news.Ready()) << "a watch after the release is answered at once";
  EXPECT_EQ(news.Get().value_or(-1), last);
  Answer<absl::StatusOr<std::int64_t>> no_news;
  engine_->AwaitHistoryAsync(other, last, 30s, no_news.Callback());
  ASSERT_TRUE(no_news.Ready()) << "a watch after the release is answered at once";
  EXPECT_EQ(no_news.Get().status().code(), absl::StatusCode::kUnavailable);
  Open();  // the tasks were kept: after a restart both are served (r1's was leased, r2's queued)
  std::vector<std::string> served;
  for (int i = 0; i < 2; ++i) {
    auto lease = engine_->PollTask("alpha", 5s);
    ASSERT_TRUE(lease.has_value());
    served.push_back(lease->execution_id);
  }
  EXPECT_THAT(served, ::testing::UnorderedElementsAre(id, other));
}

TEST_F(AsyncEngineTest, AwaitHistoryAnswersWhenTheHistoryGrows) {
  Put("two", kTwoTasks);
  std::string id = Start("two", "h1");
  std::int64_t latest = engine_->DescribeExecution(id)->last_event_id;
  EXPECT_EQ(latest, 4);  // ExecutionStarted, TaskStateEntered, TaskScheduled, TaskStarted

  Answer<absl::StatusOr<std::int64_t>> grown;
  engine_->AwaitHistoryAsync(id, latest, 10s, grown.Callback());
  EXPECT_FALSE(grown.Ready());
  auto alpha = engine_->PollTask("alpha", 5s);
  ASSERT_TRUE(alpha.has_value());
  ASSERT_TRUE(engine_->CompleteTask(alpha->token, json::object()).ok());
  auto answer = grown.Get();
  ASSERT_TRUE(answer.ok()) << answer.status();
  EXPECT_GT(*answer, latest);
  EXPECT_EQ(*answer, engine_->DescribeExecution(id)->last_event_id);
  auto history = store_->ReadHistory(id, latest + 1, 100);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->front().type, "TaskSucceeded");

  Answer<absl::StatusOr<std::int64_t>> already;  // behind the latest: answered at once
  engine_->AwaitHistoryAsync(id, 2, 10s, already.Callback());
  ASSERT_TRUE(already.Ready());
  EXPECT_EQ(already.Get().value_or(-1), *answer);
}

TEST_F(AsyncEngineTest, AwaitHistoryAnswersAtTheEndAtTheDeadlineAndForUnknownExecutions) {
  Put("two", kTwoTasks);
  std::string id = Start("two", "h2");
  std::int64_t latest = engine_->DescribeExecution(id)->last_event_id;

  Answer<absl::StatusOr<std::int64_t>> timed_out;
  auto begin = std::chrono::steady_clock::now();
  engine_->AwaitHistoryAsync(id, latest, 100ms, timed_out.Callback());
  EXPECT_EQ(timed_out.Get().value_or(-1), latest);
  EXPECT_GE(std::chrono::steady_clock::now() - begin, 100ms);

  Answer<absl::StatusOr<std::int64_t>> ended;  // far ahead, but the execution ends
  engine_->AwaitHistoryAsync(id, latest + 1000, 10s, ended.Callback());
  ASSERT_TRUE(engine_->StopExecution(id, "Stop", "").ok());
  std::int64_t last = engine_->DescribeExecution(id)->last_event_id;
  EXPECT_EQ(ended.Get().value_or(-1), last);
  Answer<absl::StatusOr<std::int64_t>> after_end;
  engine_->AwaitHistoryAsync(id, last, 10s, after_end.Callback());
  ASSERT_TRUE(after_end.Ready()) << "a finished execution's history does not grow: answer now";
  EXPECT_EQ(after_end.Get().value_or(-1), last);

  Answer<absl::StatusOr<std::int64_t>> unknown;
  engine_->AwaitHistoryAsync("arn:nothing", 0, 10s, unknown.Callback());
  EXPECT_EQ(unknown.Get().status().code(), absl::StatusCode::kNotFound);
}

TEST_F(AsyncEngineTest, WatchersOfManyExecutionsEachHearOfTheirOwn) {
  Put("two", kTwoTasks);
  std::vector<std::string> ids;
  std::vector<std::unique_ptr<Answer<absl::StatusOr<std::int64_t>>>> watches;
  for (int i = 0; i < 20; ++i) {
    ids.push_back(Start("two", "w" + std::to_string(i)));
    watches.push_back(std::make_unique<Answer<absl::StatusOr<std::int64_t>>>());
    engine_->AwaitHistoryAsync(ids.back(), 4, 10s, watches.back()->Callback());
  }
  // Complete the tasks from other threads while the watchers wait.
  std::vector<std::thread> workers;
  for (int w = 0; w < 4; ++w) {
    workers.emplace_back([this] {
      for (int i = 0; i < 5; ++i) {
        auto lease = engine_->PollTask("alpha", 5s);
        if (lease) (void)engine_->CompleteTask(lease->token, json::object());
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  for (int i = 0; i < 20; ++i) {
    auto latest = watches[i]->Get();
    ASSERT_TRUE(latest.ok()) << latest.status();
    EXPECT_GT(*latest, 4) << ids[i];
    EXPECT_EQ(watches[i]->calls(), 1);
  }
}

// A step does not wait for its commit: the store writes it later. An engine destroyed meanwhile
// still answers every call it took, and what it answered OK is in the store.
TEST_F(AsyncEngineTest, AnEngineDestroyedWithStepsStillInTheStoreAnswersEveryCall) {
  Put("two", kTwoTasks);
  constexpr int kStarts = 100;
  std::vector<std::unique_ptr<Answer<absl::StatusOr<engine::StartedExecution>>>> answers;
  for (int i = 0; i < kStarts; ++i) {
    answers.push_back(std::make_unique<Answer<absl::StatusOr<engine::StartedExecution>>>());
    engine_->StartExecutionAsync("two", "d" + std::to_string(i), json{{"i", i}},
                                 answers.back()->Callback());
  }
  engine_.reset();
  std::vector<std::string> started;
  for (auto& answer : answers) {
    ASSERT_TRUE(answer->Ready()) << "a call was never answered";
    EXPECT_EQ(answer->calls(), 1);
    auto execution = answer->Get();
    ASSERT_TRUE(execution.ok()) << execution.status();
    started.push_back(execution->execution_id);
  }
  Open();
  for (const std::string& id : started) {
    auto summary = engine_->DescribeExecution(id);
    ASSERT_TRUE(summary.ok()) << id << ": " << summary.status();
    EXPECT_EQ(summary->status, ExecutionStatus::kRunning);
  }
  // Each one's first task is queued again after the restart.
  for (int i = 0; i < kStarts; ++i) {
    auto lease = engine_->PollTask("alpha", 5s);
    ASSERT_TRUE(lease.has_value()) << "only " << i << " tasks came back";
  }
  EXPECT_FALSE(engine_->PollTask("alpha", 0ms).has_value());
}

}  // namespace
}  // namespace stepwise::testing
