// The Executions service of a real server, over a real gRPC channel.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "api_test_server.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ExecutionsApiTest : public ApiTest {
 protected:
  grpc::Status StartStatus(const std::string& machine, const std::string& name,
                           const std::string& input, v1::StartExecutionResponse* out = nullptr) {
    v1::StartExecutionRequest request;
    request.set_state_machine(machine);
    request.set_name(name);
    request.set_input(input);
    v1::StartExecutionResponse response;
    grpc::Status status = executions_->StartExecution(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }

  v1::GetExecutionHistoryResponse History(const std::string& id, std::int64_t after, bool reverse,
                                          int size, const std::string& token = "") {
    v1::GetExecutionHistoryRequest request;
    request.set_execution_id(id);
    request.set_after_event_id(after);
    request.set_reverse(reverse);
    request.set_page_size(size);
    request.set_page_token(token);
    v1::GetExecutionHistoryResponse response;
    grpc::Status status = executions_->GetExecutionHistory(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }
};

TEST_F(ExecutionsApiTest, StartRunsTheMachineAndDescribeShowsTheResult) {
  Create("greeter", kPassMachine);
  v1::StartExecutionResponse started;
  ASSERT_TRUE(StartStatus("greeter", "first", R"({"who": "ada"})", &started).ok());
  EXPECT_THAT(started.execution_id(), HasSubstr("greeter:first"));
  EXPECT_GT(started.start_time().seconds(), 0);
  v1::Execution done = AwaitEnd(started.execution_id());
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"greeting", "hi ada"}}));
  EXPECT_EQ(json::parse(done.input()), (json{{"who", "ada"}}));
  EXPECT_EQ(done.name(), "first");
  EXPECT_EQ(done.state_machine(), "greeter");
  EXPECT_GE(done.stop_time().seconds(), done.start_time().seconds());
  EXPECT_GT(done.last_event_id(), 2);
}

TEST_F(ExecutionsApiTest, StartIsIdempotentByNameAndRefusesAnotherInput) {
  Create("work", kTaskMachine);
  v1::StartExecutionResponse first;
  v1::StartExecutionResponse second;
  ASSERT_TRUE(StartStatus("work", "once", R"({"x": 1})", &first).ok());
  ASSERT_TRUE(StartStatus("work", "once", R"({"x": 1})", &second).ok());
  EXPECT_EQ(first.execution_id(), second.execution_id());
  grpc::Status other = StartStatus("work", "once", R"({"x": 2})");
  EXPECT_EQ(other.error_code(), grpc::StatusCode::ALREADY_EXISTS);

  EXPECT_EQ(StartStatus("nobody", "", "{}").error_code(), grpc::StatusCode::NOT_FOUND);
  grpc::Status bad_json = StartStatus("work", "", "{x");
  EXPECT_EQ(bad_json.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_json.error_message(), HasSubstr("input"));
  EXPECT_EQ(StartStatus("work", "bad name!", "{}").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);

  v1::StartExecutionResponse generated;
  ASSERT_TRUE(StartStatus("work", "", "", &generated).ok());  // no name, no input: {}
  EXPECT_EQ(json::parse(Describe(generated.execution_id()).input()), json::object());
}

TEST_F(ExecutionsApiTest, StartSyncReturnsTheEndOrGivesUpAtTheDeadline) {
  Create("greeter", kPassMachine);
  Create("work", kTaskMachine);
  v1::StartSyncExecutionRequest request;
  request.mutable_start()->set_state_machine("greeter");
  request.mutable_start()->set_input(R"({"who": "sync"})");
  v1::Execution done;
  ASSERT_TRUE(executions_->StartSyncExecution(Context().get(), request, &done).ok());
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"greeting", "hi sync"}}));

  request.mutable_start()->set_state_machine("work");
  request.set_timeout_ms(300);
  v1::Execution running;
  grpc::Status waited = executions_->StartSyncExecution(Context().get(), request, &running);
  EXPECT_EQ(waited.error_code(), grpc::StatusCode::DEADLINE_EXCEEDED);
  EXPECT_THAT(waited.error_message(), HasSubstr("still running"));

  // A task completed meanwhile: the sync start ends with it.
  request.mutable_start()->set_name("sync-task");
  request.set_timeout_ms(30'000);
  std::thread worker([&] {
    v1::Task task = PollOne("double");
    while (task.execution_id().find("sync-task") == std::string::npos) task = PollOne("double");
    EXPECT_TRUE(Succeed(task.token(), R"({"doubled": true})").ok());
  });
  v1::Execution completed;
  grpc::Status status = executions_->StartSyncExecution(Context().get(), request, &completed);
  worker.join();
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_EQ(json::parse(completed.output()), (json{{"doubled", true}}));
}

TEST_F(ExecutionsApiTest, StopAbortsARunningExecutionOnce) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "to-stop", "{}");
  v1::StopExecutionRequest request;
  request.set_execution_id(id);
  request.set_error("Operator.Stop");
  request.set_cause("testing");
  v1::StopExecutionResponse response;
  ASSERT_TRUE(executions_->StopExecution(Context().get(), request, &response).ok());
  EXPECT_GT(response.stop_time().seconds(), 0);
  v1::Execution stopped = Describe(id);
  EXPECT_EQ(stopped.status(), v1::ABORTED);
  EXPECT_EQ(stopped.error(), "Operator.Stop");
  EXPECT_EQ(stopped.cause(), "testing");

  grpc::Status again = executions_->StopExecution(Context().get(), request, &response);
  EXPECT_EQ(again.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(again.error_message(), HasSubstr("already ended (ABORTED)"));
  request.set_execution_id("arn:stepwise:states:local:execution:work:nobody");
  EXPECT_EQ(executions_->StopExecution(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ExecutionsApiTest, DescribeOfAnUnknownExecutionIsNotFound) {
  v1::DescribeExecutionRequest request;
  request.set_execution_id("arn:stepwise:states:local:execution:x:y");
  v1::Execution response;
  EXPECT_EQ(executions_->DescribeExecution(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
}

TEST_F(ExecutionsApiTest, ListFiltersByMachineStatusAndTimeAndPagesWithoutRepeats) {
  Create("greeter", kPassMachine);
  Create("work", kTaskMachine);
  std::set<std::string> greeters;
  for (int i = 0; i < 5; ++i) {
    std::string id = Start("greeter", "g" + std::to_string(i), R"({"who": "x"})");
    AwaitEnd(id);
    greeters.insert(id);
  }
  std::string working = Start("work", "w", "{}");

  std::set<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListExecutionsRequest request;
    request.set_state_machine("greeter");
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListExecutionsResponse response;
    ASSERT_TRUE(executions_->ListExecutions(Context().get(), request, &response).ok());
    for (const auto& execution : response.executions()) {
      EXPECT_TRUE(seen.insert(execution.execution_id()).second) << "repeated";
    }
    token = response.next_page_token();
    if (++pages == 1) Start("greeter", "late", R"({"who": "late"})");  // newer: not in this walk
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen, greeters);

  v1::ListExecutionsRequest running;
  running.set_status(v1::RUNNING);
  running.set_state_machine("work");
  v1::ListExecutionsResponse response;
  ASSERT_TRUE(executions_->ListExecutions(Context().get(), running, &response).ok());
  ASSERT_EQ(response.executions_size(), 1);
  EXPECT_EQ(response.executions(0).execution_id(), working);

  v1::ListExecutionsRequest future;
  future.mutable_started_after()->set_seconds(Describe(working).start_time().seconds() + 3600);
  ASSERT_TRUE(executions_->ListExecutions(Context().get(), future, &response).ok());
  EXPECT_EQ(response.executions_size(), 0);
  v1::ListExecutionsRequest past;
  past.mutable_started_before()->set_seconds(1);
  ASSERT_TRUE(executions_->ListExecutions(Context().get(), past, &response).ok());
  EXPECT_EQ(response.executions_size(), 0);

  v1::ListExecutionsRequest bad;
  bad.set_page_token("garbage");
  EXPECT_EQ(executions_->ListExecutions(Context().get(), bad, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ExecutionsApiTest, HistoryPagesForwardAndBackward) {
  Create("greeter", kPassMachine);
  std::string id = Start("greeter", "h", R"({"who": "x"})");
  v1::Execution done = AwaitEnd(id);
  std::int64_t last = done.last_event_id();
  ASSERT_GE(last, 4);

  std::vector<std::int64_t> forward;
  std::string token;
  do {
    auto page = History(id, 0, false, 2, token);
    for (const auto& event : page.events()) forward.push_back(event.id());
    token = page.next_page_token();
  } while (!token.empty());
  ASSERT_EQ(static_cast<std::int64_t>(forward.size()), last);
  for (std::int64_t i = 0; i < last; ++i) EXPECT_EQ(forward[i], i + 1);

  auto first = History(id, 0, false, 100);
  EXPECT_EQ(first.events(0).type(), "ExecutionStarted");
  EXPECT_EQ(first.events(last - 1).type(), "ExecutionSucceeded");
  EXPECT_EQ(json::parse(first.events(0).details())["input"], (json{{"who", "x"}}));

  std::vector<std::int64_t> backward;
  token.clear();
  do {
    auto page = History(id, 0, true, 3, token);
    for (const auto& event : page.events()) backward.push_back(event.id());
    token = page.next_page_token();
  } while (!token.empty());
  ASSERT_EQ(static_cast<std::int64_t>(backward.size()), last);
  for (std::int64_t i = 0; i < last; ++i) EXPECT_EQ(backward[i], last - i);

  EXPECT_EQ(History(id, last - 1, false, 10).events_size(), 1);
  EXPECT_EQ(History(id, 3, true, 10).events_size(), 2);

  v1::GetExecutionHistoryRequest unknown;
  unknown.set_execution_id("arn:stepwise:states:local:execution:x:y");
  v1::GetExecutionHistoryResponse response;
  EXPECT_EQ(executions_->GetExecutionHistory(Context().get(), unknown, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);
  unknown.set_execution_id(id);
  unknown.set_page_token("x1");
  EXPECT_EQ(executions_->GetExecutionHistory(Context().get(), unknown, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(ExecutionsApiTest, WatchStreamsEventsAsTheyAreCommittedUntilTheEnd) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "watched", R"({"x": 3})");
  auto context = Context();
  v1::WatchExecutionRequest request;
  request.set_execution_id(id);
  auto stream = executions_->WatchExecution(context.get(), request);
  std::vector<std::string> types;
  v1::HistoryEvent event;
  // Read up to the task's start, then complete it and read on: the stream sees the rest live.
  while (stream->Read(&event)) {
    types.push_back(event.type());
    if (event.type() == "TaskStarted") break;
  }
  ASSERT_FALSE(types.empty());
  EXPECT_EQ(types.back(), "TaskStarted");
  v1::Task task = PollOne("double");
  ASSERT_TRUE(Succeed(task.token(), R"({"x": 6})").ok());
  std::int64_t previous = event.id();
  while (stream->Read(&event)) {
    EXPECT_EQ(event.id(), previous + 1) << "a gap or a repeat";
    previous = event.id();
    types.push_back(event.type());
  }
  EXPECT_TRUE(stream->Finish().ok());
  EXPECT_EQ(types.front(), "ExecutionStarted");
  EXPECT_EQ(types.back(), "ExecutionSucceeded");

  // From the middle: only what follows.
  auto from_middle = Context();
  request.set_after_event_id(previous - 2);
  auto tail = executions_->WatchExecution(from_middle.get(), request);
  int count = 0;
  while (tail->Read(&event)) ++count;
  EXPECT_TRUE(tail->Finish().ok());
  EXPECT_EQ(count, 2);
}

TEST_F(ExecutionsApiTest, RedriveResumesAFailedExecutionAndRefusesOthers) {
  Create("boom", kFailMachine);
  Create("greeter", kPassMachine);
  std::string failed = Start("boom", "f", "{}");
  EXPECT_EQ(AwaitEnd(failed).status(), v1::FAILED);
  std::string succeeded = Start("greeter", "s", R"({"who": "x"})");
  AwaitEnd(succeeded);

  v1::RedriveExecutionRequest request;
  request.set_execution_id(succeeded);
  v1::RedriveExecutionResponse response;
  grpc::Status refused = executions_->RedriveExecution(Context().get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);

  request.set_execution_id(failed);
  ASSERT_TRUE(executions_->RedriveExecution(Context().get(), request, &response).ok());
  EXPECT_EQ(response.redrive_count(), 1);
  v1::Execution again = AwaitEnd(failed);
  EXPECT_EQ(again.status(), v1::FAILED);  // a Fail state fails again, as on AWS
  EXPECT_EQ(again.redrive_count(), 1);
}

TEST_F(ExecutionsApiTest, ANestedWorkflowRunsAsALinkedChildAndReturnsItsOutput) {
  Create("greeter", kPassMachine);
  Create("parent", R"json({"StartAt": "Child", "States": {
    "Child": {"Type": "Task", "Resource": "arn:aws:states:::states:startExecution.sync:2",
              "Parameters": {"StateMachineArn": "arn:aws:states:local:000:stateMachine:greeter",
                             "Input": {"who.$": "$.who"}},
              "ResultSelector": {"child.$": "$.Output", "status.$": "$.Status"},
              "End": true}}})json");
  std::string parent = Start("parent", "p", R"({"who": "kid"})");
  v1::Execution done = AwaitEnd(parent);
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  EXPECT_EQ(json::parse(done.output()),
            (json{{"child", {{"greeting", "hi kid"}}}, {"status", "SUCCEEDED"}}));
  ASSERT_EQ(done.child_execution_ids_size(), 1);
  v1::Execution child = Describe(done.child_execution_ids(0));
  EXPECT_EQ(child.parent_execution_id(), parent);
  EXPECT_EQ(child.state_machine(), "greeter");
  EXPECT_EQ(child.status(), v1::SUCCEEDED);
}

}  // namespace
}  // namespace stepwise::api::testing
