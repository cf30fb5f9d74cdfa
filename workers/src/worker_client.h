#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "stepwise/workers/worker.h"

namespace stepwise::workers::internal {

// The worker's side of the Tasks service: one channel (plaintext or TLS), the bearer token on
// every call, and gRPC statuses turned into absl::Status with messages that say what to fix.
// Thread-safe.
class TaskClient {
 public:
  // Fails (InvalidArgument, naming the file) only when tls_ca_file cannot be read; no
  // connection is made until the first call.
  static absl::StatusOr<std::unique_ptr<TaskClient>> Connect(const WorkerOptions& options);

  // `cold_start`: the invocation ran in a freshly started instance.
  absl::Status Succeed(const std::string& token, const std::string& output, bool cold_start);
  absl::Status Fail(const std::string& token, std::string_view error, std::string_view cause,
                    bool cold_start);
  // Whether the server answered that the task was cancelled.
  absl::StatusOr<bool> Heartbeat(const std::string& token, std::chrono::milliseconds timeout);

  // For a Tasks.Connect stream: the token, no deadline (it lives as long as the worker).
  std::unique_ptr<grpc::ClientContext> StreamContext() const;
  v1::Tasks::Stub& stub() { return *stub_; }
  // `status` of `call` as an absl::Status whose message says what to fix.
  absl::Status ToStatus(const grpc::Status& status, std::string_view call) const;

  const std::string& server() const { return server_; }
  const std::string& host() const { return host_; }
  // Who the worker says it is on every call (WorkerOptions::identity, or "host:pid").
  const std::string& identity() const { return identity_; }

 private:
  TaskClient(const WorkerOptions& options, std::shared_ptr<grpc::Channel> channel);

  std::unique_ptr<grpc::ClientContext> Context(std::chrono::milliseconds timeout) const;

  std::string server_;
  std::string token_;
  std::string identity_;
  std::string host_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::Tasks::Stub> stub_;
};

// This machine's host name.
std::string HostName();

// The proto's Task as the SDK's TaskInfo.
TaskInfo ToTaskInfo(const v1::Task& task);

}  // namespace stepwise::workers::internal
