// RocksStore's operations on hand-made steps: timers, tasks, history, listings, definitions and
// retention.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <limits>
#include <string>
#include <thread>
#include <vector>

#include "storage/store_test_support.h"

namespace stepwise::storage::testing {
namespace {

using engine::ArmTimer;
using engine::CancelTask;
using engine::CancelTimers;
using engine::ExecutionFilter;
using engine::ExecutionStatus;
using engine::ScheduleTask;
using engine::TimerKind;
using engine::TimerRef;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();

ExecutionFilter Filter(std::string machine, std::optional<ExecutionStatus> status) {
  ExecutionFilter filter;
  filter.machine_name = std::move(machine);
  filter.status = status;
  return filter;
}

class RocksStoreTest : public StoreTest {
 protected:
  // Commits a step of `state` with these effects (and no frames).
  void Commit(const engine::ExecutionState& state, std::vector<engine::Effect> effects,
              engine::CommitContext context = {}) {
    engine::Step step;
    step.effects = std::move(effects);
    absl::Status committed = store().CommitStep(state, step, context);
    ASSERT_TRUE(committed.ok()) << committed;
  }

  std::vector<std::pair<TimerRef, std::int64_t>> Timers(std::int64_t up_to = kForever,
                                                        int limit = 1000) {
    auto timers = store().ScanDueTimers(up_to, limit);
    EXPECT_TRUE(timers.ok()) << timers.status();
    std::vector<std::pair<TimerRef, std::int64_t>> found;
    if (timers.ok()) {
      for (const engine::StoredTimer& timer : *timers) found.emplace_back(timer.timer, timer.due);
    }
    return found;
  }

  std::vector<std::string> Ids(const engine::ExecutionPage& page) {
    std::vector<std::string> names;
    for (const engine::ExecutionSummary& summary : page.executions) {
      names.push_back(summary.info.name);
    }
    return names;
  }

  std::vector<std::string> List(const ExecutionFilter& filter) {
    auto page = store().ListExecutions(filter, "", 100);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? Ids(*page) : std::vector<std::string>{};
  }
};

ScheduleTask Task(engine::FrameId frame, std::uint64_t seq, std::string state_name) {
  ScheduleTask task;
  task.task = {frame, seq};
  task.state_name = std::move(state_name);
  task.resource = "function:work";
  task.function = "work";
  task.input = json{{"frame", frame}};
  task.timeout_seconds = 30;
  return task;
}

TEST_F(RocksStoreTest, DueTimersComeBackEarliestFirstUpToTheTimeAndLimitGiven) {
  auto a = MakeExecution("m", "a", kT0);
  auto b = MakeExecution("m", "b", kT0);
  ASSERT_TRUE(CommitCreated(store(), a,
                            {ArmTimer{{2, 1, TimerKind::kWait}, kT0 + 300},
                             ArmTimer{{0, 0, TimerKind::kExecutionTimeout}, kT0 + 100}})
                  .ok());
  ASSERT_TRUE(CommitCreated(store(), b, {ArmTimer{{3, 4, TimerKind::kRetry}, kT0 + 200}}).ok());
  auto due = store().ScanDueTimers(kT0 + 250, 10);
  ASSERT_TRUE(due.ok()) << due.status();
  ASSERT_EQ(due->size(), 2u);
  EXPECT_EQ((*due)[0].execution_id, a.info.execution_id);
  EXPECT_EQ((*due)[0].timer, (TimerRef{0, 0, TimerKind::kExecutionTimeout}));
  EXPECT_EQ((*due)[0].due, kT0 + 100);
  EXPECT_EQ((*due)[1].execution_id, b.info.execution_id);
  EXPECT_EQ((*due)[1].timer, (TimerRef{3, 4, TimerKind::kRetry}));
  EXPECT_EQ(Timers(kT0 + 250, 1).size(), 1u);
  EXPECT_EQ(Timers().size(), 3u);
  EXPECT_TRUE(Timers(kT0 + 99).empty());
}

TEST_F(RocksStoreTest, CancelTimersRemovesEveryTimerOfThatFrameAndSequenceOnly) {
  auto state = MakeExecution("m", "a", kT0);
  auto other = MakeExecution("m", "a2", kT0);  // an id the first one's is a prefix of
  ASSERT_TRUE(CommitCreated(store(), state,
                            {ArmTimer{{2, 1, TimerKind::kTaskTimeout}, kT0 + 30'000},
                             ArmTimer{{2, 1, TimerKind::kHeartbeat}, kT0 + 5'000},
                             ArmTimer{{2, 2, TimerKind::kWait}, kT0 + 10},
                             ArmTimer{{3, 1, TimerKind::kWait}, kT0 + 20}})
                  .ok());
  ASSERT_TRUE(CommitCreated(store(), other, {ArmTimer{{2, 1, TimerKind::kWait}, kT0 + 1}}).ok());
  Commit(state, {CancelTimers{2, 1}});
  EXPECT_THAT(Timers(), ElementsAre(std::pair(TimerRef{2, 1, TimerKind::kWait}, kT0 + 1),
                                    std::pair(TimerRef{2, 2, TimerKind::kWait}, kT0 + 10),
                                    std::pair(TimerRef{3, 1, TimerKind::kWait}, kT0 + 20)));
  Commit(state, {CancelTimers{2, 2}, CancelTimers{3, 1}});
  EXPECT_THAT(Timers(), ElementsAre(std::pair(TimerRef{2, 1, TimerKind::kWait}, kT0 + 1)));
}

TEST_F(RocksStoreTest, ArmingATimerAgainMovesItInsteadOfAddingOne) {
  auto state = MakeExecution("m", "a", kT0);
  ASSERT_TRUE(
      CommitCreated(store(), state, {ArmTimer{{2, 1, TimerKind::kHeartbeat}, kT0 + 5}}).ok());
  Commit(state, {ArmTimer{{2, 1, TimerKind::kHeartbeat}, kT0 + 9}});
  EXPECT_THAT(Timers(), ElementsAre(std::pair(TimerRef{2, 1, TimerKind::kHeartbeat}, kT0 + 9)));
  Commit(state, {CancelTimers{2, 1}});
  EXPECT_TRUE(Timers().empty());
}

TEST_F(RocksStoreTest, TimerArmedAndCancelledInOneStepIsNeverWritten) {
  auto state = MakeExecution("m", "a", kT0);
  ASSERT_TRUE(CommitCreated(store(), state,
                            {ArmTimer{{2, 1, TimerKind::kWait}, kT0 + 5}, CancelTimers{2, 1},
                             ArmTimer{{2, 2, TimerKind::kWait}, kT0 + 7}})
                  .ok());
  EXPECT_THAT(Timers(), ElementsAre(std::pair(TimerRef{2, 2, TimerKind::kWait}, kT0 + 7)));
}

TEST_F(RocksStoreTest, TasksAreScannedUntilCancelledOrCompleted) {
  auto state = MakeExecution("m", "a", kT0);
  ScheduleTask with_heartbeat = Task(4, 2, "Beat");
  with_heartbeat.heartbeat_seconds = 10;
  with_heartbeat.attempt = 1;
  ASSERT_TRUE(
      CommitCreated(store(), state, {Task(2, 1, "One"), Task(3, 1, "Two"), with_heartbeat}).ok());
  auto tasks = store().ScanTasks();
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 3u);
  const engine::StoredTask& beat = (*tasks)[2];
  EXPECT_EQ(beat.execution_id, state.info.execution_id);
  EXPECT_EQ(beat.task.task, (engine::TaskRef{4, 2}));
  EXPECT_EQ(beat.task.state_name, "Beat");
  EXPECT_EQ(beat.task.resource, "function:work");
  EXPECT_EQ(beat.task.function, "work");
  EXPECT_EQ(beat.task.input, json({{"frame", 4}}));
  EXPECT_EQ(beat.task.timeout_seconds, 30);
  EXPECT_EQ(beat.task.heartbeat_seconds, 10);
  EXPECT_EQ(beat.task.attempt, 1);

  engine::CommitContext completed;
  completed.completed_task = engine::TaskRef{2, 1};
  Commit(state, {CancelTask{{3, 1}}}, completed);
  tasks = store().ScanTasks();
  ASSERT_TRUE(tasks.ok()) << tasks.status();
  ASSERT_EQ(tasks->size(), 1u);
  EXPECT_EQ((*tasks)[0].task.state_name, "Beat");
}

TEST_F(RocksStoreTest, HistoryIsReadInOrderFromAnIdUpToALimit) {
  auto state = MakeExecution("m", "run-1", kT0);
  auto neighbour = MakeExecution("m", "run-10", kT0);
  auto events = [](std::int64_t from, std::int64_t to) {
    engine::Step step;
    for (std::int64_t id = from; id <= to; ++id) {
      step.history.push_back(engine::HistoryEvent{id, kT0 + id, "PassStateEntered",
                                                  "S" + std::to_string(id), json{{"n", id}}});
    }
    return step;
  };
  engine::CommitContext created;
  created.created = true;
  ASSERT_TRUE(store().CommitStep(state, events(1, 300), created).ok());
  ASSERT_TRUE(store().CommitStep(neighbour, events(1, 5), created).ok());
  ASSERT_TRUE(store().CommitStep(state, events(301, 302), {}).ok());

  auto read = store().ReadHistory(state.info.execution_id, 255, 3);
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ((*read)[0].id, 255);
  EXPECT_EQ((*read)[0].type, "PassStateEntered");
  EXPECT_EQ((*read)[0].state_name, "S255");
  EXPECT_EQ((*read)[0].timestamp, kT0 + 255);
  EXPECT_EQ((*read)[0].details, json({{"n", 255}}));
  EXPECT_EQ((*read)[2].id, 257);
  read = store().ReadHistory(state.info.execution_id, 300, 100);
  ASSERT_TRUE(read.ok());
  ASSERT_EQ(read->size(), 3u);
  EXPECT_EQ(read->back().id, 302);
  read = store().ReadHistory(neighbour.info.execution_id, 0, 100);
  ASSERT_TRUE(read.ok());
  EXPECT_EQ(read->size(), 5u);
  read = store().ReadHistory(state.info.execution_id, 303, 10);
  ASSERT_TRUE(read.ok());
  EXPECT_TRUE(read->empty());
  EXPECT_EQ(store().ReadHistory("arn:none", 1, 10).status().code(), absl::StatusCode::kNotFound);
}

class ListingTest : public RocksStoreTest {
 protected:
  void SetUp() override {
    RocksStoreTest::SetUp();
    // Started in this order; "late" and "early" of machine "orders" end, the rest run.
    Start("orders", "early", kT0 + 1);
    Start("billing", "b1", kT0 + 2);
    Start("orders", "middle", kT0 + 3);
    Start("orders", "late", kT0 + 4);
    Start("billing", "b2", kT0 + 5);
    ASSERT_TRUE(CommitEnd(store(), states_[0], ExecutionStatus::kFailed, kT0 + 10).ok());
    ASSERT_TRUE(CommitEnd(store(), states_[3], ExecutionStatus::kSucceeded, kT0 + 11).ok());
  }
  void Start(const std::string& machine, const std::string& name, std::int64_t at) {
    states_.push_back(MakeExecution(machine, name, at, json{{"name", name}}));
    ASSERT_TRUE(CommitCreated(store(), states_.back()).ok());
  }
  std::vector<engine::ExecutionState> states_;
};

TEST_F(ListingTest, ListsNewestFirstFilteredByMachineStatusOrBoth) {
  EXPECT_THAT(List({}), ElementsAre("b2", "late", "middle", "b1", "early"));
  EXPECT_THAT(List(Filter("orders", std::nullopt)), ElementsAre("late", "middle", "early"));
  EXPECT_THAT(List(Filter("", ExecutionStatus::kRunning)), ElementsAre("b2", "middle", "b1"));
  EXPECT_THAT(List(Filter("orders", ExecutionStatus::kRunning)), ElementsAre("middle"));
  EXPECT_THAT(List(Filter("orders", ExecutionStatus::kFailed)), ElementsAre("early"));
  EXPECT_THAT(List(Filter("billing", ExecutionStatus::kSucceeded)), ElementsAre());
  EXPECT_THAT(List(Filter("nobody", std::nullopt)), ElementsAre());
}

TEST_F(ListingTest, ListedSummariesCarryInputOutputAndStatus) {
  auto page = store().ListExecutions(Filter("orders", ExecutionStatus::kSucceeded), "", 10);
  ASSERT_TRUE(page.ok()) << page.status();
  ASSERT_EQ(page->executions.size(), 1u);
  const engine::ExecutionSummary& late = page->executions[0];
  EXPECT_EQ(late.info.execution_id, states_[3].info.execution_id);
  EXPECT_EQ(late.info.start_time, kT0 + 4);
  EXPECT_EQ(late.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(late.stop_time, kT0 + 11);
  EXPECT_EQ(late.input, json({{"name", "late"}}));
  EXPECT_EQ(late.output, json({{"done", true}}));
  auto described = store().DescribeExecution(states_[3].info.execution_id);
  ASSERT_TRUE(described.ok()) << described.status();
  EXPECT_EQ(described->output, late.output);
}

TEST_F(ListingTest, PagesFollowEachOtherThroughTheirTokens) {
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    auto page = store().ListExecutions({}, token, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const std::string& name : Ids(*page)) seen.push_back(name);
    token = page->next_page_token;
    ++pages;
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(pages, 3);
  EXPECT_THAT(seen, ElementsAre("b2", "late", "middle", "b1", "early"));

  auto exact = store().ListExecutions(Filter("orders", std::nullopt), "", 3);
  ASSERT_TRUE(exact.ok());
  EXPECT_EQ(exact->next_page_token, "");  // exactly the last one: no empty page to ask for
}

TEST_F(ListingTest, ABadPageTokenOrPageSizeIsInvalidArgument) {
  auto page = store().ListExecutions({}, "", 1);
  ASSERT_TRUE(page.ok());
  auto other_filter =
      store().ListExecutions(Filter("orders", std::nullopt), page->next_page_token, 1);
  EXPECT_EQ(other_filter.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(other_filter.status().message(), HasSubstr("page token"));
  EXPECT_EQ(store().ListExecutions({}, "not hex!", 1).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(store().ListExecutions({}, "", 0).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ListingTest, UnfinishedAreTheRunningOnes) {
  auto unfinished = store().ListUnfinished();
  ASSERT_TRUE(unfinished.ok()) << unfinished.status();
  EXPECT_THAT(*unfinished, ::testing::UnorderedElementsAre(states_[1].info.execution_id,
                                                           states_[2].info.execution_id,
                                                           states_[4].info.execution_id));
}

TEST_F(ListingTest, DeleteFinishedByAgeRemovesRecordHistoryAndIndexes) {
  engine::Step with_history;
  with_history.history.push_back({states_[2].next_event_id, kT0, "ExecutionStarted", "", {}});
  ASSERT_TRUE(store().CommitStep(states_[2], with_history, {}).ok());
  auto deleted = store().DeleteFinished(kT0 + 11, kForever);  // "early" stopped before that
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_EQ(store().DescribeExecution(states_[0].info.execution_id).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(store().ReadHistory(states_[0].info.execution_id, 1, 10).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_THAT(List({}), ElementsAre("b2", "late", "middle", "b1"));
  EXPECT_THAT(List(Filter("orders", ExecutionStatus::kFailed)), ElementsAre());
  auto history = store().ReadHistory(states_[2].info.execution_id, 1, 10);
  ASSERT_TRUE(history.ok());
  EXPECT_EQ(history->size(), 1u);  // a running execution's history stays
}

TEST_F(ListingTest, DeleteFinishedByCountKeepsTheNewestAndNeverTouchesRunningOnes) {
  auto deleted = store().DeleteFinished(std::numeric_limits<std::int64_t>::min(), 1);
  ASSERT_TRUE(deleted.ok()) << deleted.status();
  EXPECT_EQ(*deleted, 1);
  EXPECT_THAT(List({}), ElementsAre("b2", "late", "middle", "b1"));
  deleted = store().DeleteFinished(std::numeric_limits<std::int64_t>::min(), 0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  EXPECT_THAT(List({}), ElementsAre("b2", "middle", "b1"));
  EXPECT_THAT(List(Filter("", ExecutionStatus::kSucceeded)), ElementsAre());
  deleted = store().DeleteFinished(kForever, 0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 0);
}

// An execution with one root frame waiting in a task, its input `input`, and one history event.
engine::Step WithRootFrame(engine::ExecutionState& state, json input) {
  engine::Frame& root = state.frames[1];
  root.id = 1;
  root.state = 0;
  root.phase = engine::FramePhase::kTask;
  root.input = std::move(input);
  state.next_frame_id = 2;
  state.next_event_id = 2;
  engine::Step step;
  step.changed_frames = {1};
  step.inputs_changed = {1};
  step.history.push_back({1, kT0, "ExecutionStarted", "", {}});
  return step;
}

TEST_F(RocksStoreTest, ExecutionsCreatedAcrossRestartsNeverShareKeys) {
  engine::CommitContext created;
  created.created = true;
  auto before = MakeExecution("m", "before", kT0);
  ASSERT_TRUE(store().CommitStep(before, WithRootFrame(before, "mine"), created).ok());
  Reopen();
  auto after = MakeExecution("m", "after", kT0);
  ASSERT_TRUE(store().CommitStep(after, WithRootFrame(after, "yours"), created).ok());
  // Committing a first step again (a retried start) keeps the execution where it was.
  ASSERT_TRUE(store().CommitStep(after, WithRootFrame(after, "yours"), created).ok());
  for (const auto& [state, input] : {std::pair(&before, "mine"), std::pair(&after, "yours")}) {
    auto loaded = store().LoadExecution(state->info.execution_id);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    ASSERT_EQ(loaded->frames.size(), 1u);
    EXPECT_EQ(loaded->frames.at(1).input, input);
    auto history = store().ReadHistory(state->info.execution_id, 1, 10);
    ASSERT_TRUE(history.ok());
    EXPECT_EQ(history->size(), 1u);
  }
}

TEST_F(RocksStoreTest, CommitsFromManyThreadsAtOnceAllLand) {
  constexpr int kThreads = 8;
  constexpr int kExecutionsEach = 40;
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kExecutionsEach; ++i) {
        std::string name = std::to_string(t) + "-" + std::to_string(i);
        auto state = MakeExecution("m", name, kT0 + i);
        engine::CommitContext created;
        created.created = true;
        engine::Step first = WithRootFrame(state, name);
        first.effects = {Task(1, 0, name), ArmTimer{{1, 0, TimerKind::kTaskTimeout}, kT0 + i}};
        engine::CommitContext completed;
        completed.completed_task = engine::TaskRef{1, 0};
        engine::Step second;
        second.effects = {CancelTimers{1, 0}, ArmTimer{{1, 1, TimerKind::kWait}, kT0 + 1000}};
        if (!store().CommitStep(state, first, created).ok() ||
            !store().CommitStep(state, second, completed).ok()) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  EXPECT_EQ(failures.load(), 0);
  auto unfinished = store().ListUnfinished();
  ASSERT_TRUE(unfinished.ok());
  EXPECT_EQ(unfinished->size(), static_cast<std::size_t>(kThreads * kExecutionsEach));
  auto tasks = store().ScanTasks();
  ASSERT_TRUE(tasks.ok());
  EXPECT_TRUE(tasks->empty());
  auto timers = Timers();
  ASSERT_EQ(timers.size(), static_cast<std::size_t>(kThreads * kExecutionsEach));
  for (const auto& [timer, due] : timers) EXPECT_EQ(timer.kind, TimerKind::kWait);
  for (int t = 0; t < kThreads; ++t) {
    std::string name = std::to_string(t) + "-" + std::to_string(kExecutionsEach - 1);
    auto loaded = store().LoadExecution(MakeExecution("m", name, 0).info.execution_id);
    ASSERT_TRUE(loaded.ok()) << loaded.status();
    EXPECT_EQ(loaded->frames.at(1).input, name);  // its own frame, not another's
  }
}

TEST_F(RocksStoreTest, AStepOfAnExecutionNeverCreatedIsNotFound) {
  auto state = MakeExecution("m", "ghost", kT0);
  absl::Status committed = store().CommitStep(state, engine::Step{}, {});
  EXPECT_EQ(committed.code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(committed.message(), HasSubstr(state.info.execution_id));
}

TEST_F(RocksStoreTest, DefinitionsGetAVersionEachAndTheLatestIsVersionZero) {
  auto first = store().PutDefinition("orders", "v1 text", 100);
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->version, 1);
  auto second = store().PutDefinition("orders", "v2 text", 200);
  ASSERT_TRUE(second.ok());
  EXPECT_EQ(second->version, 2);
  ASSERT_TRUE(store().PutDefinition("billing", "b1 text", 300).ok());
  ASSERT_TRUE(store().PutDefinition("order", "prefix of orders", 400).ok());

  auto latest = store().GetDefinition("orders", 0);
  ASSERT_TRUE(latest.ok()) << latest.status();
  EXPECT_EQ(latest->version, 2);
  EXPECT_EQ(latest->definition, "v2 text");
  EXPECT_EQ(latest->created_at, 200);
  auto old = store().GetDefinition("orders", 1);
  ASSERT_TRUE(old.ok());
  EXPECT_EQ(old->definition, "v1 text");
  EXPECT_EQ(store().GetDefinition("orders", 3).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDefinition("nothing", 0).status().code(), absl::StatusCode::kNotFound);

  auto all = store().ListDefinitions();
  ASSERT_TRUE(all.ok()) << all.status();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].name, "billing");
  EXPECT_EQ((*all)[1].name, "order");
  EXPECT_EQ((*all)[2].name, "orders");
  EXPECT_EQ((*all)[2].version, 2);
  Reopen();
  auto third = store().PutDefinition("orders", "v3 text", 500);
  ASSERT_TRUE(third.ok());
  EXPECT_EQ(third->version, 3);
}

}  // namespace
}  // namespace stepwise::storage::testing
