// `stepwise worker`: the process host. Serves functions by running executables, through the
// worker SDK: `exec` starts a process per invocation; `warm` keeps instances that serve many
// invocations over line-delimited JSON, up to the concurrency, and stops idle ones.
#include <signal.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "commands.h"
#include "stepwise/workers/function_binding.h"
#include "stepwise/workers/process_function.h"
#include "stepwise/workers/process_guard.h"
#include "stepwise/workers/warm_pool.h"
#include "stepwise/workers/worker.h"

namespace stepwise::cli {
namespace {

using std::chrono::milliseconds;

constexpr const char* kUsage = R"(usage: stepwise worker --function NAME=COMMAND [options]

  --function NAME=COMMAND  serve function NAME (a Task's `function:NAME`, Lambda ARN or
                           FunctionName) by running COMMAND; repeat for more functions
  --mode exec|warm         exec (default): a process per invocation, JSON on stdin, JSON on
                           stdout; warm: instances kept running, one JSON line per invocation
                           ({"input": ..., "deadline_ms": ..., "attempt": n} in, {"output": ...}
                           or {"error": ..., "cause": ...} out), stopped when idle
  --concurrency N          invocations at once, per worker (default 4); in warm mode also the
                           most instances of each function
  --timeout SECONDS        the longest one invocation may run (default 60); the task's own
                           deadline, when sooner, wins; the process group is killed past it
  --idle-timeout SECONDS   warm mode: stop an instance idle this long (default 300)
  --server ADDR            the server (default 127.0.0.1:7233, or STEPWISE_SERVER)
  --token TOKEN            the server's bearer token (or STEPWISE_TOKEN)
  --tls-ca FILE            talk TLS, trusting the PEM certificates in FILE
  --identity NAME          how the worker names itself to the server (default host:pid)

Prints 'stepwise worker serving: NAMES on ADDR' once it serves, and runs until SIGTERM or
Ctrl-C, then lets invocations in flight finish (10 s at most) and exits.
)";

int Usage(const std::string& problem) {
  std::cerr << "stepwise worker: " << problem << "\n\n" << kUsage;
  return 2;
}

bool ParseSeconds(const std::string& text, milliseconds& into) {
  char* end = nullptr;
  double seconds = std::strtod(text.c_str(), &end);
  if (end == text.c_str() || *end != '\0' || seconds < 0) return false;
  into = milliseconds(static_cast<std::int64_t>(seconds * 1000));
  return true;
}

// The task's outcome as the SDK takes it.
absl::StatusOr<nlohmann::json> Answer(workers::ProcessOutcome outcome) {
  if (outcome.succeeded) return std::move(outcome.output);
  return workers::TaskError(outcome.error, outcome.cause);
}

// The time limit of one invocation: the configured one, or the task's deadline when sooner.
milliseconds Limit(const workers::Invocation& call, milliseconds timeout) {
  return std::max(milliseconds(1), std::min(timeout, call.remaining()));
}

}  // namespace

int RunWorker(const std::vector<std::string>& args) {
  // Before any thread: the functions' processes must not outlive a worker killed with -9.
  if (absl::Status guarded = workers::GuardFunctionProcesses(); !guarded.ok()) {
    std::cerr << "stepwise worker: " << guarded.message() << "\n";
    return 1;
  }
  workers::WorkerOptions options;
  options.concurrency = 4;
  if (const char* server = std::getenv("STEPWISE_SERVER")) options.server = server;
  if (const char* token = std::getenv("STEPWISE_TOKEN")) options.token = token;
  std::vector<workers::FunctionBinding> bindings;
  std::string mode = "exec";
  milliseconds timeout(60'000);
  milliseconds idle_timeout(300'000);
  for (std::size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    }
    if (i + 1 >= args.size()) return Usage("'" + arg + "' needs a value or is unknown");
    const std::string& value = args[++i];
    if (arg == "--function") {
      auto binding = workers::ParseFunctionBinding(value);
      if (!binding.ok()) return Usage(std::string(binding.status().message()));
      bindings.push_back(*std::move(binding));
    } else if (arg == "--mode") {
      if (value != "exec" && value != "warm") return Usage("--mode is exec or warm");
      mode = value;
    } else if (arg == "--concurrency") {
      options.concurrency = std::atoi(value.c_str());
      if (options.concurrency < 1) return Usage("--concurrency must be a whole number >= 1");
    } else if (arg == "--timeout") {
      if (!ParseSeconds(value, timeout) || timeout.count() == 0) {
        return Usage("--timeout must be a number of seconds > 0");
      }
    } else if (arg == "--idle-timeout") {
      if (!ParseSeconds(value, idle_timeout)) return Usage("--idle-timeout must be seconds >= 0");
    } else if (arg == "--server") {
      options.server = value;
    } else if (arg == "--token") {
      options.token = value;
    } else if (arg == "--tls-ca") {
      options.tls_ca_file = value;
    } else if (arg == "--identity") {
      options.identity = value;
    } else {
      return Usage("unknown option '" + arg + "'");
    }
  }
  if (bindings.empty()) return Usage("give at least one --function NAME=COMMAND");

  // Every thread started from here on inherits this mask, so the signals reach only sigwait.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGINT);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::vector<std::unique_ptr<workers::WarmPool>> pools;  // outlive the worker's handlers
  auto worker = std::make_unique<workers::Worker>(options);
  std::string names;
  for (const workers::FunctionBinding& binding : bindings) {
    names += (names.empty() ? "" : ", ") + binding.name;
    if (mode == "exec") {
      worker->Handle(binding.name, [binding, timeout](const workers::Invocation& call) {
        workers::ProcessLimits limits;
        limits.timeout = Limit(call, timeout);
        call.ReportColdStart(true);  // every call starts a process
        return Answer(workers::RunProcessFunction(binding, call.input(), limits));
      });
      continue;
    }
    workers::WarmPoolOptions pool_options;
    pool_options.max_concurrency = static_cast<std::size_t>(options.concurrency);
    pool_options.idle_timeout = idle_timeout;
    pool_options.limits.timeout = timeout;
    auto pool = workers::WarmPool::Create(binding, pool_options);
    if (!pool.ok()) return Usage(std::string(pool.status().message()));
    workers::WarmPool* warm = pool->get();
    pools.push_back(*std::move(pool));
    worker->Handle(binding.name, [warm, timeout](const workers::Invocation& call) {
      auto deadline = std::chrono::steady_clock::now() + Limit(call, timeout);
      workers::WarmInvocation done = warm->Invoke(call.input(), deadline, call.task().attempt);
      call.ReportColdStart(done.cold_start);
      return Answer(std::move(done.outcome));
    });
  }
  if (absl::Status started = worker->Start(); !started.ok()) {
    std::cerr << "stepwise worker: " << started.message() << "\n";
    return started.code() == absl::StatusCode::kInvalidArgument ? 2 : 1;
  }
  std::cout << "stepwise worker serving: " << names << " on " << options.server << " (" << mode
            << " mode, " << options.concurrency << " at once)" << std::endl;

  int received = 0;
  sigwait(&signals, &received);
  std::cerr << "stepwise worker: " << (received == SIGTERM ? "SIGTERM" : "SIGINT")
            << ", finishing invocations in flight\n";
  worker->Shutdown(milliseconds(10'000));
  worker.reset();  // its handlers are done with the pools
  pools.clear();
  std::cerr << "stepwise worker: stopped\n";
  return 0;
}

}  // namespace stepwise::cli
