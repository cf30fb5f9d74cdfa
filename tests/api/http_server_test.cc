#include "api/rest/http_server.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/buffer.hpp>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>

// GCC 12 with -fsanitize=address,undefined wrongly reports -Wmaybe-uninitialized on a
// boost::optional inside Beast's response parser, which only this client instantiates.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

#include "api/rest/json_response.h"
#include "api/rest/request_pacer.h"

namespace stepwise::api {
namespace {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;
using ::testing::HasSubstr;

using Response = http::response<http::string_body>;

// What the server answers here: the plumbing is under test, not the REST API (rest_api_test).
HttpResponse TestHandler(const HttpRequest& request) {
  std::string target(request.target());
  if (target != "/healthz") {
    return ErrorResponse(http::status::not_found, "NotFound", "no resource at " + target);
  }
  if (request.method() != http::verb::get) {
    HttpResponse response =
        ErrorResponse(http::status::method_not_allowed, "MethodNotAllowed", "use GET");
    response.set(http::field::allow, "GET");
    return response;
  }
  return JsonResponse(http::status::ok, {{"status", "ok"}});
}

// A real server on a free loopback port, served by one background thread.
class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(io_, {}, TestHandler);
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    ASSERT_NE(server_->port(), 0);
    thread_ = std::thread([this] { io_.run(); });
  }

  void TearDown() override {
    if (server_) server_->Stop();
    io_.stop();
    if (thread_.joinable()) thread_.join();
  }

  // A blocking client connection, as curl would make.
  class Client {
   public:
    explicit Client(uint16_t port) : stream_(io_) {
      stream_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
      // Blocking reads ignore tcp_stream's timer; a kernel timeout keeps a broken server from
      // hanging the test.
      timeval timeout{.tv_sec = 10, .tv_usec = 0};
      setsockopt(stream_.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout,
                 sizeof timeout);
    }
    Response Send(http::verb method, const std::string& target) {
      http::request<http::empty_body> request(method, target, 11);
      request.set(http::field::host, "127.0.0.1");
      http::write(stream_, request);
      return Receive();
    }
    // Sends bytes that need not be valid HTTP.
    Response SendRaw(const std::string& bytes) {
      net::write(stream_, net::buffer(bytes));
      return Receive();
    }

   private:
    Response Receive() {
      Response response;
      http::read(stream_, buffer_, response);
      return response;
    }

    net::io_context io_;
    beast::tcp_stream stream_;
    beast::flat_buffer buffer_;
  };

  net::io_context io_;
  std::unique_ptr<HttpServer> server_;
  std::thread thread_;
};

TEST_F(HttpServerTest, HealthzAnswersOkAsJson) {
  Client client(server_->port());
  Response response = client.Send(http::verb::get, "/healthz");
  EXPECT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(nlohmann::json::parse(response.body()), nlohmann::json({{"status", "ok"}}));
}

TEST_F(HttpServerTest, UnknownPathIsJsonNotFound) {
  Client client(server_->port());
  Response response = client.Send(http::verb::get, "/no/such/thing?x=1");
  EXPECT_EQ(response.result(), http::status::not_found);
  nlohmann::json body = nlohmann::json::parse(response.body());
  EXPECT_EQ(body["error"], "NotFound");
  EXPECT_THAT(body["message"].get<std::string>(), HasSubstr("/no/such/thing"));
}

TEST_F(HttpServerTest, WrongMethodOnAKnownPathIsMethodNotAllowed) {
  Client client(server_->port());
  Response response = client.Send(http::verb::post, "/healthz");
  EXPECT_EQ(response.result(), http::status::method_not_allowed);
  EXPECT_EQ(response[http::field::allow], "GET");
  EXPECT_EQ(nlohmann::json::parse(response.body())["error"], "MethodNotAllowed");
}

TEST_F(HttpServerTest, MalformedRequestIsBadRequestAndClosesTheConnection) {
  Client client(server_->port());
  Response response = client.SendRaw("NOT HTTP AT ALL\r\n\r\n");
  EXPECT_EQ(response.result(), http::status::bad_request);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(nlohmann::json::parse(response.body())["error"], "BadRequest");
}

TEST_F(HttpServerTest, OneConnectionServesManyRequests) {
  Client client(server_->port());
  for (int i = 0; i < 3; ++i) {
    Response response = client.Send(http::verb::get, i == 1 ? "/missing" : "/healthz");
    EXPECT_EQ(response.result(), i == 1 ? http::status::not_found : http::status::ok);
    EXPECT_TRUE(response.keep_alive());
  }
}

TEST_F(HttpServerTest, ServesConnectionsConcurrently) {
  // The first client holds its connection open and idle; a thread-per-connection-free server
  // must still answer the second at once.
  Client idle(server_->port());
  Client active(server_->port());
  EXPECT_EQ(active.Send(http::verb::get, "/healthz").result(), http::status::ok);
  EXPECT_EQ(idle.Send(http::verb::get, "/healthz").result(), http::status::ok);
}

TEST_F(HttpServerTest, PortInUseIsAClearError) {
  HttpServerOptions options;
  options.port = server_->port();
  absl::StatusOr<std::unique_ptr<HttpServer>> second = HttpServer::Start(io_, options, TestHandler);
  ASSERT_FALSE(second.ok());
  EXPECT_THAT(second.status().message(),
              HasSubstr("cannot listen for HTTP on 127.0.0.1:" + std::to_string(options.port)));
}

TEST_F(HttpServerTest, AddressMustBeAnIpAddress) {
  HttpServerOptions options;
  options.address = "localhost:80";
  absl::StatusOr<std::unique_ptr<HttpServer>> server = HttpServer::Start(io_, options, TestHandler);
  EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(server.status().message(), HasSubstr("'localhost:80' is not an IP address"));
}

TEST_F(HttpServerTest, StoppedServerRefusesNewConnections) {
  server_->Stop();
  // Stop() is asynchronous on the server's thread; poll until the listening socket is gone.
  bool refused = false;
  for (int i = 0; i < 200 && !refused; ++i) {
    net::io_context io;
    tcp::socket socket(io);
    beast::error_code error;
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server_->port()), error);
    refused = error == net::error::connection_refused;
    if (!refused) std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_TRUE(refused);
}

// Burns `cpu` of this thread's CPU time: a handler that costs something to answer.
void Spin(std::chrono::nanoseconds cpu) {
  auto until = RequestPacer::ThreadCpuTime() + cpu;
  while (RequestPacer::ThreadCpuTime() < until) {
  }
}

TEST_F(HttpServerTest, RequestsBeyondTheCpuShareWaitTheirTurn) {
  // A second server whose handler costs 20 ms of CPU, allowed a quarter of a CPU: after each
  // request the next waits about three times as long as the handler ran.
  HttpServerOptions options;
  options.cpu_share = 0.25;
  auto costly = [](const HttpRequest& request) -> HttpReply {
    Spin(std::chrono::milliseconds(20));
    return TestHandler(request);
  };
  absl::StatusOr<std::unique_ptr<HttpServer>> paced = HttpServer::Start(io_, options, costly);
  ASSERT_TRUE(paced.ok()) << paced.status();
  Client client((*paced)->port());
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(client.Send(http::verb::get, "/healthz").result(), http::status::ok);
  }
  // Three handlers of 20 ms and two waits of at least 60 ms each.
  EXPECT_GE(std::chrono::steady_clock::now() - start, std::chrono::milliseconds(180));
  (*paced)->Stop();
}

TEST_F(HttpServerTest, ACpuShareOutsideZeroToOneIsRefused) {
  for (double share : {0.0, -1.0, 1.5}) {
    HttpServerOptions options;
    options.cpu_share = share;
    absl::StatusOr<std::unique_ptr<HttpServer>> server =
        HttpServer::Start(io_, options, TestHandler);
    EXPECT_EQ(server.status().code(), absl::StatusCode::kInvalidArgument) << share;
  }
}

}  // namespace
}  // namespace stepwise::api
