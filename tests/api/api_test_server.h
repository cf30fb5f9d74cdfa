#pragma once

// A real Stepwise server (RocksDB in a temp dir, gRPC and HTTP on free 127.0.0.1 ports) and
// real gRPC stubs on a loopback channel, for the API's integration tests.

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "api/proto/stepwise.grpc.pb.h"
#include "api/server/server.h"
#include "grpcpp/grpcpp.h"
#include "storage/temp_dir.h"

namespace stepwise::api::testing {

// A Task on `function:flaky`: "Transient" is retried once after 1 s; any error after that is
// caught into the Pass state "Caught".
constexpr const char* kRetryMachine = R"json({"StartAt": "Flaky", "States": {
  "Flaky": {"Type": "Task", "Resource": "function:flaky", "End": true,
            "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 2,
                       "BackoffRate": 1.0}],
            "Catch": [{"ErrorEquals": ["States.ALL"], "Next": "Caught"}]},
  "Caught": {"Type": "Pass", "End": true}}})json";

inline std::unique_ptr<grpc::ClientContext> Context(
    std::chrono::milliseconds deadline = std::chrono::seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  return context;
}

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override { StartServer(); }
  void TearDown() override { StopServer(); }

  // Starts a server on the test's data directory (again, after StopServer: a restart).
  // `grpc_port` 0 picks a free port; a restart may pass the old one, so that clients holding
  // the old address (a worker) find the new server there.
  void StartServer(ServerOptions options = {}, int grpc_port = 0) {
    options.data_dir = dir_.path();
    options.sync_writes = false;  // machine crashes are not simulated here
    options.grpc_address = "127.0.0.1:" + std::to_string(grpc_port);
    options.http_address = "127.0.0.1:0";
    auto server = Server::Start(options);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(server_->grpc_port()),
                                   grpc::InsecureChannelCredentials());
    machines_ = v1::StateMachines::NewStub(channel_);
    executions_ = v1::Executions::NewStub(channel_);
    tasks_ = v1::Tasks::NewStub(channel_);
  }

  void StopServer() {
    machines_.reset();
    executions_.reset();
    tasks_.reset();
    channel_.reset();
    server_.reset();
  }

  // Creates a machine, failing the test when that fails.
  void Create(const std::string& name, const std::string& definition) {
    v1::CreateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(definition);
    v1::StateMachine response;
    grpc::Status status = machines_->CreateStateMachine(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  // Starts an execution and returns its id ("" and a test failure when that fails).
  std::string Start(const std::string& machine, const std::string& name, const std::string& input) {
    v1::StartExecutionRequest request;
    request.set_state_machine(machine);
    request.set_name(name);
    request.set_input(input);
    v1::StartExecutionResponse response;
    grpc::Status status = executions_->StartExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.execution_id();
  }

  v1::Execution Describe(const std::string& id) {
    v1::DescribeExecutionRequest request;
    request.set_execution_id(id);
    v1::Execution response;
    grpc::Status status = executions_->DescribeExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Waits for the execution to end by watching its history (no polling): returns its
  // description then.
  v1::Execution AwaitEnd(const std::string& id) {
    auto context = Context();
    v1::WatchExecutionRequest request;
    request.set_execution_id(id);
    auto stream = executions_->WatchExecution(context.get(), request);
    v1::HistoryEvent event;
    while (stream->Read(&event)) {
    }
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return Describe(id);
  }

  // Polls one task of `function`; fails the test when none comes within 10 s.
  v1::Task PollOne(const std::string& function) {
    v1::PollTaskRequest request;
    request.add_functions(function);
    request.set_wait_ms(10'000);
    v1::PollTaskResponse response;
    grpc::Status status = tasks_->PollTask(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.has_task()) << "no task of '" << function << "' came";
    return response.task();
  }

  grpc::Status Succeed(const std::string& token, const std::string& output,
                       bool cold_start = false) {
    v1::SucceedTaskRequest request;
    request.set_token(token);
    request.set_output(output);
    request.set_cold_start(cold_start);
    v1::SucceedTaskResponse response;
    return tasks_->SucceedTask(Context().get(), request, &response);
  }

  storage::testing::TempDir dir_;
  std::unique_ptr<Server> server_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::StateMachines::Stub> machines_;
  std::unique_ptr<v1::Executions::Stub> executions_;
  std::unique_ptr<v1::Tasks::Stub> tasks_;
};

constexpr const char* kPassMachine = R"json({"StartAt": "Greet", "States": {
  "Greet": {"Type": "Pass", "Parameters": {"greeting.$": "States.Format('hi {}', $.who)"},
            "End": true}}})json";

constexpr const char* kTaskMachine = R"json({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:double", "End": true}}})json";

constexpr const char* kFailMachine = R"json({"StartAt": "Boom", "States": {
  "Boom": {"Type": "Fail", "Error": "Custom.Boom", "Cause": "on purpose"}}})json";

}  // namespace stepwise::api::testing
