// `stepwise ping`: one round trip through the server's gRPC stack, to check an address, TLS
// settings and a token before anything else.
#include <chrono>
#include <cstdio>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "client/client_command.h"
#include "client/connection.h"
#include "client/output.h"
#include "commands.h"

namespace stepwise::cli {
namespace client {
namespace {

int Ping(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::PingRequest request;
  v1::PingResponse response;
  auto started = std::chrono::steady_clock::now();
  grpc::Status status = v1::Server::NewStub(connection->channel())
                            ->Ping(connection->Context().get(), request, &response);
  std::chrono::duration<double, std::milli> took = std::chrono::steady_clock::now() - started;
  if (!status.ok()) return connection->Fail("ping", status);
  if (invocation.options().json) {
    PrintJsonLine(response, std::cout);
    return kExitOk;
  }
  char round_trip[32];
  std::snprintf(round_trip, sizeof round_trip, "%.1f ms", took.count());
  std::cout << "stepwise server " << response.version() << " at " << invocation.options().server
            << ": round trip " << round_trip << "\n";
  return kExitOk;
}

}  // namespace
}  // namespace client

int RunPing(const std::vector<std::string>& args) {
  client::ClientCommand command = {"ping",
                                   {},
                                   {},
                                   R"(usage: stepwise ping

Calls the server once and prints its version and the round trip time. Exits 1 when the server
cannot be reached or refuses the call (a wrong --token).
)",
                                   client::Ping};
  return client::RunCommand(command, args);
}

}  // namespace stepwise::cli
