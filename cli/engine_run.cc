#include "engine_run.h"

#include <stdlib.h>

#include <chrono>
#include <condition_variable>
#include <deque>
#include <filesystem>
#include <limits>
#include <memory>
#include <mutex>
#include <system_error>
#include <thread>
#include <utility>

#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::cli {
namespace {

// A directory for a throwaway store, removed with everything in it at the end of the run.
class TemporaryDirectory {
 public:
  TemporaryDirectory() {
    std::error_code ignored;
    std::string pattern =
        (std::filesystem::temp_directory_path(ignored) / "stepwise-run-XXXXXX").string();
    if (mkdtemp(pattern.data()) != nullptr) path_ = pattern;
  }
  ~TemporaryDirectory() {
    std::error_code ignored;
    if (!path_.empty()) std::filesystem::remove_all(path_, ignored);
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// Hands task outcomes to the engine from one thread of its own. Outcomes that arrive after Stop
// (a process that outlived the run) are dropped.
class CompletionRelay {
 public:
  ~CompletionRelay() { Stop(); }

  void Start(engine::Engine* engine) {
    engine_ = engine;
    thread_ = std::thread([this] { Run(); });
  }

  void Push(const std::string& token, engine::TaskOutcome outcome) {
    {
      std::lock_guard lock(mutex_);
      if (stopping_) return;
      queue_.emplace_back(token, std::move(outcome));
    }
    pushed_.notify_one();
  }

  // Stops after the outcomes already pushed; no call into the engine happens after it returns.
  void Stop() {
    {
      std::lock_guard lock(mutex_);
      stopping_ = true;
    }
    pushed_.notify_one();
    if (thread_.joinable()) thread_.join();
  }

 private:
  void Run() {
    std::unique_lock lock(mutex_);
    for (;;) {
      pushed_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
      if (queue_.empty()) return;
      auto [token, outcome] = std::move(queue_.front());
      queue_.pop_front();
      lock.unlock();
      if (outcome.succeeded) {
        (void)engine_->CompleteTask(token, std::move(outcome.output));
      } else {
        (void)engine_->FailTask(token, outcome.error, outcome.cause);
      }
      lock.lock();
    }
  }

  engine::Engine* engine_ = nullptr;
  std::mutex mutex_;
  std::condition_variable pushed_;
  std::deque<std::pair<std::string, engine::TaskOutcome>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace

absl::StatusOr<EngineRunResult> RunOnEngine(const std::string& definition, nlohmann::json input,
                                            engine::FunctionInvoker& functions,
                                            const EngineRunOptions& options) {
  TemporaryDirectory temporary;
  storage::RocksStoreOptions store_options;
  store_options.sync_writes = !options.data_dir.empty();
  std::string dir = options.data_dir.empty() ? temporary.path() : options.data_dir;
  if (dir.empty()) return absl::UnavailableError("cannot create a temporary data directory");
  auto store = storage::OpenRocksStore(dir, store_options);
  if (!store.ok()) return store.status();

  engine::SystemClock system_clock;
  engine::ScaledClock clock(system_clock, options.time_scale);
  engine::EngineOptions engine_options;
  engine_options.interpreter = options.interpreter;
  engine_options.step_threads = 4;
  // Functions report back through the worker protocol, as a remote worker would, from a thread
  // of their own: an invoker may answer inside Invoke (an unbound function), which runs on the
  // engine's step thread, and that thread must not wait for its own execution's next step.
  // Shared: the invoker's callbacks may outlive this function.
  auto relay = std::make_shared<CompletionRelay>();
  auto dispatch = [&functions, relay](const engine::TaskLease& lease) {
    functions.Invoke(lease.task, [relay, token = lease.token](engine::TaskOutcome outcome) {
      relay->Push(token, std::move(outcome));
    });
  };
  auto engine = std::make_unique<engine::Engine>(**store, clock, engine_options, dispatch);
  relay->Start(engine.get());
  struct StopRelay {
    std::shared_ptr<CompletionRelay> relay;
    ~StopRelay() { relay->Stop(); }
  } stop_relay{relay};
  if (absl::Status recovered = engine->Recover(); !recovered.ok()) return recovered;

  auto stored = engine->PutStateMachine(options.machine_name, definition);
  if (!stored.ok()) return stored.status();
  auto id = engine->StartExecution(options.machine_name, "", std::move(input));
  if (!id.ok()) return id.status();
  auto summary = engine->AwaitExecution(*id, std::chrono::hours(24 * 365));
  if (!summary.ok()) return summary.status();

  EngineRunResult result{*id, *std::move(summary), {}};
  if (options.keep_history) {
    auto history = (*store)->ReadHistory(*id, 1, std::numeric_limits<int>::max());
    if (!history.ok()) return history.status();
    result.history = *std::move(history);
  }
  return result;
}

}  // namespace stepwise::cli
