#include "api/grpc/state_machine_service.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::api {
namespace {

using ::testing::AllOf;
using ::testing::Contains;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::Property;

// A real server on a free loopback port and a real client stub, as a caller would see them.
class StateMachineServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(&service_);
    server_ = builder.BuildAndStart();
    ASSERT_NE(server_, nullptr);
    ASSERT_NE(port, 0);
    stub_ = v1::StateMachines::NewStub(grpc::CreateChannel("127.0.0.1:" + std::to_string(port),
                                                           grpc::InsecureChannelCredentials()));
  }

  void TearDown() override { server_->Shutdown(); }

  v1::ValidateStateMachineResponse Validate(const std::string& definition) {
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    v1::ValidateStateMachineRequest request;
    request.set_definition(definition);
    v1::ValidateStateMachineResponse response;
    grpc::Status status = stub_->ValidateStateMachine(&context, request, &response);
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    return response;
  }

  StateMachineService service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<v1::StateMachines::Stub> stub_;
};

TEST_F(StateMachineServiceTest, ValidDefinitionIsValidWithNoErrors) {
  v1::ValidateStateMachineResponse response =
      Validate(R"({"StartAt":"A","States":{"A":{"Type":"Pass","End":true}}})");
  EXPECT_TRUE(response.valid());
  for (const v1::Diagnostic& diagnostic : response.diagnostics()) {
    EXPECT_NE(diagnostic.severity(), v1::Diagnostic::SEVERITY_ERROR) << diagnostic.message();
  }
}

TEST_F(StateMachineServiceTest, InvalidDefinitionIsASuccessfulCallWithLocatedErrors) {
  v1::ValidateStateMachineResponse response =
      Validate(R"({"StartAt":"Missing","States":{"A":{"Type":"Pass","End":true}}})");
  EXPECT_FALSE(response.valid());
  EXPECT_THAT(response.diagnostics(),
              Contains(AllOf(Property(&v1::Diagnostic::severity, v1::Diagnostic::SEVERITY_ERROR),
                             Property(&v1::Diagnostic::pointer, "/StartAt"),
                             Property(&v1::Diagnostic::message, Not(IsEmpty())))));
}

TEST_F(StateMachineServiceTest, TextThatIsNotJsonIsReportedNotFailed) {
  v1::ValidateStateMachineResponse response = Validate("{not json");
  EXPECT_FALSE(response.valid());
  EXPECT_THAT(response.diagnostics(),
              Contains(Property(&v1::Diagnostic::severity, v1::Diagnostic::SEVERITY_ERROR)));
}

}  // namespace
}  // namespace stepwise::api
