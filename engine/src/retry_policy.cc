#include "retry_policy.h"

#include <algorithm>
#include <cmath>

namespace stepwise::engine {

bool ErrorMatches(const std::vector<std::string>& error_equals, const std::string& error) {
  for (const std::string& name : error_equals) {
    if (name == error || name == "States.ALL") return true;
    if (name == "States.TaskFailed" && error != "States.Timeout") return true;
  }
  return false;
}

std::int64_t RetryDelayMillis(const dsl::Retrier& retrier, int attempt, std::uint64_t random) {
  double seconds = retrier.interval_seconds * std::pow(retrier.backoff_rate, attempt);
  if (retrier.max_delay_seconds) seconds = std::min(seconds, *retrier.max_delay_seconds);
  // Bounded well below int64 overflow whatever BackoffRate and attempt are.
  seconds = std::min(seconds, 1e12);
  double millis = seconds * 1000.0;
  if (retrier.full_jitter) {
    double unit = static_cast<double>(random >> 11) * 0x1.0p-53;  // [0, 1)
    millis *= unit;
  }
  return static_cast<std::int64_t>(std::llround(millis));
}

}  // namespace stepwise::engine
