// The worker protocol of a real server: a worker thread polling and completing over gRPC.
#include <gmock/gmock.h>

#include <atomic>
#include <nlohmann/json.hpp>
#include <thread>

#include "api_test_server.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class TasksApiTest : public ApiTest {};

constexpr const char* kHeartbeatMachine = R"json({"StartAt": "Long", "States": {
  "Long": {"Type": "Task", "Resource": "function:long", "HeartbeatSeconds": 60,
           "End": true}}})json";

constexpr const char* kCallbackMachine = R"json({"StartAt": "Ask", "States": {
  "Ask": {"Type": "Task", "Resource": "function:ask.waitForTaskToken",
          "Parameters": {"question.$": "$.q", "token.$": "$$.Task.Token"}, "End": true}}})json";

TEST_F(TasksApiTest, AWorkerPollsCompletesAndTheExecutionGoesOn) {
  Create("work", kTaskMachine);
  std::atomic<int> handled{0};
  std::thread worker([&] {
    for (int i = 0; i < 3; ++i) {
      v1::Task task = PollOne("double");
      json input = json::parse(task.input());
      EXPECT_EQ(task.function(), "double");
      EXPECT_EQ(task.state_name(), "Work");
      EXPECT_EQ(task.attempt(), 0);
      EXPECT_GT(task.deadline().seconds(), 0);
      EXPECT_TRUE(Succeed(task.token(), json{{"x", input["x"].get<int>() * 2}}.dump()).ok());
      ++handled;
    }
  });
  std::vector<std::string> ids;
  for (int i = 1; i <= 3; ++i) {
    ids.push_back(Start("work", "n" + std::to_string(i), json{{"x", i}}.dump()));
  }
  worker.join();
  EXPECT_EQ(handled.load(), 3);
  for (int i = 1; i <= 3; ++i) {
    v1::Execution done = AwaitEnd(ids[i - 1]);
    EXPECT_EQ(done.status(), v1::SUCCEEDED);
    EXPECT_EQ(json::parse(done.output()), (json{{"x", 2 * i}}));
  }
}

TEST_F(TasksApiTest, CompletionsAreIdempotentAndBadTokensAreRefused) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "once", R"({"x": 1})");
  v1::Task task = PollOne("double");
  ASSERT_TRUE(Succeed(task.token(), R"({"x": 2})").ok());
  grpc::Status repeated = Succeed(task.token(), R"({"x": 99})");
  EXPECT_EQ(repeated.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(repeated.error_message(), HasSubstr("stale"));
  EXPECT_EQ(json::parse(AwaitEnd(id).output()), (json{{"x", 2}}));

  EXPECT_EQ(Succeed("not-a-token", "{}").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(Succeed(task.token(), "{bad").error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TasksApiTest, AFailureIsRetriedThenCaught) {
  Create("flaky", kRetryMachine);
  std::string id = Start("flaky", "f", "{}");
  for (int attempt = 0; attempt < 3; ++attempt) {
    v1::Task task = PollOne("flaky");
    EXPECT_EQ(task.attempt(), attempt);
    v1::FailTaskRequest request;
    request.set_token(task.token());
    request.set_error("Transient");
    request.set_cause("try again");
    v1::FailTaskResponse response;
    ASSERT_TRUE(tasks_->FailTask(Context().get(), request, &response).ok());
  }
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  json output = json::parse(done.output());
  EXPECT_EQ(output["Error"], "Transient");
  EXPECT_EQ(output["Cause"], "try again");
}

TEST_F(TasksApiTest, HeartbeatSaysWhenTheTaskWasCancelled) {
  Create("long", kHeartbeatMachine);
  std::string id = Start("long", "l", "{}");
  v1::Task task = PollOne("long");
  EXPECT_EQ(task.heartbeat_seconds(), 60);
  v1::HeartbeatTaskRequest request;
  request.set_token(task.token());
  v1::HeartbeatTaskResponse response;
  ASSERT_TRUE(tasks_->HeartbeatTask(Context().get(), request, &response).ok());
  EXPECT_FALSE(response.cancelled());

  v1::StopExecutionRequest stop;
  stop.set_execution_id(id);
  v1::StopExecutionResponse stopped;
  ASSERT_TRUE(executions_->StopExecution(Context().get(), stop, &stopped).ok());
  ASSERT_TRUE(tasks_->HeartbeatTask(Context().get(), request, &response).ok());
  EXPECT_TRUE(response.cancelled());
}

TEST_F(TasksApiTest, APollWithNothingToDoEndsEmptyAndBadPollsAreRefused) {
  v1::PollTaskRequest request;
  request.add_functions("idle");
  request.set_wait_ms(200);
  v1::PollTaskResponse response;
  auto begin = std::chrono::steady_clock::now();
  ASSERT_TRUE(tasks_->PollTask(Context().get(), request, &response).ok());
  EXPECT_FALSE(response.has_task());
  EXPECT_GE(std::chrono::steady_clock::now() - begin, std::chrono::milliseconds(150));

  v1::PollTaskRequest none;
  EXPECT_EQ(tasks_->PollTask(Context().get(), none, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  request.set_wait_ms(600'000);
  EXPECT_EQ(tasks_->PollTask(Context().get(), request, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(TasksApiTest, APollForSeveralFunctionsGetsATaskOfAny) {
  Create("work", kTaskMachine);
  std::thread starter([&] { Start("work", "any", "{}"); });
  v1::PollTaskRequest request;
  request.add_functions("other");
  request.add_functions("double");
  request.set_wait_ms(10'000);
  v1::PollTaskResponse response;
  ASSERT_TRUE(tasks_->PollTask(Context().get(), request, &response).ok());
  starter.join();
  ASSERT_TRUE(response.has_task());
  EXPECT_EQ(response.task().function(), "double");
}

TEST_F(TasksApiTest, ACallbackTokenIsCompletedByAnotherClient) {
  Create("ask", kCallbackMachine);
  std::string id = Start("ask", "q", R"({"q": "ready?"})");
  v1::Task invocation = PollOne("ask");
  EXPECT_TRUE(invocation.callback());
  json input = json::parse(invocation.input());
  EXPECT_EQ(input["question"], "ready?");
  std::string token = input["token"];

  // Another client, on its own channel, answers with the token from the input.
  auto other = v1::Tasks::NewStub(grpc::CreateChannel(
      "127.0.0.1:" + std::to_string(server_->grpc_port()), grpc::InsecureChannelCredentials()));
  v1::SucceedTaskRequest request;
  request.set_token(token);
  request.set_output(R"({"answer": "yes"})");
  v1::SucceedTaskResponse response;
  ASSERT_TRUE(other->SucceedTask(Context().get(), request, &response).ok());
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"answer", "yes"}}));
}

}  // namespace
}  // namespace stepwise::api::testing
