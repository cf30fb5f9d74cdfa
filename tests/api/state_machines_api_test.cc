// The StateMachines service of a real server, over a real gRPC channel: every call and its
// errors.
#include <gmock/gmock.h>

#include <nlohmann/json.hpp>

#include "api_test_server.h"

namespace stepwise::api::testing {
namespace {

using ::testing::HasSubstr;

class StateMachinesApiTest : public ApiTest {
 protected:
  grpc::Status CreateStatus(const std::string& name, const std::string& definition,
                            v1::StateMachine* out = nullptr) {
    v1::CreateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(definition);
    v1::StateMachine response;
    grpc::Status status = machines_->CreateStateMachine(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }

  grpc::Status UpdateStatus(const std::string& name, const std::string& definition,
                            v1::StateMachine* out = nullptr) {
    v1::UpdateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(definition);
    v1::StateMachine response;
    grpc::Status status = machines_->UpdateStateMachine(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }

  grpc::Status DescribeStatus(const std::string& name, std::int64_t version,
                              v1::StateMachine* out = nullptr) {
    v1::DescribeStateMachineRequest request;
    request.set_name(name);
    request.set_version(version);
    v1::StateMachine response;
    grpc::Status status = machines_->DescribeStateMachine(Context().get(), request, &response);
    if (out) *out = response;
    return status;
  }
};

TEST_F(StateMachinesApiTest, ValidateReportsEveryDiagnosticWithItsPointer) {
  v1::ValidateStateMachineRequest request;
  request.set_definition(R"({"StartAt": "Nowhere", "States": {
      "A": {"Type": "Pass", "Next": "Missing"}}})");
  v1::ValidateStateMachineResponse response;
  ASSERT_TRUE(machines_->ValidateStateMachine(Context().get(), request, &response).ok());
  EXPECT_FALSE(response.valid());
  std::vector<std::string> pointers;
  for (const auto& diagnostic : response.diagnostics()) pointers.push_back(diagnostic.pointer());
  EXPECT_THAT(pointers, ::testing::Contains("/StartAt"));
  EXPECT_THAT(pointers, ::testing::Contains("/States/A/Next"));

  request.set_definition(kPassMachine);
  ASSERT_TRUE(machines_->ValidateStateMachine(Context().get(), request, &response).ok());
  EXPECT_TRUE(response.valid());
}

TEST_F(StateMachinesApiTest, CreateStoresVersionOneAndARetryReturnsTheSameMachine) {
  v1::StateMachine created;
  ASSERT_TRUE(CreateStatus("greeter", kPassMachine, &created).ok());
  EXPECT_EQ(created.name(), "greeter");
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.latest_version(), 1);
  EXPECT_EQ(created.definition(), kPassMachine);
  EXPECT_GT(created.created_at().seconds(), 0);

  v1::StateMachine again;
  ASSERT_TRUE(CreateStatus("greeter", kPassMachine, &again).ok());
  EXPECT_EQ(again.version(), 1);

  grpc::Status taken = CreateStatus("greeter", kTaskMachine);
  EXPECT_EQ(taken.error_code(), grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_THAT(taken.error_message(), HasSubstr("update it"));
}

TEST_F(StateMachinesApiTest, ABadDefinitionIsRefusedWithDiagnosticsInMessageAndDetails) {
  grpc::Status refused =
      CreateStatus("broken", R"({"StartAt": "A", "States": {"A": {"Type": "Pass"}}})");
  ASSERT_EQ(refused.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(refused.error_message(), HasSubstr("/States/A"));
  v1::ErrorStatus details;
  ASSERT_TRUE(details.ParseFromString(refused.error_details()));
  ASSERT_EQ(details.details_size(), 1);
  v1::Diagnostics diagnostics;
  ASSERT_TRUE(details.details(0).UnpackTo(&diagnostics));
  ASSERT_GE(diagnostics.diagnostics_size(), 1);
  EXPECT_EQ(diagnostics.diagnostics(0).pointer(), "/States/A");
  EXPECT_EQ(DescribeStatus("broken", 0).error_code(), grpc::StatusCode::NOT_FOUND);

  grpc::Status not_json = CreateStatus("broken", "{not json");
  EXPECT_EQ(not_json.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StateMachinesApiTest, NamesAreChecked) {
  EXPECT_EQ(CreateStatus("", kPassMachine).error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  grpc::Status spaced = CreateStatus("my machine", kPassMachine);
  EXPECT_EQ(spaced.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(spaced.error_message(), HasSubstr("letters, digits"));
  EXPECT_EQ(CreateStatus(std::string(81, 'a'), kPassMachine).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StateMachinesApiTest, UpdateAddsAVersionAndRunningExecutionsKeepTheirs) {
  Create("work", kTaskMachine);
  std::string first = Start("work", "on-v1", R"({"x": 1})");

  v1::StateMachine updated;
  ASSERT_TRUE(UpdateStatus("work", kPassMachine, &updated).ok());
  EXPECT_EQ(updated.version(), 2);
  EXPECT_EQ(Describe(first).state_machine_version(), 1);

  std::string second = Start("work", "on-v2", R"({"who": "bo"})");
  EXPECT_EQ(AwaitEnd(second).state_machine_version(), 2);
  // The first still waits for its task, as version 1 says.
  v1::Task task = PollOne("double");
  EXPECT_EQ(task.execution_id(), first);
  ASSERT_TRUE(Succeed(task.token(), R"({"x": 2})").ok());
  EXPECT_EQ(AwaitEnd(first).status(), v1::SUCCEEDED);

  v1::StateMachine version_one;
  ASSERT_TRUE(DescribeStatus("work", 1, &version_one).ok());
  EXPECT_EQ(version_one.definition(), kTaskMachine);
  EXPECT_EQ(version_one.latest_version(), 2);
  grpc::Status missing = DescribeStatus("work", 9);
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_THAT(missing.error_message(), HasSubstr("latest is 2"));

  EXPECT_EQ(UpdateStatus("nobody", kPassMachine).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(UpdateStatus("work", R"({"StartAt": 1})").error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StateMachinesApiTest, ListPagesThroughEveryMachineOnce) {
  for (const char* name : {"c", "a", "e", "b", "d"}) Create(name, kPassMachine);
  std::vector<std::string> seen;
  std::string token;
  int pages = 0;
  do {
    v1::ListStateMachinesRequest request;
    request.set_page_size(2);
    request.set_page_token(token);
    v1::ListStateMachinesResponse response;
    ASSERT_TRUE(machines_->ListStateMachines(Context().get(), request, &response).ok());
    for (const auto& machine : response.state_machines()) seen.push_back(machine.name());
    token = response.next_page_token();
    ++pages;
    if (pages == 1) Create("aa", kPassMachine);  // lands on a page already served
  } while (!token.empty() && pages < 10);
  EXPECT_EQ(seen, (std::vector<std::string>{"a", "b", "c", "d", "e"}));
  EXPECT_EQ(pages, 3);

  v1::ListStateMachinesRequest bad;
  bad.set_page_size(5000);
  v1::ListStateMachinesResponse response;
  EXPECT_EQ(machines_->ListStateMachines(Context().get(), bad, &response).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(StateMachinesApiTest, DeleteIsRefusedWhileExecutionsRunAndWorksAfter) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "busy", "{}");
  v1::DeleteStateMachineRequest request;
  request.set_name("work");
  v1::DeleteStateMachineResponse response;
  grpc::Status refused = machines_->DeleteStateMachine(Context().get(), request, &response);
  EXPECT_EQ(refused.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(refused.error_message(), HasSubstr("running"));

  v1::Task task = PollOne("double");
  ASSERT_TRUE(Succeed(task.token(), "{}").ok());
  AwaitEnd(id);
  ASSERT_TRUE(machines_->DeleteStateMachine(Context().get(), request, &response).ok());
  EXPECT_EQ(DescribeStatus("work", 0).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(Describe(id).status(), v1::SUCCEEDED);  // finished executions stay readable
  EXPECT_EQ(machines_->DeleteStateMachine(Context().get(), request, &response).error_code(),
            grpc::StatusCode::NOT_FOUND);

  // A start no longer finds it; created again, it starts over at version 1 with the new
  // definition (the engine remembers nothing of the deleted one).
  v1::StartExecutionRequest start;
  start.set_state_machine("work");
  start.set_input("{}");
  v1::StartExecutionResponse started;
  EXPECT_EQ(executions_->StartExecution(Context().get(), start, &started).error_code(),
            grpc::StatusCode::NOT_FOUND);
  Create("work", kPassMachine);
  v1::Execution again = AwaitEnd(Start("work", "again", R"({"who": "you"})"));
  EXPECT_EQ(again.state_machine_version(), 1);
  EXPECT_EQ(again.status(), v1::SUCCEEDED);
  EXPECT_EQ(nlohmann::json::parse(again.output()), nlohmann::json({{"greeting", "hi you"}}));
}

}  // namespace
}  // namespace stepwise::api::testing
