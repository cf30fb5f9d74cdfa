// stepwise_crash_child DATA_DIR [--hold]
//
// The process the crash tests kill: opens the durable store in DATA_DIR (synced writes), recovers
// the Engine, registers the crash workloads and starts their named executions (both idempotent,
// so a restart after a kill picks up where the last run stopped), and runs in-process workers
// that complete every task deterministically. Prints to stdout:
//   READY                      the store is open, recovery done, every execution started
//   DONE <n> stale=<s>         every execution has finished (then it shuts down and exits 0)
// With --hold it waits after READY until stdin reaches end of file (so a test can keep it
// running). Exit codes: 2 the store could not be opened, 3 recovery failed, 4 registering or
// starting failed, 5 an execution did not finish, 6 a worker got an unexpected error, 64 usage.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "integration/crash_workloads.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::crash {
namespace {

using namespace std::chrono_literals;

void Say(const std::string& line) {
  std::string text = line + "\n";
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

void Complain(const std::string& line) {
  std::string text = "stepwise_crash_child: " + line + "\n";
  std::fputs(text.c_str(), stderr);
  std::fflush(stderr);
}

// Polls one function's queue and completes each task as the workloads say.
class Worker {
 public:
  Worker(engine::Engine& engine, std::string function)
      : engine_(engine), function_(std::move(function)), thread_([this] { Run(); }) {}
  ~Worker() {
    stop_ = true;
    thread_.join();
  }
  Worker(const Worker&) = delete;
  Worker& operator=(const Worker&) = delete;

  int stale() const { return stale_; }
  int errors() const { return errors_; }

 private:
  void Run() {
    while (!stop_) {
      std::optional<engine::TaskLease> lease = engine_.PollTask(function_, 50ms);
      if (!lease) continue;
      const nlohmann::json& input = lease->task.input;
      absl::Status status;
      if (function_ == "flaky" && lease->task.attempt == 0) {
        status = engine_.FailTask(lease->token, kFlakyError, FlakyCause(input, 0));
      } else {
        status = engine_.CompleteTask(
            lease->token, function_ == "flaky" ? FlakyResult(input) : DoubleResult(input));
      }
      if (status.code() == absl::StatusCode::kFailedPrecondition) {
        ++stale_;  // at-least-once delivery: a repeated task is refused, which is fine
      } else if (!status.ok()) {
        ++errors_;
        Complain("completing " + lease->token + ": " + status.ToString());
      }
    }
  }

  engine::Engine& engine_;
  const std::string function_;
  std::atomic<bool> stop_{false};
  std::atomic<int> stale_{0};
  std::atomic<int> errors_{0};
  std::thread thread_;  // last: starts after the members it uses
};

int Main(int argc, char** argv) {
  if (argc < 2 || argc > 3 || (argc == 3 && std::string(argv[2]) != "--hold")) {
    Complain("usage: stepwise_crash_child DATA_DIR [--hold]");
    return 64;
  }
  const std::string dir = argv[1];
  const bool hold = argc == 3;

  storage::RocksStoreOptions store_options;
  store_options.sync_writes = true;
  store_options.create_if_missing = true;
  auto opened = storage::OpenRocksStore(dir, store_options);
  if (!opened.ok()) {
    Complain("cannot open the store in " + dir + ": " + opened.status().ToString());
    return 2;
  }
  std::unique_ptr<engine::Store> store = *std::move(opened);
  engine::SystemClock clock;
  engine::EngineOptions options;
  options.step_threads = 8;
  int exit_code = 0;
  {
    engine::Engine engine(*store, clock, options);
    if (absl::Status recovered = engine.Recover(); !recovered.ok()) {
      Complain("recovery failed: " + recovered.ToString());
      return 3;
    }
    std::vector<std::unique_ptr<Worker>> workers;
    for (int i = 0; i < 6; ++i) workers.push_back(std::make_unique<Worker>(engine, "double"));
    workers.push_back(std::make_unique<Worker>(engine, "flaky"));

    for (const Workload& workload : Workloads()) {
      auto existing = store->GetDefinition(workload.machine, 0);
      if (existing.ok()) continue;
      if (existing.status().code() != absl::StatusCode::kNotFound) {
        Complain("reading " + workload.machine + ": " + existing.status().ToString());
        return 4;
      }
      auto stored = engine.PutStateMachine(workload.machine, workload.definition);
      if (!stored.ok()) {
        Complain("registering " + workload.machine + ": " + stored.status().ToString());
        return 4;
      }
    }
    std::vector<PlannedExecution> executions = Executions();
    for (const PlannedExecution& execution : executions) {
      auto id = engine.StartExecution(execution.machine, execution.name, execution.input);
      if (!id.ok() || *id != ExecutionId(execution)) {
        Complain("starting " + execution.name + ": " +
                 (id.ok() ? "unexpected id " + *id : id.status().ToString()));
        return 4;
      }
    }
    Say("READY");
    if (hold) {
      char buffer[64];
      while (read(STDIN_FILENO, buffer, sizeof buffer) > 0) {
      }
    }
    for (const PlannedExecution& execution : executions) {
      auto summary = engine.AwaitExecution(ExecutionId(execution), 600s);
      if (!summary.ok()) {
        Complain("awaiting " + execution.name + ": " + summary.status().ToString());
        return 5;
      }
    }
    int stale = 0;
    int errors = 0;
    for (const auto& worker : workers) {
      stale += worker->stale();
      errors += worker->errors();
    }
    Say("DONE " + std::to_string(executions.size()) + " stale=" + std::to_string(stale));
    if (errors > 0) exit_code = 6;
    workers.clear();  // before the engine goes
  }
  store.reset();
  return exit_code;
}

}  // namespace
}  // namespace stepwise::crash

int main(int argc, char** argv) { return stepwise::crash::Main(argc, argv); }
