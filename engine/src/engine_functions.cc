// Functions as resources: their limits where tasks meet workers (function_gate.h), and their
// circuit breakers' changes of state in the histories of the executions that met them.
#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "engine_impl.h"
#include "stepwise/engine/task_token.h"

namespace stepwise::engine {

namespace {

const char* CircuitEventType(CircuitState to) {
  switch (to) {
    case CircuitState::kOpen:
      return "FunctionCircuitOpened";
    case CircuitState::kHalfOpen:
      return "FunctionCircuitHalfOpened";
    case CircuitState::kClosed:
      return "FunctionCircuitClosed";
  }
  return "FunctionCircuitClosed";
}

std::string CircuitEventCause(const FunctionLimits& limits, const CircuitBreaker::Change& change) {
  const CircuitBreakerOptions& breaker = limits.circuit_breaker;
  switch (change.to) {
    case CircuitState::kOpen:
      if (change.from == CircuitState::kHalfOpen) {
        return "a trial invocation failed: tasks on the function fail with "
               "Stepwise.CircuitOpen for another " +
               std::to_string(breaker.open_for.count()) + " ms";
      }
      return std::to_string(breaker.failure_threshold) + " invocations failed within " +
             std::to_string(breaker.window.count()) +
             " ms: tasks on the function fail with Stepwise.CircuitOpen for " +
             std::to_string(breaker.open_for.count()) + " ms";
    case CircuitState::kHalfOpen:
      return "open for " + std::to_string(breaker.open_for.count()) +
             " ms: " + std::to_string(std::max(1, breaker.half_open_probes)) +
             " trial invocation(s) may start";
    case CircuitState::kClosed:
      return "a trial invocation succeeded";
  }
  return "";
}

}  // namespace

std::string TaskStateName(const ExecutionState& state, const TaskRef& task) {
  auto frame = state.frames.find(task.frame);
  if (frame == state.frames.end() || frame->second.graph == nullptr || frame->second.state < 0 ||
      frame->second.state >= static_cast<int>(frame->second.graph->states.size())) {
    return "";
  }
  return frame->second.graph->states[frame->second.state].name;
}

bool Engine::Impl::MayStart(const TaskLease& lease) {
  const std::string& function = QueueName(lease.task);
  std::int64_t now = NowMillis(clock);
  if (gate.TryStart(function, InvocationKey(lease.execution_id, lease.task.task), now)) {
    return true;
  }
  std::int64_t next = gate.NextStart(function, now);
  // Waiting for the rate limit's next token, not for a slot: one wake-up per function will do.
  if (next > now && gate.ClaimWakeUp(function)) {
    deadlines.Schedule(std::chrono::steady_clock::now() + std::chrono::milliseconds(next - now),
                       [this, function] {
                         gate.WokenUp(function);
                         queues.Kick(function);
                       });
  }
  return false;
}

std::optional<HistoryNote> Engine::Impl::InvocationOver(const std::string& execution_id,
                                                        const TaskRef& task,
                                                        FunctionGate::Outcome outcome) {
  auto finished = gate.Finish(InvocationKey(execution_id, task), outcome, NowMillis(clock));
  if (!finished) return std::nullopt;
  queues.Kick(finished->function);
  if (!finished->change) return std::nullopt;
  return CircuitNote(finished->function, *finished->change);
}

HistoryNote Engine::Impl::CircuitNote(const std::string& function,
                                      const CircuitBreaker::Change& change) {
  HistoryNote note;
  note.type = CircuitEventType(change.to);
  note.details = {{"function", function},
                  {"from", std::string(CircuitStateName(change.from))},
                  {"to", std::string(CircuitStateName(change.to))},
                  {"cause", CircuitEventCause(gate.Limits(function), change)}};
  return note;
}

absl::Status Engine::RegisterFunction(FunctionLimits limits) {
  if (absl::Status valid = ValidateFunctionLimits(limits); !valid.ok()) return valid;
  if (absl::Status stored = impl_->store.PutFunction(limits); !stored.ok()) return stored;
  std::string name = limits.name;
  impl_->gate.Register(std::move(limits));
  impl_->queues.Kick(name);  // a higher limit may let queued tasks go
  return absl::OkStatus();
}

const FunctionLimits& Engine::function_defaults() const { return impl_->options.function_defaults; }

std::vector<FunctionStatus> Engine::DescribeFunctions() {
  std::vector<FunctionStatus> all = impl_->gate.DescribeAll(NowMillis(impl_->clock));
  for (FunctionStatus& status : all) status.queued = impl_->queues.queued(status.limits.name);
  return all;
}

FunctionStatus Engine::DescribeFunction(const std::string& name) {
  FunctionStatus status = impl_->gate.Describe(name, NowMillis(impl_->clock));
  status.queued = impl_->queues.queued(name);
  return status;
}

void Engine::NoteColdStart(const std::string& token) {
  std::optional<TaskToken> parsed = ParseTaskToken(token);
  if (parsed) impl_->gate.NoteColdStart(InvocationKey(parsed->execution_id, parsed->task));
}

}  // namespace stepwise::engine
