#include "stepwise/engine/clock.h"

#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <thread>
#include <vector>

namespace stepwise::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST(ManualClockTest, StartsAtAFixedInstantSoTestsAreReproducible) {
  ManualClock clock;
  EXPECT_EQ(clock.Now(), std::chrono::sys_days{std::chrono::January / 1 / 2024});
  EXPECT_EQ(clock.NowSteady(), std::chrono::steady_clock::time_point{});
}

TEST(ManualClockTest, StartsAtTheGivenInstant) {
  const auto start = std::chrono::sys_days{std::chrono::March / 14 / 2025} + seconds(9);
  ManualClock clock(start);
  EXPECT_EQ(clock.Now(), start);
}

TEST(ManualClockTest, StandsStillUntilAdvanced) {
  ManualClock clock;
  const auto wall = clock.Now();
  const auto steady = clock.NowSteady();
  EXPECT_EQ(clock.Now(), wall);
  EXPECT_EQ(clock.NowSteady(), steady);
}

TEST(ManualClockTest, AdvanceMovesWallAndSteadyTimeTogether) {
  ManualClock clock;
  const auto wall = clock.Now();
  const auto steady = clock.NowSteady();
  clock.Advance(seconds(90));
  clock.Advance(milliseconds(250));
  EXPECT_EQ(clock.Now() - wall, milliseconds(90250));
  EXPECT_EQ(clock.NowSteady() - steady, milliseconds(90250));
}

TEST(ManualClockTest, SetNowMovesOnlyTheWallClock) {
  ManualClock clock;
  const auto steady = clock.NowSteady();
  const auto earlier = clock.Now() - std::chrono::hours(1);
  clock.SetNow(earlier);
  EXPECT_EQ(clock.Now(), earlier);
  EXPECT_EQ(clock.NowSteady(), steady);
}

TEST(ManualClockDeathTest, AdvancingBackwardsIsABug) {
  ManualClock clock;
  EXPECT_DEATH(clock.Advance(seconds(-1)), "negative delta");
}

TEST(ManualClockTest, IsSafeToAdvanceFromManyThreads) {
  ManualClock clock;
  const auto start = clock.NowSteady();
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&clock] {
      for (int i = 0; i < 1000; ++i) clock.Advance(milliseconds(1));
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(clock.NowSteady() - start, seconds(4));
}

TEST(SystemClockTest, FollowsTheMachineClocks) {
  std::unique_ptr<Clock> clock = std::make_unique<SystemClock>();
  const auto wall_before = std::chrono::system_clock::now();
  const auto steady_before = std::chrono::steady_clock::now();
  const auto wall = clock->Now();
  const auto steady = clock->NowSteady();
  EXPECT_GE(wall, wall_before);
  EXPECT_GE(steady, steady_before);
  // Generous bound: only catches a clock that is not the machine's at all.
  EXPECT_LT(wall - wall_before, std::chrono::minutes(1));
  EXPECT_GE(clock->NowSteady(), steady);
}

}  // namespace
}  // namespace stepwise::engine
