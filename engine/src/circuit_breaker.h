#pragma once

#include <cstdint>
#include <deque>
#include <optional>

#include "stepwise/engine/functions.h"

namespace stepwise::engine {

// One function's circuit breaker: closed while its invocations mostly succeed; open after
// `failure_threshold` failures within `window`, when tasks on the function fail at once
// (Stepwise.CircuitOpen) instead of reaching a struggling worker; half-open after `open_for`,
// when `half_open_probes` trial invocations go through: a success closes it, a failure opens it
// again. Pure: time comes in as milliseconds since the epoch. Not thread-safe.
class CircuitBreaker {
 public:
  struct Change {
    CircuitState from;
    CircuitState to;
  };

  explicit CircuitBreaker(CircuitBreakerOptions options) : options_(options) {}

  // Whether an invocation may start at `now`; a half-open circuit counts it as a probe. Also
  // reports the change to half-open that `now` brought, if any.
  bool Allow(std::int64_t now, std::optional<Change>* change = nullptr);
  // An invocation's outcome; returns the change it caused, if any.
  std::optional<Change> OnSuccess(std::int64_t now);
  std::optional<Change> OnFailure(std::int64_t now);

  // The state at `now` (open turns half-open once `open_for` has passed).
  CircuitState state(std::int64_t now) const;
  // While open: when it turns half-open.
  std::int64_t open_until() const { return open_until_; }
  const CircuitBreakerOptions& options() const { return options_; }

 private:
  std::optional<Change> MoveTo(CircuitState to, std::int64_t now);
  void HalfOpenIfDue(std::int64_t now, std::optional<Change>* change);

  CircuitBreakerOptions options_;
  CircuitState state_ = CircuitState::kClosed;
  std::deque<std::int64_t> failures_;  // times of the failures within the window, while closed
  std::int64_t open_until_ = 0;
  int probes_left_ = 0;     // half-open: trial invocations that may still start
  int probes_running_ = 0;  // half-open: trial invocations started and not yet answered
};

}  // namespace stepwise::engine
