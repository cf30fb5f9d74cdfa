#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <string>

namespace stepwise::engine {

// Durations counted into fixed buckets, as a Prometheus histogram shows them. Thread-safe and
// lock-free: Observe is on the commit path.
class LatencyHistogram {
 public:
  // Upper bounds of the buckets, in seconds (the last bucket, +Inf, takes the rest).
  static constexpr std::array<double, 14> kBounds = {
      0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5};

  struct Snapshot {
    std::array<std::uint64_t, kBounds.size() + 1> buckets{};  // per bucket, not cumulative
    std::uint64_t count = 0;
    double sum_seconds = 0;
  };

  void Observe(double seconds);
  Snapshot Read() const;

 private:
  std::array<std::atomic<std::uint64_t>, kBounds.size() + 1> buckets_{};
  std::atomic<std::uint64_t> sum_nanos_{0};
};

// What the engine has done since it started, for /metrics. Counters only grow.
struct EngineMetrics {
  std::int64_t executions_started = 0;
  // By status name ("SUCCEEDED", ...): executions that reached it.
  std::map<std::string, std::int64_t> executions_finished;
  // States entered (with history recording on, which is the default).
  std::int64_t state_transitions = 0;
  // Time to commit one step to the store.
  LatencyHistogram::Snapshot step_commit;
  // By function: from a task being ready to go to its hand-over to a worker.
  std::map<std::string, LatencyHistogram::Snapshot> task_dispatch;
  // Timers armed and not yet fired (Wait states, retry backoffs, timeouts).
  std::int64_t timers_pending = 0;
  // Long polls of workers waiting for a task.
  std::int64_t polls_waiting = 0;
};

}  // namespace stepwise::engine
