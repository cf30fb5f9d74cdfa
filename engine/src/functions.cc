#include "stepwise/engine/functions.h"

#include <string>

namespace stepwise::engine {

std::string_view CircuitStateName(CircuitState state) {
  switch (state) {
    case CircuitState::kClosed:
      return "CLOSED";
    case CircuitState::kOpen:
      return "OPEN";
    case CircuitState::kHalfOpen:
      return "HALF_OPEN";
  }
  return "CLOSED";
}

absl::Status ValidateFunctionLimits(const FunctionLimits& limits) {
  auto invalid = [&](const std::string& what) {
    return absl::InvalidArgumentError(
        (limits.name.empty() ? std::string("a function") : "function '" + limits.name + "'") +
        ": " + what);
  };
  if (limits.name.empty()) return invalid("needs a name");
  if (limits.name.size() > 256) return invalid("the name is longer than 256 characters");
  for (char c : limits.name) {
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) {
      return invalid("the name has a control character");
    }
  }
  if (limits.timeout.count() < 1) return invalid("timeout must be at least 1 second");
  if (limits.max_concurrency < 1) return invalid("max_concurrency must be at least 1");
  if (!(limits.rate_per_second >= 0)) {
    return invalid("rate_per_second must be 0 (no limit) or more");
  }
  const CircuitBreakerOptions& breaker = limits.circuit_breaker;
  if (breaker.failure_threshold < 0) {
    return invalid("circuit_breaker.failure_threshold must be 0 (never opens) or more");
  }
  if (breaker.window.count() < 1) return invalid("circuit_breaker.window must be at least 1 ms");
  if (breaker.open_for.count() < 1) {
    return invalid("circuit_breaker.open_for must be at least 1 ms");
  }
  if (breaker.half_open_probes < 1) {
    return invalid("circuit_breaker.half_open_probes must be at least 1");
  }
  return absl::OkStatus();
}

}  // namespace stepwise::engine
