#pragma once

#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "stepwise/dsl/state_machine.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/interpreter.h"

namespace stepwise::engine {

// Runs one execution in memory, to the end: the driver behind `stepwise run` and the
// conformance runner. It feeds the pure interpreter with task completions and due timers, in
// one thread; functions run wherever their invoker runs them (many at once for Parallel/Map).

// How one function invocation ended.
struct TaskOutcome {
  bool succeeded = false;
  nlohmann::json output;  // succeeded
  std::string error;      // failed: the error name (kept verbatim) and cause
  std::string cause;
};

// Serves the tasks of a run. Thread-safe implementations only: `Invoke` is called from the
// runner's thread, `done` may be called from any thread, exactly once per invocation.
class FunctionInvoker {
 public:
  virtual ~FunctionInvoker() = default;
  virtual void Invoke(const ScheduleTask& task, std::function<void(TaskOutcome)> done) = 0;
  // The task's result is no longer wanted (its branch failed, or the run ended). Optional.
  virtual void Cancel(const TaskRef& /*task*/) {}
};

struct LocalRunOptions {
  InterpreterOptions interpreter;
  ExecutionInfo info;         // empty fields get defaults (a generated name and ids)
  double time_scale = 1.0;    // multiplies every wait, backoff and timeout (tests use < 1)
  bool keep_history = false;  // collect the history events in the result
};

struct LocalRunResult {
  ExecutionStatus status = ExecutionStatus::kRunning;
  nlohmann::json output;  // SUCCEEDED
  std::string error;      // otherwise
  std::string cause;
  std::vector<HistoryEvent> history;  // when keep_history
  std::int64_t events = 0;            // how many history events the run produced
};

// Runs `machine` on `input` until it ends. `clock` gives the time (wall time scaled back by
// time_scale is what the interpreter sees, so timestamps and waits agree).
LocalRunResult RunLocally(std::shared_ptr<const dsl::StateMachine> machine, nlohmann::json input,
                          FunctionInvoker& functions, const LocalRunOptions& options,
                          const Clock& clock);

}  // namespace stepwise::engine
