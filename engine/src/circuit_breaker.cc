#include "circuit_breaker.h"

#include <algorithm>

namespace stepwise::engine {

CircuitState CircuitBreaker::state(std::int64_t now) const {
  if (state_ == CircuitState::kOpen && now >= open_until_) return CircuitState::kHalfOpen;
  return state_;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::MoveTo(CircuitState to, std::int64_t now) {
  if (to == state_) return std::nullopt;
  Change change{state_, to};
  state_ = to;
  failures_.clear();
  switch (to) {
    case CircuitState::kOpen:
      open_until_ = now + options_.open_for.count();
      break;
    case CircuitState::kHalfOpen:
      probes_left_ = std::max(1, options_.half_open_probes);
      probes_running_ = 0;
      break;
    case CircuitState::kClosed:
      break;
  }
  return change;
}

void CircuitBreaker::HalfOpenIfDue(std::int64_t now, std::optional<Change>* change) {
  if (state_ != CircuitState::kOpen || now < open_until_) return;
  auto moved = MoveTo(CircuitState::kHalfOpen, now);
  if (change != nullptr && moved) *change = moved;
}

bool CircuitBreaker::Allow(std::int64_t now, std::optional<Change>* change) {
  HalfOpenIfDue(now, change);
  switch (state_) {
    case CircuitState::kClosed:
      return true;
    case CircuitState::kOpen:
      return false;
    case CircuitState::kHalfOpen:
      if (probes_left_ == 0) return false;
      --probes_left_;
      ++probes_running_;
      return true;
  }
  return true;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::OnSuccess(std::int64_t now) {
  std::optional<Change> change;
  HalfOpenIfDue(now, &change);
  if (state_ == CircuitState::kHalfOpen && probes_running_ > 0) {
    auto closed = MoveTo(CircuitState::kClosed, now);
    return closed ? closed : change;
  }
  return change;
}

std::optional<CircuitBreaker::Change> CircuitBreaker::OnFailure(std::int64_t now) {
  std::optional<Change> change;
  HalfOpenIfDue(now, &change);
  switch (state_) {
    case CircuitState::kClosed: {
      if (options_.failure_threshold <= 0) return change;  // this breaker never opens
      failures_.push_back(now);
      while (!failures_.empty() && failures_.front() <= now - options_.window.count()) {
        failures_.pop_front();
      }
      if (static_cast<int>(failures_.size()) >= options_.failure_threshold) {
        return MoveTo(CircuitState::kOpen, now);
      }
      return change;
    }
    case CircuitState::kHalfOpen: {
      if (probes_running_ == 0) return change;  // not a probe: an invocation from before
      auto opened = MoveTo(CircuitState::kOpen, now);
      return opened ? opened : change;
    }
    case CircuitState::kOpen:
      return change;  // an invocation that started before it opened
  }
  return change;
}

}  // namespace stepwise::engine
