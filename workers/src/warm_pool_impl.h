#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <memory>
#include <mutex>
#include <optional>
#include <thread>
#include <vector>

#include "pipe_fd.h"
#include "stepwise/workers/warm_pool.h"
#include "warm_instance.h"

namespace stepwise::workers {

// The state behind a WarmPool. Instances move between three owners: the idle list (under
// mutex_), the thread of the Invoke that took one (busy), and the thread stopping or discarding
// it; `instances_` counts all of them until they are reaped, which is what bounds the number of
// processes by max_concurrency.
//
// warm_pool.cc has the invocation path; warm_pool_idle.cc the watcher thread that stops idle
// instances and discards those that exit or misbehave while idle.
class WarmPool::Impl {
 public:
  using Clock = std::chrono::steady_clock;

  Impl(FunctionBinding binding, WarmPoolOptions options, internal::Pipe wake);
  // Stops the watcher, then every idle instance. REQUIRES: no Invoke running or waiting.
  ~Impl();

  // Starts the watcher thread; once, right after construction.
  void StartWatcher();

  WarmInvocation Invoke(const nlohmann::json& input, std::optional<Clock::time_point> deadline,
                        int attempt);
  WarmPoolStats stats() const;
  const FunctionBinding& binding() const { return binding_; }

 private:
  struct Idle {
    std::unique_ptr<internal::WarmInstance> instance;
    Clock::time_point since;
    std::uint64_t id;  // unique to this idle period, so the watcher never mistakes one for another
  };
  // A call waiting for a free instance; only the first in line is woken.
  struct Waiter {
    std::condition_variable turn;
  };

  // warm_pool.cc
  // Waits for a free instance until `deadline`; false if none came. Hands over an idle instance,
  // or null: the right to start one.
  bool Acquire(std::optional<Clock::time_point> deadline,
               std::unique_ptr<internal::WarmInstance>& instance);
  // Makes `instance` one that can serve: keeps a handed-over idle instance if it is still sound,
  // else starts a new one (a cold start, counted).
  absl::Status MakeReady(std::unique_ptr<internal::WarmInstance>& instance, bool& cold_start);
  ProcessOutcome Serve(internal::WarmInstance& instance, const nlohmann::json& input,
                       std::optional<Clock::time_point> limit, bool limited_by_timeout,
                       int attempt);
  ProcessOutcome Crashed(internal::WarmInstance& instance);
  // Ends a call: keeps the instance if it can serve again, else kills and reaps it, and counts.
  void Release(std::unique_ptr<internal::WarmInstance> instance, bool leased,
               const WarmInvocation& invocation);
  // REQUIRES: mutex_ held. Lets the first waiting call look again.
  void NotifyFirstWaiter();

  // warm_pool_idle.cc
  void WatchIdle();
  // Wakes the watcher so that it looks at the idle list again.
  void WakeWatcher();
  // Asks each instance to exit, gives them stop_grace together, then kills and reaps them all.
  void StopGracefully(std::vector<std::unique_ptr<internal::WarmInstance>>& instances);

  const FunctionBinding binding_;
  const WarmPoolOptions options_;
  internal::Pipe wake_;  // a byte written here ends the watcher's poll()

  mutable std::mutex mutex_;
  std::vector<Idle> idle_;      // most recently used last
  std::list<Waiter*> waiting_;  // first come first
  std::size_t instances_ = 0;
  std::size_t busy_ = 0;
  std::uint64_t cold_starts_ = 0;
  std::uint64_t invocations_ = 0;
  std::chrono::microseconds busy_time_{};
  std::uint64_t next_idle_id_ = 1;
  bool closing_ = false;

  std::thread watcher_;
};

}  // namespace stepwise::workers
