#pragma once

// Shared by the durable Engine's tests: an engine over a real RocksDB store in a temp dir,
// reopened at will as a restart would, on a manual clock; and waiting for a callback's answer
// with a future (never a sleep).

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "stepwise/storage/rocksdb_store.h"
#include "storage/temp_dir.h"

namespace stepwise::testing {

using namespace std::chrono_literals;

class EngineTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  // (Re)opens the store and a new engine on the directory, and recovers.
  void Open(engine::EngineOptions options = {}) {
    engine_.reset();
    store_.reset();
    storage::RocksStoreOptions store_options;
    store_options.sync_writes = false;  // a process crash is not simulated here
    auto store = storage::OpenRocksStore(dir_.path(), store_options);
    ASSERT_TRUE(store.ok()) << store.status();
    store_ = *std::move(store);
    engine_ = std::make_unique<engine::Engine>(*store_, clock_, options);
    ASSERT_TRUE(engine_->Recover().ok());
  }

  engine::ExecutionSummary Await(const std::string& id) {
    auto summary = engine_->AwaitExecution(id, 10s);
    EXPECT_TRUE(summary.ok()) << summary.status();
    return summary.ok() ? *summary : engine::ExecutionSummary{};
  }

  void Put(const std::string& name, const std::string& definition) {
    auto stored = engine_->PutStateMachine(name, definition);
    ASSERT_TRUE(stored.ok()) << stored.status();
  }

  std::string Start(const std::string& machine, const std::string& name,
                    const nlohmann::json& input = nlohmann::json::object()) {
    auto id = engine_->StartExecution(machine, name, input);
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : std::string();
  }

  storage::testing::TempDir dir_;
  engine::ManualClock clock_;
  std::unique_ptr<engine::Store> store_;
  std::unique_ptr<engine::Engine> engine_;
};

// One answer of an asynchronous call, awaited by the test. Counts the calls, so a test can
// check that a callback ran exactly once.
template <typename T>
class Answer {
 public:
  std::function<void(T)> Callback() {
    return [this](T value) {
      if (calls_.fetch_add(1) == 0) promise_.set_value(std::move(value));
    };
  }
  bool Ready() const { return future_.wait_for(0s) == std::future_status::ready; }
  // Waits (up to 10 s) for the answer; T{} (and a failure) when none comes.
  T Get() {
    if (future_.wait_for(10s) != std::future_status::ready) {
      ADD_FAILURE() << "never answered";
      return T{};
    }
    return future_.get();
  }
  int calls() const { return calls_.load(); }

 private:
  std::promise<T> promise_;
  std::future<T> future_ = promise_.get_future();
  std::atomic<int> calls_{0};
};

}  // namespace stepwise::testing
