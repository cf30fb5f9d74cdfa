// server_bench: the gRPC server's figures (issue 6) beside two baselines measured in the same
// run: an empty unary call (Ping) through the same server stack, and raw synced RocksDB batches
// of the size a start commits, from 64 threads, on the same disk. See bench/README.md.
//
//   server_bench [--dir DIR] [--quick] [--seconds S] [--keep]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdio>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "api/server/server.h"
#include "bench_report.h"
#include "durable_bench_support.h"
#include "grpcpp/grpcpp.h"

#ifndef STEPWISE_BENCH_DEFAULT_ROOT
#define STEPWISE_BENCH_DEFAULT_ROOT "."
#endif

namespace stepwise::bench {
namespace {

namespace fs = std::filesystem;

struct Config {
  std::string root;
  bool keep = false;
  double seconds = 3.0;  // each measuring window
  int rounds = 3;        // windows of each kind, interleaved
  int clients = 64;
  std::set<std::string> phases = {"ping", "raw", "start", "short"};
  bool Runs(const char* phase) const { return phases.count(phase) > 0; }
};

constexpr const char* kUsage =
    "usage: server_bench [--dir DIR] [--quick] [--seconds S] [--only LIST] [--keep]\n"
    "  --dir DIR    where the databases go (default: a new directory under the build tree)\n"
    "  --quick      a smoke run: one round of 0.5 s windows\n"
    "  --seconds S  length of each measuring window (default 3)\n"
    "  --only LIST  run only these of ping,raw,start,short (comma-separated)\n"
    "  --keep       keep the databases afterwards\n";

// The short workflow: three Pass states, so a start-to-finish is two commits (the start, and
// the rest of the run, which needs no worker).
constexpr const char* kShortWorkflow = R"json({"StartAt": "A", "States": {
  "A": {"Type": "Pass", "Result": {"checked": true}, "ResultPath": "$.check", "Next": "B"},
  "B": {"Type": "Pass", "Parameters": {"order.$": "$.order", "ok.$": "$.check.checked"},
        "Next": "C"},
  "C": {"Type": "Pass", "End": true}}})json";

// A workflow that starts and then parks (a long Wait): StartExecution's cost alone.
constexpr const char* kParkedWorkflow = R"json({"StartAt": "Park", "States": {
  "Park": {"Type": "Wait", "Seconds": 86400, "End": true}}})json";

constexpr const char* kInput = R"({"order": {"id": "ord-000123", "amount": 129.95}})";

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return context;
}

struct Figures {
  std::int64_t calls = 0;
  double seconds = 0;
  Latencies latency;
  std::string error;
  double PerSecond() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
};

// Starts call number `n` of client `client` and returns at once; `done` runs with its status
// once the answer is in.
using AsyncCall =
    std::function<void(int client, std::int64_t n, std::function<void(grpc::Status)> done)>;

// What one call needs until its answer: gRPC's callback API keeps none of it.
template <typename Request, typename Response>
struct InFlight {
  grpc::ClientContext context;
  Request request;
  Response response;
};

template <typename Request, typename Response>
std::shared_ptr<InFlight<Request, Response>> NewCall() {
  auto call = std::make_shared<InFlight<Request, Response>>();
  call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return call;
}

// Runs `clients` clients for `seconds`, each on a channel of its own (as separate clients would
// be) with one call in flight at a time: the next call starts when the last is answered. The
// clients use gRPC's callback API, so they cost a few of gRPC's threads rather than a blocked
// thread each: the server shares this machine's cores with them, and clients elsewhere would
// not take their CPU from it. Adds to `figures`.
void Drive(int clients, double seconds, const AsyncCall& call, Figures& figures) {
  // Each client's figures are touched only by its own calls' callbacks, one after another.
  std::vector<Latencies> latencies(clients);
  std::vector<std::int64_t> counts(clients, 0);
  std::vector<std::string> errors(clients);
  std::atomic<bool> stop{false};
  std::mutex mutex;
  std::condition_variable finished;
  int running = clients;
  auto finish = [&] {
    std::lock_guard lock(mutex);
    if (--running == 0) finished.notify_all();
  };
  std::function<void(int, std::int64_t)> issue = [&](int client, std::int64_t n) {
    auto start = SteadyClock::now();
    call(client, n, [&, client, n, start](grpc::Status status) {
      if (!status.ok()) {
        errors[client] = status.error_message();
        return finish();
      }
      latencies[client].Add(MillisSince(start) * 1000.0);
      ++counts[client];
      if (stop.load(std::memory_order_relaxed)) return finish();
      issue(client, n + 1);
    });
  };
  auto begin = SteadyClock::now();
  for (int i = 0; i < clients; ++i) issue(i, 0);
  std::this_thread::sleep_for(std::chrono::duration<double>(seconds));  // the window itself
  stop.store(true);
  {
    std::unique_lock lock(mutex);
    finished.wait(lock, [&] { return running == 0; });
  }
  figures.seconds += SecondsSince(begin);
  for (int i = 0; i < clients; ++i) {
    figures.calls += counts[i];
    figures.latency.Merge(latencies[i]);
    if (figures.error.empty() && !errors[i].empty()) figures.error = errors[i];
  }
}

std::string Describe(Figures& figures) {
  if (!figures.error.empty()) return "error: " + figures.error;
  return Format("%.0f/s  p50 %s  p99 %s", figures.PerSecond(),
                Ms(figures.latency.Percentile(50)).c_str(),
                Ms(figures.latency.Percentile(99)).c_str());
}

// The clients' channels and stubs, made and connected before any window opens.
struct Clients {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Server::Stub>> servers;
  std::vector<std::unique_ptr<v1::Executions::Stub>> executions;

  Clients(const std::string& address, int count) {
    for (int i = 0; i < count; ++i) {
      grpc::ChannelArguments arguments;
      arguments.SetInt("grpc.channel_id", i);  // distinct channels, not one shared subchannel
      channels.push_back(
          grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));
      channels.back()->WaitForConnected(std::chrono::system_clock::now() +
                                        std::chrono::seconds(10));
      servers.push_back(v1::Server::NewStub(channels.back()));
      executions.push_back(v1::Executions::NewStub(channels.back()));
    }
  }
};

AsyncCall Ping(Clients& clients) {
  return [&clients](int client, std::int64_t, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::PingRequest, v1::PingResponse>();
    clients.servers[client]->async()->Ping(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) { done(std::move(status)); });
  };
}

AsyncCall StartParked(Clients& clients, std::string prefix) {
  return [&clients, prefix](int client, std::int64_t n, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::StartExecutionRequest, v1::StartExecutionResponse>();
    call->request.set_state_machine("parked");
    call->request.set_name(prefix + "-" + std::to_string(client) + "-" + std::to_string(n));
    call->request.set_input(kInput);
    clients.executions[client]->async()->StartExecution(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) { done(std::move(status)); });
  };
}

AsyncCall RunShort(Clients& clients, std::string prefix) {
  return [&clients, prefix](int client, std::int64_t n, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::StartSyncExecutionRequest, v1::Execution>();
    call->request.mutable_start()->set_state_machine("short");
    call->request.mutable_start()->set_name(prefix + "-" + std::to_string(client) + "-" +
                                            std::to_string(n));
    call->request.mutable_start()->set_input(kInput);
    clients.executions[client]->async()->StartSyncExecution(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) {
          if (status.ok() && call->response.status() != v1::SUCCEEDED) {
            status = grpc::Status(grpc::StatusCode::INTERNAL, "the short workflow did not succeed");
          }
          done(std::move(status));
        });
  };
}

grpc::Status CreateMachine(const std::string& address, const std::string& name,
                           const std::string& definition) {
  auto stub =
      v1::StateMachines::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::CreateStateMachineRequest request;
  request.set_name(name);
  request.set_definition(definition);
  v1::StateMachine response;
  return stub->CreateStateMachine(Context().get(), request, &response);
}

int Run(const Config& config) {
  Report report;
  fs::create_directories(config.root);
  std::string server_dir = config.root + "/server";
  std::string raw_dir = config.root + "/raw";
  bool tmpfs = false;
  report.Note("server_bench: data in " + config.root + " (" +
              DescribeFilesystem(config.root, tmpfs) + "), " +
              std::to_string(std::thread::hardware_concurrency()) + " cores" +
              (tmpfs ? "; WARNING: tmpfs, where fsync costs nothing" : ""));

  api::ServerOptions options;
  options.data_dir = server_dir;
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  auto server = api::Server::Start(options);  // synced, as the server runs by default
  if (!server.ok()) {
    std::fprintf(stderr, "server_bench: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string address = "127.0.0.1:" + std::to_string((*server)->grpc_port());
  for (auto [name, definition] :
       {std::pair{"short", kShortWorkflow}, std::pair{"parked", kParkedWorkflow}}) {
    grpc::Status created = CreateMachine(address, name, definition);
    if (!created.ok()) {
      std::fprintf(stderr, "server_bench: creating %s: %s\n", name,
                   created.error_message().c_str());
      return 1;
    }
  }

  Clients clients(address, config.clients);
  // The batch a start commits, read back from the server's own log, shapes the raw baseline.
  Progress("warming up, and reading the shape of a start's batch from the server's log");
  Figures warmup;
  Drive(4, 0.5, StartParked(clients, "warm"), warmup);
  std::string wal_error;
  std::vector<BatchShape> batches = ReadWalBatches(server_dir, wal_error);
  const BatchShape* median = MedianBatch(batches);
  BatchShape shape = median ? *median : SyntheticBatch(8, 1200);
  report.Note(Format("a start's batch (median of %zu in the log): %zu puts, %zu deletes, %zu bytes",
                     batches.size(), shape.Puts(), shape.Deletes(), shape.data_bytes));
  std::string raw_error;
  auto raw = RawWriter::Open(raw_dir, shape, raw_error);
  if (!raw) {
    std::fprintf(stderr, "server_bench: raw baseline: %s\n", raw_error.c_str());
    return 1;
  }

  Figures ping_1, ping_n, start_1, start_n, short_1, short_n;
  RawResult raw_n;
  std::int64_t round_tag = 0;
  for (int round = 0; round < config.rounds; ++round) {
    Progress(Format("round %d of %d", round + 1, config.rounds));
    auto prefix = [&] { return "r" + std::to_string(round_tag++); };
    if (config.Runs("ping")) {
      Drive(1, config.seconds, Ping(clients), ping_1);
      Drive(config.clients, config.seconds, Ping(clients), ping_n);
    }
    if (config.Runs("raw")) raw->Run(config.clients, config.seconds, raw_n);
    if (config.Runs("start")) {
      Drive(1, config.seconds, StartParked(clients, prefix()), start_1);
      Drive(config.clients, config.seconds, StartParked(clients, prefix()), start_n);
    }
    if (config.Runs("short")) {
      Drive(1, config.seconds, RunShort(clients, prefix()), short_1);
      Drive(config.clients, config.seconds, RunShort(clients, prefix()), short_n);
    }
  }

  std::string n = std::to_string(config.clients);
  if (config.Runs("ping")) {
    report.Row("1 ping (empty unary call), 1 client", Describe(ping_1));
    report.Row("1 ping, " + n + " clients", Describe(ping_n));
  }
  if (config.Runs("raw")) {
    report.Row("2 raw synced RocksDB batches, " + n + " threads",
               raw_n.error.empty() ? Format("%.0f/s  p50 %s  p99 %s", raw_n.WritesPerSecond(),
                                            Ms(raw_n.latency.Percentile(50)).c_str(),
                                            Ms(raw_n.latency.Percentile(99)).c_str())
                                   : "error: " + raw_n.error);
  }
  if (config.Runs("start")) {
    report.Row("3 StartExecution, 1 client", Describe(start_1));
    report.Row("3 StartExecution, " + n + " clients", Describe(start_n));
  }
  if (config.Runs("short")) {
    report.Row("4 start to finish (StartSyncExecution, 3 Pass states), 1 client",
               Describe(short_1));
    report.Row("4 start to finish, " + n + " clients", Describe(short_n));
  }
  if (config.Runs("ping") && config.Runs("raw") && config.Runs("start")) {
    double baseline = std::min(ping_n.PerSecond(), raw_n.WritesPerSecond());
    double ratio = baseline > 0 ? start_n.PerSecond() / baseline : 0;
    report.Check(
        "5 StartExecution with " + n + " clients / the lesser baseline",
        Format("%.2f  (%.0f/s over %.0f/s, the %s)", ratio, start_n.PerSecond(), baseline,
               ping_n.PerSecond() < raw_n.WritesPerSecond() ? "ping rate" : "raw batch rate"),
        ">= 0.5", ratio >= 0.5);
  }
  raw.reset();
  (*server)->Shutdown();
  server->reset();
  report.Print();
  if (!config.keep) fs::remove_all(config.root);
  return 0;
}

}  // namespace
}  // namespace stepwise::bench

int main(int argc, char** argv) {
  using namespace stepwise::bench;
  Config config;
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      config.rounds = 1;
      config.seconds = 0.5;
    } else if (arg == "--keep") {
      config.keep = true;
    } else if (arg == "--seconds" && i + 1 < argc) {
      config.seconds = std::stod(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--only" && i + 1 < argc) {
      config.phases.clear();
      std::stringstream list(argv[++i]);
      for (std::string phase; std::getline(list, phase, ',');) {
        if (phase != "ping" && phase != "raw" && phase != "start" && phase != "short") {
          std::fprintf(stderr, "unknown phase '%s'\n%s", phase.c_str(), kUsage);
          return 2;
        }
        config.phases.insert(phase);
      }
    } else {
      std::fprintf(stderr, "%s", kUsage);
      return 2;
    }
  }
  std::string base = dir.empty() ? std::string(STEPWISE_BENCH_DEFAULT_ROOT) : dir;
  config.root = base + "/server-bench-" + std::to_string(::getpid());
  return Run(config);
}
