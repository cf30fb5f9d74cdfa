#include "client/connection.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "client/diagnostics.h"
#include "definition_file.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::cli::client {
namespace {

// Long enough for any ordinary call on a loaded server, short enough that a server that
// accepted the connection but never answers does not hang a script.
constexpr std::chrono::seconds kRoundTripAllowance{10};

absl::StatusOr<std::string> ReadPem(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError("cannot read --tls-ca '" + file +
                                      "': " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

std::string CodeName(grpc::StatusCode code) {
  return absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
}

}  // namespace

absl::StatusOr<Connection> Connection::Open(const ClientOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (options.tls_ca.empty()) {
    credentials = grpc::InsecureChannelCredentials();
  } else {
    absl::StatusOr<std::string> pem = ReadPem(options.tls_ca);
    if (!pem.ok()) return pem.status();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *std::move(pem);
    credentials = grpc::SslCredentials(ssl);
  }
  return Connection(options.server, options.token,
                    grpc::CreateChannel(options.server, credentials));
}

void Connection::Authorize(grpc::ClientContext& context) const {
  if (!token_.empty()) context.AddMetadata("authorization", "Bearer " + token_);
}

std::unique_ptr<grpc::ClientContext> Connection::Context(std::chrono::milliseconds wait) const {
  auto context = std::make_unique<grpc::ClientContext>();
  // Explicitly not waiting for readiness: a server that is down fails the call at once with
  // UNAVAILABLE instead of after the deadline.
  context->set_wait_for_ready(false);
  context->set_deadline(std::chrono::system_clock::now() + kRoundTripAllowance + wait);
  Authorize(*context);
  return context;
}

std::unique_ptr<grpc::ClientContext> Connection::StreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_wait_for_ready(false);
  Authorize(*context);
  return context;
}

int Connection::Fail(std::string_view what, const grpc::Status& status,
                     std::string_view definition_file) const {
  grpc::StatusCode code = status.error_code();
  // A call that never got through shows as UNAVAILABLE (refused, TLS handshake failed) or as
  // DEADLINE_EXCEEDED (nothing answered); a connected channel means the server itself said so.
  bool unreachable =
      (code == grpc::StatusCode::UNAVAILABLE || code == grpc::StatusCode::DEADLINE_EXCEEDED) &&
      channel_->GetState(false) != GRPC_CHANNEL_READY;
  if (unreachable) {
    std::cerr << "stepwise: cannot reach the Stepwise server at " << server_
              << " (is `stepwise server` running? set --server or STEPWISE_SERVER): "
              << CodeName(code) << ": " << status.error_message() << "\n";
    return kExitFailed;
  }
  std::vector<dsl::Diagnostic> diagnostics;
  if (code == grpc::StatusCode::INVALID_ARGUMENT) diagnostics = DefinitionDiagnostics(status);
  if (diagnostics.empty()) {
    std::cerr << "stepwise: " << what << ": " << CodeName(code) << ": " << status.error_message()
              << "\n";
    return kExitFailed;
  }
  // The message repeats the diagnostics one per line; its first line is the summary.
  const std::string& message = status.error_message();
  std::string summary = message.substr(0, message.find('\n'));
  if (summary.ends_with(':')) summary.pop_back();
  std::cerr << "stepwise: " << what << ": " << CodeName(code) << ": " << summary << "\n";
  PrintDiagnostics(std::string(definition_file.empty() ? "definition" : definition_file),
                   diagnostics, std::cerr);
  return kExitFailed;
}

std::optional<Connection> Connect(const Invocation& invocation) {
  absl::StatusOr<Connection> connection = Connection::Open(invocation.options());
  if (!connection.ok()) {
    std::cerr << "stepwise " << invocation.name() << ": " << connection.status().message() << "\n";
    return std::nullopt;
  }
  return *std::move(connection);
}

}  // namespace stepwise::cli::client
