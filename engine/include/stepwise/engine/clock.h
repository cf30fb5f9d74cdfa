#pragma once

#include <chrono>
#include <mutex>

namespace stepwise::engine {

// The engine's only source of time. Code that needs "now" asks a Clock it was given, so that
// tests of Wait states, retry backoff and timeouts run on a ManualClock and never sleep.
// Implementations are thread-safe.
class Clock {
 public:
  virtual ~Clock() = default;

  // Wall-clock time: what is recorded in history events and compared with timestamps in
  // definitions (`Wait.Timestamp`). May jump when the system time is changed.
  virtual std::chrono::system_clock::time_point Now() const = 0;

  // Monotonic time: for measuring durations (latency, lease ages). Never goes backwards, but
  // has no meaning across process restarts, so it is never persisted.
  virtual std::chrono::steady_clock::time_point NowSteady() const = 0;
};

// The real clocks of the machine.
class SystemClock final : public Clock {
 public:
  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point NowSteady() const override;
};

// A clock that moves only when told to. Starts at 2024-01-01T00:00:00Z (wall) and at the
// steady clock's epoch, so a test's timestamps are the same on every run.
class ManualClock final : public Clock {
 public:
  ManualClock();
  explicit ManualClock(std::chrono::system_clock::time_point start);

  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point NowSteady() const override;

  // Moves both clocks forward by `delta`. REQUIRES: delta >= 0 (steady time never goes back).
  void Advance(std::chrono::nanoseconds delta);

  // Sets the wall clock only, as an operator or NTP changing the system time would; the steady
  // clock does not move. The wall clock may go backwards this way.
  void SetNow(std::chrono::system_clock::time_point now);

 private:
  mutable std::mutex mutex_;
  std::chrono::system_clock::time_point now_;
  std::chrono::steady_clock::time_point now_steady_;
};

// A clock that runs `1 / scale` times as fast as `base` from the moment it is made: with scale
// 0.01 a 5-second Wait passes in 50 ms of `base` time. For tests and `stepwise run
// --time-scale`; what the interpreter sees stays consistent (timestamps and waits agree).
class ScaledClock final : public Clock {
 public:
  ScaledClock(const Clock& base, double scale);

  std::chrono::system_clock::time_point Now() const override;
  std::chrono::steady_clock::time_point NowSteady() const override;

 private:
  const Clock& base_;
  const double scale_;
  const std::chrono::system_clock::time_point start_;
  const std::chrono::steady_clock::time_point start_steady_;
};

}  // namespace stepwise::engine
