#include "stepwise/engine/local_runner.h"

#include <algorithm>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdio>
#include <deque>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <unordered_map>
#include <utility>
#include <variant>
#include <vector>

namespace stepwise::engine {
namespace {

using SteadyTime = std::chrono::steady_clock::time_point;

constexpr const char* kArnPrefix = "arn:aws:states:local:000000000000:";

// Completions travel from the invoker's threads to the runner's thread through this queue. It is
// shared with every `done` callback, so a callback that fires after the run has returned still
// finds live memory.
struct CompletionQueue {
  std::mutex mutex;
  std::condition_variable ready;
  std::deque<std::pair<TaskRef, TaskOutcome>> outcomes;
};

struct TimerEntry {
  Millis due = 0;
  std::uint64_t order = 0;  // arming order: timers due at the same instant fire in that order
  TimerRef ref;
};

// std::*_heap build a max-heap; this makes the earliest timer the top.
struct FiresLater {
  bool operator()(const TimerEntry& a, const TimerEntry& b) const {
    return a.due != b.due ? a.due > b.due : a.order > b.order;
  }
};

struct TaskRefHash {
  std::size_t operator()(const TaskRef& ref) const {
    return std::hash<std::uint64_t>()(ref.frame * 0x9E3779B97F4A7C15ULL ^ ref.seq);
  }
};

std::string RandomName(std::mt19937_64& random) {
  std::uint64_t high = random();
  std::uint64_t low = random();
  char text[40];
  std::snprintf(text, sizeof text, "%08x-%04x-%04x-%04x-%012llx", static_cast<unsigned>(high >> 32),
                static_cast<unsigned>((high >> 16) & 0xFFFF), static_cast<unsigned>(high & 0xFFFF),
                static_cast<unsigned>(low >> 48),
                static_cast<unsigned long long>(low & 0xFFFFFFFFFFFFULL));
  return text;
}

class Runner {
 public:
  Runner(std::shared_ptr<const dsl::StateMachine> machine, FunctionInvoker& functions,
         const LocalRunOptions& options, const Clock& clock)
      : interpreter_(std::move(machine), options.interpreter),
        functions_(functions),
        options_(options),
        clock_(clock),
        queue_(std::make_shared<CompletionQueue>()),
        random_(std::random_device()()),
        start_steady_(clock.NowSteady()),
        start_wall_(
            std::chrono::duration_cast<std::chrono::milliseconds>(clock.Now().time_since_epoch())
                .count()),
        // A non-positive scale would stop time; treat it as "real time" rather than hang.
        time_scale_(options.time_scale > 0 ? options.time_scale : 1.0) {}

  LocalRunResult Run(nlohmann::json input) {
    Perform(interpreter_.Start(state_, DefaultedInfo(), std::move(input), At()));
    while (state_.status == ExecutionStatus::kRunning) {
      std::optional<Event> event = NextEvent();
      if (!event) {
        // Nothing is running and no timer is armed, yet the execution is not over: waiting would
        // hang forever, so end the run with the interpreter's bug made visible.
        result_.status = ExecutionStatus::kFailed;
        result_.error = "States.Runtime";
        result_.cause = "internal error: the execution waits for nothing (no task, no timer)";
        CancelRunningTasks();
        return std::move(result_);
      }
      if (!interpreter_.Accepts(state_, *event)) continue;
      Perform(interpreter_.Apply(state_, std::move(*event), At()));
    }
    CancelRunningTasks();
    result_.status = state_.status;
    result_.output = std::move(state_.output);
    result_.error = std::move(state_.error);
    result_.cause = std::move(state_.cause);
    return std::move(result_);
  }

 private:
  ExecutionInfo DefaultedInfo() {
    ExecutionInfo info = options_.info;
    if (info.state_machine_name.empty()) info.state_machine_name = "stepwise";
    if (info.name.empty()) info.name = RandomName(random_);
    if (info.state_machine_id.empty()) {
      info.state_machine_id = std::string(kArnPrefix) + "stateMachine:" + info.state_machine_name;
    }
    if (info.execution_id.empty()) {
      info.execution_id =
          std::string(kArnPrefix) + "execution:" + info.state_machine_name + ":" + info.name;
    }
    if (info.start_time == 0) info.start_time = start_wall_;
    return info;
  }

  // The interpreter's time: wall time at the start plus real elapsed time scaled back, so that
  // a scaled-down Wait still looks as long as it was written, in timestamps and in $$.
  Millis VirtualNow() const {
    std::chrono::duration<double, std::milli> elapsed = clock_.NowSteady() - start_steady_;
    return start_wall_ + static_cast<Millis>(elapsed.count() / time_scale_);
  }

  StepInput At() {
    StepInput at;
    at.now = VirtualNow();
    at.seed = random_();
    return at;
  }

  void Perform(Step step) {
    result_.events += static_cast<std::int64_t>(step.history.size());
    if (options_.keep_history) {
      if (result_.history.empty()) {
        result_.history = std::move(step.history);
      } else {
        std::move(step.history.begin(), step.history.end(), std::back_inserter(result_.history));
      }
    }
    for (Effect& effect : step.effects) {
      std::visit([this](auto& e) { Do(e); }, effect);
    }
  }

  void Do(const ScheduleTask& task) {
    running_.insert_or_assign(task.task, false);
    std::shared_ptr<CompletionQueue> queue = queue_;
    TaskRef ref = task.task;
    functions_.Invoke(task, [queue, ref](TaskOutcome outcome) {
      {
        std::lock_guard lock(queue->mutex);
        queue->outcomes.emplace_back(ref, std::move(outcome));
      }
      queue->ready.notify_one();
    });
  }

  void Do(const CancelTask& cancel) {
    auto it = running_.find(cancel.task);
    if (it == running_.end() || it->second) return;
    it->second = true;
    functions_.Cancel(cancel.task);
  }

  void Do(const ArmTimer& arm) {
    timers_.push_back(TimerEntry{arm.due, next_timer_order_++, arm.timer});
    std::push_heap(timers_.begin(), timers_.end(), FiresLater());
  }

  // Cancelled timers stay in the heap and are skipped when they come up (the interpreter knows
  // which are stale). Only when they could make up most of the heap is it filtered, so a long
  // run of tasks with timeouts keeps the heap small at an amortised constant cost.
  void Do(const CancelTimers&) {
    if (++cancelled_since_compaction_ * 2 <= timers_.size() || timers_.size() < 64) return;
    std::erase_if(timers_, [this](const TimerEntry& entry) {
      return !interpreter_.Accepts(state_, TimerFired{entry.ref});
    });
    std::make_heap(timers_.begin(), timers_.end(), FiresLater());
    cancelled_since_compaction_ = 0;
  }

  // The next completion, or else the next due timer, waiting (without polling) for whichever
  // comes first. Empty when there is nothing left that could ever come.
  std::optional<Event> NextEvent() {
    std::unique_lock lock(queue_->mutex);
    while (true) {
      if (!queue_->outcomes.empty()) {
        auto [ref, outcome] = std::move(queue_->outcomes.front());
        queue_->outcomes.pop_front();
        running_.erase(ref);
        if (outcome.succeeded) return TaskSucceeded{ref, std::move(outcome.output)};
        return TaskFailed{ref, std::move(outcome.error), std::move(outcome.cause)};
      }
      if (timers_.empty()) {
        if (running_.empty()) return std::nullopt;
        queue_->ready.wait(lock);
        continue;
      }
      Millis wait_ms = timers_.front().due - VirtualNow();
      if (wait_ms <= 0) {
        std::pop_heap(timers_.begin(), timers_.end(), FiresLater());
        TimerRef ref = timers_.back().ref;
        timers_.pop_back();
        return TimerFired{ref};
      }
      // Rounded up, so that waking finds the timer due instead of waiting again for a sliver.
      auto real_wait = std::chrono::microseconds(
          static_cast<std::int64_t>(static_cast<double>(wait_ms) * time_scale_ * 1000.0) + 1);
      queue_->ready.wait_for(lock, real_wait);
    }
  }

  void CancelRunningTasks() {
    for (auto& [ref, cancelled] : running_) {
      if (!cancelled) functions_.Cancel(ref);
    }
  }

  Interpreter interpreter_;
  FunctionInvoker& functions_;
  const LocalRunOptions& options_;
  const Clock& clock_;
  std::shared_ptr<CompletionQueue> queue_;
  std::mt19937_64 random_;
  const SteadyTime start_steady_;
  const Millis start_wall_;
  const double time_scale_;

  ExecutionState state_;
  LocalRunResult result_;
  std::vector<TimerEntry> timers_;  // a heap under FiresLater
  std::uint64_t next_timer_order_ = 0;
  std::size_t cancelled_since_compaction_ = 0;
  // Invocations whose outcome has not been taken from the queue yet, and whether Cancel was
  // already called for them.
  std::unordered_map<TaskRef, bool, TaskRefHash> running_;
};

}  // namespace

LocalRunResult RunLocally(std::shared_ptr<const dsl::StateMachine> machine, nlohmann::json input,
                          FunctionInvoker& functions, const LocalRunOptions& options,
                          const Clock& clock) {
  Runner runner(std::move(machine), functions, options, clock);
  return runner.Run(std::move(input));
}

}  // namespace stepwise::engine
