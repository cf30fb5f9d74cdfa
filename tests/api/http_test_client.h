#pragma once

// A blocking HTTP/1.1 client on 127.0.0.1, as curl would be: one keep-alive connection, whole
// responses, a kernel receive timeout so that a broken server fails the test instead of hanging.

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>
#include <vector>

// GCC 12 with -fsanitize=address,undefined wrongly reports -Wmaybe-uninitialized on a
// boost::optional inside Beast's response parser, which only clients instantiate.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#include <boost/beast/http.hpp>
#pragma GCC diagnostic pop

namespace stepwise::api::testing {

class HttpTestClient {
 public:
  using Response = boost::beast::http::response<boost::beast::http::string_body>;

  explicit HttpTestClient(int port) : stream_(io_) {
    namespace net = boost::asio;
    stream_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(port)));
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    setsockopt(stream_.socket().native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  }

  Response Send(boost::beast::http::verb method, const std::string& target,
                const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    namespace http = boost::beast::http;
    http::request<http::empty_body> request(method, target, 11);
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    http::write(stream_, request);
    Response response;
    http::read(stream_, buffer_, response);
    return response;
  }

  Response Get(const std::string& target,
               const std::vector<std::pair<std::string, std::string>>& headers = {}) {
    return Send(boost::beast::http::verb::get, target, headers);
  }

  // The body of a GET as JSON; `status` gets the HTTP status code.
  nlohmann::json GetJson(const std::string& target, int* status = nullptr) {
    Response response = Get(target);
    if (status != nullptr) *status = static_cast<int>(response.result_int());
    return nlohmann::json::parse(response.body(), nullptr, /*allow_exceptions=*/false);
  }

 private:
  boost::asio::io_context io_;
  boost::beast::tcp_stream stream_;
  boost::beast::flat_buffer buffer_;
};

}  // namespace stepwise::api::testing
