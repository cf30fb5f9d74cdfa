// RunLocally: the in-memory driver loop, with functions that complete on other threads.
#include "stepwise/engine/local_runner.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

#include "stepwise/dsl/compile.h"
#include "stepwise/engine/clock.h"

namespace stepwise::engine {
namespace {

using nlohmann::json;
using std::chrono::milliseconds;

std::shared_ptr<const dsl::StateMachine> CompileOrDie(std::string_view definition) {
  dsl::CompileResult result = dsl::Compile(definition);
  if (!result.machine) {
    std::string messages;
    for (const auto& d : result.diagnostics) messages += dsl::FormatDiagnostic(d) + "\n";
    ADD_FAILURE() << messages;
  }
  return result.machine;
}

// Answers each task on its own thread after `delay(task)`, so completions really cross threads
// and arrive in an order of the test's choosing. Threads are joined on destruction, which lets a
// test outlive the run and call `done` after RunLocally has returned.
class ThreadInvoker final : public FunctionInvoker {
 public:
  using Handler = std::function<TaskOutcome(const ScheduleTask&)>;
  using Delay = std::function<milliseconds(const ScheduleTask&)>;

  explicit ThreadInvoker(
      Handler handler, Delay delay = [](const ScheduleTask&) { return milliseconds(0); })
      : handler_(std::move(handler)), delay_(std::move(delay)) {}

  ~ThreadInvoker() override {
    for (std::thread& thread : threads_) thread.join();
  }

  void Invoke(const ScheduleTask& task, std::function<void(TaskOutcome)> done) override {
    ++invocations_;
    std::lock_guard lock(mutex_);
    threads_.emplace_back([this, task, done = std::move(done)] {
      std::this_thread::sleep_for(delay_(task));
      done(handler_(task));
    });
  }

  void Cancel(const TaskRef& /*task*/) override { ++cancels_; }

  int invocations() const { return invocations_; }
  int cancels() const { return cancels_; }

 private:
  Handler handler_;
  Delay delay_;
  std::mutex mutex_;
  std::vector<std::thread> threads_;
  std::atomic<int> invocations_{0};
  std::atomic<int> cancels_{0};
};

TaskOutcome Succeed(json output) { return TaskOutcome{true, std::move(output), "", ""}; }
TaskOutcome Fail(std::string error, std::string cause) {
  return TaskOutcome{false, nullptr, std::move(error), std::move(cause)};
}

LocalRunResult RunDefinition(std::string_view definition, json input, FunctionInvoker& functions,
                             LocalRunOptions options = {}) {
  SystemClock clock;
  return RunLocally(CompileOrDie(definition), std::move(input), functions, options, clock);
}

constexpr std::string_view kOneTask = R"({
  "StartAt": "Double",
  "States": {"Double": {"Type": "Task", "Resource": "function:double", "End": true}}
})";

TEST(LocalRunner, TaskResultBecomesTheOutput) {
  ThreadInvoker functions([](const ScheduleTask& task) {
    EXPECT_EQ(task.function, "double");
    return Succeed(json{{"n", task.input["n"].get<int>() * 2}});
  });
  LocalRunResult result = RunDefinition(kOneTask, json{{"n", 21}}, functions);
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded) << result.error << ": " << result.cause;
  EXPECT_EQ(result.output, json({{"n", 42}}));
  EXPECT_EQ(functions.invocations(), 1);
}

TEST(LocalRunner, TaskFailureFailsTheExecutionWithTheFunctionsErrorName) {
  ThreadInvoker functions([](const ScheduleTask&) { return Fail("Card.Declined", "no funds"); });
  LocalRunResult result = RunDefinition(kOneTask, json::object(), functions);
  EXPECT_EQ(result.status, ExecutionStatus::kFailed);
  EXPECT_EQ(result.error, "Card.Declined");
  EXPECT_EQ(result.cause, "no funds");
}

TEST(LocalRunner, ScaledWaitIsShortInRealTimeButFullLengthInVirtualTime) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed(nullptr); });
  LocalRunOptions options;
  options.time_scale = 0.001;
  options.keep_history = true;
  auto started = std::chrono::steady_clock::now();
  LocalRunResult result = RunDefinition(R"({"StartAt": "W", "States": {
      "W": {"Type": "Wait", "Seconds": 5, "End": true}}})",
                                        json{{"k", 1}}, functions, options);
  auto elapsed = std::chrono::steady_clock::now() - started;
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(result.output, json({{"k", 1}}));
  EXPECT_GE(elapsed, milliseconds(5));
  EXPECT_LT(elapsed, milliseconds(2000));
  ASSERT_GE(result.history.size(), 2u);
  EXPECT_GE(result.history.back().timestamp - result.history.front().timestamp, 5000);
  EXPECT_EQ(result.events, static_cast<std::int64_t>(result.history.size()));
}

TEST(LocalRunner, ParallelResultsAreInBranchOrderWhateverOrderTasksFinishIn) {
  ThreadInvoker functions(
      [](const ScheduleTask& task) { return Succeed(task.function); },
      // The first branch's task finishes last.
      [](const ScheduleTask& task) { return milliseconds(task.function == "a" ? 50 : 0); });
  LocalRunResult result = RunDefinition(R"({"StartAt": "P", "States": {"P": {"Type": "Parallel",
      "Branches": [
        {"StartAt": "A", "States": {"A": {"Type": "Task", "Resource": "function:a", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "function:b", "End": true}}}
      ], "End": true}}})",
                                        json::object(), functions);
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded) << result.error << ": " << result.cause;
  EXPECT_EQ(result.output, json::array({"a", "b"}));
  EXPECT_EQ(functions.invocations(), 2);
}

TEST(LocalRunner, AFailingBranchCancelsTheOtherAndItsLateCompletionIsHarmless) {
  auto functions = std::make_unique<ThreadInvoker>(
      [](const ScheduleTask& task) {
        return task.function == "bad" ? Fail("Boom", "branch failed") : Succeed(1);
      },
      [](const ScheduleTask& task) { return milliseconds(task.function == "bad" ? 0 : 100); });
  LocalRunResult result = RunDefinition(R"({"StartAt": "P", "States": {"P": {"Type": "Parallel",
      "Branches": [
        {"StartAt": "S",
         "States": {"S": {"Type": "Task", "Resource": "function:slow", "End": true}}},
        {"StartAt": "B", "States": {"B": {"Type": "Task", "Resource": "function:bad", "End": true}}}
      ], "End": true}}})",
                                        json::object(), *functions);
  EXPECT_EQ(result.status, ExecutionStatus::kFailed);
  EXPECT_EQ(result.error, "Boom");
  EXPECT_GE(functions->cancels(), 1);
  // The slow task's `done` runs now, after the run is over: it must not touch the run's memory
  // (AddressSanitizer builds check this).
  functions.reset();
}

TEST(LocalRunner, TaskTimeoutIsScaled) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed("too late"); },
                          [](const ScheduleTask&) { return milliseconds(300); });
  LocalRunOptions options;
  options.time_scale = 0.01;  // TimeoutSeconds 2 -> 20 ms
  LocalRunResult result = RunDefinition(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "function:slow", "TimeoutSeconds": 2, "End": true}}})",
                                        json::object(), functions, options);
  EXPECT_EQ(result.status, ExecutionStatus::kFailed);
  EXPECT_EQ(result.error, "States.Timeout");
}

TEST(LocalRunner, RetryWaitsItsBackoffThenSucceeds) {
  std::atomic<int> calls{0};
  ThreadInvoker functions([&calls](const ScheduleTask& task) {
    return ++calls == 1 ? Fail("Flaky", "first try") : Succeed(task.attempt);
  });
  LocalRunOptions options;
  options.time_scale = 0.001;
  LocalRunResult result = RunDefinition(R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "function:flaky", "End": true,
      "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 3, "MaxAttempts": 2}]}}})",
                                        json::object(), functions, options);
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded) << result.error << ": " << result.cause;
  EXPECT_EQ(result.output, json(1));
  EXPECT_EQ(calls, 2);
}

TEST(LocalRunner, HistoryIsKeptOnlyWhenAsked) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed(nullptr); });
  LocalRunResult result =
      RunDefinition(R"({"StartAt": "P", "States": {"P": {"Type": "Pass", "End": true}}})",
                    json::object(), functions);
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded);
  EXPECT_TRUE(result.history.empty());
  EXPECT_GT(result.events, 0);
}

TEST(LocalRunner, DefaultExecutionIdentityIsALocalArn) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed(nullptr); });
  LocalRunResult result = RunDefinition(R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "Parameters": {"id.$": "$$.Execution.Id", "machine.$": "$$.StateMachine.Id",
                     "name.$": "$$.Execution.Name"}, "End": true}}})",
                                        json::object(), functions);
  ASSERT_EQ(result.status, ExecutionStatus::kSucceeded) << result.error << ": " << result.cause;
  std::string name = result.output["name"];
  EXPECT_EQ(name.size(), 36u);
  EXPECT_EQ(result.output["id"], "arn:aws:states:local:000000000000:execution:stepwise:" + name);
  EXPECT_EQ(result.output["machine"], "arn:aws:states:local:000000000000:stateMachine:stepwise");
}

TEST(LocalRunner, GivenExecutionIdentityIsKept) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed(nullptr); });
  LocalRunOptions options;
  options.info.name = "run-1";
  options.info.state_machine_name = "orders";
  LocalRunResult result = RunDefinition(R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "Parameters": {"id.$": "$$.Execution.Id"}, "End": true}}})",
                                        json::object(), functions, options);
  EXPECT_EQ(result.output["id"], "arn:aws:states:local:000000000000:execution:orders:run-1");
}

TEST(LocalRunner, LongLoopRunsThroughManySteps) {
  ThreadInvoker functions([](const ScheduleTask&) { return Succeed(nullptr); });
  LocalRunResult result = RunDefinition(R"json({"StartAt": "Inc", "States": {
      "Inc": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
              "Next": "Check"},
      "Check": {"Type": "Choice", "Choices": [
        {"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Inc"}], "Default": "Done"},
      "Done": {"Type": "Succeed"}}})json",
                                        json{{"i", 0}, {"n", 5000}}, functions);
  EXPECT_EQ(result.status, ExecutionStatus::kSucceeded) << result.error << ": " << result.cause;
  EXPECT_EQ(result.output["i"], 5000);
}

}  // namespace
}  // namespace stepwise::engine
