#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stepwise/engine/engine.h"

namespace stepwise::api {

// How `stepwise server` runs.
struct ServerOptions {
  // The data directory (an embedded RocksDB); created when missing.
  std::string data_dir = "./stepwise-data";
  // true (default): every step is fsynced before it is acknowledged. false: faster, and a
  // machine crash (not a process crash) may lose the last steps.
  bool sync_writes = true;
  // gRPC listening address; port 0 picks a free one (see Server::grpc_port()).
  std::string grpc_address = "127.0.0.1:7233";
  // HTTP listening address (REST API, metrics, console); port 0 picks a free one.
  std::string http_address = "127.0.0.1:8080";
  // The share of one CPU that handling HTTP requests may take before requests wait their turn
  // (api/rest/request_pacer.h): reading the API slows down before executions do.
  double http_cpu_share = 0.1;
  // When set, every gRPC call must carry "authorization: Bearer <auth_token>" (health checks
  // and reflection aside); others get UNAUTHENTICATED.
  std::string auth_token;
  // When both are set (PEM files), the gRPC port serves TLS only.
  std::string tls_cert_file;
  std::string tls_key_file;
  // Largest request accepted (RESOURCE_EXHAUSTED beyond): definitions, inputs, outputs.
  int max_request_bytes = 4 << 20;
  engine::EngineOptions engine;
};

// The Stepwise server: one process, an embedded RocksDB, the engine, the gRPC API (with health
// checking and reflection) and the HTTP port.
class Server {
 public:
  // Opens the data directory, recovers every unfinished execution, then listens. Fails with a
  // message that says what to fix: the directory in use by another process, an address that
  // cannot be bound, unreadable TLS files.
  static absl::StatusOr<std::unique_ptr<Server>> Start(const ServerOptions& options);

  ~Server();  // Shutdown(), if not done
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  int grpc_port() const;
  int http_port() const;

  // Graceful shutdown: stops accepting calls, answers waiting task polls with no task, lets
  // calls in flight finish (up to `grace`, then cancels them), stops the engine and closes the
  // store cleanly. Idempotent; thread-safe.
  void Shutdown(std::chrono::milliseconds grace = std::chrono::seconds(10));

  // Blocks until Shutdown() has completed.
  void Wait();

  struct Impl;

 private:
  explicit Server(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace stepwise::api
