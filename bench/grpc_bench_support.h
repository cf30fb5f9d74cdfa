#pragma once

// What the benchmarks that speak gRPC to a server (server_bench, dispatch_bench) share: a real
// api::Server on loopback ports, clients with a channel each that drive calls through gRPC's
// callback API, and the figures those calls yield.

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "api/proto/stepwise.grpc.pb.h"
#include "api/server/server.h"
#include "bench_report.h"
#include "durable_bench_support.h"
#include "grpcpp/grpcpp.h"

namespace stepwise::bench {

// The input every benchmark execution starts with: a small order, as a real workflow might get.
inline constexpr const char* kOrderInput = R"({"order": {"id": "ord-000123", "amount": 129.95}})";

struct BenchFlags;

// The start of every server benchmark: makes its folder (flags.root), notes in `report` where it
// is and on what filesystem ("BENCH: data in ..."), and starts a server as `stepwise server` runs
// by default (every step synced) with its data in ServerDir(flags) and its gRPC and HTTP ports on
// 127.0.0.1, picked by the system.
absl::StatusOr<std::unique_ptr<api::Server>> StartBenchServer(const std::string& bench,
                                                              const BenchFlags& flags,
                                                              Report& report);

// The end of every server benchmark: shuts the server down (cleanly: it stops accepting calls
// and closes its store), prints the report, and removes the folder unless --keep.
void FinishBench(std::unique_ptr<api::Server> server, const Report& report,
                 const BenchFlags& flags);

// Where StartBenchServer keeps the server's data.
std::string ServerDir(const BenchFlags& flags);

// "127.0.0.1:PORT" of the server's gRPC port.
std::string GrpcAddress(const api::Server& server);

// Stores `definition` as state machine `name` through the StateMachines service.
grpc::Status CreateMachine(const std::string& address, const std::string& name,
                           const std::string& definition);

// A raw baseline (RawWriter) whose batches take the shape of the server's own: the median of the
// batches in the write-ahead log of the server's database in `server_dir`, or a synthetic batch of
// 8 keys and 1200 bytes when the log holds none. Notes the shape, calling it `what`, in `report`.
// nullptr, with `error` set, when the database in `raw_dir` cannot be made.
std::unique_ptr<RawWriter> OpenRawWriterLikeServer(const std::string& server_dir,
                                                   const std::string& raw_dir,
                                                   const std::string& what, Report& report,
                                                   std::string& error);

// Calls answered in one or more measuring windows.
struct CallFigures {
  std::int64_t calls = 0;
  double seconds = 0;
  Latencies latency;  // call to answer
  std::string error;  // the first failed call, if any
  double PerSecond() const { return seconds > 0 ? static_cast<double>(calls) / seconds : 0; }
};

// "1234/s  p50 1.234 ms  p99 5.678 ms".
std::string DescribeRate(double per_second, Latencies& latency);
// DescribeRate of the figures, or their first error.
std::string Describe(CallFigures& figures);
std::string Describe(RawResult& raw);

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

// A call's state, with a deadline far beyond any window so that a stuck call shows as an error.
template <typename Request, typename Response>
std::shared_ptr<InFlight<Request, Response>> NewCall() {
  auto call = std::make_shared<InFlight<Request, Response>>();
  call->context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return call;
}

// Runs `clients` clients for `seconds`, each with one call in flight at a time: the next call
// starts when the last is answered. The clients use gRPC's callback API, so they cost a few of
// gRPC's threads rather than a blocked thread each: the server shares this machine's cores with
// them, and clients elsewhere would not take their CPU from it. Adds to `figures`.
void Drive(int clients, double seconds, const AsyncCall& call, CallFigures& figures);

// The clients' channels and stubs, made and connected before any window opens. Each client has a
// channel (and so a connection) of its own, as separate clients would.
struct Clients {
  std::vector<std::shared_ptr<grpc::Channel>> channels;
  std::vector<std::unique_ptr<v1::Server::Stub>> servers;
  std::vector<std::unique_ptr<v1::Executions::Stub>> executions;

  Clients(const std::string& address, int count);
};

// Server.Ping: an empty unary call through the server's whole stack (auth check included).
AsyncCall Ping(Clients& clients);

// The short workflow: three Pass states, so a start-to-finish is two commits (the start, and
// the rest of the run, which needs no worker).
inline constexpr const char* kShortWorkflow = R"json({"StartAt": "A", "States": {
  "A": {"Type": "Pass", "Result": {"checked": true}, "ResultPath": "$.check", "Next": "B"},
  "B": {"Type": "Pass", "Parameters": {"order.$": "$.order", "ok.$": "$.check.checked"},
        "Next": "C"},
  "C": {"Type": "Pass", "End": true}}})json";

// Runs the short workflow (stored as state machine "short") start to finish with
// StartSyncExecution, each execution named `prefix`-client-n; an error unless it succeeded.
AsyncCall RunShort(Clients& clients, std::string prefix);

// --- flags ---------------------------------------------------------------------------------

// The flags every server benchmark takes:
//   --dir DIR    where the databases go: a fresh folder, named after the benchmark and its pid,
//                is made in DIR (default: the build tree) and removed at the end
//   --quick      a smoke run: one round of 0.5 s windows
//   --seconds S  the length of each measuring window
//   --rounds N   how many windows of each kind, interleaved
//   --only LIST  only these phases (comma-separated)
//   --keep       keep the databases afterwards
struct BenchFlags {
  std::string root;  // the fresh folder
  bool keep = false;
  double seconds = 3.0;
  int rounds = 3;
  std::set<std::string> phases;  // all the known ones unless --only
  bool Runs(const char* phase) const { return phases.count(phase) > 0; }
};

// Takes one flag of the benchmark's own: `value` is the argument after it (nullptr at the end).
// Returns how many arguments it used (1, or 2 with the value), 0 for a flag it does not know, or
// -1 for a bad value (having said why on stderr).
using ExtraFlags = std::function<int(const std::string& flag, const char* value)>;

// Parses the command line into `flags` (whose seconds and rounds hold the defaults), handing the
// flags not listed above to `extra`. `name` names the root folder ("dispatch-bench"); `phases`
// are those --only may name. Prints `usage` and returns false on a bad or unknown flag.
bool ParseBenchFlags(int argc, char** argv, const std::string& name, const char* usage,
                     const std::set<std::string>& phases, BenchFlags& flags,
                     const ExtraFlags& extra = nullptr);

}  // namespace stepwise::bench
