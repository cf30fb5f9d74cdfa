#include "timer_service.h"

#include <chrono>
#include <utility>
#include <vector>

namespace stepwise::engine {
namespace {

std::int64_t NowMillis(const Clock& clock) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
      .count();
}

// Waits in slices so that a ManualClock moved by a test, or a wall clock that jumps, is noticed.
constexpr std::chrono::milliseconds kLongestSleep{50};

}  // namespace

TimerService::TimerService(const Clock& clock, Fire fire)
    : clock_(clock), fire_(std::move(fire)), thread_([this] { Run(); }) {}

TimerService::~TimerService() { Stop(); }

void TimerService::Stop() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void TimerService::Arm(const std::string& execution_id, const TimerRef& timer, std::int64_t due) {
  Key key{execution_id, timer.frame, timer.seq, static_cast<std::uint8_t>(timer.kind)};
  bool earliest = false;
  {
    std::lock_guard lock(mutex_);
    auto [it, inserted] = due_of_.emplace(key, due);
    if (!inserted) {
      by_due_.erase({it->second, key});
      it->second = due;
    }
    // Two statements: in one, begin() may be taken before the insertion.
    auto at = by_due_.emplace(due, std::move(key)).first;
    earliest = at == by_due_.begin();
  }
  // Only a new earliest timer changes when Run must wake; waking it for every arm (a Task's
  // timeout on each step) costs a thread switch per step for nothing.
  if (earliest) changed_.notify_all();
}

void TimerService::Cancel(const std::string& execution_id, FrameId frame, std::uint64_t seq) {
  std::lock_guard lock(mutex_);
  auto it = due_of_.lower_bound(Key{execution_id, frame, seq, 0});
  while (it != due_of_.end() && std::get<0>(it->first) == execution_id &&
         std::get<1>(it->first) == frame && std::get<2>(it->first) == seq) {
    by_due_.erase({it->second, it->first});
    it = due_of_.erase(it);
  }
}

void TimerService::CancelAll(const std::string& execution_id) {
  std::lock_guard lock(mutex_);
  auto it = due_of_.lower_bound(Key{execution_id, 0, 0, 0});
  while (it != due_of_.end() && std::get<0>(it->first) == execution_id) {
    by_due_.erase({it->second, it->first});
    it = due_of_.erase(it);
  }
}

std::size_t TimerService::size() const {
  std::lock_guard lock(mutex_);
  return due_of_.size();
}

void TimerService::Run() {
  std::unique_lock lock(mutex_);
  while (!stopping_) {
    std::int64_t now = NowMillis(clock_);
    std::vector<Key> due;
    while (!by_due_.empty() && by_due_.begin()->first <= now) {
      Key key = by_due_.begin()->second;
      by_due_.erase(by_due_.begin());
      due_of_.erase(key);
      due.push_back(std::move(key));
    }
    if (!due.empty()) {
      lock.unlock();
      for (const Key& key : due) {
        fire_(std::get<0>(key), TimerRef{std::get<1>(key), std::get<2>(key),
                                         static_cast<TimerKind>(std::get<3>(key))});
      }
      lock.lock();
      continue;
    }
    auto sleep = kLongestSleep;
    if (!by_due_.empty()) {
      sleep = std::min(sleep, std::chrono::milliseconds(by_due_.begin()->first - now));
    }
    changed_.wait_for(lock, sleep);
  }
}

}  // namespace stepwise::engine
