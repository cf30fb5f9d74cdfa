#pragma once

#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <thread>
#include <tuple>

#include "stepwise/engine/clock.h"
#include "stepwise/engine/execution_state.h"

namespace stepwise::engine {

// The in-memory face of the durable timers: holds every armed timer and calls `fire` when one is
// due (by the Clock's wall time). Timers are added after their step is committed, and re-added
// from the store on recovery; cancelled ones are dropped at once so memory follows live timers.
class TimerService {
 public:
  using Fire = std::function<void(const std::string& execution_id, const TimerRef& timer)>;

  TimerService(const Clock& clock, Fire fire);
  ~TimerService();  // Stop()s

  // Stops firing and joins the thread; no `fire` runs after it returns. Idempotent.
  void Stop();

  void Arm(const std::string& execution_id, const TimerRef& timer, std::int64_t due);
  // Drops every timer of (execution, frame, seq).
  void Cancel(const std::string& execution_id, FrameId frame, std::uint64_t seq);
  // Drops every timer of an execution.
  void CancelAll(const std::string& execution_id);
  std::size_t size() const;

 private:
  using Key =
      std::tuple<std::string, FrameId, std::uint64_t, std::uint8_t>;  // exec, frame, seq, kind
  void Run();

  const Clock& clock_;
  Fire fire_;
  mutable std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::pair<std::int64_t, Key>> by_due_;
  std::map<Key, std::int64_t> due_of_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stepwise::engine
