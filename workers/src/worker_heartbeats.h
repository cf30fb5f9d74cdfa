#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <thread>

#include "stepwise/workers/worker.h"
#include "worker_client.h"
#include "worker_log.h"

namespace stepwise::workers::internal {

// Heartbeats every running invocation whose task has HeartbeatSeconds, every third of it, so
// that one late or lost heartbeat does not time the task out; a `cancelled` answer cancels the
// invocation. One thread sends them all, one at a time: a heartbeat is one short call, and a
// worker runs few enough invocations that a round of them fits in the smallest interval.
class Heartbeats {
 public:
  Heartbeats(TaskClient& client, const Log& log);
  ~Heartbeats();  // Stop()
  Heartbeats(const Heartbeats&) = delete;
  Heartbeats& operator=(const Heartbeats&) = delete;

  // Starts heartbeating `call` (the first one a third of the interval from now). Nothing
  // happens for a task without HeartbeatSeconds, or after Stop().
  void Add(std::shared_ptr<Invocation> call);
  // Stops heartbeating `call`; a heartbeat in flight may still land.
  void Remove(const Invocation& call);
  // Ends the thread (after the heartbeat in flight, if any). Idempotent.
  void Stop();

 private:
  struct Entry {
    std::shared_ptr<Invocation> call;
    std::chrono::milliseconds every;
    std::chrono::steady_clock::time_point due;
  };

  void Loop();
  void Beat(const std::shared_ptr<Invocation>& call, std::chrono::milliseconds every);

  TaskClient& client_;
  const Log& log_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::map<const Invocation*, Entry> entries_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stepwise::workers::internal
