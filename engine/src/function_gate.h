#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "circuit_breaker.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/functions.h"

namespace stepwise::engine {

// The limits of functions.h applied where tasks meet workers: whether a scheduled task may go to
// its function at all (the circuit breaker), and whether a queued task may be handed to a worker
// now (concurrency and rate). An invocation is in flight from its hand-over until Finish: its
// completion, its timeout, or its cancellation. Times are milliseconds since the epoch.
// Thread-safe; calls nothing outside itself, so it may be called under other locks.
class FunctionGate {
 public:
  enum class Outcome { kSucceeded, kFailed, kCancelled };

  // What a finished invocation changed.
  struct Finished {
    std::string function;
    std::optional<CircuitBreaker::Change> change;
  };

  using Status = FunctionStatus;

  // `defaults`: the limits of a function nobody registered (its name is ignored).
  explicit FunctionGate(FunctionLimits defaults = {});

  // Registers or re-registers a function; invocations in flight keep running.
  void Register(FunctionLimits limits);
  FunctionLimits Limits(const std::string& function) const;

  // At scheduling: nullopt when a task may go to `function`, or else why it fails at once
  // (the cause of a Stepwise.CircuitOpen failure). A half-open circuit lets its probes through;
  // `change` reports an open circuit turning half-open now.
  std::optional<std::string> Refusal(const std::string& function, std::int64_t now,
                                     std::optional<CircuitBreaker::Change>* change = nullptr);

  // At hand-over: whether an invocation of `function` may start now; if so it is in flight
  // under `key` until Finish(key). Refused while `max_concurrency` are in flight, or while the
  // rate limit has no token left (NextStart then says when one comes).
  bool TryStart(const std::string& function, const std::string& key, std::int64_t now);
  // When a rate-limited function has its next token (now or later); `now` when not limited.
  std::int64_t NextStart(const std::string& function, std::int64_t now) const;
  // Whoever would wake the function's queue up at its next token: true for the first to ask
  // until WokenUp, so that one wake-up is pending per function however many tasks wait.
  bool ClaimWakeUp(const std::string& function);
  void WokenUp(const std::string& function);

  // The worker of the invocation under `key` says it ran in a freshly started instance. False
  // when it is not in flight.
  bool NoteColdStart(const std::string& key);

  // The invocation under `key` is over; nullopt when it was not in flight (never handed over,
  // or finished already). A success or failure counts its duration.
  std::optional<Finished> Finish(const std::string& key, Outcome outcome, std::int64_t now);

  Status Describe(const std::string& function, std::int64_t now) const;
  std::vector<Status> DescribeAll(std::int64_t now) const;

 private:
  struct Function {
    explicit Function(FunctionLimits limits) : limits(limits), breaker(limits.circuit_breaker) {}
    FunctionLimits limits;
    bool registered = false;
    CircuitBreaker breaker;
    int in_flight = 0;
    double tokens = 0;  // the rate limit's bucket
    std::int64_t refilled_at = 0;
    std::int64_t succeeded = 0;
    std::int64_t failed = 0;
    std::int64_t refused = 0;
    std::int64_t circuit_opened = 0;
    std::int64_t circuit_changed_at = 0;
    std::int64_t cold_starts = 0;
    bool wake_up_pending = false;
    // The last DurationPercentiles::kDurationsKept durations (µs), a ring from `next_duration`.
    std::vector<std::int64_t> durations_us;
    size_t next_duration = 0;
  };

  struct InFlight {
    std::string function;
    // Real time, whatever the engine's clock: durations are what workers took.
    std::chrono::steady_clock::time_point started;
  };

  // Counts a change of the function's breaker, if any, in its status.
  static void Note(Function& function, const std::optional<CircuitBreaker::Change>& change,
                   std::int64_t now);

  Function& Get(const std::string& function);  // under mutex_; made with the defaults
  static void RecordDuration(Function& function, std::int64_t micros);
  static void Refill(Function& function, std::int64_t now);
  // Everything but the durations' percentiles, which are worked out after the lock is released.
  Status Snapshot(const Function& function, std::int64_t now) const;

  FunctionLimits defaults_;
  mutable std::mutex mutex_;
  std::map<std::string, Function> functions_;
  std::unordered_map<std::string, InFlight> in_flight_;
};

// The in-flight key of a task of an execution.
std::string InvocationKey(const std::string& execution_id, const TaskRef& task);

}  // namespace stepwise::engine
