#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"

namespace stepwise::engine {

// Functions are resources with limits, like cloud functions. A function nobody registered runs
// under the defaults below as soon as a worker serves it.

enum class CircuitState { kClosed, kOpen, kHalfOpen };

// "CLOSED", "OPEN", "HALF_OPEN".
std::string_view CircuitStateName(CircuitState state);

struct CircuitBreakerOptions {
  // Failures within `window` that open the circuit; 0: it never opens.
  int failure_threshold = 5;
  std::chrono::milliseconds window{60'000};
  // How long it stays open (Tasks on the function fail at once with Stepwise.CircuitOpen)
  // before half-opening.
  std::chrono::milliseconds open_for{30'000};
  // Trial invocations let through while half-open: a success closes the circuit, a failure
  // opens it again. Further invocations meanwhile fail as while open.
  int half_open_probes = 1;
};

struct FunctionLimits {
  std::string name;
  // The per-invocation time limit: a Task's TimeoutSeconds above it is cut to it.
  std::chrono::seconds timeout{900};
  // Invocations in flight at most (a bulkhead); more tasks wait in the function's queue.
  int max_concurrency = 1000;
  // Invocations started per second at most (a token bucket as deep as one second's worth);
  // 0: no limit.
  double rate_per_second = 0;
  CircuitBreakerOptions circuit_breaker;
};

// InvalidArgument naming the field when a limit is out of range (a name, a timeout of 1 s or
// more, a max_concurrency of 1 or more, ...).
absl::Status ValidateFunctionLimits(const FunctionLimits& limits);

// How long a function's recent invocations took, from hand-over to a worker to completion or
// timeout: the last kDurationsKept of them.
struct DurationPercentiles {
  static constexpr int kDurationsKept = 1024;
  int count = 0;  // invocations measured (at most kDurationsKept); 0: the rest are 0
  double p50_ms = 0;
  double p90_ms = 0;
  double p99_ms = 0;
  double max_ms = 0;
};

// A function as the engine sees it now.
struct FunctionStatus {
  FunctionLimits limits;
  bool registered = false;  // false: running under the defaults
  int in_flight = 0;        // invocations handed to workers and not over
  std::int64_t queued = 0;  // tasks waiting for a worker, or for the limits to let them go
  CircuitState circuit = CircuitState::kClosed;
  std::int64_t circuit_open_until = 0;  // while open: when it half-opens (ms since the epoch)
  std::int64_t circuit_opened = 0;      // how often the circuit opened
  std::int64_t circuit_changed_at = 0;  // its last change of state (ms); 0: never changed
  std::int64_t succeeded = 0;
  std::int64_t failed = 0;   // failures and timeouts of invocations
  std::int64_t refused = 0;  // tasks failed at once with Stepwise.CircuitOpen
  // Invocations its workers reported as cold starts: run by a freshly started instance (a new
  // process, or a warm instance's first call).
  std::int64_t cold_starts = 0;
  DurationPercentiles durations;
};

}  // namespace stepwise::engine
