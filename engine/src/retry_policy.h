#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "stepwise/dsl/state_machine.h"

namespace stepwise::engine {

// Whether a Retry or Catch `ErrorEquals` list matches `error`, with the States Language's
// wildcards: States.ALL matches every error, and States.TaskFailed every error but
// States.Timeout (on AWS it is "any known error except States.Timeout").
bool ErrorMatches(const std::vector<std::string>& error_equals, const std::string& error);

// The backoff before retry number `attempt` (0 for the first retry) of `retrier`, in ms:
// IntervalSeconds * BackoffRate^attempt, capped by MaxDelaySeconds; with JitterStrategy FULL a
// uniform draw in [0, that], taken from `random` (a uniform 64-bit value).
std::int64_t RetryDelayMillis(const dsl::Retrier& retrier, int attempt, std::uint64_t random);

// SplitMix64: a tiny, good-enough generator so that every random choice of a step derives
// from the step's seed and the step replays exactly.
class SeededRandom {
 public:
  explicit SeededRandom(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
  }

 private:
  std::uint64_t state_;
};

}  // namespace stepwise::engine
