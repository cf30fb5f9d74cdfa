// Crash tests of the durable engine: a child process (stepwise_crash_child) runs Wait states,
// retries, task chains, a large Map, a Parallel and a long loop on a synced RocksDB store; the
// test kills it with SIGKILL at random moments and restarts it until it reports that every
// execution finished. Then every execution must have SUCCEEDED with exactly the output it has
// without crashes, and its history must show every task attempt completed exactly once.
//
// The kill delays come from a seeded generator; each scenario prints its seed, and
// STEPWISE_CRASH_SEED=<n> reruns every scenario with that seed. STEPWISE_CRASH_DELAY_SCALE=<f>
// stretches the kill delays (for sanitizer builds, whose child starts several times slower).
#include <gtest/gtest-spi.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <string>
#include <system_error>
#include <vector>

#include "integration/child_process.h"
#include "integration/crash_workloads.h"
#include "stepwise/engine/store.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::crash {
namespace {

using namespace std::chrono_literals;
using testing::ChildProcess;

constexpr const char* kChild = STEPWISE_CRASH_CHILD;
constexpr int kMinKillDelayMs = 10;
constexpr int kMaxKillDelayMs = 400;
constexpr int kMinKillsPerScenario = 12;
// A run killed early (while the process is still loading, slower on a busy machine) may commit
// nothing. Each run in a row that committed nothing adds this much to the next delay, and this
// many such runs in a row (the last one living seconds) mean recovery does not get anywhere.
constexpr int kStallExtraDelayMs = 250;
constexpr int kMaxRunsWithoutProgress = 16;
constexpr int kMaxRunsPerRound = 400;
constexpr auto kRunToCompletion = 120s;

// A fresh directory, removed with everything in it when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::string pattern = "/tmp/stepwise-crash-XXXXXX";
    if (mkdtemp(pattern.data()) == nullptr) ADD_FAILURE() << "mkdtemp failed";
    path_ = pattern;
  }
  ~TempDir() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Opens the store the child wrote. With `may_be_absent`, a directory in which the child never got
// to create the database gives nullptr without a failure.
std::unique_ptr<engine::Store> OpenStore(const std::string& dir, bool may_be_absent = false) {
  storage::RocksStoreOptions options;
  options.create_if_missing = false;  // creating it is the child's job, kills included
  auto store = storage::OpenRocksStore(dir, options);
  if (may_be_absent && store.status().code() == absl::StatusCode::kNotFound) return nullptr;
  EXPECT_TRUE(store.ok()) << "opening the store in " << dir << ": " << store.status();
  return store.ok() ? *std::move(store) : nullptr;
}

// Reads the history of `id` from event `from` on. The events must be numbered without gaps.
std::vector<engine::StoredHistoryEvent> ReadHistory(engine::Store& store, const std::string& id,
                                                    std::int64_t from) {
  std::vector<engine::StoredHistoryEvent> events;
  for (;;) {
    auto page = store.ReadHistory(id, from, 4096);
    EXPECT_TRUE(page.ok()) << id << ": " << page.status();
    if (!page.ok() || page->empty()) return events;
    for (engine::StoredHistoryEvent& event : *page) {
      EXPECT_EQ(event.id, from) << id << ": history events are not numbered 1, 2, 3, ...";
      from = event.id + 1;
      events.push_back(std::move(event));
    }
  }
}

std::string Text(const nlohmann::json& value) {
  return value.is_string() ? value.get<std::string>() : value.dump();
}

// The check that no task completion was applied twice, from the stored history: every task
// (named by the "tid" in its input) was scheduled once per attempt, each attempt ended with
// exactly one TaskFailed or TaskSucceeded, exactly one attempt succeeded, and none
// timed out (nothing in these workloads is cancelled or times out).
void ExpectEachCompletionAppliedOnce(const std::string& id,
                                     const std::vector<engine::StoredHistoryEvent>& history) {
  std::map<std::string, int> scheduled;
  std::map<std::string, int> succeeded;
  std::map<std::string, int> failed;
  std::map<std::string, int> failed_attempt;  // by cause: "<tid>#<attempt>"
  int completions = 0;
  int ended = 0;
  for (const engine::StoredHistoryEvent& event : history) {
    const nlohmann::json& details = event.details;
    if (event.type == "TaskScheduled") {
      ASSERT_TRUE(details.contains("parameters")) << id << ": event " << event.id;
      ++scheduled[Text(details["parameters"].value("tid", nlohmann::json("?")))];
    } else if (event.type == "TaskSucceeded") {
      ASSERT_TRUE(details.contains("output")) << id << ": event " << event.id;
      ++succeeded[Text(details["output"].value("tid", nlohmann::json("?")))];
      ++completions;
    } else if (event.type == "TaskFailed") {
      std::string cause = details.value("cause", "");
      ++failed_attempt[cause];
      ++failed[cause.substr(0, cause.find('#'))];
      ++completions;
    } else if (event.type == "TaskTimedOut") {
      ADD_FAILURE() << id << ": a task timed out (event " << event.id << "): " << details.dump();
    } else if (event.type.rfind("Execution", 0) == 0 && event.type != "ExecutionStarted") {
      ++ended;
    }
  }
  int scheduled_total = 0;
  for (const auto& [tid, count] : scheduled) {
    scheduled_total += count;
    EXPECT_EQ(succeeded[tid], 1) << id << ": task " << tid << " succeeded " << succeeded[tid]
                                 << " times";
    EXPECT_EQ(count, succeeded[tid] + failed[tid])
        << id << ": task " << tid << " was scheduled " << count << " times but completed "
        << succeeded[tid] + failed[tid] << " times";
  }
  for (const auto& [tid, count] : succeeded) {
    EXPECT_TRUE(scheduled.contains(tid)) << id << ": task " << tid << " succeeded unscheduled";
  }
  for (const auto& [cause, count] : failed_attempt) {
    EXPECT_EQ(count, 1) << id << ": the failure " << cause << " was applied " << count << " times";
  }
  EXPECT_EQ(completions, scheduled_total) << id;
  EXPECT_EQ(ended, 1) << id << ": the execution ended " << ended << " times";
}

// Every planned execution SUCCEEDED with its expected output, and its history passes the
// completed-once check.
void ExpectEveryExecutionDone(const std::string& dir) {
  auto store = OpenStore(dir);
  ASSERT_NE(store, nullptr);
  for (const PlannedExecution& execution : Executions()) {
    std::string id = ExecutionId(execution);
    auto summary = store->DescribeExecution(id);
    ASSERT_TRUE(summary.ok()) << id << ": " << summary.status();
    EXPECT_EQ(summary->status, engine::ExecutionStatus::kSucceeded)
        << id << " ended " << engine::StatusName(summary->status) << ": " << summary->error << ": "
        << summary->cause;
    EXPECT_EQ(summary->output, execution.expected_output) << id;
    ExpectEachCompletionAppliedOnce(id, ReadHistory(*store, id, 1));
  }
}

// What the store holds so far: history events per execution. Reading on from the last count
// checks that what was committed before a kill is still there after it.
class ProgressTracker {
 public:
  // Returns how many new history events were committed since the last call.
  std::int64_t Update(const std::string& dir) {
    auto store = OpenStore(dir, /*may_be_absent=*/true);
    if (store == nullptr) {
      for (const auto& [id, known] : events_) {
        EXPECT_EQ(known, 0) << "the data directory lost " << id << " and everything else";
      }
      return 0;
    }
    std::int64_t added = 0;
    for (const PlannedExecution& execution : Executions()) {
      std::string id = ExecutionId(execution);
      std::int64_t& known = events_[id];
      auto summary = store->DescribeExecution(id);
      if (!summary.ok()) {
        EXPECT_EQ(summary.status().code(), absl::StatusCode::kNotFound) << summary.status();
        EXPECT_EQ(known, 0) << id << " was accepted and then lost";
        continue;
      }
      if (known > 0) {
        auto last = store->ReadHistory(id, known, 1);
        EXPECT_TRUE(last.ok() && last->size() == 1 && (*last)[0].id == known)
            << id << ": history event " << known << " was committed and then lost";
      }
      std::int64_t fresh = static_cast<std::int64_t>(ReadHistory(*store, id, known + 1).size());
      known += fresh;
      added += fresh;
    }
    return added;
  }

 private:
  std::map<std::string, std::int64_t> events_;
};

struct RoundResult {
  int kills = 0;
  int kills_before_ready = 0;   // the child had not printed READY yet (it may have done work)
  int kills_after_commits = 0;  // the killed run had committed steps
  int longest_stall = 0;        // the most runs in a row that committed nothing
  std::string done_line;
};

// Runs the child on `dir`, killing it after a random delay each time, until it reports DONE.
// The first kill of a round comes early, to catch the creation of the data directory.
void RunRoundWithKills(const std::string& dir, std::mt19937_64& random, RoundResult& result) {
  const char* scale_text = std::getenv("STEPWISE_CRASH_DELAY_SCALE");
  double scale = scale_text != nullptr ? std::max(1.0, std::atof(scale_text)) : 1.0;
  std::uniform_int_distribution<int> delays(kMinKillDelayMs,
                                            static_cast<int>(kMaxKillDelayMs * scale));
  std::uniform_int_distribution<int> first_delays(kMinKillDelayMs,
                                                  static_cast<int>(kMaxKillDelayMs * scale / 4));
  ProgressTracker progress;
  int runs_without_progress = 0;
  for (int run = 0;; ++run) {
    ASSERT_LT(run, kMaxRunsPerRound) << "the child never got to finish";
    int delay = (run == 0 ? first_delays(random) : delays(random)) +
                static_cast<int>(runs_without_progress * kStallExtraDelayMs * scale);
    ChildProcess child({kChild, dir}, {});
    ASSERT_TRUE(child.ok()) << child.error();
    auto done = child.ReadLineStartingWith(
        "DONE", std::chrono::steady_clock::now() + std::chrono::milliseconds(delay));
    bool killed = !done && !child.eof();
    if (killed) child.Kill();
    int status = child.Wait();
    // It may have printed DONE just before the kill, and then been killed while shutting down.
    if (!done) done = child.ReadLineStartingWith("DONE", std::chrono::steady_clock::now());
    if (done) {
      ASSERT_TRUE((WIFEXITED(status) && WEXITSTATUS(status) == 0) ||
                  (killed && WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL))
          << "after DONE the child " << ChildProcess::Describe(status);
      result.done_line = *done;
      return;
    }
    ASSERT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
        << "run " << run << ": the child " << ChildProcess::Describe(status)
        << " before it was killed (see its stderr above)";
    ++result.kills;
    bool ready = false;
    for (const std::string& line : child.lines()) ready = ready || line == "READY";
    if (!ready) ++result.kills_before_ready;
    std::int64_t added = progress.Update(dir);
    if (::testing::Test::HasFailure()) {
      ADD_FAILURE() << "after kill " << result.kills << " (run " << run << ", " << delay << " ms)";
      return;
    }
    if (added > 0) ++result.kills_after_commits;
    runs_without_progress = added > 0 ? 0 : runs_without_progress + 1;
    result.longest_stall = std::max(result.longest_stall, runs_without_progress);
    ASSERT_LT(runs_without_progress, kMaxRunsWithoutProgress)
        << "restarts make no progress: " << runs_without_progress
        << " runs in a row committed nothing (the last one killed after " << delay << " ms, "
        << (ready ? "after" : "before") << " it printed READY)";
  }
}

std::uint64_t SeedFor(std::uint64_t scenario) {
  if (const char* forced = std::getenv("STEPWISE_CRASH_SEED")) {
    return std::strtoull(forced, nullptr, 10);
  }
  return scenario;
}

// The history of a retried task, as the engine writes it; `extra` is appended before the end.
std::vector<engine::StoredHistoryEvent> RetriedTaskHistory(
    std::vector<engine::StoredHistoryEvent> extra = {}) {
  using nlohmann::json;
  std::vector<engine::StoredHistoryEvent> history = {
      {1, 0, "ExecutionStarted", "", json::object()},
      {2, 0, "TaskScheduled", "Flaky", {{"parameters", {{"tid", "r"}, {"x", 1}}}}},
      {3, 0, "TaskFailed", "Flaky", {{"error", kFlakyError}, {"cause", "r#0"}}},
      {4, 0, "TaskScheduled", "Flaky", {{"parameters", {{"tid", "r"}, {"x", 1}}}}},
      {5, 0, "TaskSucceeded", "Flaky", {{"output", {{"tid", "r"}, {"v", 3}}}}}};
  for (auto& event : extra) history.push_back(std::move(event));
  history.push_back(
      {static_cast<std::int64_t>(history.size()) + 1, 0, "ExecutionSucceeded", "", json::object()});
  return history;
}

// The failure messages `check` reports, intercepted.
std::string FailuresOf(const std::function<void()>& check) {
  ::testing::TestPartResultArray results;
  {
    ::testing::ScopedFakeTestPartResultReporter reporter(
        ::testing::ScopedFakeTestPartResultReporter::INTERCEPT_ONLY_CURRENT_THREAD, &results);
    check();
  }
  std::string messages;
  for (int i = 0; i < results.size(); ++i) {
    messages += results.GetTestPartResult(i).message();
    messages += "\n";
  }
  return messages;
}

// The check itself: it passes a good history and catches completions applied twice.
TEST(CrashTest, TheHistoryCheckCatchesACompletionAppliedTwice) {
  EXPECT_EQ(FailuresOf([] { ExpectEachCompletionAppliedOnce("good", RetriedTaskHistory()); }), "");
  std::string twice = FailuresOf([] {
    ExpectEachCompletionAppliedOnce(
        "twice", RetriedTaskHistory(
                     {{6, 0, "TaskSucceeded", "Flaky", {{"output", {{"tid", "r"}, {"v", 3}}}}}}));
  });
  EXPECT_NE(twice.find("task r succeeded 2 times"), std::string::npos) << twice;
  std::string failed_twice = FailuresOf([] {
    ExpectEachCompletionAppliedOnce(
        "failed twice",
        RetriedTaskHistory(
            {{6, 0, "TaskFailed", "Flaky", {{"error", kFlakyError}, {"cause", "r#0"}}}}));
  });
  EXPECT_NE(failed_twice.find("the failure r#0 was applied 2 times"), std::string::npos)
      << failed_twice;
}

TEST(CrashTest, RunsToTheExpectedOutputsWithoutCrashes) {
  TempDir dir;
  ChildProcess child({kChild, dir.path()}, {});
  ASSERT_TRUE(child.ok()) << child.error();
  auto done =
      child.ReadLineStartingWith("DONE", std::chrono::steady_clock::now() + kRunToCompletion);
  int status = child.Wait();
  ASSERT_TRUE(done) << "the child " << ChildProcess::Describe(status) << " without DONE";
  ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ChildProcess::Describe(status);
  ExpectEveryExecutionDone(dir.path());
}

class CrashScenario : public ::testing::TestWithParam<std::uint64_t> {};

// Rounds on fresh directories, each killed at random moments until it completes, until the
// scenario has killed the child often enough.
TEST_P(CrashScenario, EveryExecutionSurvivesKills) {
  std::uint64_t seed = SeedFor(GetParam());
  std::printf("[ seed     ] %llu (rerun with STEPWISE_CRASH_SEED=%llu)\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seed));
  std::mt19937_64 random(seed);
  int kills = 0;
  for (int round = 1; kills < kMinKillsPerScenario; ++round) {
    TempDir dir;
    RoundResult result;
    auto started = std::chrono::steady_clock::now();
    RunRoundWithKills(dir.path(), random, result);
    ASSERT_FALSE(HasFailure()) << "seed " << seed << ", round " << round;
    ExpectEveryExecutionDone(dir.path());
    ASSERT_FALSE(HasFailure()) << "seed " << seed << ", round " << round;
    kills += result.kills;
    auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - started);
    std::printf(
        "[ round    ] seed %llu round %d: %d kills (%d before READY, %d after commits, at most %d "
        "in a row without), %s, %lld ms\n",
        static_cast<unsigned long long>(seed), round, result.kills, result.kills_before_ready,
        result.kills_after_commits, result.longest_stall, result.done_line.c_str(),
        static_cast<long long>(elapsed.count()));
  }
  RecordProperty("kills", kills);
}

INSTANTIATE_TEST_SUITE_P(Seeds, CrashScenario, ::testing::Values(1, 2, 3, 4, 5),
                         [](const auto& info) { return "Seed" + std::to_string(info.param); });

TEST(CrashTest, ASecondProcessOnTheSameDirectoryIsRefused) {
  TempDir dir;
  ChildProcess first({kChild, dir.path(), "--hold"}, {.pipe_stdin = true});
  ASSERT_TRUE(first.ok()) << first.error();
  ASSERT_TRUE(
      first.ReadLineStartingWith("READY", std::chrono::steady_clock::now() + kRunToCompletion))
      << "the first child never got ready";

  ChildProcess second({kChild, dir.path()}, {.pipe_stderr = true});
  ASSERT_TRUE(second.ok()) << second.error();
  std::string complaint = second.ReadAllStderr();
  int status = second.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 2)
      << "the second child " << ChildProcess::Describe(status) << "; stderr: " << complaint;
  EXPECT_NE(complaint.find(dir.path()), std::string::npos) << complaint;
  EXPECT_NE(complaint.find("in use by another"), std::string::npos)
      << "the refusal should say that another process uses the directory: " << complaint;
  EXPECT_FALSE(
      second.ReadLineStartingWith("READY", std::chrono::steady_clock::now() + kRunToCompletion));

  // The first one was not disturbed.
  first.CloseStdin();
  EXPECT_TRUE(
      first.ReadLineStartingWith("DONE", std::chrono::steady_clock::now() + kRunToCompletion));
  status = first.Wait();
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << ChildProcess::Describe(status);
  ExpectEveryExecutionDone(dir.path());
}

}  // namespace
}  // namespace stepwise::crash
