#include "worker_client.h"

#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>
#include <fstream>
#include <sstream>
#include <utility>

namespace stepwise::workers::internal {
namespace {

// How long a unary call may take: long enough for a loaded server, short enough that a server
// that accepted the connection but never answers does not hold a slot for long.
constexpr std::chrono::seconds kRoundTripAllowance{10};

absl::StatusOr<std::string> ReadPem(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError("cannot read tls_ca_file '" + file +
                                      "': " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

absl::StatusOr<std::unique_ptr<TaskClient>> TaskClient::Connect(const WorkerOptions& options) {
  std::shared_ptr<grpc::ChannelCredentials> credentials;
  if (!options.tls_ca_file.empty()) {
    absl::StatusOr<std::string> pem = ReadPem(options.tls_ca_file);
    if (!pem.ok()) return pem.status();
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = *std::move(pem);
    credentials = grpc::SslCredentials(ssl);
  } else if (options.tls) {
    credentials = grpc::SslCredentials(grpc::SslCredentialsOptions());
  } else {
    credentials = grpc::InsecureChannelCredentials();
  }
  return std::unique_ptr<TaskClient>(
      new TaskClient(options, grpc::CreateChannel(options.server, credentials)));
}

TaskClient::TaskClient(const WorkerOptions& options, std::shared_ptr<grpc::Channel> channel)
    : server_(options.server),
      token_(options.token),
      host_(HostName()),
      channel_(std::move(channel)),
      stub_(v1::Tasks::NewStub(channel_)) {
  identity_ = options.identity.empty() ? host_ + ":" + std::to_string(getpid()) : options.identity;
}

std::unique_ptr<grpc::ClientContext> TaskClient::Context(std::chrono::milliseconds timeout) const {
  auto context = std::make_unique<grpc::ClientContext>();
  // A server that is down fails the call at once (UNAVAILABLE) instead of at the deadline:
  // the worker's own backoff decides when to try again.
  context->set_wait_for_ready(false);
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
  return context;
}

std::unique_ptr<grpc::ClientContext> TaskClient::StreamContext() const {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_wait_for_ready(false);
  if (!token_.empty()) context->AddMetadata("authorization", "Bearer " + token_);
  return context;
}

absl::Status TaskClient::ToStatus(const grpc::Status& status, std::string_view call) const {
  if (status.ok()) return absl::OkStatus();
  auto code = static_cast<absl::StatusCode>(status.error_code());
  std::string message = std::string(call) + ": ";
  switch (status.error_code()) {
    case grpc::StatusCode::UNAVAILABLE:
      message += "cannot reach the Stepwise server at " + server_ +
                 " (is it running, and is WorkerOptions::server right?): ";
      break;
    case grpc::StatusCode::UNAUTHENTICATED:
      message += "the server at " + server_ + " refused the worker (WorkerOptions::token): ";
      break;
    default:
      break;
  }
  message += absl::StatusCodeToString(code) + ": " + status.error_message();
  return absl::Status(code, message);
}

absl::Status TaskClient::Succeed(const std::string& token, const std::string& output,
                                 bool cold_start) {
  v1::SucceedTaskRequest request;
  request.set_token(token);
  request.set_output(output);
  request.set_cold_start(cold_start);
  request.set_worker(identity_);
  v1::SucceedTaskResponse response;
  return ToStatus(stub_->SucceedTask(Context(kRoundTripAllowance).get(), request, &response),
                  "SucceedTask");
}

absl::Status TaskClient::Fail(const std::string& token, std::string_view error,
                              std::string_view cause, bool cold_start) {
  v1::FailTaskRequest request;
  request.set_token(token);
  request.set_cold_start(cold_start);
  request.set_error(std::string(error));
  request.set_cause(std::string(cause));
  request.set_worker(identity_);
  v1::FailTaskResponse response;
  return ToStatus(stub_->FailTask(Context(kRoundTripAllowance).get(), request, &response),
                  "FailTask");
}

absl::StatusOr<bool> TaskClient::Heartbeat(const std::string& token,
                                           std::chrono::milliseconds timeout) {
  v1::HeartbeatTaskRequest request;
  request.set_token(token);
  request.set_worker(identity_);
  v1::HeartbeatTaskResponse response;
  grpc::Status status = stub_->HeartbeatTask(Context(timeout).get(), request, &response);
  if (!status.ok()) return ToStatus(status, "HeartbeatTask");
  return response.cancelled();
}

std::string HostName() {
  char host[HOST_NAME_MAX + 1] = "";
  if (gethostname(host, sizeof host) != 0) std::strcpy(host, "unknown-host");
  host[HOST_NAME_MAX] = '\0';  // POSIX does not promise termination of a truncated name
  return host;
}

TaskInfo ToTaskInfo(const v1::Task& task) {
  TaskInfo info;
  info.token = task.token();
  info.execution_id = task.execution_id();
  info.state_name = task.state_name();
  info.function = task.function();
  info.resource = task.resource();
  info.attempt = task.attempt();
  if (task.has_deadline()) {
    info.deadline = std::chrono::system_clock::time_point(
        std::chrono::duration_cast<std::chrono::system_clock::duration>(
            std::chrono::seconds(task.deadline().seconds()) +
            std::chrono::nanoseconds(task.deadline().nanos())));
  }
  info.heartbeat = std::chrono::seconds(task.heartbeat_seconds());
  info.callback = task.callback();
  return info;
}

}  // namespace stepwise::workers::internal
