// Callback tasks (.waitForTaskToken) on the durable engine: $$.Task.Token is the engine's own
// token, so any client can complete the task with it; the worker's invocation gets a token of
// its own whose completion only acknowledges the invocation. On a real RocksDB store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <thread>

#include "stepwise/engine/task_token.h"
#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::ExecutionStatus;
using engine::TaskLease;
using nlohmann::json;

constexpr const char* kApproval = R"({"StartAt": "Ask", "States": {
  "Ask": {"Type": "Task", "Resource": "function:x.waitForTaskToken",
          "Parameters": {"token.$": "$$.Task.Token", "order.$": "$.order"},
          "HeartbeatSeconds": 60, "TimeoutSeconds": 3600,
          "Catch": [{"ErrorEquals": ["Rejected"], "Next": "Rejected"}], "End": true},
  "Rejected": {"Type": "Pass", "Result": "rejected", "End": true}}})";

class CallbackTest : public EngineTest {
 protected:
  void SetUp() override {
    EngineTest::SetUp();
    Put("approval", kApproval);
  }
  // Starts an approval and takes its invocation from the queue.
  TaskLease StartAndPoll(const std::string& name) {
    id_ = Start("approval", name, json{{"order", 17}});
    std::optional<TaskLease> lease = engine_->PollTask("x", 5s);
    EXPECT_TRUE(lease.has_value()) << "the invocation was not queued under 'x'";
    return lease.value_or(TaskLease{});
  }
  std::string id_;
};

TEST_F(CallbackTest, TheTokenInTheInputCompletesTheTaskFromAnotherThread) {
  TaskLease lease = StartAndPoll("c1");
  EXPECT_TRUE(lease.callback);
  EXPECT_EQ(lease.task.input["order"], 17);
  std::string token = lease.task.input["token"].get<std::string>();
  EXPECT_EQ(token, engine::MakeTaskToken(id_, lease.task.task));
  EXPECT_NE(lease.token, token) << "the worker's token must not complete the state";

  // The worker's function returns: that acknowledges the invocation, and the state waits on.
  ASSERT_TRUE(engine_->CompleteTask(lease.token, json{{"worker", "result"}}).ok());
  EXPECT_EQ(engine_->AwaitExecution(id_, 50ms).status().code(),
            absl::StatusCode::kDeadlineExceeded);

  absl::Status completed;
  std::thread other([&] { completed = engine_->CompleteTask(token, json{{"approved", true}}); });
  other.join();
  ASSERT_TRUE(completed.ok()) << completed;
  auto summary = Await(id_);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, (json{{"approved", true}}));
  EXPECT_EQ(engine_->CompleteTask(token, json{}).code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(CallbackTest, AnAcknowledgedInvocationIsNotSentAgainAfterARestart) {
  TaskLease lease = StartAndPoll("c2");
  std::string token = lease.task.input["token"].get<std::string>();
  ASSERT_TRUE(engine_->CompleteTask(lease.token, json::object()).ok());
  Open();
  EXPECT_FALSE(engine_->PollTask("x", 100ms).has_value());
  ASSERT_TRUE(engine_->HeartbeatTask(token).ok());  // still awaited after the restart
  ASSERT_TRUE(engine_->CompleteTask(token, json("yes")).ok());
  EXPECT_EQ(Await(id_).output, json("yes"));
}

TEST_F(CallbackTest, AnUnacknowledgedInvocationIsSentAgainAfterARestart) {
  TaskLease first = StartAndPoll("c3");
  Open();  // the worker crashed with it
  std::optional<TaskLease> again = engine_->PollTask("x", 5s);
  ASSERT_TRUE(again.has_value());
  EXPECT_TRUE(again->callback);
  EXPECT_EQ(again->token, first.token);
  EXPECT_EQ(again->task.input["token"], first.task.input["token"]);
}

TEST_F(CallbackTest, AFailedInvocationOrAFailureByTokenFailsTheTask) {
  TaskLease lease = StartAndPoll("c4");
  ASSERT_TRUE(engine_->FailTask(lease.token, "Rejected", "the worker crashed").ok());
  EXPECT_EQ(Await(id_).output, json("rejected"));  // caught like any task failure

  TaskLease second = StartAndPoll("c5");
  ASSERT_TRUE(engine_->CompleteTask(second.token, json::object()).ok());
  std::string token = second.task.input["token"].get<std::string>();
  ASSERT_TRUE(engine_->FailTask(token, "Rejected", "no budget").ok());
  EXPECT_EQ(Await(id_).output, json("rejected"));
}

TEST_F(CallbackTest, AnAcknowledgementOfAnAttemptNoLongerAwaitedIsStale) {
  TaskLease lease = StartAndPoll("c6");
  std::string token = lease.task.input["token"].get<std::string>();
  ASSERT_TRUE(engine_->CompleteTask(token, json("early")).ok());  // the callback came first
  EXPECT_EQ(engine_->CompleteTask(lease.token, json::object()).code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(Await(id_).output, json("early"));
}

TEST_F(CallbackTest, LambdaInvokeWaitForTaskTokenHandsTheTokenInThePayload) {
  Put("lambda", R"({"StartAt": "Ask", "States": {
    "Ask": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke.waitForTaskToken",
            "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:1:function:notify",
                           "Payload": {"token.$": "$$.Task.Token"}}, "End": true}}})");
  std::string id = Start("lambda", "l1");
  std::optional<TaskLease> lease = engine_->PollTask("notify", 5s);
  ASSERT_TRUE(lease.has_value());
  EXPECT_TRUE(lease->callback);
  ASSERT_TRUE(engine_->CompleteTask(lease->task.input["token"].get<std::string>(), json(1)).ok());
  EXPECT_EQ(Await(id).output, json(1));
}

}  // namespace
}  // namespace stepwise::testing
