// RequestPacer's arithmetic: how long requests wait for a given CPU share.
#include "api/rest/request_pacer.h"

#include <gtest/gtest.h>

#include <chrono>

namespace stepwise::api {
namespace {

using std::chrono::milliseconds;
using Clock = RequestPacer::Clock;

TEST(RequestPacerTest, ARequestWaitsUntilTheCpuItUsedFitsTheShare) {
  RequestPacer pacer(0.1);
  Clock::time_point now = Clock::now();
  EXPECT_EQ(pacer.WaitAt(now), Clock::duration::zero());
  pacer.Charge(now, milliseconds(1));
  EXPECT_EQ(pacer.WaitAt(now), milliseconds(9));  // 1 ms busy, 9 ms idle: a tenth
  EXPECT_EQ(pacer.WaitAt(now + milliseconds(4)), milliseconds(5));
  EXPECT_EQ(pacer.WaitAt(now + milliseconds(9)), Clock::duration::zero());
}

TEST(RequestPacerTest, ChargesAddUpButIdleTimeIsNotSavedUp) {
  RequestPacer pacer(0.5);
  Clock::time_point now = Clock::now();
  pacer.Charge(now, milliseconds(2));
  pacer.Charge(now, milliseconds(2));
  EXPECT_EQ(pacer.WaitAt(now), milliseconds(4));
  // An hour of quiet earns no burst: the next charge counts from then.
  Clock::time_point later = now + std::chrono::hours(1);
  pacer.Charge(later, milliseconds(2));
  EXPECT_EQ(pacer.WaitAt(later), milliseconds(2));
}

TEST(RequestPacerTest, AWholeCpuNeverWaits) {
  RequestPacer pacer(1.0);
  Clock::time_point now = Clock::now();
  pacer.Charge(now, milliseconds(500));
  EXPECT_EQ(pacer.WaitAt(now), Clock::duration::zero());
}

TEST(RequestPacerTest, TheThreadsCpuTimeGrowsWithWork) {
  auto before = RequestPacer::ThreadCpuTime();
  volatile double sink = 0;
  for (int i = 0; i < 1'000'000; ++i) sink = sink + i;
  EXPECT_GT(RequestPacer::ThreadCpuTime(), before);
}

}  // namespace
}  // namespace stepwise::api
