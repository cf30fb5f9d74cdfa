// dispatch_bench: task dispatch (issue 7). The round trip of one Task (scheduled, handed to a
// worker, its completion committed) and tasks/s, with worker-SDK workers and with
// `stepwise worker --mode warm` workers, each a process of its own, beside the baselines its goals
// are stated in, measured in the same run on the same disk: raw synced RocksDB batches from 1
// thread and from 64, and an empty gRPC call. See bench/README.md.
//
//   dispatch_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--only LIST] [--keep]
//                  [--clients N] [--workers N] [--concurrency N] [--stepwise PATH]
//                  [--in-process-sdk]

#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <iterator>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "bench_report.h"
#include "durable_bench_support.h"
#include "grpc_bench_support.h"
#include "nlohmann/json.hpp"
#include "stepwise/workers/worker.h"

#ifndef STEPWISE_BINARY
#define STEPWISE_BINARY "stepwise"
#endif

extern char** environ;

namespace stepwise::bench {
namespace {

using std::chrono::milliseconds;

constexpr const char* kUsage =
    "usage: dispatch_bench [--dir DIR] [--quick] [--seconds S] [--rounds N] [--only LIST]\n"
    "                      [--keep] [--clients N] [--workers N] [--concurrency N]\n"
    "                      [--stepwise PATH] [--in-process-sdk]\n"
    "  --dir DIR          where the databases go (default: a new directory under the build tree)\n"
    "  --quick            a smoke run: one round of 0.5 s windows\n"
    "  --seconds S        length of each measuring window (default 2.5)\n"
    "  --rounds N         windows of each kind, interleaved (default 3)\n"
    "  --only LIST        run only these of ping,raw,sdk,warm (comma-separated)\n"
    "  --keep             keep the databases and the worker processes' logs afterwards\n"
    "  --clients N        executions in flight when measuring tasks/s, and threads of the raw\n"
    "                     baseline (default 64)\n"
    "  --workers N        workers of the larger sets (default 8)\n"
    "  --concurrency N    tasks at once per worker (default 8)\n"
    "  --stepwise PATH    the `stepwise` binary for the warm process workers (default: the one\n"
    "                     built with this benchmark)\n"
    "  --in-process-sdk   run the SDK workers in this process, beside the server, instead of a\n"
    "                     process each\n";

struct Config {
  BenchFlags flags;
  int clients = 64;
  int workers = 8;
  int concurrency = 8;
  std::string stepwise = STEPWISE_BINARY;
  bool sdk_in_process = false;
  std::string self;  // this binary, which SDK worker processes run with --sdk-worker
};

// Microseconds on the steady clock, which this process and its children share: the SDK handler
// stamps its output with it, and the client compares the stamp with its own readings.
std::int64_t MicrosNow() {
  return std::chrono::duration_cast<std::chrono::microseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

// A machine with one Task state: an execution is its start (which schedules the task), one
// dispatch to a worker, and the completion, whose commit also ends the execution.
std::string OneTaskMachine(const std::string& function) {
  return R"({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "function:)" +
         function + R"(", "End": true}}})";
}

// Tasks per execution of ChainMachine.
constexpr int kChainLength = 20;

// A job made of many short invocations: the Task runs kChainLength times in a loop (the SDK
// handler counts `n` up), and each completion's commit also schedules the next task. Its
// executions measure dispatch alone: their start and end are a twentieth of their work.
std::string ChainMachine(const std::string& function) {
  return R"({"StartAt": "Work", "States": {"Work": {"Type": "Task", "Resource": "function:)" +
         function + R"(", "Next": "Again"}, "Again": {"Type": "Choice", "Choices": [{"Variable":)" +
         R"( "$.n", "NumericLessThan": )" + std::to_string(kChainLength) +
         R"(, "Next": "Work"}], "Default": "Done"}, "Done": {"Type": "Succeed"}}})";
}

constexpr const char* kChainInput = R"({"n": 0})";

// The warm function: answers each request line with the request's input as its output. The
// input comes last in a request ({"attempt":..,"deadline_ms":..,"input":<JSON>}), so what
// follows "input": is `<JSON>}`, which `{"output":` before it closes into a response. Only shell
// builtins run per request, so the figure is the host's cost, not a program's.
constexpr const char* kWarmScript = R"sh(#!/bin/sh
while IFS= read -r line; do
  input=${line#*'"input":'}
  printf '{"output":%s\n' "$input"
done
)sh";

// --- workers --------------------------------------------------------------------------------

// SDK workers serving one function from the process that makes them, each a Worker of its own
// (its own poller and channel) with `concurrency` slots. The handler answers at once: its input,
// stamped with when it was called.
class SdkWorkers {
 public:
  SdkWorkers(const std::string& address, const std::string& function, int count, int concurrency) {
    for (int i = 0; i < count; ++i) {
      workers::WorkerOptions options;
      options.server = address;
      options.concurrency = concurrency;
      options.shutdown_grace = milliseconds(2000);
      auto worker = std::make_unique<workers::Worker>(options);
      worker->Handle(function, [](const workers::Invocation& call) {
        nlohmann::json output = call.input();
        output["received_us"] = MicrosNow();
        auto n = output.find("n");  // ChainMachine's count
        if (n != output.end() && n->is_number_integer()) *n = n->get<std::int64_t>() + 1;
        return absl::StatusOr<nlohmann::json>(std::move(output));
      });
      workers_.push_back(std::move(worker));
    }
  }

  ~SdkWorkers() {
    // All stop at once; each destructor then waits for its own.
    for (auto& worker : workers_) worker->Stop();
  }

  SdkWorkers(const SdkWorkers&) = delete;
  SdkWorkers& operator=(const SdkWorkers&) = delete;

  absl::Status Start() {
    for (auto& worker : workers_) {
      if (absl::Status started = worker->Start(); !started.ok()) return started;
    }
    return absl::OkStatus();
  }

 private:
  std::vector<std::unique_ptr<workers::Worker>> workers_;
};

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// The line a worker process prints once it polls: `stepwise worker` prints it, and so does this
// binary's --sdk-worker child.
constexpr const char* kServingLine = "stepwise worker serving:";

// Worker processes, each logging to a file of its own under the bench's folder.
class WorkerProcesses {
 public:
  WorkerProcesses() = default;
  WorkerProcesses(const WorkerProcesses&) = delete;
  WorkerProcesses& operator=(const WorkerProcesses&) = delete;

  ~WorkerProcesses() {
    // A worker given SIGTERM finishes its invocations (none: every window ends drained) and
    // exits; the grace is for one that hangs.
    for (pid_t pid : pids_) ::kill(pid, SIGTERM);
    for (pid_t pid : pids_) {
      auto deadline = SteadyClock::now() + std::chrono::seconds(15);
      while (::waitpid(pid, nullptr, WNOHANG) == 0) {
        if (SteadyClock::now() > deadline) {
          ::kill(pid, SIGKILL);
          ::waitpid(pid, nullptr, 0);
          break;
        }
        std::this_thread::sleep_for(milliseconds(10));
      }
    }
  }

  // Starts `args` (args[0] is the program's path) and returns once its log shows kServingLine;
  // false, with `error` set, when it cannot be started or exits first.
  bool Add(std::vector<std::string> args, const std::string& log, std::string& error) {
    std::vector<char*> argv;
    for (std::string& arg : args) argv.push_back(arg.data());
    argv.push_back(nullptr);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, log.c_str(),
                                     O_WRONLY | O_CREAT | O_TRUNC, 0644);
    posix_spawn_file_actions_adddup2(&actions, STDOUT_FILENO, STDERR_FILENO);
    pid_t pid = -1;
    int spawned = posix_spawn(&pid, argv[0], &actions, nullptr, argv.data(), environ);
    posix_spawn_file_actions_destroy(&actions);
    if (spawned != 0) {
      error = "cannot start " + args[0] + ": " + std::strerror(spawned);
      return false;
    }
    auto deadline = SteadyClock::now() + std::chrono::seconds(20);
    while (ReadFile(log).find(kServingLine) == std::string::npos) {
      if (::waitpid(pid, nullptr, WNOHANG) == pid) {
        error = args[0] + " exited: " + ReadFile(log);
        return false;
      }
      if (SteadyClock::now() > deadline) {
        pids_.push_back(pid);  // the destructor stops it
        error = args[0] + " did not start serving within 20 s; see " + log;
        return false;
      }
      std::this_thread::sleep_for(milliseconds(20));
    }
    pids_.push_back(pid);
    return true;
  }

  // The CPU time the processes have used so far (not that of their own children).
  double CpuSeconds() const {
    double seconds = 0;
    for (pid_t pid : pids_) {
      // /proc/PID/stat: "pid (comm) state ..." with utime and stime the 12th and 13th fields after
      // the command, which may itself hold blanks and parentheses.
      std::string stat = ReadFile("/proc/" + std::to_string(pid) + "/stat");
      std::istringstream fields(stat.substr(stat.rfind(')') + 1));
      std::string field;
      std::int64_t user = 0;
      std::int64_t system = 0;
      for (int i = 1; i <= 11; ++i) fields >> field;
      fields >> user >> system;
      seconds += static_cast<double>(user + system) / static_cast<double>(::sysconf(_SC_CLK_TCK));
    }
    return seconds;
  }

 private:
  std::vector<pid_t> pids_;
};

// The child side of --sdk-worker: one SDK worker serving `function` until SIGTERM or SIGINT.
int SdkWorkerChildMain(const std::string& address, const std::string& function, int concurrency) {
  // Blocked before any thread starts, so that every thread inherits the mask and the signals
  // reach only sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);
  SdkWorkers worker(address, function, 1, concurrency);
  if (absl::Status started = worker.Start(); !started.ok()) {
    std::fprintf(stderr, "dispatch_bench --sdk-worker: %s\n",
                 std::string(started.message()).c_str());
    return 1;
  }
  std::printf("%s %s on %s\n", kServingLine, function.c_str(), address.c_str());
  std::fflush(stdout);
  int received = 0;
  sigwait(&signals, &received);
  return 0;
}

// CPU time so far: this process's (the server and its clients), the worker processes' and the
// whole machine's (all cores, whoever used them: the warm instances, and anything else running),
// to tell what a task costs where, and whether a window was short of CPU.
struct CpuTimes {
  double process_seconds = 0;
  double workers_seconds = 0;
  std::int64_t machine_busy = 0;  // clock ticks neither idle nor waiting for I/O
  std::int64_t machine_total = 0;
};

CpuTimes ReadCpuTimes(const WorkerProcesses* workers) {
  CpuTimes now;
  now.process_seconds = ProcessCpuSeconds();
  if (workers != nullptr) now.workers_seconds = workers->CpuSeconds();
  // The first line of /proc/stat: "cpu  user nice system idle iowait irq softirq steal ...".
  std::ifstream stat("/proc/stat");
  std::string label;
  stat >> label;
  std::int64_t ticks = 0;
  for (int field = 0; field < 8 && stat >> ticks; ++field) {
    now.machine_total += ticks;
    if (field != 3 && field != 4) now.machine_busy += ticks;
  }
  return now;
}

// Adds what was used between `before` and now to `sum`.
void AddCpuSince(const CpuTimes& before, const WorkerProcesses* workers, CpuTimes& sum) {
  CpuTimes now = ReadCpuTimes(workers);
  sum.process_seconds += now.process_seconds - before.process_seconds;
  sum.workers_seconds += now.workers_seconds - before.workers_seconds;
  sum.machine_busy += now.machine_busy - before.machine_busy;
  sum.machine_total += now.machine_total - before.machine_total;
}

// --- the measured calls -----------------------------------------------------------------------

// Where the round trips of SDK workers go, split at the handler's stamp: before it (the start's
// RPC and commit, the poll's answer, the hand-over to a worker thread) and after it (SucceedTask,
// the completion's commit, the answer to the start).
struct Split {
  std::mutex mutex;
  Latencies to_handler;
  Latencies from_handler;

  void Add(std::int64_t sent_us, std::int64_t answered_us, const std::string& output) {
    auto parsed = nlohmann::json::parse(output, nullptr, /*allow_exceptions=*/false);
    if (!parsed.is_object()) return;
    auto stamp = parsed.find("received_us");
    if (stamp == parsed.end() || !stamp->is_number_integer()) return;
    std::int64_t received_us = stamp->get<std::int64_t>();
    std::lock_guard lock(mutex);
    to_handler.Add(static_cast<double>(received_us - sent_us));
    from_handler.Add(static_cast<double>(answered_us - received_us));
  }
};

// Runs one execution of `machine` with StartSyncExecution, which answers once the execution has
// ended: for OneTaskMachine, once the Task's completion is committed. When `split` is given,
// each round trip is split at the handler's stamp too.
AsyncCall RunTask(Clients& clients, const std::string& machine, std::string prefix, Split* split,
                  std::string input = kOrderInput) {
  return [&clients, machine, prefix, split, input](int client, std::int64_t n,
                                                   std::function<void(grpc::Status)> done) {
    auto call = NewCall<v1::StartSyncExecutionRequest, v1::Execution>();
    v1::StartExecutionRequest& start = *call->request.mutable_start();
    start.set_state_machine(machine);
    start.set_name(prefix + "-" + std::to_string(client) + "-" + std::to_string(n));
    start.set_input(input);
    std::int64_t sent_us = MicrosNow();
    clients.executions[client]->async()->StartSyncExecution(
        &call->context, &call->request, &call->response,
        [call, split, sent_us, done = std::move(done)](grpc::Status status) {
          const v1::Execution& execution = call->response;
          if (status.ok() && execution.status() != v1::SUCCEEDED) {
            status =
                grpc::Status(grpc::StatusCode::INTERNAL,
                             "an execution ended " + v1::ExecutionStatus_Name(execution.status()) +
                                 ": " + execution.error() + " " + execution.cause());
          }
          if (status.ok() && split != nullptr) split->Add(sent_us, MicrosNow(), execution.output());
          done(std::move(status));
        });
  };
}

// One set of workers and what was measured of it. Each set serves a function (and machines) of
// its own, so that every set stays up, idle in a long poll, while another is measured: rounds
// alternate between the sets without restarting or re-warming any of them.
struct WorkerSet {
  std::string label;     // "8 SDK workers"
  std::string function;  // also the machine's name
  bool sdk = false;
  int count = 0;
  std::unique_ptr<WorkerProcesses> processes;
  std::unique_ptr<SdkWorkers> in_process;  // --in-process-sdk
  CallFigures sequential;                  // one execution at a time (sets of one worker only)
  CallFigures loaded;                      // Config::clients executions in flight
  CpuTimes loaded_cpu;                     // what the `loaded` windows used
  CallFigures chained;                     // SDK sets: Config::clients ChainMachine executions
  CpuTimes chained_cpu;
  Split split;  // SDK sets, sequential windows

  bool Sequential() const { return count == 1; }
};

std::unique_ptr<WorkerSet> NewSet(const Config& config, bool sdk, int count) {
  auto set = std::make_unique<WorkerSet>();
  set->sdk = sdk;
  set->count = count;
  set->label = std::to_string(count) + (sdk ? " SDK worker" : " warm worker") +
               (count == 1 ? "" : "s") + (sdk && config.sdk_in_process ? " in-process" : "");
  set->function = std::string("bench-") + (sdk ? "sdk-" : "warm-") + std::to_string(count);
  return set;
}

// Starts the set's workers; false, with `error` set, when they cannot be.
bool StartSet(const Config& config, const std::string& address, const std::string& script,
              WorkerSet& set, std::string& error) {
  if (set.sdk && config.sdk_in_process) {
    set.in_process =
        std::make_unique<SdkWorkers>(address, set.function, set.count, config.concurrency);
    absl::Status started = set.in_process->Start();
    error = std::string(started.message());
    return started.ok();
  }
  set.processes = std::make_unique<WorkerProcesses>();
  std::string concurrency = std::to_string(config.concurrency);
  for (int i = 0; i < set.count; ++i) {
    std::string log = config.flags.root + "/" + set.function + "-" + std::to_string(i) + ".log";
    std::vector<std::string> args;
    if (set.sdk) {
      args = {config.self, "--sdk-worker", address, set.function, concurrency};
    } else {
      args = {config.stepwise, "worker", "--mode", "warm", "--function",
              set.function + "=" + script, "--concurrency", concurrency, "--server", address,
              // Instances stay up between windows: no window pays for a cold start.
              "--idle-timeout", "0"};
    }
    if (!set.processes->Add(std::move(args), log, error)) return false;
  }
  return true;
}

// What `tasks` cost in CPU, where, and how busy the machine was meanwhile.
std::string DescribeCpu(const CpuTimes& cpu, std::int64_t tasks) {
  double count = static_cast<double>(std::max<std::int64_t>(tasks, 1));
  double busy = cpu.machine_total > 0 ? 100.0 * static_cast<double>(cpu.machine_busy) /
                                            static_cast<double>(cpu.machine_total)
                                      : 0;
  return Format("  (CPU/task: server+clients %.0f us, workers %.0f us; machine %.0f%% busy)",
                cpu.process_seconds * 1e6 / count, cpu.workers_seconds * 1e6 / count, busy);
}

std::string DescribePercentiles(Latencies& latency) {
  return Format("p50 %s  p99 %s", Ms(latency.Percentile(50)).c_str(),
                Ms(latency.Percentile(99)).c_str());
}

// --- the run --------------------------------------------------------------------------------

// The goals of issue 7, and the same figures for the warm process workers beside them.
void ReportGoals(const Config& config, CallFigures& ping, RawResult& raw_1, RawResult& raw_n,
                 std::vector<std::unique_ptr<WorkerSet>>& sets, Report& report) {
  const BenchFlags& flags = config.flags;
  double write_p50 = raw_1.latency.Percentile(50);
  double ping_p50 = ping.latency.Percentile(50);
  double bound = 2 * write_p50 + 2 * ping_p50 + 1000;
  for (auto& set : sets) {
    bool goal = set->sdk;  // the goals are stated for SDK workers; the warm rows are for reference
    if (flags.Runs("raw") && set->count == config.workers) {
      std::string over = " / raw batches/s, " + std::to_string(config.clients) + " threads";
      auto ratio = [&](double tasks_per_second) {
        double value = raw_n.WritesPerSecond() > 0 ? tasks_per_second / raw_n.WritesPerSecond() : 0;
        return std::make_pair(value, Format("%.2f  (%.0f/s over %.0f/s)", value, tasks_per_second,
                                            raw_n.WritesPerSecond()));
      };
      // The goal's tasks are those of chained executions, which measure dispatch alone; with
      // one task per execution, each task also pays for a start and an end.
      auto [single, single_text] = ratio(set->loaded.PerSecond());
      report.Row("5 tasks/s, " + set->label + ", 1 task per execution" + over, single_text,
                 "(reference)");
      if (goal) {
        auto [chained, chained_text] = ratio(set->chained.PerSecond() * kChainLength);
        report.Check(
            Format("5 tasks/s, %s, %d tasks per execution", set->label.c_str(), kChainLength) +
                over,
            chained_text, ">= 1/3", chained >= 1.0 / 3);
      }
    }
    if (flags.Runs("raw") && flags.Runs("ping") && set->Sequential()) {
      double p50 = set->sequential.latency.Percentile(50);
      std::string label = "5 round trip p50, " + set->label + " / 2 writes + 2 pings + 1 ms";
      std::string value =
          Format("%s vs %s  (%.2f; write p50 %s, ping p50 %s)", Ms(p50).c_str(), Ms(bound).c_str(),
                 bound > 0 ? p50 / bound : 0, Ms(write_p50).c_str(), Ms(ping_p50).c_str());
      bool measured = set->sequential.error.empty() && set->sequential.latency.size() > 0;
      if (goal) {
        report.Check(label, value, "<= 1.00", measured && p50 <= bound);
      } else {
        report.Row(label, value, "(reference)");
      }
    }
  }
}

int Run(const Config& config) {
  const BenchFlags& flags = config.flags;
  Report report;
  auto server = StartBenchServer("dispatch_bench", flags, report);
  if (!server.ok()) {
    std::fprintf(stderr, "dispatch_bench: %s\n", std::string(server.status().message()).c_str());
    return 1;
  }
  std::string address = GrpcAddress(**server);

  std::string script = flags.root + "/warm-echo.sh";
  std::ofstream(script) << kWarmScript;
  ::chmod(script.c_str(), 0755);
  std::vector<std::unique_ptr<WorkerSet>> sets;
  for (bool sdk : {true, false}) {
    if (!flags.Runs(sdk ? "sdk" : "warm")) continue;
    sets.push_back(NewSet(config, sdk, 1));
    if (config.workers > 1) sets.push_back(NewSet(config, sdk, config.workers));
  }
  for (auto& set : sets) {
    Progress("starting " + set->label);
    grpc::Status created = CreateMachine(address, set->function, OneTaskMachine(set->function));
    if (created.ok() && set->sdk) {
      created = CreateMachine(address, set->function + "-chain", ChainMachine(set->function));
    }
    std::string error = created.error_message();
    if (!created.ok() || !StartSet(config, address, script, *set, error)) {
      std::fprintf(stderr, "dispatch_bench: %s: %s (logs stay in %s)\n", set->label.c_str(),
                   error.c_str(), flags.root.c_str());
      return 1;
    }
  }

  Clients clients(address, config.clients);
  std::int64_t round_tag = 0;
  auto prefix = [&] { return "r" + std::to_string(round_tag++); };
  Progress("warming up each set of workers");
  auto warm_up = [&](WorkerSet& set, int in_flight) {
    CallFigures warmup;
    Drive(in_flight, 0.5, RunTask(clients, set.function, prefix(), nullptr), warmup);
    if (!warmup.error.empty()) {
      std::fprintf(stderr, "dispatch_bench: warming up %s: %s\n", set.label.c_str(),
                   warmup.error.c_str());
    }
    return warmup.error.empty();
  };
  // One execution at a time leaves unmerged batches (no group commit) in the server's log,
  // starts and completions alternating: their median shapes the raw baseline, so the log is read
  // before anything runs concurrently.
  if (!sets.empty() && !warm_up(*sets[0], 1)) return 1;
  std::unique_ptr<RawWriter> raw;
  if (flags.Runs("raw")) {
    std::string error;
    raw = OpenRawWriterLikeServer(ServerDir(flags), flags.root + "/raw",
                                  "a step's batch (starts and completions)", report, error);
    if (!raw) {
      std::fprintf(stderr, "dispatch_bench: raw baseline: %s\n", error.c_str());
      return 1;
    }
  }
  // A burst through every set, which also starts the warm pools' instances: no window pays for
  // a cold start.
  for (auto& set : sets) {
    if (!warm_up(*set, config.clients)) return 1;
  }

  CallFigures ping;
  CallFigures ping_n;     // Config::clients at once: what a unary call costs in CPU
  double ping_n_cpu = 0;  // seconds of this process's CPU (both ends of every call)
  RawResult raw_1, raw_n;
  for (int round = 0; round < flags.rounds; ++round) {
    Progress(Format("round %d of %d", round + 1, flags.rounds));
    if (flags.Runs("ping")) {
      Drive(1, flags.seconds, Ping(clients), ping);
      double before = ProcessCpuSeconds();
      Drive(config.clients, flags.seconds, Ping(clients), ping_n);
      ping_n_cpu += ProcessCpuSeconds() - before;
    }
    if (raw) {
      raw->Run(1, flags.seconds, raw_1);
      raw->Run(config.clients, flags.seconds, raw_n);
    }
    for (auto& set : sets) {
      if (set->Sequential()) {
        Split* split = set->sdk ? &set->split : nullptr;
        Drive(1, flags.seconds, RunTask(clients, set->function, prefix(), split), set->sequential);
      }
      CpuTimes before = ReadCpuTimes(set->processes.get());
      Drive(config.clients, flags.seconds, RunTask(clients, set->function, prefix(), nullptr),
            set->loaded);
      AddCpuSince(before, set->processes.get(), set->loaded_cpu);
      if (set->sdk) {
        before = ReadCpuTimes(set->processes.get());
        Drive(config.clients, flags.seconds,
              RunTask(clients, set->function + "-chain", prefix(), nullptr, kChainInput),
              set->chained);
        AddCpuSince(before, set->processes.get(), set->chained_cpu);
      }
    }
  }

  report.Note(Format(
      "workers: %d slots each; %s; a warm worker is a `%s worker --mode warm` "
      "process whose instances run a sh read loop; server, clients and workers "
      "share this machine's cores",
      config.concurrency,
      config.sdk_in_process ? "the SDK workers run in this process, beside the server"
                            : "an SDK worker is a process of its own (this binary, --sdk-worker)",
      config.stepwise.c_str()));
  report.Note(
      "round trip: a StartSyncExecution of a machine with one Task state, call to answer, as "
      "the client sees it: the start's RPC and commit (which schedules the task), the poll's "
      "answer, the handler, SucceedTask, the completion's commit (which ends the execution), "
      "and the answer");
  std::string n = std::to_string(config.clients);
  if (flags.Runs("ping")) {
    report.Row("1 ping (empty unary call), 1 client", Describe(ping));
    double calls = static_cast<double>(std::max<std::int64_t>(ping_n.calls, 1));
    report.Row(
        "1 pings, " + n + " clients",
        Describe(ping_n) + Format("  (CPU/call, both ends: %.0f us)", ping_n_cpu * 1e6 / calls));
  }
  if (raw) {
    report.Row("2 raw synced RocksDB batch, 1 thread", Describe(raw_1));
    double writes = static_cast<double>(std::max<std::int64_t>(raw_n.writes, 1));
    report.Row("2 raw synced RocksDB batches, " + n + " threads",
               Describe(raw_n) + Format("  (CPU/write %.0f us)", raw_n.cpu_seconds * 1e6 / writes));
  }
  for (auto& set : sets) {
    if (!set->Sequential()) continue;
    report.Row("3 round trip, " + set->label + ", 1 execution at a time",
               Describe(set->sequential));
    if (set->sdk) {
      report.Row("3   of which call to handler", DescribePercentiles(set->split.to_handler));
      report.Row("3   of which handler to answer", DescribePercentiles(set->split.from_handler));
    }
  }
  for (auto& set : sets) {
    report.Row("4 tasks/s, " + set->label + ", " + n + " executions of 1 task in flight",
               Describe(set->loaded) + DescribeCpu(set->loaded_cpu, set->loaded.calls));
  }
  for (auto& set : sets) {
    if (set->chained.calls == 0) continue;
    std::int64_t tasks = set->chained.calls * kChainLength;
    report.Row(Format("4 tasks/s, %s, %s executions of %d tasks in flight", set->label.c_str(),
                      n.c_str(), kChainLength),
               Format("%.0f/s", set->chained.PerSecond() * kChainLength) +
                   DescribeCpu(set->chained_cpu, tasks));
  }
  ReportGoals(config, ping, raw_1, raw_n, sets, report);

  raw.reset();
  sets.clear();  // workers stop before the server does, so that none sees it vanish
  FinishBench(*std::move(server), report, flags);
  return 0;
}

// Takes dispatch_bench's own flags (see ExtraFlags).
int ParseOwnFlag(Config& config, const std::string& flag, const char* value) {
  if (flag == "--in-process-sdk") {
    config.sdk_in_process = true;
    return 1;
  }
  if (value == nullptr) return 0;
  if (flag == "--stepwise") {
    config.stepwise = value;
    return 2;
  }
  int* count = flag == "--clients"       ? &config.clients
               : flag == "--workers"     ? &config.workers
               : flag == "--concurrency" ? &config.concurrency
                                         : nullptr;
  if (count == nullptr) return 0;
  char* end = nullptr;
  long parsed = std::strtol(value, &end, 10);
  if (*end != '\0' || parsed < 1 || parsed > 1024) {
    std::fprintf(stderr, "%s takes a whole number from 1 to 1024\n", flag.c_str());
    return -1;
  }
  *count = static_cast<int>(parsed);
  return 2;
}

}  // namespace
}  // namespace stepwise::bench

int main(int argc, char** argv) {
  using namespace stepwise::bench;
  if (argc == 5 && std::string(argv[1]) == "--sdk-worker") {
    return SdkWorkerChildMain(argv[2], argv[3], std::atoi(argv[4]));
  }
  Config config;
  std::error_code ignored;
  config.self = std::filesystem::read_symlink("/proc/self/exe", ignored).string();
  config.flags.seconds = 2.5;
  auto own = [&config](const std::string& flag, const char* value) {
    return ParseOwnFlag(config, flag, value);
  };
  if (!ParseBenchFlags(argc, argv, "dispatch-bench", kUsage, {"ping", "raw", "sdk", "warm"},
                       config.flags, own)) {
    return 2;
  }
  if (config.flags.Runs("warm") && ::access(config.stepwise.c_str(), X_OK) != 0) {
    std::fprintf(stderr,
                 "dispatch_bench: %s is not an executable; build the stepwise target or "
                 "pass --stepwise PATH\n",
                 config.stepwise.c_str());
    return 2;
  }
  return Run(config);
}
