#pragma once

#include <boost/asio/io_context.hpp>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "api/rest/http_message.h"

namespace stepwise::api {

struct HttpServerOptions {
  // Address to listen on. Loopback by default: plain HTTP, so a bearer token would cross the
  // network unencrypted.
  std::string address = "127.0.0.1";
  // Port to listen on; 0 lets the system pick a free one (see HttpServer::port()).
  uint16_t port = 0;
  // The share of one CPU that handling requests may take, in (0, 1]; beyond it requests wait
  // their turn (request_pacer.h). 1: requests never wait.
  double cpu_share = 1.0;
};

// Answers one request: a whole response (HttpServer adds the connection headers) or a stream.
// Called on the threads that run the io_context, so it must not block for long.
using HttpHandler = std::function<HttpReply(const HttpRequest&)>;

// The HTTP/1.1 server of the REST API. Asynchronous: connections are served on whatever threads
// run the io_context, with keep-alive, and a connection idle for 30 s is closed.
class HttpServer {
 public:
  // Binds the listening socket and starts accepting. Fails, with the address in the message,
  // when the address is not an IP address or the port cannot be bound (for example in use).
  // `io` must outlive the server.
  static absl::StatusOr<std::unique_ptr<HttpServer>> Start(boost::asio::io_context& io,
                                                           const HttpServerOptions& options,
                                                           HttpHandler handler);

  // Stops accepting (see Stop()).
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // The port actually bound: the chosen one when options.port was 0.
  uint16_t port() const { return port_; }

  // Stops accepting new connections; thread-safe, idempotent. Connections already open are
  // served until they close or go idle; stop the io_context to drop them at once.
  void Stop();

 private:
  class Listener;
  HttpServer(std::shared_ptr<Listener> listener, uint16_t port);

  std::shared_ptr<Listener> listener_;  // shared with its pending accept
  uint16_t port_;
};

}  // namespace stepwise::api
