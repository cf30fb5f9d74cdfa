#include "api/grpc/worker_registry.h"

#include <algorithm>
#include <iterator>

namespace stepwise::api {

void WorkerRegistry::ForgetSilent(std::int64_t now) {
  for (auto it = workers_.begin(); it != workers_.end();) {
    const Worker& worker = it->second;
    // A worker with a poll waiting is there, however long the poll has waited.
    bool silent = worker.polls_waiting == 0 && worker.last_contact < now - forget_after_.count();
    it = silent ? workers_.erase(it) : std::next(it);
  }
  last_forgotten_ = now;
}

WorkerRegistry::Worker& WorkerRegistry::Get(const std::string& name, std::int64_t now) {
  // Names come and go (a CLI poll is a worker of its own): without ListWorkers calls to prune
  // them, the silent ones would pile up. A minute between sweeps keeps it cheap. The sweep goes
  // before the new entry is made: a fresh entry has no contact yet and would be swept itself.
  if (!workers_.contains(name) && now - last_forgotten_ >= 60'000) ForgetSilent(now);
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
  ForgetSilent(now);
  std::vector<Worker> listed;
  for (const auto& [name, worker] : workers_) listed.push_back(worker);
  std::sort(listed.begin(), listed.end(),
            [](const Worker& a, const Worker& b) { return a.last_contact > b.last_contact; });
  return listed;
}

}  // namespace stepwise::api
