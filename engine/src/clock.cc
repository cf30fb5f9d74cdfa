#include "stepwise/engine/clock.h"

#include <cstdio>
#include <cstdlib>

namespace stepwise::engine {
namespace {

// 2024-01-01T00:00:00Z: a fixed, recognisable start so that test output is reproducible.
constexpr std::chrono::sys_seconds kManualClockStart{std::chrono::seconds{1704067200}};

}  // namespace

std::chrono::system_clock::time_point SystemClock::Now() const {
  return std::chrono::system_clock::now();
}

std::chrono::steady_clock::time_point SystemClock::NowSteady() const {
  return std::chrono::steady_clock::now();
}

ManualClock::ManualClock() : ManualClock(kManualClockStart) {}

ManualClock::ManualClock(std::chrono::system_clock::time_point start) : now_(start) {}

std::chrono::system_clock::time_point ManualClock::Now() const {
  std::lock_guard lock(mutex_);
  return now_;
}

std::chrono::steady_clock::time_point ManualClock::NowSteady() const {
  std::lock_guard lock(mutex_);
  return now_steady_;
}

void ManualClock::Advance(std::chrono::nanoseconds delta) {
  // A negative step is a bug in the test, and letting it through would break the promise that
  // steady time is monotonic, which the code under test relies on.
  if (delta < std::chrono::nanoseconds::zero()) {
    std::fprintf(stderr, "ManualClock::Advance: negative delta %lld ns\n",
                 static_cast<long long>(delta.count()));
    std::abort();
  }
  std::lock_guard lock(mutex_);
  now_ += std::chrono::duration_cast<std::chrono::system_clock::duration>(delta);
  now_steady_ += std::chrono::duration_cast<std::chrono::steady_clock::duration>(delta);
}

void ManualClock::SetNow(std::chrono::system_clock::time_point now) {
  std::lock_guard lock(mutex_);
  now_ = now;
}

ScaledClock::ScaledClock(const Clock& base, double scale)
    : base_(base),
      scale_(scale > 0 ? scale : 1.0),
      start_(base.Now()),
      start_steady_(base.NowSteady()) {}

std::chrono::system_clock::time_point ScaledClock::Now() const {
  auto elapsed = std::chrono::duration<double>(base_.Now() - start_) / scale_;
  return start_ + std::chrono::duration_cast<std::chrono::system_clock::duration>(elapsed);
}

std::chrono::steady_clock::time_point ScaledClock::NowSteady() const {
  auto elapsed = std::chrono::duration<double>(base_.NowSteady() - start_steady_) / scale_;
  return start_steady_ + std::chrono::duration_cast<std::chrono::steady_clock::duration>(elapsed);
}

}  // namespace stepwise::engine
