#include "api/rest/request_pacer.h"

#include <time.h>

#include <algorithm>

namespace stepwise::api {

RequestPacer::RequestPacer(double cpu_share)
    : idle_per_busy_(cpu_share >= 1.0 ? 0.0 : 1.0 / std::max(cpu_share, 1e-3) - 1.0) {}

RequestPacer::Clock::duration RequestPacer::WaitAt(Clock::time_point now) {
  std::lock_guard lock(mutex_);
  return next_ > now ? next_ - now : Clock::duration::zero();
}

void RequestPacer::Charge(Clock::time_point now, std::chrono::nanoseconds cpu) {
  if (idle_per_busy_ == 0.0) return;
  auto idle = std::chrono::duration_cast<Clock::duration>(cpu * idle_per_busy_);
  std::lock_guard lock(mutex_);
  // Time the API did not use is not saved up: a burst after a quiet minute is paced as well.
  next_ = std::max(next_, now) + idle;
}

std::chrono::nanoseconds RequestPacer::ThreadCpuTime() {
  timespec now{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
  return std::chrono::seconds(now.tv_sec) + std::chrono::nanoseconds(now.tv_nsec);
}

}  // namespace stepwise::api
