#include "api/server/server.h"

#include <pthread.h>

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/io_context.hpp>
#include <charconv>
#include <condition_variable>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "absl/synchronization/mutex.h"
#include "api/grpc/call_guard.h"
#include "api/grpc/execution_service.h"
#include "api/grpc/function_service.h"
#include "api/grpc/server_service.h"
#include "api/grpc/state_machine_service.h"
#include "api/grpc/task_service.h"
#include "api/rest/http_server.h"
#include "api/rest/rest_api.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/grpcpp.h"
#include "grpcpp/health_check_service_interface.h"
#include "stepwise/engine/clock.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::api {
namespace {

// Called on the HTTP thread: names it, for top, perf and gdb. (Lowering its priority was tried:
// at nice 10 or 19 the REST load benchmark lost as much engine throughput as at 0, so the cost
// of serving is not a matter of scheduling; see bench/README.md.)
void NameTheHttpThread() { pthread_setname_np(pthread_self(), "stepwise-http"); }

absl::StatusOr<std::string> ReadPemFile(const std::string& what, const std::string& path) {
  std::ifstream file(path, std::ios::binary);
  if (!file) {
    return absl::InvalidArgumentError("cannot read the TLS " + what + " file '" + path + "'");
  }
  std::stringstream text;
  text << file.rdbuf();
  if (text.str().find("-----BEGIN") == std::string::npos) {
    return absl::InvalidArgumentError("the TLS " + what + " file '" + path +
                                      "' is not PEM (no -----BEGIN line)");
  }
  return text.str();
}

absl::StatusOr<std::shared_ptr<grpc::ServerCredentials>> Credentials(const ServerOptions& options) {
  if (options.tls_cert_file.empty() != options.tls_key_file.empty()) {
    return absl::InvalidArgumentError(
        "TLS needs both a certificate and a key file (--tls-cert and --tls-key)");
  }
  if (options.tls_cert_file.empty()) return grpc::InsecureServerCredentials();
  auto cert = ReadPemFile("certificate", options.tls_cert_file);
  if (!cert.ok()) return cert.status();
  auto key = ReadPemFile("key", options.tls_key_file);
  if (!key.ok()) return key.status();
  grpc::SslServerCredentialsOptions ssl;
  ssl.pem_key_cert_pairs.push_back({*key, *cert});
  return grpc::SslServerCredentials(ssl);
}

// "host:port" with a numeric port (0 allowed).
absl::StatusOr<std::pair<std::string, std::uint16_t>> SplitAddress(const std::string& address) {
  std::size_t colon = address.rfind(':');
  unsigned port = 0;
  if (colon == std::string::npos || colon == 0) {
    return absl::InvalidArgumentError("address '" + address + "' is not HOST:PORT");
  }
  const char* begin = address.data() + colon + 1;
  const char* end = address.data() + address.size();
  auto parsed = std::from_chars(begin, end, port);
  if (parsed.ec != std::errc() || parsed.ptr != end || port > 65535) {
    return absl::InvalidArgumentError("address '" + address + "' has no valid port (0-65535)");
  }
  std::string host = address.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']') {
    host = host.substr(1, host.size() - 2);
  }
  return std::pair{host, static_cast<std::uint16_t>(port)};
}

}  // namespace

struct Server::Impl {
  engine::SystemClock clock;
  std::unique_ptr<engine::Store> store;
  std::unique_ptr<engine::Engine> engine;
  std::unique_ptr<CallGuard> guard;
  std::unique_ptr<StateMachineService> state_machines;
  std::unique_ptr<ExecutionService> executions;
  WorkerRegistry workers;
  std::unique_ptr<TaskService> tasks;
  std::unique_ptr<FunctionService> functions;
  std::unique_ptr<ServerService> server_service;
  std::unique_ptr<grpc::Server> grpc_server;
  int grpc_port = 0;

  boost::asio::io_context io;
  std::optional<boost::asio::executor_work_guard<boost::asio::io_context::executor_type>> io_work;
  std::thread io_thread;
  std::unique_ptr<RestApi> rest;
  std::unique_ptr<HttpServer> http;

  std::mutex mutex;
  std::condition_variable stopped_changed;
  bool stopping = false;
  bool stopped = false;

  absl::Status StartGrpc(const ServerOptions& options);
  absl::Status StartHttp(const ServerOptions& options);
};

absl::Status Server::Impl::StartGrpc(const ServerOptions& options) {
  auto credentials = Credentials(options);
  if (!credentials.ok()) return credentials.status();
  guard = std::make_unique<CallGuard>(options.auth_token);
  state_machines = std::make_unique<StateMachineService>(*engine, *store, *guard);
  executions = std::make_unique<ExecutionService>(*engine, *store, *guard);
  tasks = std::make_unique<TaskService>(*engine, *guard, workers);
  functions = std::make_unique<FunctionService>(*engine, *guard, workers);
  server_service = std::make_unique<ServerService>(*guard);

  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  grpc::ServerBuilder builder;
  builder.AddListeningPort(options.grpc_address, *credentials, &grpc_port);
  builder.SetMaxReceiveMessageSize(options.max_request_bytes);
  // gRPC binds with SO_REUSEPORT by default, which would let a second server share the port
  // (and half the calls) instead of being told the port is taken.
  builder.AddChannelArgument(GRPC_ARG_ALLOW_REUSEPORT, 0);
  builder.RegisterService(state_machines.get());
  builder.RegisterService(executions.get());
  builder.RegisterService(tasks.get());
  builder.RegisterService(functions.get());
  builder.RegisterService(server_service.get());
  grpc_server = builder.BuildAndStart();
  if (!grpc_server || grpc_port == 0) {
    return absl::UnavailableError("cannot listen for gRPC on '" + options.grpc_address +
                                  "': the address is in use or not a local address; pick "
                                  "another with --grpc");
  }
  return absl::OkStatus();
}

absl::Status Server::Impl::StartHttp(const ServerOptions& options) {
  auto address = SplitAddress(options.http_address);
  if (!address.ok()) return address.status();
  HttpServerOptions http_options;
  http_options.address = address->first;
  http_options.port = address->second;
  http_options.cpu_share = options.http_cpu_share;
  rest = std::make_unique<RestApi>(*engine, *store, workers, options.auth_token);
  auto started = HttpServer::Start(
      io, http_options,
      [api = rest.get()](const HttpRequest& request) { return api->Handle(request); });
  if (!started.ok()) return started.status();
  http = *std::move(started);
  io_work.emplace(io.get_executor());
  io_thread = std::thread([this] {
    NameTheHttpThread();
    io.run();
  });
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<Server>> Server::Start(const ServerOptions& options) {
  // Debian's abseil checks every absl::Mutex acquisition (gRPC takes many per call) for lock
  // order cycles, a debugging aid that costs several percent of a busy server's CPU.
  absl::SetMutexDeadlockDetectionMode(absl::OnDeadlockCycle::kIgnore);
  auto impl = std::make_unique<Impl>();
  storage::RocksStoreOptions store_options;
  store_options.sync_writes = options.sync_writes;
  auto store = storage::OpenRocksStore(options.data_dir, store_options);
  if (!store.ok()) return store.status();
  impl->store = *std::move(store);
  impl->engine = std::make_unique<engine::Engine>(*impl->store, impl->clock, options.engine);
  if (absl::Status recovered = impl->engine->Recover(); !recovered.ok()) {
    return absl::Status(recovered.code(), "recovering the executions in '" + options.data_dir +
                                              "' failed: " + std::string(recovered.message()));
  }
  if (absl::Status grpc_started = impl->StartGrpc(options); !grpc_started.ok()) {
    return grpc_started;
  }
  if (absl::Status http_started = impl->StartHttp(options); !http_started.ok()) {
    impl->grpc_server->Shutdown();
    return http_started;
  }
  return std::unique_ptr<Server>(new Server(std::move(impl)));
}

Server::Server(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

Server::~Server() { Shutdown(); }

int Server::grpc_port() const { return impl_->grpc_port; }

int Server::http_port() const { return impl_->http ? impl_->http->port() : 0; }

void Server::Shutdown(std::chrono::milliseconds grace) {
  {
    std::unique_lock lock(impl_->mutex);
    if (impl_->stopping) {
      impl_->stopped_changed.wait(lock, [this] { return impl_->stopped; });
      return;
    }
    impl_->stopping = true;
  }
  if (impl_->rest) impl_->rest->SetReady(false);
  // Waiting polls would hold the shutdown for their whole wait: answer them now (no task).
  impl_->engine->ReleasePolls();
  impl_->grpc_server->Shutdown(std::chrono::system_clock::now() + grace);
  impl_->grpc_server->Wait();
  if (impl_->http) impl_->http->Stop();
  impl_->io_work.reset();
  impl_->io.stop();
  if (impl_->io_thread.joinable()) impl_->io_thread.join();
  impl_->http.reset();
  impl_->engine.reset();  // steps in flight finish first
  impl_->store.reset();   // closes RocksDB cleanly
  {
    std::lock_guard lock(impl_->mutex);
    impl_->stopped = true;
  }
  impl_->stopped_changed.notify_all();
}

void Server::Wait() {
  std::unique_lock lock(impl_->mutex);
  impl_->stopped_changed.wait(lock, [this] { return impl_->stopped; });
}

}  // namespace stepwise::api
