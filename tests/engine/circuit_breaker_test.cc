// The circuit breaker's states and transitions, on explicit times.
#include "../../engine/src/circuit_breaker.h"

#include <gtest/gtest.h>

#include <optional>

namespace stepwise::engine {
namespace {

CircuitBreakerOptions Options() {
  CircuitBreakerOptions options;
  options.failure_threshold = 3;
  options.window = std::chrono::milliseconds(1000);
  options.open_for = std::chrono::milliseconds(500);
  options.half_open_probes = 2;
  return options;
}

TEST(CircuitBreakerTest, OpensAfterThresholdFailuresWithinTheWindowOnly) {
  CircuitBreaker breaker(Options());
  EXPECT_FALSE(breaker.OnFailure(0).has_value());
  EXPECT_FALSE(breaker.OnFailure(600).has_value());
  // The first failure has left the window by 1100: two within it, still closed.
  EXPECT_FALSE(breaker.OnFailure(1100).has_value());
  EXPECT_EQ(breaker.state(1100), CircuitState::kClosed);
  EXPECT_TRUE(breaker.Allow(1100));
  std::optional<CircuitBreaker::Change> opened = breaker.OnFailure(1200);
  ASSERT_TRUE(opened.has_value());
  EXPECT_EQ(opened->from, CircuitState::kClosed);
  EXPECT_EQ(opened->to, CircuitState::kOpen);
  EXPECT_EQ(breaker.open_until(), 1700);
  EXPECT_FALSE(breaker.Allow(1300));
  EXPECT_EQ(breaker.state(1699), CircuitState::kOpen);
}

TEST(CircuitBreakerTest, ASuccessBetweenFailuresDoesNotResetTheWindow) {
  CircuitBreaker breaker(Options());
  breaker.OnFailure(0);
  breaker.OnFailure(10);
  EXPECT_FALSE(breaker.OnSuccess(20).has_value());
  ASSERT_TRUE(breaker.OnFailure(30).has_value());  // three failures within one second
}

TEST(CircuitBreakerTest, HalfOpensAfterOpenForAndAProbeSuccessCloses) {
  CircuitBreaker breaker(Options());
  for (int i = 0; i < 3; ++i) breaker.OnFailure(i);
  ASSERT_EQ(breaker.state(2), CircuitState::kOpen);
  EXPECT_EQ(breaker.state(502), CircuitState::kHalfOpen);
  std::optional<CircuitBreaker::Change> half_open;
  EXPECT_TRUE(breaker.Allow(502, &half_open));  // the first probe
  ASSERT_TRUE(half_open.has_value());
  EXPECT_EQ(half_open->to, CircuitState::kHalfOpen);
  EXPECT_TRUE(breaker.Allow(503));   // the second probe
  EXPECT_FALSE(breaker.Allow(504));  // no more probes while they run
  std::optional<CircuitBreaker::Change> closed = breaker.OnSuccess(510);
  ASSERT_TRUE(closed.has_value());
  EXPECT_EQ(closed->from, CircuitState::kHalfOpen);
  EXPECT_EQ(closed->to, CircuitState::kClosed);
  EXPECT_TRUE(breaker.Allow(511));
  // Closed again with a fresh window: it takes the threshold again to open.
  breaker.OnFailure(520);
  breaker.OnFailure(521);
  EXPECT_EQ(breaker.state(522), CircuitState::kClosed);
}

TEST(CircuitBreakerTest, AProbeFailureOpensAgainForAnotherPeriod) {
  CircuitBreaker breaker(Options());
  for (int i = 0; i < 3; ++i) breaker.OnFailure(i);
  ASSERT_TRUE(breaker.Allow(600));
  std::optional<CircuitBreaker::Change> reopened = breaker.OnFailure(650);
  ASSERT_TRUE(reopened.has_value());
  EXPECT_EQ(reopened->from, CircuitState::kHalfOpen);
  EXPECT_EQ(reopened->to, CircuitState::kOpen);
  EXPECT_EQ(breaker.open_until(), 1150);
  EXPECT_FALSE(breaker.Allow(700));
}

TEST(CircuitBreakerTest, AFailureOfAnInvocationFromBeforeTheOpeningChangesNothing) {
  CircuitBreaker breaker(Options());
  for (int i = 0; i < 3; ++i) breaker.OnFailure(i);
  EXPECT_FALSE(breaker.OnFailure(100).has_value());  // still open, open_until unchanged
  EXPECT_EQ(breaker.open_until(), 502);
  EXPECT_EQ(breaker.state(502), CircuitState::kHalfOpen);
  // Half-open, but the failure is not a probe's (no probe started): it stays half-open.
  breaker.OnFailure(503);
  EXPECT_EQ(breaker.state(503), CircuitState::kHalfOpen);
  EXPECT_TRUE(breaker.Allow(504));
}

TEST(CircuitBreakerTest, AThresholdOfZeroNeverOpens) {
  CircuitBreakerOptions options = Options();
  options.failure_threshold = 0;
  CircuitBreaker breaker(options);
  for (int i = 0; i < 100; ++i) EXPECT_FALSE(breaker.OnFailure(i).has_value());
  EXPECT_TRUE(breaker.Allow(100));
  EXPECT_EQ(CircuitStateName(breaker.state(100)), "CLOSED");
}

}  // namespace
}  // namespace stepwise::engine
