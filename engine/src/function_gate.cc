#include "function_gate.h"

#include <algorithm>
#include <cmath>
#include <utility>

#include "stepwise/engine/execution_state.h"

namespace stepwise::engine {

namespace {

// Nearest-rank percentiles: each is a duration that was measured, never an interpolation.
DurationPercentiles Percentiles(std::vector<std::int64_t> micros) {
  DurationPercentiles out;
  if (micros.empty()) return out;
  std::sort(micros.begin(), micros.end());
  auto at = [&](double fraction) {
    auto rank = static_cast<size_t>(std::ceil(fraction * static_cast<double>(micros.size())));
    return static_cast<double>(micros[std::max<size_t>(rank, 1) - 1]) / 1000.0;
  };
  out.count = static_cast<int>(micros.size());
  out.p50_ms = at(0.50);
  out.p90_ms = at(0.90);
  out.p99_ms = at(0.99);
  out.max_ms = static_cast<double>(micros.back()) / 1000.0;
  return out;
}

}  // namespace

std::string InvocationKey(const std::string& execution_id, const TaskRef& task) {
  return execution_id + "@" + task.Token();
}

FunctionGate::FunctionGate(FunctionLimits defaults) : defaults_(std::move(defaults)) {}

FunctionGate::Function& FunctionGate::Get(const std::string& function) {
  auto it = functions_.find(function);
  if (it != functions_.end()) return it->second;
  FunctionLimits limits = defaults_;
  limits.name = function;
  Function& made = functions_.emplace(function, Function(limits)).first->second;
  made.tokens = limits.rate_per_second;
  return made;
}

void FunctionGate::Register(FunctionLimits limits) {
  std::lock_guard lock(mutex_);
  Function& function = Get(limits.name);
  function.limits = limits;
  function.registered = true;
  function.breaker = CircuitBreaker(limits.circuit_breaker);
  function.tokens = std::min(function.tokens, limits.rate_per_second);
}

FunctionLimits FunctionGate::Limits(const std::string& function) const {
  std::lock_guard lock(mutex_);
  auto it = functions_.find(function);
  if (it != functions_.end()) return it->second.limits;
  FunctionLimits limits = defaults_;
  limits.name = function;
  return limits;
}

void FunctionGate::RecordDuration(Function& function, std::int64_t micros) {
  if (function.durations_us.size() < DurationPercentiles::kDurationsKept) {
    function.durations_us.push_back(micros);
    return;
  }
  function.durations_us[function.next_duration] = micros;
  function.next_duration = (function.next_duration + 1) % function.durations_us.size();
}

void FunctionGate::Note(Function& function, const std::optional<CircuitBreaker::Change>& change,
                        std::int64_t now) {
  if (!change) return;
  function.circuit_changed_at = now;
  if (change->to == CircuitState::kOpen) ++function.circuit_opened;
}

std::optional<std::string> FunctionGate::Refusal(const std::string& name, std::int64_t now,
                                                 std::optional<CircuitBreaker::Change>* change) {
  std::lock_guard lock(mutex_);
  Function& function = Get(name);
  std::optional<CircuitBreaker::Change> moved;
  bool allowed = function.breaker.Allow(now, &moved);
  Note(function, moved, now);
  if (change != nullptr) *change = moved;
  if (allowed) return std::nullopt;
  ++function.refused;
  const CircuitBreakerOptions& options = function.limits.circuit_breaker;
  if (function.breaker.state(now) == CircuitState::kOpen) {
    return "the circuit of function '" + name + "' is open after " +
           std::to_string(options.failure_threshold) + " failures within " +
           std::to_string(options.window.count()) + " ms; it lets a trial invocation through in " +
           std::to_string(std::max<std::int64_t>(0, function.breaker.open_until() - now)) + " ms";
  }
  return "the circuit of function '" + name + "' is half-open and its " +
         std::to_string(std::max(1, options.half_open_probes)) +
         " trial invocation(s) are under way";
}

void FunctionGate::Refill(Function& function, std::int64_t now) {
  double rate = function.limits.rate_per_second;
  if (rate <= 0) return;
  if (function.refilled_at == 0) function.refilled_at = now;
  double elapsed = static_cast<double>(now - function.refilled_at) / 1000.0;
  function.tokens = std::min(rate, function.tokens + elapsed * rate);  // one second deep
  function.refilled_at = now;
}

bool FunctionGate::TryStart(const std::string& name, const std::string& key, std::int64_t now) {
  std::lock_guard lock(mutex_);
  Function& function = Get(name);
  if (function.in_flight >= std::max(1, function.limits.max_concurrency)) return false;
  if (function.limits.rate_per_second > 0) {
    Refill(function, now);
    if (function.tokens < 1.0) return false;
    function.tokens -= 1.0;
  }
  // Handed over again: counted once, timed from the first hand-over.
  if (!in_flight_.emplace(key, InFlight{name, std::chrono::steady_clock::now()}).second) {
    return true;
  }
  ++function.in_flight;
  return true;
}

std::int64_t FunctionGate::NextStart(const std::string& name, std::int64_t now) const {
  std::lock_guard lock(mutex_);
  auto it = functions_.find(name);
  if (it == functions_.end() || it->second.limits.rate_per_second <= 0) return now;
  const Function& function = it->second;
  double rate = function.limits.rate_per_second;
  double elapsed = static_cast<double>(now - function.refilled_at) / 1000.0;
  double tokens = std::min(rate, function.tokens + elapsed * rate);
  if (tokens >= 1.0) return now;
  return now + static_cast<std::int64_t>((1.0 - tokens) / rate * 1000.0) + 1;
}

bool FunctionGate::ClaimWakeUp(const std::string& name) {
  std::lock_guard lock(mutex_);
  Function& function = Get(name);
  if (function.wake_up_pending) return false;
  function.wake_up_pending = true;
  return true;
}

void FunctionGate::WokenUp(const std::string& name) {
  std::lock_guard lock(mutex_);
  Get(name).wake_up_pending = false;
}

bool FunctionGate::NoteColdStart(const std::string& key) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return false;
  ++Get(it->second.function).cold_starts;
  return true;
}

std::optional<FunctionGate::Finished> FunctionGate::Finish(const std::string& key, Outcome outcome,
                                                           std::int64_t now) {
  std::lock_guard lock(mutex_);
  auto it = in_flight_.find(key);
  if (it == in_flight_.end()) return std::nullopt;
  Finished finished{it->second.function, std::nullopt};
  auto took = std::chrono::steady_clock::now() - it->second.started;
  in_flight_.erase(it);
  Function& function = Get(finished.function);
  function.in_flight = std::max(0, function.in_flight - 1);
  if (outcome != Outcome::kCancelled) {
    RecordDuration(function, std::chrono::duration_cast<std::chrono::microseconds>(took).count());
  }
  if (outcome == Outcome::kSucceeded) {
    ++function.succeeded;
    finished.change = function.breaker.OnSuccess(now);
  } else if (outcome == Outcome::kFailed) {
    ++function.failed;
    finished.change = function.breaker.OnFailure(now);
  }
  Note(function, finished.change, now);
  return finished;
}

FunctionGate::Status FunctionGate::Snapshot(const Function& function, std::int64_t now) const {
  Status status;
  status.limits = function.limits;
  status.registered = function.registered;
  status.in_flight = function.in_flight;
  status.circuit = function.breaker.state(now);
  if (status.circuit == CircuitState::kOpen)
    status.circuit_open_until = function.breaker.open_until();
  status.circuit_opened = function.circuit_opened;
  status.circuit_changed_at = function.circuit_changed_at;
  status.succeeded = function.succeeded;
  status.failed = function.failed;
  status.refused = function.refused;
  status.cold_starts = function.cold_starts;
  return status;
}

FunctionGate::Status FunctionGate::Describe(const std::string& name, std::int64_t now) const {
  Status status;
  std::vector<std::int64_t> durations;
  {
    std::lock_guard lock(mutex_);
    auto it = functions_.find(name);
    if (it == functions_.end()) {
      status.limits = defaults_;
      status.limits.name = name;
      return status;
    }
    status = Snapshot(it->second, now);
    durations = it->second.durations_us;
  }
  // Sorted outside the lock, which dispatch takes for every task.
  status.durations = Percentiles(std::move(durations));
  return status;
}

std::vector<FunctionGate::Status> FunctionGate::DescribeAll(std::int64_t now) const {
  std::vector<Status> all;
  std::vector<std::vector<std::int64_t>> durations;
  {
    std::lock_guard lock(mutex_);
    for (const auto& [name, function] : functions_) {
      all.push_back(Snapshot(function, now));
      durations.push_back(function.durations_us);
    }
  }
  for (size_t i = 0; i < all.size(); ++i) all[i].durations = Percentiles(std::move(durations[i]));
  return all;
}

}  // namespace stepwise::engine
