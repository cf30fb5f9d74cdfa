#pragma once

// Shared by the RocksStore tests: a store in a temp dir that can be closed and reopened, a run of
// the real interpreter whose every step is committed to it, hand-made executions for the tests
// of timers, tasks and listings, and a field-by-field comparison of execution states.

#include <gtest/gtest.h>

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "engine/interpreter_harness.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/store.h"
#include "stepwise/storage/rocksdb_store.h"
#include "storage/temp_dir.h"

namespace stepwise::storage::testing {

using engine::testing::kT0;
using nlohmann::json;

// A store on a temp dir; `Reopen` closes and opens it again, as a restart would.
class StoreTest : public ::testing::Test {
 protected:
  void SetUp() override { Open(); }

  void Open() {
    RocksStoreOptions options;
    options.sync_writes = false;  // a clean close keeps everything; no test pulls the power
    auto opened = OpenRocksStore(dir_.path(), options);
    ASSERT_TRUE(opened.ok()) << opened.status();
    store_ = *std::move(opened);
  }
  void Close() { store_.reset(); }
  void Reopen() {
    Close();
    Open();
  }
  engine::Store& store() { return *store_; }

  TempDir dir_;
  std::unique_ptr<engine::Store> store_;
};

// The real interpreter over a compiled definition (engine's test harness), committing each step
// to `store` as the Engine would, with the CommitContext it would pass.
class StoredRun {
 public:
  StoredRun(engine::Store& store, std::string_view definition,
            engine::InterpreterOptions options = {})
      : store_(store), harness_(definition, options) {}

  void Start(json input) {
    engine::CommitContext context;
    context.created = true;
    Commit(harness_.Start(std::move(input)), context);
  }
  void Succeed(const engine::TaskRef& task, json output) {
    engine::CommitContext context;
    context.completed_task = task;
    Commit(harness_.Succeed(task, std::move(output)), context);
  }
  void Fail(const engine::TaskRef& task, std::string error) {
    engine::CommitContext context;
    context.completed_task = task;
    Commit(harness_.Fail(task, std::move(error)), context);
  }
  void Fire(const engine::ArmTimer& timer) { Commit(harness_.Fire(timer), {}); }
  void FireNext(engine::TimerKind kind) { Commit(harness_.FireNext(kind), {}); }

  engine::testing::Harness& harness() { return harness_; }
  const engine::ExecutionState& state() const { return harness_.state(); }
  const std::string& id() const { return harness_.state().info.execution_id; }
  const engine::Step& last_step() const { return harness_.steps().back(); }

 private:
  void Commit(const engine::Step& step, const engine::CommitContext& context) {
    absl::Status committed = store_.CommitStep(harness_.state(), step, context);
    ASSERT_TRUE(committed.ok()) << committed;
  }

  engine::Store& store_;
  engine::testing::Harness harness_;
};

// An execution made by hand, for committing steps with chosen effects.
inline engine::ExecutionState MakeExecution(const std::string& machine, const std::string& name,
                                            std::int64_t start_time, json input = json::object()) {
  engine::ExecutionState state;
  state.info.execution_id = "arn:stepwise:states:local:execution:" + machine + ":" + name;
  state.info.name = name;
  state.info.state_machine_id = "arn:stepwise:states:local:stateMachine:" + machine;
  state.info.state_machine_name = machine;
  state.info.state_machine_version = 1;
  state.info.start_time = start_time;
  state.context = engine::MakeContext(state.info, std::move(input));
  return state;
}

// Commits the execution's first step (no frames, the given effects).
inline absl::Status CommitCreated(engine::Store& store, const engine::ExecutionState& state,
                                  std::vector<engine::Effect> effects = {}) {
  engine::Step step;
  step.effects = std::move(effects);
  engine::CommitContext context;
  context.created = true;
  return store.CommitStep(state, step, context);
}

// Ends the execution with `status` at `stop_time` and commits that step.
inline absl::Status CommitEnd(engine::Store& store, engine::ExecutionState& state,
                              engine::ExecutionStatus status, std::int64_t stop_time) {
  state.status = status;
  state.stop_time = stop_time;
  if (status == engine::ExecutionStatus::kSucceeded) state.output = json{{"done", true}};
  engine::Step step;
  step.finished = true;
  return store.CommitStep(state, step, {});
}

inline void ExpectSameFrame(const engine::Frame& live, const engine::Frame& loaded) {
  SCOPED_TRACE("frame " + std::to_string(live.id));
  EXPECT_EQ(loaded.id, live.id);
  EXPECT_EQ(loaded.parent, live.parent);
  EXPECT_EQ(loaded.child_index, live.child_index);
  EXPECT_EQ(loaded.graph, nullptr);
  EXPECT_EQ(loaded.state, live.state);
  EXPECT_EQ(loaded.phase, live.phase);
  EXPECT_EQ(loaded.seq, live.seq);
  EXPECT_EQ(loaded.input, live.input);
  EXPECT_EQ(loaded.entered_time, live.entered_time);
  EXPECT_EQ(loaded.entered_event, live.entered_event);
  EXPECT_EQ(loaded.retry_counts, live.retry_counts);
  EXPECT_EQ(loaded.retry_count, live.retry_count);
  EXPECT_EQ(loaded.heartbeat_due, live.heartbeat_due);
  EXPECT_EQ(loaded.heartbeat_seconds, live.heartbeat_seconds);
  ASSERT_EQ(loaded.children.has_value(), live.children.has_value());
  if (!live.children) return;
  const engine::ChildrenProgress& a = *live.children;
  const engine::ChildrenProgress& b = *loaded.children;
  EXPECT_EQ(b.items, a.items);
  EXPECT_EQ(b.results, a.results);
  EXPECT_EQ(b.total, a.total);
  EXPECT_EQ(b.started, a.started);
  EXPECT_EQ(b.running, a.running);
  EXPECT_EQ(b.failed, a.failed);
  EXPECT_EQ(b.max_concurrency, a.max_concurrency);
  EXPECT_EQ(b.tolerated_failure_count, a.tolerated_failure_count);
  EXPECT_EQ(b.tolerated_failure_percentage, a.tolerated_failure_percentage);
  EXPECT_EQ(b.shared_input, a.shared_input);
  EXPECT_EQ(b.queued, a.queued);
}

// Equal as far as a reload can make them: `graph` pointers are left for Interpreter::Attach, and
// the context's "State" part describes whichever state the interpreter looked at last (each
// step sets it afresh before use), so it is not compared.
inline void ExpectSameState(const engine::ExecutionState& live,
                            const engine::ExecutionState& loaded) {
  EXPECT_EQ(loaded.info.execution_id, live.info.execution_id);
  EXPECT_EQ(loaded.info.name, live.info.name);
  EXPECT_EQ(loaded.info.state_machine_id, live.info.state_machine_id);
  EXPECT_EQ(loaded.info.state_machine_name, live.info.state_machine_name);
  EXPECT_EQ(loaded.info.state_machine_version, live.info.state_machine_version);
  EXPECT_EQ(loaded.info.role_arn, live.info.role_arn);
  EXPECT_EQ(loaded.info.start_time, live.info.start_time);
  EXPECT_EQ(loaded.status, live.status);
  EXPECT_EQ(loaded.output, live.output);
  EXPECT_EQ(loaded.error, live.error);
  EXPECT_EQ(loaded.cause, live.cause);
  EXPECT_EQ(loaded.stop_time, live.stop_time);
  EXPECT_EQ(loaded.next_frame_id, live.next_frame_id);
  EXPECT_EQ(loaded.next_event_id, live.next_event_id);
  EXPECT_EQ(loaded.ready, live.ready);
  json live_context = live.context;
  json loaded_context = loaded.context;
  live_context.erase("State");
  loaded_context.erase("State");
  EXPECT_EQ(loaded_context, live_context);
  ASSERT_EQ(loaded.frames.size(), live.frames.size());
  for (const auto& [id, frame] : live.frames) {
    auto found = loaded.frames.find(id);
    ASSERT_NE(found, loaded.frames.end()) << "frame " << id << " was not loaded";
    ExpectSameFrame(frame, found->second);
  }
}

}  // namespace stepwise::storage::testing
