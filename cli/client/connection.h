#pragma once

// The client side of one command's conversation with the server: the channel (plaintext or
// TLS), call contexts that carry the bearer token and a deadline, and the one way errors are
// reported.
#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "client/client_command.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::cli::client {

class Connection {
 public:
  // Fails (with a message naming the file) only when --tls-ca cannot be read. No connection is
  // made until the first call.
  static absl::StatusOr<Connection> Open(const ClientOptions& options);

  const std::shared_ptr<grpc::Channel>& channel() const { return channel_; }

  // A context for one call. Calls fail fast when the server cannot be reached (no waiting for
  // it to come up); `wait` is how long the call itself may legitimately take on the server (a
  // long poll, a synchronous start), added to a short allowance for the round trip.
  std::unique_ptr<grpc::ClientContext> Context(
      std::chrono::milliseconds wait = std::chrono::milliseconds(0)) const;

  // A context without a deadline, for a stream that lasts as long as the execution it watches.
  std::unique_ptr<grpc::ClientContext> StreamContext() const;

  // Prints "stepwise: WHAT: CODE: message" on stderr (or that the server cannot be reached) and
  // returns kExitFailed. For a definition the server refused, each diagnostic is printed on its
  // own line as `FILE: error: /pointer: message`, `definition_file` naming the file.
  int Fail(std::string_view what, const grpc::Status& status,
           std::string_view definition_file = "") const;

 private:
  Connection(std::string server, std::string token, std::shared_ptr<grpc::Channel> channel)
      : server_(std::move(server)), token_(std::move(token)), channel_(std::move(channel)) {}

  void Authorize(grpc::ClientContext& context) const;

  std::string server_;
  std::string token_;
  std::shared_ptr<grpc::Channel> channel_;
};

// Opens the connection for `invocation`; on failure prints why and returns nullopt, and the
// command exits with kExitUsage (a bad --tls-ca is a bad command line).
std::optional<Connection> Connect(const Invocation& invocation);

}  // namespace stepwise::cli::client
