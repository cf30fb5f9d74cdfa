// The Functions service over real gRPC: registering limits (kept across a restart, refused by
// name when out of range), the --functions file's limits winning, a circuit breaker's changes
// in the execution's history, and workers tracked with their last contact.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/grpc/proto_convert.h"
#include "api/server/function_config.h"
#include "api_test_server.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class FunctionsApiTest : public ApiTest {
 protected:
  void SetUp() override {
    ApiTest::SetUp();
    functions_ = v1::Functions::NewStub(channel_);
  }
  void Restart(ServerOptions options = {}) {
    functions_.reset();
    StopServer();
    StartServer(std::move(options));
    functions_ = v1::Functions::NewStub(channel_);
  }

  v1::FunctionDescription DescribeFunction(const std::string& name) {
    v1::DescribeFunctionRequest request;
    request.set_name(name);
    v1::FunctionDescription response;
    grpc::Status status = functions_->DescribeFunction(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  std::vector<v1::WorkerDescription> Workers() {
    v1::ListWorkersResponse response;
    grpc::Status status =
        functions_->ListWorkers(Context().get(), v1::ListWorkersRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.workers().begin(), response.workers().end()};
  }

  std::vector<v1::HistoryEvent> History(const std::string& id) {
    v1::GetExecutionHistoryRequest request;
    request.set_execution_id(id);
    v1::GetExecutionHistoryResponse response;
    grpc::Status status = executions_->GetExecutionHistory(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return {response.events().begin(), response.events().end()};
  }

  std::unique_ptr<v1::Functions::Stub> functions_;
};

TEST_F(FunctionsApiTest, ARegistrationFillsDefaultsIsRefusedByNameWhenWrongAndOutlivesARestart) {
  v1::RegisterFunctionRequest request;
  request.mutable_limits()->set_name("resize");
  request.mutable_limits()->set_max_concurrency(3);
  request.mutable_limits()->mutable_circuit_breaker()->set_open_ms(1500);
  v1::RegisterFunctionResponse response;
  grpc::Status status = functions_->RegisterFunction(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  const v1::FunctionDescription& registered = response.function();
  EXPECT_TRUE(registered.registered());
  EXPECT_EQ(registered.limits().max_concurrency(), 3);
  EXPECT_EQ(registered.limits().timeout_seconds(), 900);  // the default, filled in
  EXPECT_EQ(registered.limits().circuit_breaker().open_ms(), 1500);
  EXPECT_EQ(registered.limits().circuit_breaker().failure_threshold(), 5);
  EXPECT_EQ(registered.circuit(), "CLOSED");

  request.mutable_limits()->set_timeout_seconds(0);
  status = functions_->RegisterFunction(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(status.error_message(), HasSubstr("'resize': timeout must be at least 1 second"));

  Restart();
  v1::FunctionDescription described = DescribeFunction("resize");
  EXPECT_TRUE(described.registered());
  EXPECT_EQ(described.limits().max_concurrency(), 3);
  EXPECT_EQ(described.limits().timeout_seconds(), 900);
  v1::ListFunctionsResponse listed;
  ASSERT_TRUE(functions_->ListFunctions(Context().get(), v1::ListFunctionsRequest(), &listed).ok());
  ASSERT_EQ(listed.functions_size(), 1);
  EXPECT_EQ(listed.functions(0).limits().name(), "resize");
  // Never registered nor invoked: the defaults.
  v1::FunctionDescription unknown = DescribeFunction("nobody");
  EXPECT_FALSE(unknown.registered());
  EXPECT_EQ(unknown.limits().max_concurrency(), 1000);
}

TEST_F(FunctionsApiTest, TheFunctionsFileWinsOverRegistrationsAndSetsTheDefaults) {
  v1::RegisterFunctionRequest request;
  request.mutable_limits()->set_name("resize");
  request.mutable_limits()->set_max_concurrency(3);
  v1::RegisterFunctionResponse response;
  ASSERT_TRUE(functions_->RegisterFunction(Context().get(), request, &response).ok());

  ServerOptions options;
  auto engine = ParseFunctionConfig(R"json({"defaults": {"timeout_seconds": 60},
      "functions": [{"name": "resize", "max_concurrency": 7}]})json",
                                    "functions.json", options.engine);
  ASSERT_TRUE(engine.ok()) << engine.status();
  options.engine = *engine;
  Restart(options);
  EXPECT_EQ(DescribeFunction("resize").limits().max_concurrency(), 7);
  EXPECT_EQ(DescribeFunction("resize").limits().timeout_seconds(), 60);
  EXPECT_EQ(DescribeFunction("other").limits().timeout_seconds(), 60);
}

TEST_F(FunctionsApiTest, ACircuitOpeningIsInTheHistoryOfTheExecutionThatOpenedIt) {
  v1::RegisterFunctionRequest request;
  request.mutable_limits()->set_name("double");
  request.mutable_limits()->mutable_circuit_breaker()->set_failure_threshold(1);
  request.mutable_limits()->mutable_circuit_breaker()->set_open_ms(60'000);
  v1::RegisterFunctionResponse response;
  ASSERT_TRUE(functions_->RegisterFunction(Context().get(), request, &response).ok());
  Create("work", kTaskMachine);

  std::string first = Start("work", "first", "{}");
  v1::Task task = PollOne("double");
  v1::FailTaskRequest fail;
  fail.set_token(task.token());
  fail.set_error("Broken");
  v1::FailTaskResponse failed;
  ASSERT_TRUE(tasks_->FailTask(Context().get(), fail, &failed).ok());
  EXPECT_EQ(AwaitEnd(first).error(), "Broken");
  std::vector<std::string> types;
  std::optional<v1::HistoryEvent> opened;
  for (const v1::HistoryEvent& event : History(first)) {
    types.push_back(event.type());
    if (event.type() == "FunctionCircuitOpened") opened = event;
  }
  EXPECT_THAT(types,
              ElementsAre("ExecutionStarted", "TaskStateEntered", "TaskScheduled", "TaskStarted",
                          "TaskFailed", "FunctionCircuitOpened", "ExecutionFailed"));
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->state_name(), "Work");
  json details = json::parse(opened->details());
  EXPECT_EQ(details["function"], "double");
  EXPECT_EQ(details["from"], "CLOSED");
  EXPECT_EQ(details["to"], "OPEN");
  EXPECT_THAT(details["cause"].get<std::string>(), HasSubstr("1 invocations failed"));

  v1::FunctionDescription described = DescribeFunction("double");
  EXPECT_EQ(described.circuit(), "OPEN");
  EXPECT_EQ(described.circuit_opened(), 1);
  EXPECT_TRUE(described.has_circuit_open_until());
  EXPECT_TRUE(described.has_circuit_changed());
  // While open, the next execution's task fails at once.
  v1::Execution refused = AwaitEnd(Start("work", "second", "{}"));
  EXPECT_EQ(refused.error(), "Stepwise.CircuitOpen");
  EXPECT_EQ(DescribeFunction("double").refused(), 1);
}

TEST_F(FunctionsApiTest, InvocationsAreTimedAndColdStartsCountedAsWorkersReportThem) {
  Create("work", kTaskMachine);
  EXPECT_FALSE(DescribeFunction("double").has_durations());  // nothing measured yet
  for (int i = 0; i < 3; ++i) {
    std::string id = Start("work", "run" + std::to_string(i), R"({"x": 1})");
    v1::Task task = PollOne("double");
    // Only the first says its instance was freshly started.
    ASSERT_TRUE(Succeed(task.token(), R"({"x": 2})", /*cold_start=*/i == 0).ok());
    EXPECT_EQ(AwaitEnd(id).status(), v1::SUCCEEDED);
  }
  // A failure is timed too; a completion refused as stale counts nothing.
  std::string failing = Start("work", "failing", "{}");
  v1::Task task = PollOne("double");
  v1::FailTaskRequest fail;
  fail.set_token(task.token());
  fail.set_error("Boom");
  fail.set_cold_start(true);
  v1::FailTaskResponse failed;
  ASSERT_TRUE(tasks_->FailTask(Context().get(), fail, &failed).ok());
  EXPECT_EQ(AwaitEnd(failing).status(), v1::FAILED);
  EXPECT_FALSE(Succeed(task.token(), "{}", /*cold_start=*/true).ok());

  v1::FunctionDescription function = DescribeFunction("double");
  EXPECT_EQ(function.cold_starts(), 2);
  EXPECT_EQ(function.succeeded(), 3);
  EXPECT_EQ(function.failed(), 1);
  ASSERT_TRUE(function.has_durations());
  const v1::DurationPercentiles& durations = function.durations();
  EXPECT_EQ(durations.count(), 4);
  EXPECT_GT(durations.p50_ms(), 0);
  EXPECT_LE(durations.p50_ms(), durations.p90_ms());
  EXPECT_LE(durations.p90_ms(), durations.p99_ms());
  EXPECT_LE(durations.p99_ms(), durations.max_ms());
}

TEST_F(FunctionsApiTest, WorkersAreTrackedWithWhatTheyServeAndTheirLastContact) {
  Create("work", kTaskMachine);
  // A poll that waits: the worker is listed with it while it waits.
  std::thread poller([&] {
    v1::PollTaskRequest request;
    request.add_functions("double");
    request.add_functions("triple");
    request.set_worker("worker-1");
    request.set_host("box-a");
    request.set_wait_ms(20'000);
    v1::PollTaskResponse response;
    grpc::Status status = tasks_->PollTask(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    ASSERT_TRUE(response.has_task());
    v1::SucceedTaskRequest succeed;
    succeed.set_token(response.task().token());
    succeed.set_output("{}");
    succeed.set_worker("worker-1");
    v1::SucceedTaskResponse succeeded;
    EXPECT_TRUE(tasks_->SucceedTask(Context().get(), succeed, &succeeded).ok());
  });
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  std::vector<v1::WorkerDescription> workers;
  while (std::chrono::steady_clock::now() < deadline) {
    workers = Workers();
    if (!workers.empty() && workers[0].polls_waiting() == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].name(), "worker-1");
  EXPECT_EQ(workers[0].host(), "box-a");
  EXPECT_THAT(
      std::vector<std::string>(workers[0].functions().begin(), workers[0].functions().end()),
      ElementsAre("double", "triple"));
  EXPECT_EQ(workers[0].polls_waiting(), 1);
  EXPECT_EQ(workers[0].tasks_received(), 0);
  std::int64_t first_contact = ToMillis(workers[0].last_contact());

  EXPECT_EQ(AwaitEnd(Start("work", "one", "{}")).status(), v1::SUCCEEDED);
  poller.join();
  workers = Workers();
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0].polls_waiting(), 0);
  EXPECT_EQ(workers[0].tasks_received(), 1);
  EXPECT_GE(ToMillis(workers[0].last_contact()), first_contact);
  EXPECT_LE(ToMillis(workers[0].first_seen()), first_contact);
}

}  // namespace
}  // namespace stepwise::api::testing
