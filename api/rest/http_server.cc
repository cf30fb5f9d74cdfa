#include "api/rest/http_server.h"

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/address.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core/bind_handler.hpp>
#include <boost/beast/core/error.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/error.hpp>
#include <boost/beast/http/parser.hpp>
#include <boost/beast/http/read.hpp>
#include <boost/beast/http/write.hpp>
#include <chrono>
#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "api/rest/json_response.h"
#include "api/rest/request_pacer.h"

namespace stepwise::api {

namespace net = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = net::ip::tcp;

namespace {

// A keep-alive connection that sends nothing for this long is closed, so idle clients cannot
// hold sockets forever. Also bounds how long a slow client may take to send or receive.
constexpr std::chrono::seconds kIdleTimeout{30};

// Requests to the REST API are small; this bounds the memory one connection can make us hold.
constexpr uint64_t kMaxRequestBodyBytes = 1 << 20;

// One client connection. Owned by its pending operation, so it lives exactly as long as there
// is something to do; all its handlers run on the strand of its socket.
class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(tcp::socket socket, std::shared_ptr<const HttpHandler> handler,
          std::shared_ptr<RequestPacer> pacer)
      : stream_(std::move(socket)),
        handler_(std::move(handler)),
        pacer_(std::move(pacer)),
        pause_(stream_.get_executor()) {}

  void Start() {
    net::dispatch(stream_.get_executor(),
                  beast::bind_front_handler(&Session::Read, shared_from_this()));
  }

 private:
  void Read() {
    parser_.emplace();
    parser_->body_limit(kMaxRequestBodyBytes);
    stream_.expires_after(kIdleTimeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnRead, shared_from_this()));
  }

  void OnRead(beast::error_code error, std::size_t /*bytes*/) {
    if (error == http::error::end_of_stream) return Close();
    if (error == http::error::body_limit) {
      return Reply(ErrorResponse(http::status::payload_too_large, "PayloadTooLarge",
                                 "request body is larger than 1 MiB"),
                   /*keep_alive=*/false);
    }
    if (error.category() == http::make_error_code(http::error::bad_target).category()) {
      return Reply(ErrorResponse(http::status::bad_request, "BadRequest",
                                 "malformed HTTP request: " + error.message()),
                   /*keep_alive=*/false);
    }
    if (error) return;  // timeout or a broken socket: nothing to answer, the socket closes
    request_ = parser_->release();
    auto wait = pacer_->WaitAt(RequestPacer::Clock::now());
    if (wait <= RequestPacer::Clock::duration::zero()) return Handle();
    pause_.expires_after(wait);
    pause_.async_wait([self = shared_from_this()](beast::error_code paused) {
      if (!paused) self->Handle();
    });
  }

  void Handle() {
    auto cpu_before = RequestPacer::ThreadCpuTime();
    HttpReply reply = (*handler_)(request_);
    pacer_->Charge(RequestPacer::Clock::now(), RequestPacer::ThreadCpuTime() - cpu_before);
    if (auto* stream = std::get_if<StreamingResponse>(&reply))
      return BeginStream(std::move(*stream));
    Reply(std::get<HttpResponse>(std::move(reply)), request_.keep_alive());
  }

  // A stream: the head as is, then the producer's chunks, each written before the next is
  // pulled, so a slow client slows the producer instead of piling up memory. The connection
  // closes after the last one.
  void BeginStream(StreamingResponse stream) {
    pull_ = std::move(stream.pull);
    std::string head = "HTTP/1.1 " + std::to_string(stream.head.result_int()) + " " +
                       std::string(stream.head.reason()) + "\r\n";
    for (const auto& field : stream.head) {
      head += std::string(field.name_string()) + ": " + std::string(field.value()) + "\r\n";
    }
    head += "Connection: close\r\n\r\n";
    // A stream may stay quiet for long (its producer sends comments to show it is alive).
    stream_.expires_never();
    WriteChunk(std::move(head), false);
  }

  void WriteChunk(std::string chunk, bool last) {
    chunk_ = std::move(chunk);
    net::async_write(stream_, net::buffer(chunk_),
                     [self = shared_from_this(), last](beast::error_code error, std::size_t) {
                       if (error) return;  // the client went away: pull no more
                       if (last) return self->Close();
                       self->Pull();
                     });
  }

  void Pull() {
    // The producer may answer from another thread: the write goes back to this connection's
    // strand. The answer holds the connection, as a pending operation would: producers always
    // answer (a quiet stream within its keep-alive interval), and one posted after the server
    // stopped is destroyed with the io_context.
    auto self = shared_from_this();
    pull_([self](std::string chunk, bool last) {
      auto executor = self->stream_.get_executor();
      net::post(executor, [self, chunk = std::move(chunk), last]() mutable {
        self->WriteChunk(std::move(chunk), last);
      });
    });
  }

  void Reply(HttpResponse response, bool keep_alive) {
    response_ = std::move(response);
    response_.keep_alive(keep_alive);
    response_.prepare_payload();
    stream_.expires_after(kIdleTimeout);
    http::async_write(stream_, response_,
                      beast::bind_front_handler(&Session::OnWrite, shared_from_this()));
  }

  void OnWrite(beast::error_code error, std::size_t /*bytes*/) {
    if (error) return;
    if (response_.need_eof()) return Close();
    Read();
  }

  void Close() {
    beast::error_code ignored;
    stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
  }

  beast::tcp_stream stream_;
  std::shared_ptr<const HttpHandler> handler_;
  std::shared_ptr<RequestPacer> pacer_;  // shared by every connection of the server
  net::steady_timer pause_;              // a request waiting for the pacer
  HttpRequest request_;                  // the one being handled
  beast::flat_buffer buffer_;
  std::optional<http::request_parser<http::string_body>> parser_;  // one per request
  std::function<void(StreamingResponse::Next)> pull_;              // while streaming
  std::string chunk_;      // kept alive until its async_write completes
  HttpResponse response_;  // kept alive until async_write completes
};

}  // namespace

// Accepts connections until stopped. Its acceptor has a strand of its own so that Stop(), from
// any thread, never races with an accept completing on another thread.
class HttpServer::Listener : public std::enable_shared_from_this<Listener> {
 public:
  Listener(net::io_context& io, HttpHandler handler, double cpu_share)
      : io_(io),
        acceptor_(net::make_strand(io)),
        handler_(std::make_shared<const HttpHandler>(std::move(handler))),
        pacer_(std::make_shared<RequestPacer>(cpu_share)) {}

  beast::error_code Listen(const tcp::endpoint& endpoint) {
    beast::error_code error;
    acceptor_.open(endpoint.protocol(), error);
    // Lets a restarted server bind again at once although old connections are in TIME_WAIT.
    if (!error) acceptor_.set_option(net::socket_base::reuse_address(true), error);
    if (!error) acceptor_.bind(endpoint, error);
    if (!error) acceptor_.listen(net::socket_base::max_listen_connections, error);
    return error;
  }

  uint16_t port() const {
    beast::error_code ignored;  // cannot fail once bound
    return acceptor_.local_endpoint(ignored).port();
  }

  void Accept() {
    acceptor_.async_accept(net::make_strand(io_),
                           beast::bind_front_handler(&Listener::OnAccept, shared_from_this()));
  }

  void Stop() {
    net::post(acceptor_.get_executor(), [self = shared_from_this()] {
      beast::error_code ignored;
      self->acceptor_.close(ignored);
    });
  }

 private:
  void OnAccept(beast::error_code error, tcp::socket socket) {
    if (!acceptor_.is_open()) return;  // stopped
    // Other accept errors (a client that reset, too many open files) concern one connection
    // only; the server keeps accepting.
    if (!error) std::make_shared<Session>(std::move(socket), handler_, pacer_)->Start();
    Accept();
  }

  net::io_context& io_;
  tcp::acceptor acceptor_;
  std::shared_ptr<const HttpHandler> handler_;
  std::shared_ptr<RequestPacer> pacer_;
};

absl::StatusOr<std::unique_ptr<HttpServer>> HttpServer::Start(net::io_context& io,
                                                              const HttpServerOptions& options,
                                                              HttpHandler handler) {
  beast::error_code error;
  net::ip::address address = net::ip::make_address(options.address, error);
  if (error) {
    return absl::InvalidArgumentError("HTTP listen address '" + options.address +
                                      "' is not an IP address");
  }
  if (!(options.cpu_share > 0 && options.cpu_share <= 1)) {
    return absl::InvalidArgumentError("the HTTP CPU share must be more than 0 and at most 1, not " +
                                      std::to_string(options.cpu_share));
  }
  auto listener = std::make_shared<Listener>(io, std::move(handler), options.cpu_share);
  error = listener->Listen(tcp::endpoint(address, options.port));
  if (error) {
    return absl::UnavailableError("cannot listen for HTTP on " + options.address + ":" +
                                  std::to_string(options.port) + ": " + error.message());
  }
  uint16_t port = listener->port();
  listener->Accept();
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(listener), port));
}

HttpServer::HttpServer(std::shared_ptr<Listener> listener, uint16_t port)
    : listener_(std::move(listener)), port_(port) {}

HttpServer::~HttpServer() { Stop(); }

void HttpServer::Stop() { listener_->Stop(); }

}  // namespace stepwise::api
