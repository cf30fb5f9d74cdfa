// server_bench: the gRPC server's figures (issue 6) beside two baselines measured in the same
// run: an empty unary call (Ping) through the same server stack, and raw synced RocksDB batches
// of the size a start commits, from 64 threads, on the same disk. See bench/README.md.
//
//   server_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--only LIST] [--keep]

#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "bench_report.h"
#include "durable_bench_support.h"
#include "grpc_bench_support.h"

namespace stepwise::bench {
namespace {

constexpr int kClients = 64;

constexpr const char* kUsage =
    "usage: server_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--only LIST] [--keep]\n"
    "  --dir DIR    where the databases go (default: a new directory under the build tree)\n"
    "  --quick      a smoke run: one round of 0.5 s windows\n"
    "  --seconds S  length of each measuring window (default 3)\n"
    "  --rounds N   windows of each kind, interleaved (default 3)\n"
    "  --only LIST  run only these of ping,raw,start,short (comma-separated)\n"
    "  --keep       keep the databases afterwards\n";

// A workflow that starts and then parks (a long Wait): StartExecution's cost alone.
constexpr const char* kParkedWorkflow = R"json({"StartAt": "Park", "States": {
  "Park": {"Type": "Wait", "Seconds": 86400, "End": true}}})json";

AsyncCall StartParked(Clients& clients, std::string prefix) {
  return [&clients, prefix](int client, std::int64_t n, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::StartExecutionRequest, v1::StartExecutionResponse>();
    call->request.set_state_machine("parked");
    call->request.set_name(prefix + "-" + std::to_string(client) + "-" + std::to_string(n));
    call->request.set_input(kOrderInput);
    clients.executions[client]->async()->StartExecution(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) { done(std::move(status)); });
  };
}

int Run(const BenchFlags& config) {
  Report report;
  auto server = StartBenchServer("server_bench", config, report);
  if (!server.ok()) {
    std::fprintf(stderr, "server_bench: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string address = GrpcAddress(**server);
  for (auto [name, definition] :
       {std::pair{"short", kShortWorkflow}, std::pair{"parked", kParkedWorkflow}}) {
    grpc::Status created = CreateMachine(address, name, definition);
    if (!created.ok()) {
      std::fprintf(stderr, "server_bench: creating %s: %s\n", name,
                   created.error_message().c_str());
      return 1;
    }
  }

  Clients clients(address, kClients);
  // The batch a start commits, read back from the server's own log, shapes the raw baseline.
  Progress("warming up, and reading the shape of a start's batch from the server's log");
  CallFigures warmup;
  Drive(4, 0.5, StartParked(clients, "warm"), warmup);
  std::string raw_error;
  auto raw = OpenRawWriterLikeServer(ServerDir(config), config.root + "/raw", "a start's batch",
                                     report, raw_error);
  if (!raw) {
    std::fprintf(stderr, "server_bench: raw baseline: %s\n", raw_error.c_str());
    return 1;
  }

  CallFigures ping_1, ping_n, start_1, start_n, short_1, short_n;
  RawResult raw_n;
  std::int64_t round_tag = 0;
  for (int round = 0; round < config.rounds; ++round) {
    Progress(Format("round %d of %d", round + 1, config.rounds));
    auto prefix = [&] { return "r" + std::to_string(round_tag++); };
    if (config.Runs("ping")) {
      Drive(1, config.seconds, Ping(clients), ping_1);
      Drive(kClients, config.seconds, Ping(clients), ping_n);
    }
    if (config.Runs("raw")) raw->Run(kClients, config.seconds, raw_n);
    if (config.Runs("start")) {
      Drive(1, config.seconds, StartParked(clients, prefix()), start_1);
      Drive(kClients, config.seconds, StartParked(clients, prefix()), start_n);
    }
    if (config.Runs("short")) {
      Drive(1, config.seconds, RunShort(clients, prefix()), short_1);
      Drive(kClients, config.seconds, RunShort(clients, prefix()), short_n);
    }
  }

  std::string n = std::to_string(kClients);
  if (config.Runs("ping")) {
    report.Row("1 ping (empty unary call), 1 client", Describe(ping_1));
    report.Row("1 ping, " + n + " clients", Describe(ping_n));
  }
  if (config.Runs("raw")) {
    report.Row("2 raw synced RocksDB batches, " + n + " threads", Describe(raw_n));
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
  FinishBench(*std::move(server), report, config);
  return 0;
}

}  // namespace
}  // namespace stepwise::bench

int main(int argc, char** argv) {
  using namespace stepwise::bench;
  BenchFlags flags;
  if (!ParseBenchFlags(argc, argv, "server-bench", kUsage, {"ping", "raw", "start", "short"},
                       flags)) {
    return 2;
  }
  return Run(flags);
}
