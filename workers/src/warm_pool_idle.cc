// The watcher: the one thread that looks after idle instances. It stops those idle longer than
// idle_timeout (scale to zero), and discards at once those that exit, close their stdout or write
// to it while nobody asked them anything, so that an instance that dies between invocations is
// reaped then, not left a zombie until the next call. It also drains idle instances' stderr, so
// that one logging while idle never blocks on a full pipe.

#include <poll.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <unordered_set>

#include "warm_pool_impl.h"

namespace stepwise::workers {

using internal::WarmInstance;

void WarmPool::Impl::StartWatcher() {
  watcher_ = std::thread([this] { WatchIdle(); });
}

void WarmPool::Impl::WakeWatcher() {
  // The pipe is non-blocking: when it is full, the watcher has a wake-up pending already.
  const char byte = 0;
  while (::write(wake_.write.get(), &byte, 1) < 0 && errno == EINTR) {
  }
}

void WarmPool::Impl::WatchIdle() {
  std::unique_lock lock(mutex_);
  while (!closing_) {
    // poll() runs without the lock, on a snapshot. Readiness is matched back to instances by
    // idle id, and only instances still idle are touched: an instance taken meanwhile belongs to
    // its caller, and its descriptors to nobody else.
    std::vector<pollfd> fds = {{wake_.read.get(), POLLIN, 0}};
    std::vector<std::uint64_t> owners = {0};
    std::optional<Clock::time_point> next_expiry;
    for (const Idle& idle : idle_) {
      for (int fd : idle.instance->IdleWatchFds()) {
        fds.push_back({fd, POLLIN, 0});
        owners.push_back(idle.id);
      }
      if (options_.idle_timeout.count() > 0) {
        const Clock::time_point expiry = idle.since + options_.idle_timeout;
        next_expiry = next_expiry ? std::min(*next_expiry, expiry) : expiry;
      }
    }
    lock.unlock();
    int wait_ms = -1;
    if (next_expiry) {
      auto left = std::chrono::ceil<std::chrono::milliseconds>(*next_expiry - Clock::now());
      wait_ms = static_cast<int>(std::clamp<long long>(left.count(), 0, INT_MAX));
    }
    int ready = ::poll(fds.data(), fds.size(), wait_ms);
    if (ready < 0 && errno != EINTR) {
      // Out of memory or descriptors: look again later rather than spin.
      ::poll(nullptr, 0, 100);
    }
    char drain[64];
    while (::read(wake_.read.get(), drain, sizeof drain) > 0) {
    }
    std::unordered_set<std::uint64_t> touched;
    for (std::size_t i = 1; ready > 0 && i < fds.size(); ++i) {
      if (fds[i].revents != 0) touched.insert(owners[i]);
    }

    lock.lock();
    const Clock::time_point now = Clock::now();
    std::vector<std::unique_ptr<WarmInstance>> broken;
    std::vector<std::unique_ptr<WarmInstance>> expired;
    for (auto it = idle_.begin(); it != idle_.end();) {
      if (touched.count(it->id) != 0 && !it->instance->CheckIdle()) {
        broken.push_back(std::move(it->instance));
        it = idle_.erase(it);
      } else if (options_.idle_timeout.count() > 0 && now >= it->since + options_.idle_timeout) {
        expired.push_back(std::move(it->instance));
        it = idle_.erase(it);
      } else {
        ++it;
      }
    }
    if (broken.empty() && expired.empty()) continue;
    // Stopping takes time (up to stop_grace); meanwhile the instances still count, so a call
    // that needs a new one waits for them to be gone rather than exceed max_concurrency.
    lock.unlock();
    for (auto& instance : broken) instance->KillAndReap();
    StopGracefully(expired);
    lock.lock();
    instances_ -= broken.size() + expired.size();
    NotifyFirstWaiter();
  }
}

void WarmPool::Impl::StopGracefully(std::vector<std::unique_ptr<WarmInstance>>& instances) {
  for (auto& instance : instances) instance->CloseStdin();
  // One grace period for all of them: they exit in parallel.
  const Clock::time_point deadline = Clock::now() + options_.stop_grace;
  for (auto& instance : instances) instance->AwaitExit(deadline);
  // Also for those that exited: whatever they started in their group goes with them.
  for (auto& instance : instances) instance->KillAndReap();
}

}  // namespace stepwise::workers
