#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <vector>

namespace stepwise::api {

// The workers the server has heard from: who they are, what they serve, when they last called.
// Fed by the Tasks service, read by Functions.ListWorkers. Workers silent for `forget_after`
// are dropped. Times are milliseconds since the epoch. Thread-safe.
class WorkerRegistry {
 public:
  struct Worker {
    std::string name;
    std::string host;
    std::vector<std::string> functions;
    std::int64_t first_seen = 0;
    std::int64_t last_contact = 0;
    int polls_waiting = 0;
    std::int64_t tasks_received = 0;
  };

  explicit WorkerRegistry(std::chrono::milliseconds forget_after = std::chrono::hours(1))
      : forget_after_(forget_after) {}

  // A poll began (its functions replace those noted before) and ended, with a task or not.
  void PollStarted(const std::string& name, const std::string& host,
                   const std::vector<std::string>& functions, std::int64_t now);
  void PollEnded(const std::string& name, bool got_task, std::int64_t now);
  // Any other call naming the worker (a completion, a heartbeat).
  void Contact(const std::string& name, std::int64_t now);

  // Most recent contact first; forgets the silent ones.
  std::vector<Worker> List(std::int64_t now);

 private:
  Worker& Get(const std::string& name, std::int64_t now);  // under mutex_
  void ForgetSilent(std::int64_t now);                     // under mutex_

  const std::chrono::milliseconds forget_after_;
  std::mutex mutex_;
  std::map<std::string, Worker> workers_;
  std::int64_t last_forgotten_ = 0;
};

}  // namespace stepwise::api
