#include "grpc_bench_support.h"

#include <unistd.h>

#include <atomic>
#include <condition_variable>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <mutex>
#include <sstream>
#include <thread>
#include <utility>

#ifndef STEPWISE_BENCH_DEFAULT_ROOT
#define STEPWISE_BENCH_DEFAULT_ROOT "."
#endif

namespace stepwise::bench {

absl::StatusOr<std::unique_ptr<api::Server>> StartBenchServer(const std::string& bench,
                                                              const BenchFlags& flags,
                                                              Report& report) {
  std::filesystem::create_directories(flags.root);
  bool tmpfs = false;
  std::string filesystem = DescribeFilesystem(flags.root, tmpfs);
  report.Note(Format("%s: data in %s (%s), %u cores%s", bench.c_str(), flags.root.c_str(),
                     filesystem.c_str(), std::thread::hardware_concurrency(),
                     tmpfs ? "; WARNING: tmpfs, where fsync costs nothing" : ""));
  api::ServerOptions options;
  options.data_dir = ServerDir(flags);
  options.grpc_address = "127.0.0.1:0";
  options.http_address = "127.0.0.1:0";
  return api::Server::Start(options);
}

void FinishBench(std::unique_ptr<api::Server> server, const Report& report,
                 const BenchFlags& flags) {
  server->Shutdown();
  server.reset();
  report.Print();
  if (!flags.keep) std::filesystem::remove_all(flags.root);
}

std::string ServerDir(const BenchFlags& flags) { return flags.root + "/server"; }

std::string GrpcAddress(const api::Server& server) {
  return "127.0.0.1:" + std::to_string(server.grpc_port());
}

grpc::Status CreateMachine(const std::string& address, const std::string& name,
                           const std::string& definition) {
  auto stub =
      v1::StateMachines::NewStub(grpc::CreateChannel(address, grpc::InsecureChannelCredentials()));
  v1::CreateStateMachineRequest request;
  request.set_name(name);
  request.set_definition(definition);
  v1::StateMachine response;
  grpc::ClientContext context;
  context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return stub->CreateStateMachine(&context, request, &response);
}

std::unique_ptr<RawWriter> OpenRawWriterLikeServer(const std::string& server_dir,
                                                   const std::string& raw_dir,
                                                   const std::string& what, Report& report,
                                                   std::string& error) {
  std::string wal_error;  // an unreadable log leaves the synthetic batch, which the note shows
  std::vector<BatchShape> batches = ReadWalBatches(server_dir, wal_error);
  const BatchShape* median = MedianBatch(batches);
  BatchShape shape = median ? *median : SyntheticBatch(8, 1200);
  report.Note(Format("%s (median of %zu in the log): %zu puts, %zu deletes, %zu bytes",
                     what.c_str(), batches.size(), shape.Puts(), shape.Deletes(),
                     shape.data_bytes));
  return RawWriter::Open(raw_dir, shape, error);
}

std::string DescribeRate(double per_second, Latencies& latency) {
  return Format("%.0f/s  p50 %s  p99 %s", per_second, Ms(latency.Percentile(50)).c_str(),
                Ms(latency.Percentile(99)).c_str());
}

std::string Describe(CallFigures& figures) {
  if (!figures.error.empty()) return "error: " + figures.error;
  return DescribeRate(figures.PerSecond(), figures.latency);
}

std::string Describe(RawResult& raw) {
  if (!raw.error.empty()) return "error: " + raw.error;
  return DescribeRate(raw.WritesPerSecond(), raw.latency);
}

void Drive(int clients, double seconds, const AsyncCall& call, CallFigures& figures) {
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

Clients::Clients(const std::string& address, int count) {
  for (int i = 0; i < count; ++i) {
    grpc::ChannelArguments arguments;
    arguments.SetInt("grpc.channel_id", i);  // distinct channels, not one shared subchannel
    channels.push_back(
        grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), arguments));
    channels.back()->WaitForConnected(std::chrono::system_clock::now() + std::chrono::seconds(10));
    servers.push_back(v1::Server::NewStub(channels.back()));
    executions.push_back(v1::Executions::NewStub(channels.back()));
  }
}

AsyncCall Ping(Clients& clients) {
  return [&clients](int client, std::int64_t, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::PingRequest, v1::PingResponse>();
    clients.servers[client]->async()->Ping(
        &call->context, &call->request, &call->response,
        [call, done = std::move(done)](grpc::Status status) { done(std::move(status)); });
  };
}

bool ParseBenchFlags(int argc, char** argv, const std::string& name, const char* usage,
                     const std::set<std::string>& phases, BenchFlags& flags,
                     const ExtraFlags& extra) {
  std::string dir = STEPWISE_BENCH_DEFAULT_ROOT;
  flags.phases = phases;
  for (int i = 1; i < argc; ++i) {
    std::string flag = argv[i];
    const char* value = i + 1 < argc ? argv[i + 1] : nullptr;
    char* end = nullptr;
    if (flag == "--quick") {
      flags.rounds = 1;
      flags.seconds = 0.5;
    } else if (flag == "--keep") {
      flags.keep = true;
    } else if (flag == "--seconds" && value) {
      flags.seconds = std::strtod(value, &end);
      if (*end != '\0' || !(flags.seconds > 0)) {
        std::fprintf(stderr, "--seconds takes a number of seconds > 0\n");
        return false;
      }
      ++i;
    } else if (flag == "--rounds" && value) {
      flags.rounds = static_cast<int>(std::strtol(value, &end, 10));
      if (*end != '\0' || flags.rounds < 1) {
        std::fprintf(stderr, "--rounds takes a whole number >= 1\n");
        return false;
      }
      ++i;
    } else if (flag == "--dir" && value) {
      dir = argv[++i];
    } else if (flag == "--only" && value) {
      flags.phases.clear();
      std::stringstream list(argv[++i]);
      for (std::string phase; std::getline(list, phase, ',');) {
        if (phases.count(phase) == 0) {
          std::fprintf(stderr, "unknown phase '%s'\n%s", phase.c_str(), usage);
          return false;
        }
        flags.phases.insert(phase);
      }
    } else if (int used = extra ? extra(flag, value) : 0; used > 0) {
      i += used - 1;
    } else {
      if (used == 0) std::fprintf(stderr, "%s", usage);
      return false;
    }
  }
  flags.root = dir + "/" + name + "-" + std::to_string(::getpid());
  return true;
}

AsyncCall RunShort(Clients& clients, std::string prefix) {
  return [&clients, prefix](int client, std::int64_t n, std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::StartSyncExecutionRequest, v1::Execution>();
    call->request.mutable_start()->set_state_machine("short");
    call->request.mutable_start()->set_name(prefix + "-" + std::to_string(client) + "-" +
                                            std::to_string(n));
    call->request.mutable_start()->set_input(kOrderInput);
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

}  // namespace stepwise::bench
