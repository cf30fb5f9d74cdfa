// The server as a whole: restarts between calls, graceful shutdown, the bearer token, TLS,
// request limits, health checking and a data directory in use.
#include <gmock/gmock.h>
#include <grpc/grpc.h>
#include <grpc/support/alloc.h>

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>

#include "api_test_server.h"
#include "grpcpp/generic/generic_stub.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

class ServerTest : public ApiTest {};

// How many calls the gRPC servers of this process have received, from gRPC's channelz counters
// (reading them changes nothing). A call is counted once gRPC has it, before any handler runs.
std::int64_t ServerCallsStarted() {
  char* text = grpc_channelz_get_servers(0);
  json servers = json::parse(text, nullptr, false);
  gpr_free(text);
  std::int64_t started = 0;
  if (servers.is_discarded() || !servers.contains("server")) return started;
  for (const json& server : servers["server"]) {
    if (!server.contains("data") || !server["data"].contains("callsStarted")) continue;
    const json& count = server["data"]["callsStarted"];  // an int64, so a JSON string
    started += count.is_string() ? std::stoll(count.get<std::string>()) : count.get<std::int64_t>();
  }
  return started;
}

TEST_F(ServerTest, ExecutionsAndTheirTasksSurviveARestartBetweenCalls) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "across", R"({"x": 4})");
  v1::Task leased = PollOne("double");  // leased by a worker that then vanishes

  StopServer();
  StartServer();
  EXPECT_EQ(Describe(id).status(), v1::RUNNING);
  v1::Task again = PollOne("double");  // re-queued on recovery
  EXPECT_EQ(again.token(), leased.token());
  ASSERT_TRUE(Succeed(again.token(), R"({"x": 8})").ok());

  StopServer();
  StartServer();
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"x", 8}}));
  EXPECT_EQ(Succeed(again.token(), "{}").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(ServerTest, ShutdownReleasesWaitingPollsAtOnce) {
  std::int64_t calls_before = ServerCallsStarted();
  std::thread poller([&] {
    v1::PollTaskRequest request;
    request.add_functions("never");
    request.set_wait_ms(60'000);
    v1::PollTaskResponse response;
    grpc::Status status = tasks_->PollTask(Context().get(), request, &response);
    // Released with no task. Or, rarely, gRPC had the call but its handler had not run when the
    // shutdown began, and gRPC cancelled it. Not refused (UNAVAILABLE): the server had it.
    EXPECT_TRUE(status.ok() || status.error_code() == grpc::StatusCode::CANCELLED)
        << status.error_code() << ": " << status.error_message();
    EXPECT_FALSE(response.has_task());
  });
  // The poll has reached the server once gRPC counts it, and its handler parks it in the engine
  // a moment later. The shutdown must not wait out the poll's 60 s.
  auto arrival_deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (ServerCallsStarted() == calls_before &&
         std::chrono::steady_clock::now() < arrival_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));  // a poll interval, not a wait
  }
  EXPECT_GT(ServerCallsStarted(), calls_before) << "the poll did not reach the server in 10 s";
  auto begin = std::chrono::steady_clock::now();
  server_->Shutdown();
  poller.join();
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

TEST_F(ServerTest, ASecondServerOnTheSameDirectoryIsRefused) {
  ServerOptions options;
  options.data_dir = dir_.path();
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  auto second = Server::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("in use"));
}

TEST_F(ServerTest, ATakenPortIsReportedWithTheAddress) {
  ServerOptions options;
  options.data_dir = dir_.path() + "/other";
  options.grpc_address = "127.0.0.1:" + std::to_string(server_->grpc_port());
  options.http_address = "127.0.0.1:0";
  auto second = Server::Start(options);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(), HasSubstr(options.grpc_address));
}

TEST_F(ServerTest, ARequestOverTheSizeLimitIsResourceExhausted) {
  StopServer();
  ServerOptions options;
  options.max_request_bytes = 64 * 1024;
  StartServer(options);
  Create("greeter", kPassMachine);
  v1::StartExecutionRequest request;
  request.set_state_machine("greeter");
  request.set_input(json{{"who", std::string(100 * 1024, 'x')}}.dump());
  v1::StartExecutionResponse response;
  grpc::Status status = executions_->StartExecution(Context().get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::RESOURCE_EXHAUSTED);
}

TEST_F(ServerTest, AnInputOverThePayloadLimitFailsTheExecutionWithDataLimitExceeded) {
  Create("greeter", kPassMachine);
  std::string id = Start("greeter", "big", json{{"who", std::string(300 * 1024, 'x')}}.dump());
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::FAILED);
  EXPECT_EQ(done.error(), "States.DataLimitExceeded");
}

TEST_F(ServerTest, HealthCheckingAnswersServing) {
  grpc::GenericStub stub(channel_);
  grpc::CompletionQueue queue;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  grpc::ByteBuffer request;  // HealthCheckRequest{service: ""} is the empty message
  grpc::Slice empty("");
  request = grpc::ByteBuffer(&empty, 1);
  auto call = stub.PrepareUnaryCall(&context, "/grpc.health.v1.Health/Check", request, &queue);
  call->StartCall();
  grpc::ByteBuffer reply;
  grpc::Status status;
  call->Finish(&reply, &status, reinterpret_cast<void*>(1));
  void* tag = nullptr;
  bool ok = false;
  ASSERT_TRUE(queue.Next(&tag, &ok));
  ASSERT_TRUE(ok);
  ASSERT_TRUE(status.ok()) << status.error_message();
  std::vector<grpc::Slice> slices;
  ASSERT_TRUE(reply.Dump(&slices).ok());
  std::string bytes;
  for (const auto& slice : slices)
    bytes.append(reinterpret_cast<const char*>(slice.begin()), slice.size());
  EXPECT_EQ(bytes, std::string("\x08\x01", 2));  // status: SERVING
  queue.Shutdown();
  while (queue.Next(&tag, &ok)) {
  }
}

class ServerTokenTest : public ApiTest {
 protected:
  void SetUp() override {
    ServerOptions options;
    options.auth_token = "s3cret";
    StartServer(options);
  }

  grpc::Status Ping(const std::string& authorization) {
    auto stub = v1::Server::NewStub(channel_);
    auto context = Context();
    if (!authorization.empty()) context->AddMetadata("authorization", authorization);
    v1::PingRequest request;
    v1::PingResponse response;
    return stub->Ping(context.get(), request, &response);
  }
};

TEST_F(ServerTokenTest, EveryCallNeedsTheToken) {
  grpc::Status missing = Ping("");
  EXPECT_EQ(missing.error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_THAT(missing.error_message(), HasSubstr("requires a token"));
  EXPECT_EQ(Ping("Bearer wrong").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Ping("s3cret").error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(Ping("Bearer s3cret").ok());

  v1::DescribeExecutionRequest request;
  request.set_execution_id("x");
  v1::Execution response;
  EXPECT_EQ(executions_->DescribeExecution(Context().get(), request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  v1::PollTaskRequest poll;
  poll.add_functions("f");
  v1::PollTaskResponse polled;
  EXPECT_EQ(tasks_->PollTask(Context().get(), poll, &polled).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
}

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

TEST_F(ServerTest, TlsServesClientsThatTrustItsCertificateOnly) {
  std::string cert = dir_.path() + "/cert.pem";
  std::string key = dir_.path() + "/key.pem";
  std::string command =
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost "
      "-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout " +
      key + " -out " + cert + " 2>/dev/null";
  ASSERT_EQ(std::system(command.c_str()), 0) << "openssl could not make a certificate";
  StopServer();
  ServerOptions options;
  options.tls_cert_file = cert;
  options.tls_key_file = key;
  StartServer(options);
  std::string address = "127.0.0.1:" + std::to_string(server_->grpc_port());

  grpc::SslCredentialsOptions trust;
  trust.pem_root_certs = ReadFile(cert);
  auto secure = v1::Server::NewStub(grpc::CreateChannel(address, grpc::SslCredentials(trust)));
  v1::PingRequest request;
  v1::PingResponse response;
  grpc::Status status = secure->Ping(Context().get(), request, &response);
  ASSERT_TRUE(status.ok()) << status.error_message();
  EXPECT_FALSE(response.version().empty());

  auto plain = v1::Server::NewStub(channel_);  // the fixture's insecure channel
  EXPECT_EQ(plain->Ping(Context(std::chrono::seconds(5)).get(), request, &response).error_code(),
            grpc::StatusCode::UNAVAILABLE);

  StopServer();
  options.tls_key_file = dir_.path() + "/missing.pem";
  options.data_dir = dir_.path();
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  auto refused = Server::Start(options);
  ASSERT_FALSE(refused.ok());
  EXPECT_THAT(refused.status().message(), HasSubstr("missing.pem"));
}

}  // namespace
}  // namespace stepwise::api::testing
