#pragma once

#include <chrono>
#include <mutex>

namespace stepwise::api {

// Bounds the share of a CPU that handling HTTP requests may take, so that reading the REST API
// (a console, a scraper, a script polling in a loop) slows down before executions do. Each
// request is charged the CPU time its handler used; once the charges outrun the share, later
// requests wait before they are handled. A share of 0.1 lets a request costing 1 ms of CPU be
// followed by the next 9 ms later; cheap requests (a console's pages, /metrics) barely wait.
// Thread-safe: one pacer serves every connection of a server.
class RequestPacer {
 public:
  using Clock = std::chrono::steady_clock;

  // `cpu_share` in (0, 1]; 1 never makes a request wait.
  explicit RequestPacer(double cpu_share);

  // How long a request that is ready at `now` waits before it is handled.
  Clock::duration WaitAt(Clock::time_point now);
  // A request handled at `now` used `cpu` of CPU time.
  void Charge(Clock::time_point now, std::chrono::nanoseconds cpu);

  // The CPU time this thread has used, to measure a handler with.
  static std::chrono::nanoseconds ThreadCpuTime();

 private:
  const double idle_per_busy_;  // how long to stay idle per unit of CPU used: 1/share - 1
  std::mutex mutex_;
  Clock::time_point next_ = Clock::time_point::min();  // when the next request may be handled
};

}  // namespace stepwise::api
