#include "api/grpc/worker_registry.h"

#include <algorithm>

namespace stepwise::api {

WorkerRegistry::Worker& WorkerRegistry::Get(const std::string& name, std::int64_t now) {
  auto [it, made] = workers_.try_emplace(name);
  Worker& worker = it->second;
  if (made) {
    worker.name = name;
    worker.first_seen = now;
  }
  worker.last_contact = std::max(worker.last_contact, now);
  return worker;
}

void WorkerRegistry::PollStarted(const std::string& name, const std::string& host,
                                 const std::vector<std::string>& functions, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Worker& worker = Get(name, now);
  if (!host.empty()) worker.host = host;
  worker.functions = functions;
  ++worker.polls_waiting;
}

void WorkerRegistry::PollEnded(const std::string& name, bool got_task, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Worker& worker = Get(name, now);
  worker.polls_waiting = std::max(0, worker.polls_waiting - 1);
  if (got_task) ++worker.tasks_received;
}

void WorkerRegistry::Contact(const std::string& name, std::int64_t now) {
  if (name.empty()) return;
  std::lock_guard lock(mutex_);
  Get(name, now);
}

std::vector<WorkerRegistry::Worker> WorkerRegistry::List(std::int64_t now) {
  std::lock_guard lock(mutex_);
  std::vector<Worker> listed;
  for (auto it = workers_.begin(); it != workers_.end();) {
    const Worker& worker = it->second;
    // A worker with a poll waiting is there, however long the poll has waited.
    if (worker.polls_waiting == 0 && worker.last_contact < now - forget_after_.count()) {
      it = workers_.erase(it);
      continue;
    }
    listed.push_back(worker);
    ++it;
  }
  std::sort(listed.begin(), listed.end(),
            [](const Worker& a, const Worker& b) { return a.last_contact > b.last_contact; });
  return listed;
}

}  // namespace stepwise::api
