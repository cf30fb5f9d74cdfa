// gRPC server reflection and health checking on a `stepwise server` process, as grpcurl and load
// balancers use them: both answer without the server's token.
#include <gmock/gmock.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "cli/client_test_server.h"
#include "cli/protos/health_check.grpc.pb.h"
#include "cli/protos/reflection_list_services.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::testing {
namespace {

namespace reflection = ::grpc::reflection::v1alpha;
namespace health = ::grpc::health::v1;
using ::testing::Contains;
using ::testing::IsSupersetOf;

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return context;
}

// A server for each test (started by the test, with its flags) and a channel to it without a
// token.
class ServerReflectionTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stepwise-reflection-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ::unsetenv("STEPWISE_TOKEN");  // the server would require it
  }

  void TearDown() override {
    // Closed first: gRPC's shutdown would otherwise wait for this idle client to notice.
    channel_.reset();
    if (server_) {
      int status = server_->Stop();
      EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
          << "the server did not shut down cleanly: " << ChildProcess::Describe(status);
    }
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  void StartServer(const std::vector<std::string>& extra_args) {
    server_ = std::make_unique<ServerProcess>((dir_ / "data").string(), extra_args);
    ASSERT_TRUE(server_->ok()) << server_->error();
    channel_ = grpc::CreateChannel(server_->grpc_address(), grpc::InsecureChannelCredentials());
  }

  // The services the server lists over reflection (a test failure, and what came, otherwise).
  std::vector<std::string> ListServices() {
    auto stub = reflection::ServerReflection::NewStub(channel_);
    auto context = Context();
    auto stream = stub->ServerReflectionInfo(context.get());
    reflection::ServerReflectionRequest request;
    request.set_list_services("");  // the content is not checked; setting it picks the request
    EXPECT_TRUE(stream->Write(request));
    EXPECT_TRUE(stream->WritesDone());
    reflection::ServerReflectionResponse response;
    std::vector<std::string> names;
    if (stream->Read(&response)) {
      EXPECT_TRUE(response.has_list_services_response())
          << "error " << response.error_response().error_code() << ": "
          << response.error_response().error_message();
      for (const reflection::ServiceResponse& service :
           response.list_services_response().service()) {
        names.push_back(service.name());
      }
    } else {
      ADD_FAILURE() << "no reflection response";
    }
    while (stream->Read(&response)) {
      ADD_FAILURE() << "one request got more than one response";
    }
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
    return names;
  }

  // Health checking's Check for `service` ("" for the server as a whole).
  grpc::Status Check(const std::string& service, health::HealthCheckResponse& response) {
    auto stub = health::Health::NewStub(channel_);
    health::HealthCheckRequest request;
    request.set_service(service);
    return stub->Check(Context().get(), request, &response);
  }

  std::filesystem::path dir_;
  std::unique_ptr<ServerProcess> server_;
  std::shared_ptr<grpc::Channel> channel_;
};

TEST_F(ServerReflectionTest, ListsEveryStepwiseServiceWithHealthAndReflection) {
  StartServer({});
  EXPECT_THAT(ListServices(),
              IsSupersetOf({"stepwise.v1.StateMachines", "stepwise.v1.Executions",
                            "stepwise.v1.Tasks", "stepwise.v1.Server", "grpc.health.v1.Health",
                            "grpc.reflection.v1alpha.ServerReflection"}));
}

TEST_F(ServerReflectionTest, HealthCheckingAnswersServingForTheServerAndNotFoundForAnUnknownName) {
  StartServer({});
  health::HealthCheckResponse response;
  grpc::Status status = Check("", response);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(response.status(), health::HealthCheckResponse::SERVING);

  EXPECT_EQ(Check("no.such.Service", response).error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST_F(ServerReflectionTest, ReflectionAndHealthCheckingNeedNoToken) {
  StartServer({"--token", "s3cret"});
  // The channel carries no token: Stepwise's own services refuse it...
  auto executions = v1::Executions::NewStub(channel_);
  v1::DescribeExecutionRequest describe;
  describe.set_execution_id("x");
  v1::Execution execution;
  EXPECT_EQ(executions->DescribeExecution(Context().get(), describe, &execution).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  // ...but not reflection and health checking.
  EXPECT_THAT(ListServices(), Contains("stepwise.v1.Executions"));
  health::HealthCheckResponse response;
  grpc::Status status = Check("", response);
  ASSERT_TRUE(status.ok()) << status.error_code() << ": " << status.error_message();
  EXPECT_EQ(response.status(), health::HealthCheckResponse::SERVING);
}

}  // namespace
}  // namespace stepwise::testing
