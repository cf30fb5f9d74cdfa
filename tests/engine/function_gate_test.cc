// FunctionGate's durations and cold starts: what an invocation's completion counts.
#include "../../engine/src/function_gate.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <thread>

namespace stepwise::engine {
namespace {

constexpr std::int64_t kNow = 1'000'000;

TEST(FunctionGateTest, CompletedInvocationsAreTimedAndCancelledOnesAreNot) {
  FunctionGate gate;
  EXPECT_EQ(gate.Describe("f", kNow).durations.count, 0);
  ASSERT_TRUE(gate.TryStart("f", "slow", kNow));
  // A duration to measure, not a wait for something to happen.
  std::this_thread::sleep_for(std::chrono::milliseconds(20));
  ASSERT_TRUE(gate.Finish("slow", FunctionGate::Outcome::kSucceeded, kNow).has_value());
  ASSERT_TRUE(gate.TryStart("f", "quick", kNow));
  ASSERT_TRUE(gate.Finish("quick", FunctionGate::Outcome::kFailed, kNow).has_value());
  ASSERT_TRUE(gate.TryStart("f", "cancelled", kNow));
  ASSERT_TRUE(gate.Finish("cancelled", FunctionGate::Outcome::kCancelled, kNow).has_value());

  DurationPercentiles durations = gate.Describe("f", kNow).durations;
  EXPECT_EQ(durations.count, 2);
  EXPECT_GE(durations.max_ms, 20.0);
  EXPECT_EQ(durations.p99_ms, durations.max_ms);  // nearest rank of 2: the larger
  EXPECT_LT(durations.p50_ms, 20.0);              // ... and of the median: the smaller
}

TEST(FunctionGateTest, OnlyTheLastInvocationsAreKept) {
  FunctionGate gate;
  const int total = DurationPercentiles::kDurationsKept + 10;
  for (int i = 0; i < total; ++i) {
    std::string key = "k" + std::to_string(i);
    ASSERT_TRUE(gate.TryStart("f", key, kNow));
    ASSERT_TRUE(gate.Finish(key, FunctionGate::Outcome::kSucceeded, kNow).has_value());
  }
  FunctionStatus status = gate.Describe("f", kNow);
  EXPECT_EQ(status.durations.count, DurationPercentiles::kDurationsKept);
  EXPECT_EQ(status.succeeded, total);
  EXPECT_LE(status.durations.p50_ms, status.durations.p90_ms);
  EXPECT_LE(status.durations.p90_ms, status.durations.p99_ms);
  EXPECT_LE(status.durations.p99_ms, status.durations.max_ms);
}

TEST(FunctionGateTest, AColdStartCountsOnlyForAnInvocationInFlight) {
  FunctionGate gate;
  ASSERT_TRUE(gate.TryStart("f", "a", kNow));
  EXPECT_TRUE(gate.NoteColdStart("a"));
  EXPECT_FALSE(gate.NoteColdStart("never-started"));
  ASSERT_TRUE(gate.Finish("a", FunctionGate::Outcome::kSucceeded, kNow).has_value());
  EXPECT_FALSE(gate.NoteColdStart("a"));  // over: a late report counts nothing
  EXPECT_EQ(gate.Describe("f", kNow).cold_starts, 1);
  EXPECT_EQ(gate.Describe("other", kNow).cold_starts, 0);
}

}  // namespace
}  // namespace stepwise::engine
