// Nested workflows: Task states with Resource arn:aws:states:::states:startExecution (plain,
// .sync, .sync:2, .waitForTaskToken) start child executions, which the engine runs itself, and
// which survive restarts at any point. On a real RocksDB store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::ExecutionStatus;
using nlohmann::json;
using ::testing::HasSubstr;

// The child: doubles `n` in a worker task (function "double"), or fails when told to.
constexpr const char* kChild = R"({"StartAt": "Check", "States": {
  "Check": {"Type": "Choice", "Choices": [{"Variable": "$.fail", "IsPresent": true,
            "Next": "Fail"}], "Default": "Work"},
  "Work": {"Type": "Task", "Resource": "function:double", "End": true},
  "Fail": {"Type": "Fail", "Error": "Child.Broke", "Cause": "as asked"}}})";

// A child with nothing to wait for: it ends in its first step.
constexpr const char* kQuickChild = R"json({"StartAt": "P", "States": {
  "P": {"Type": "Pass", "Parameters": {"twice.$": "States.MathAdd($.n, $.n)"}, "End": true}}})json";

std::string Parent(const std::string& resource, const std::string& parameters) {
  return R"({"StartAt": "Run", "States": {
    "Run": {"Type": "Task", "Resource": ")" +
         resource + R"(", "Parameters": )" + parameters + R"(, "TimeoutSeconds": 3600,
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.error", "Next": "Caught"}],
      "End": true},
    "Caught": {"Type": "Pass", "End": true}}})";
}

constexpr const char* kArn = "arn:aws:states:us-east-1:123456789012:stateMachine:";

class ChildrenTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    Put("child", kChild);
    Put("quick", kQuickChild);
  }
  std::vector<engine::ExecutionSummary> Children(const std::string& parent) {
    engine::ExecutionFilter filter;
    filter.parent_execution_id = parent;
    auto page = store_->ListExecutions(filter, "", 100);
    EXPECT_TRUE(page.ok()) << page.status();
    return page.ok() ? page->executions : std::vector<engine::ExecutionSummary>{};
  }
  // Completes the child's "double" task.
  void Double() {
    auto lease = engine_->PollTask("double", 5s);
    ASSERT_TRUE(lease.has_value()) << "the child's task never came";
    json input = lease->task.input;
    ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"n", input["n"].get<int>() * 2}}).ok());
  }
};

TEST_F(ChildrenTest, RequestResponseStartsTheChildAndGoesOnAtOnce) {
  Put("parent", Parent("arn:aws:states:::states:startExecution",
                       std::string(R"({"StateMachineArn": ")") + kArn +
                           R"(child", "Input": {"n.$": "$.n"}, "Name": "kid"})"));
  std::string parent = Start("parent", "p1", json{{"n", 4}});
  auto summary = Await(parent);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  std::string child_id = summary.output["ExecutionArn"].get<std::string>();
  EXPECT_THAT(child_id, HasSubstr(":child:kid"));
  auto child = engine_->DescribeExecution(child_id);
  ASSERT_TRUE(child.ok()) << child.status();
  EXPECT_EQ(summary.output["StartDate"], child->info.start_time);
  EXPECT_EQ(child->status, ExecutionStatus::kRunning);
  EXPECT_EQ(child->input, (json{{"n", 4}}));
  EXPECT_EQ(child->info.parent_execution_id, parent);
  auto children = Children(parent);
  ASSERT_EQ(children.size(), 1u);
  EXPECT_EQ(children[0].info.execution_id, child_id);
  Double();  // the child runs on by itself
  EXPECT_EQ(Await(child_id).output, (json{{"n", 8}}));
}

TEST_F(ChildrenTest, SyncWaitsForTheChildAndOutputsItsDescriptionWithJsonText) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync",
                       std::string(R"({"StateMachineArn": ")") + kArn +
                           R"(child", "Input": {"n.$": "$.n"}})"));
  std::string parent = Start("parent", "p2", json{{"n", 5}});
  EXPECT_EQ(engine_->AwaitExecution(parent, 50ms).status().code(),
            absl::StatusCode::kDeadlineExceeded);
  Double();
  auto summary = Await(parent);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  const json& out = summary.output;
  EXPECT_EQ(out["Status"], "SUCCEEDED");
  EXPECT_EQ(out["Output"], json(R"({"n":10})"));
  EXPECT_EQ(out["Input"], json(R"({"n":5})"));
  EXPECT_EQ(out["InputDetails"], (json{{"Included", true}}));
  EXPECT_EQ(out["OutputDetails"], (json{{"Included", true}}));
  EXPECT_EQ(out["StateMachineArn"], "arn:stepwise:states:local:stateMachine:child");
  auto child = engine_->DescribeExecution(out["ExecutionArn"].get<std::string>());
  ASSERT_TRUE(child.ok());
  EXPECT_EQ(out["Name"], child->info.name);
  EXPECT_EQ(out["StartDate"], child->info.start_time);
  EXPECT_EQ(out["StopDate"], child->stop_time);
}

TEST_F(ChildrenTest, Sync2GivesTheChildsInputAndOutputAsJson) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync:2",
                       R"({"StateMachineArn": "quick", "Input": "{\"n\": 21}"})"));
  std::string parent = Start("parent", "p3");
  auto summary = Await(parent);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  EXPECT_EQ(summary.output["Output"], (json{{"twice", 42}}));
  EXPECT_EQ(summary.output["Input"], (json{{"n", 21}}));  // a JSON string input, parsed
}

TEST_F(ChildrenTest, AFailedOrAbortedChildFailsTheParentsTaskWithItsDescription) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync",
                       R"({"StateMachineArn": "child", "Input.$": "$"})"));
  std::string failing = Start("parent", "p4", json{{"fail", true}});
  auto summary = Await(failing);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded);  // Caught
  EXPECT_EQ(summary.output["error"]["Error"], "States.TaskFailed");
  json cause = json::parse(summary.output["error"]["Cause"].get<std::string>());
  EXPECT_EQ(cause["Status"], "FAILED");
  EXPECT_EQ(cause["Error"], "Child.Broke");
  EXPECT_EQ(cause["Cause"], "as asked");
  EXPECT_FALSE(cause.contains("Output"));

  std::string aborted = Start("parent", "p5", json{{"n", 1}});
  std::vector<engine::ExecutionSummary> children;
  ASSERT_TRUE(engine_->PollTask("double", 5s).has_value());  // the child is at its task
  children = Children(aborted);
  ASSERT_EQ(children.size(), 1u);
  ASSERT_TRUE(engine_->StopExecution(children[0].info.execution_id, "Operator", "no").ok());
  summary = Await(aborted);
  EXPECT_EQ(summary.output["error"]["Error"], "States.TaskFailed");
  EXPECT_EQ(json::parse(summary.output["error"]["Cause"].get<std::string>())["Status"], "ABORTED");
}

TEST_F(ChildrenTest, WaitForTaskTokenIsCompletedByTheChildWithTheParentsToken) {
  Put("signal", R"({"StartAt": "Tell", "States": {
    "Tell": {"Type": "Task", "Resource": "function:signal", "End": true}}})");
  Put("parent", Parent("arn:aws:states:::states:startExecution.waitForTaskToken",
                       R"({"StateMachineArn": "signal",
                           "Input": {"token.$": "$$.Task.Token"}})"));
  std::string parent = Start("parent", "p6");
  auto lease = engine_->PollTask("signal", 5s);
  ASSERT_TRUE(lease.has_value());
  std::string token = lease->task.input["token"].get<std::string>();
  ASSERT_TRUE(engine_->CompleteTask(token, json{{"from", "child"}}).ok());
  auto summary = Await(parent);
  EXPECT_EQ(summary.output, (json{{"from", "child"}}));
  // The child's own end does not complete the parent's task (it has completed already).
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json::object()).ok());
  EXPECT_EQ(Await(lease->execution_id).status, ExecutionStatus::kSucceeded);
}

TEST_F(ChildrenTest, AnUnknownMachineOrBadParametersFailTheTask) {
  Put("parent",
      Parent("arn:aws:states:::states:startExecution", R"({"StateMachineArn": "ghost"})"));
  auto summary = Await(Start("parent", "p7"));
  EXPECT_EQ(summary.output["error"]["Error"], "StepFunctions.StateMachineDoesNotExistException");
  Put("bad", Parent("arn:aws:states:::states:startExecution",
                    R"({"StateMachineArn": "quick", "Input": "{not json"})"));
  summary = Await(Start("bad", "b1"));
  EXPECT_EQ(summary.output["error"]["Error"], "StepFunctions.InvalidExecutionInputException");
}

TEST_F(ChildrenTest, ARestartWhileTheChildRunsStillCompletesTheParent) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync:2",
                       R"({"StateMachineArn": "child", "Input": {"n": 3}})"));
  std::string parent = Start("parent", "p8");
  ASSERT_TRUE(engine_->PollTask("double", 5s).has_value());
  Open();  // restart: the parent's start is re-issued and finds the same child
  Double();
  auto summary = Await(parent);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  EXPECT_EQ(summary.output["Output"], (json{{"n", 6}}));
  EXPECT_EQ(Children(parent).size(), 1u) << "the child was started twice";
}

// A store that refuses to commit steps of one execution while told to, as a full disk would,
// and says when it refused one.
class RefusingStore final : public engine::Store {
 public:
  explicit RefusingStore(engine::Store& inner) : inner_(inner) {}

  void Refuse(std::string execution_id) {
    std::lock_guard lock(mutex_);
    refused_id_ = std::move(execution_id);
  }
  std::future<void> Refused() { return refused_.get_future(); }

  absl::Status CommitStep(const engine::ExecutionState& state, const engine::Step& step,
                          const engine::CommitContext& context) override {
    {
      std::lock_guard lock(mutex_);
      if (state.info.execution_id == refused_id_) {
        if (!said_) refused_.set_value();
        said_ = true;
        return absl::UnavailableError("refused by the test");
      }
    }
    return inner_.CommitStep(state, step, context);
  }
  absl::StatusOr<engine::StoredDefinition> PutDefinition(const std::string& name,
                                                         const std::string& definition,
                                                         std::int64_t now) override {
    return inner_.PutDefinition(name, definition, now);
  }
  absl::StatusOr<engine::StoredDefinition> GetDefinition(const std::string& name,
                                                         std::int64_t version) override {
    return inner_.GetDefinition(name, version);
  }
  absl::StatusOr<std::vector<engine::StoredDefinition>> ListDefinitions() override {
    return inner_.ListDefinitions();
  }
  absl::Status DeleteDefinition(const std::string& name) override {
    return inner_.DeleteDefinition(name);
  }
  absl::Status PutFunction(const engine::FunctionLimits& limits) override {
    return inner_.PutFunction(limits);
  }
  absl::StatusOr<std::vector<engine::FunctionLimits>> ListFunctions() override {
    return inner_.ListFunctions();
  }
  absl::StatusOr<engine::ExecutionState> LoadExecution(const std::string& id) override {
    return inner_.LoadExecution(id);
  }
  absl::StatusOr<engine::ExecutionSummary> DescribeExecution(const std::string& id) override {
    return inner_.DescribeExecution(id);
  }
  absl::StatusOr<engine::ExecutionPage> ListExecutions(const engine::ExecutionFilter& filter,
                                                       const std::string& token,
                                                       int limit) override {
    return inner_.ListExecutions(filter, token, limit);
  }
  absl::StatusOr<std::int64_t> CountExecutions(const std::string& machine,
                                               engine::ExecutionStatus status,
                                               std::int64_t limit) override {
    return inner_.CountExecutions(machine, status, limit);
  }
  absl::StatusOr<std::vector<std::string>> ListUnfinished() override {
    return inner_.ListUnfinished();
  }
  using engine::Store::ReadHistory;
  absl::StatusOr<std::vector<engine::StoredHistoryEvent>> ReadHistory(
      const std::string& id, std::int64_t from, int limit, engine::HistoryOrder order) override {
    return inner_.ReadHistory(id, from, limit, order);
  }
  absl::StatusOr<std::vector<engine::StoredTimer>> ScanDueTimers(std::int64_t up_to,
                                                                 int limit) override {
    return inner_.ScanDueTimers(up_to, limit);
  }
  absl::StatusOr<std::vector<engine::StoredTask>> ScanTasks() override {
    return inner_.ScanTasks();
  }
  absl::StatusOr<std::int64_t> DeleteFinished(std::int64_t before, std::int64_t keep) override {
    return inner_.DeleteFinished(before, keep);
  }

 private:
  engine::Store& inner_;
  std::mutex mutex_;
  std::string refused_id_;
  std::promise<void> refused_;
  bool said_ = false;
};

TEST_F(ChildrenTest, ARestartBetweenTheChildsEndAndTheParentsCompletionCompletesTheParent) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync",
                       R"({"StateMachineArn": "child", "Input": {"n": 7}})"));
  std::string parent = Start("parent", "p9");
  // The child is started after the parent's first step; its task shows it is there.
  auto lease = engine_->PollTask("double", 5s);
  ASSERT_TRUE(lease.has_value());
  ASSERT_EQ(Children(parent).size(), 1u);
  std::string child = Children(parent)[0].info.execution_id;

  // An engine whose store will not write the parent's next step: the child ends, its end is
  // committed, and the parent's completion is refused (and would be retried a second later).
  engine_.reset();
  RefusingStore refusing(*store_);
  refusing.Refuse(parent);
  std::future<void> refused = refusing.Refused();
  engine_ = std::make_unique<engine::Engine>(refusing, clock_);
  ASSERT_TRUE(engine_->CompleteTask(lease->token, json{{"n", 14}}).ok());
  ASSERT_EQ(refused.wait_for(10s), std::future_status::ready);
  engine_.reset();  // the "crash": the retry never happens
  ASSERT_EQ(store_->DescribeExecution(child)->status, ExecutionStatus::kSucceeded);
  ASSERT_EQ(store_->DescribeExecution(parent)->status, ExecutionStatus::kRunning);

  engine_ = std::make_unique<engine::Engine>(*store_, clock_);
  ASSERT_TRUE(engine_->Recover().ok());
  auto summary = Await(parent);
  ASSERT_EQ(summary.status, ExecutionStatus::kSucceeded) << summary.error << summary.cause;
  EXPECT_EQ(summary.output["Output"], json(R"({"n":14})"));
  EXPECT_EQ(Children(parent).size(), 1u);
}

TEST_F(ChildrenTest, ARestartBeforeTheChildWasStartedStartsItOnce) {
  Put("parent", Parent("arn:aws:states:::states:startExecution.sync:2",
                       R"({"StateMachineArn": "quick", "Input": {"n": 2}, "Name": "kid"})"));
  // An engine whose store will not write the child's first step: the parent's task is
  // committed, the child's start is refused (and would be retried a second later).
  engine_.reset();
  RefusingStore refusing(*store_);
  refusing.Refuse("arn:stepwise:states:local:execution:quick:kid");
  std::future<void> refused = refusing.Refused();
  engine_ = std::make_unique<engine::Engine>(refusing, clock_);
  auto parent = engine_->StartExecution("parent", "p10", json::object());
  ASSERT_TRUE(parent.ok()) << parent.status();
  ASSERT_EQ(refused.wait_for(10s), std::future_status::ready);
  engine_.reset();  // the "crash": the retry never happens
  ASSERT_TRUE(Children(*parent).empty());

  engine_ = std::make_unique<engine::Engine>(*store_, clock_);
  ASSERT_TRUE(engine_->Recover().ok());
  auto done = Await(*parent);
  ASSERT_EQ(done.status, ExecutionStatus::kSucceeded) << done.error << done.cause;
  EXPECT_EQ(done.output["Output"], (json{{"twice", 4}}));
  EXPECT_EQ(done.output["Name"], "kid");
  EXPECT_EQ(Children(*parent).size(), 1u);
}

}  // namespace
}  // namespace stepwise::testing
