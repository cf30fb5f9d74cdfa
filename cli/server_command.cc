// `stepwise server`: the server in the foreground until SIGTERM or SIGINT, then a graceful
// shutdown (calls in flight finish, polls are released, the store is closed cleanly).
#include <signal.h>

#include <cstdlib>
#include <iostream>
#include <string>
#include <vector>

#include "api/server/function_config.h"
#include "api/server/server.h"
#include "commands.h"

namespace stepwise::cli {
namespace {

constexpr const char* kUsage = R"(usage: stepwise server [options]

  --data DIR         the data directory (default ./stepwise-data, or STEPWISE_DATA)
  --grpc ADDR        gRPC address (default 127.0.0.1:7233; port 0 picks a free one)
  --http ADDR        HTTP address for the REST API and console (default 127.0.0.1:8080)
  --http-cpu-share F the share of one CPU that answering HTTP requests may take before they
                     wait their turn (default 0.1; 1: never wait), so that reading the API
                     slows down before executions do
  --token TOKEN      require 'authorization: Bearer TOKEN' on every call (or STEPWISE_TOKEN)
  --tls-cert FILE    serve gRPC over TLS with this PEM certificate chain...
  --tls-key FILE     ...and this PEM private key
  --no-sync          do not fsync each step (faster; a machine crash may lose the last steps)
  --functions FILE   functions' limits (timeout, max_concurrency, rate, circuit breaker) and
                     the defaults of unregistered ones, as JSON; see docs/functions.md. They
                     win over limits registered through the API.

Prints 'stepwise server listening: grpc ADDR http ADDR' once it serves, and runs until SIGTERM
or Ctrl-C, then shuts down gracefully.
)";

std::string HostOf(const std::string& address) {
  std::size_t colon = address.rfind(':');
  return colon == std::string::npos ? address : address.substr(0, colon);
}

}  // namespace

int RunServer(const std::vector<std::string>& args) {
  api::ServerOptions options;
  if (const char* data = std::getenv("STEPWISE_DATA")) options.data_dir = data;
  if (const char* token = std::getenv("STEPWISE_TOKEN")) options.auth_token = token;
  std::string functions_file;
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    auto value = [&](std::string& into) {
      if (i + 1 >= args.size()) return false;
      into = args[++i];
      return true;
    };
    bool ok = true;
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg == "--data") {
      ok = value(options.data_dir);
    } else if (arg == "--grpc") {
      ok = value(options.grpc_address);
    } else if (arg == "--http") {
      ok = value(options.http_address);
    } else if (arg == "--http-cpu-share") {
      std::string text;
      ok = value(text);
      char* end = nullptr;
      options.http_cpu_share = ok ? std::strtod(text.c_str(), &end) : 0;
      if (ok && (end == text.c_str() || *end != '\0' || !(options.http_cpu_share > 0) ||
                 options.http_cpu_share > 1)) {
        std::cerr << "stepwise server: --http-cpu-share takes a number more than 0 and at most "
                     "1, not '"
                  << text << "'\n\n"
                  << kUsage;
        return 2;
      }
    } else if (arg == "--token") {
      ok = value(options.auth_token);
    } else if (arg == "--tls-cert") {
      ok = value(options.tls_cert_file);
    } else if (arg == "--tls-key") {
      ok = value(options.tls_key_file);
    } else if (arg == "--no-sync") {
      options.sync_writes = false;
    } else if (arg == "--functions") {
      ok = value(functions_file);
    } else {
      std::cerr << "stepwise server: unknown option '" << arg << "'\n\n" << kUsage;
      return 2;
    }
    if (!ok) {
      std::cerr << "stepwise server: " << arg << " needs a value\n\n" << kUsage;
      return 2;
    }
  }

  if (!functions_file.empty()) {
    auto engine_options = api::ReadFunctionConfig(functions_file, options.engine);
    if (!engine_options.ok()) {
      std::cerr << "stepwise server: " << engine_options.status().message() << "\n";
      return 2;
    }
    options.engine = *std::move(engine_options);
  }

  // Every thread the server starts inherits this mask, so the signals reach only sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  auto server = api::Server::Start(options);
  if (!server.ok()) {
    std::cerr << "stepwise server: " << server.status().message() << "\n";
    return 1;
  }
  std::cout << "stepwise server listening: grpc " << HostOf(options.grpc_address) << ":"
            << (*server)->grpc_port() << " http " << HostOf(options.http_address) << ":"
            << (*server)->http_port() << std::endl;
  std::cerr << "stepwise server: data in " << options.data_dir
            << (options.sync_writes ? "" : " (not synced)") << "; stop with Ctrl-C or SIGTERM\n";

  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "stepwise server: " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", shutting down\n";
  (*server)->Shutdown();
  std::cerr << "stepwise server: stopped\n";
  return 0;
}

}  // namespace stepwise::cli
