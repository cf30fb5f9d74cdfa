// DeadlineQueue: calls run on a thread of their own in due order, never before their time has
// come, and the destructor drops the ones not yet due. The tests await the calls through a
// condition variable; the bounds on those waits are reached only on failure.
#include "stepwise/engine/deadline_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <functional>
#include <memory>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

namespace stepwise::engine {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using Clock = std::chrono::steady_clock;

// Long enough for any prompt call on a loaded machine, and well short of the 10 s calls that
// must not have run by then.
constexpr seconds kPatience{5};

// The calls that ran, in the order they ran.
class Runs {
 public:
  struct Run {
    int tag;
    Clock::time_point at;
    std::thread::id thread;
  };

  // A call that records itself as `tag`.
  std::function<void()> Record(int tag) {
    return [this, tag] {
      {
        std::lock_guard lock(mutex_);
        runs_.push_back(Run{tag, Clock::now(), std::this_thread::get_id()});
      }
      ran_.notify_all();
    };
  }

  // The calls that ran, once there are `count` of them (fewer after kPatience).
  std::vector<Run> Await(std::size_t count) {
    std::unique_lock lock(mutex_);
    ran_.wait_for(lock, kPatience, [&] { return runs_.size() >= count; });
    return runs_;
  }

  static std::vector<int> Tags(const std::vector<Run>& runs) {
    std::vector<int> tags;
    for (const Run& run : runs) tags.push_back(run.tag);
    return tags;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ran_;
  std::vector<Run> runs_;
};

// Schedules `call` `delay` from now.
void After(DeadlineQueue& queue, Clock::duration delay, std::function<void()> call) {
  queue.Schedule(Clock::now() + delay, std::move(call));
}

TEST(DeadlineQueueTest, CallsRunInDueOrderWhateverTheOrderTheyWereAddedIn) {
  Runs runs;  // outlives the calls' thread, which records into it
  DeadlineQueue queue;
  // Tagged with their delays in milliseconds. The delays are 100 ms apart, so that a test
  // thread descheduled between two additions cannot change which call is due first.
  After(queue, milliseconds(300), runs.Record(300));
  After(queue, milliseconds(100), runs.Record(100));
  After(queue, milliseconds(200), runs.Record(200));

  std::vector<Runs::Run> ran = runs.Await(3);
  EXPECT_EQ(Runs::Tags(ran), (std::vector<int>{100, 200, 300}));
  for (const Runs::Run& run : ran) {
    EXPECT_NE(run.thread, std::this_thread::get_id()) << "a call ran on the thread adding it";
  }
}

TEST(DeadlineQueueTest, NoCallRunsBeforeItsDelayHasPassed) {
  const std::vector<milliseconds> delays = {milliseconds(40), milliseconds(0), milliseconds(5),
                                            milliseconds(20), milliseconds(1), milliseconds(10)};
  Runs runs;
  std::vector<Clock::time_point> added;
  DeadlineQueue queue;
  for (std::size_t i = 0; i < delays.size(); ++i) {
    // Taken before the call is added, so at or before the moment its delay starts.
    added.push_back(Clock::now());
    After(queue, delays[i], runs.Record(static_cast<int>(i)));
  }

  std::vector<Runs::Run> ran = runs.Await(delays.size());
  ASSERT_EQ(ran.size(), delays.size());
  for (const Runs::Run& run : ran) {
    auto i = static_cast<std::size_t>(run.tag);
    EXPECT_GE(run.at - added[i], delays[i])
        << "the call " << delays[i].count() << " ms away ran "
        << std::chrono::duration_cast<std::chrono::microseconds>(run.at - added[i]).count()
        << " us after it was added";
  }
}

TEST(DeadlineQueueTest, ACallWithNoDelayRunsPromptlyWhileALongOneIsPending) {
  Runs runs;
  DeadlineQueue queue;
  After(queue, seconds(10), runs.Record(10'000));
  // The first may come while the thread is still looking at the long call, the second most
  // likely finds it asleep until the long one is due: both must wake it.
  for (int tag : {1, 2}) {
    auto added = Clock::now();
    After(queue, milliseconds(0), runs.Record(tag));
    std::vector<Runs::Run> ran = runs.Await(static_cast<std::size_t>(tag));
    ASSERT_EQ(ran.size(), static_cast<std::size_t>(tag)) << "the call due now did not run";
    EXPECT_EQ(ran.back().tag, tag);
    EXPECT_LT(ran.back().at - added, kPatience);
  }
  // Destroying `queue` drops the long one (the next test checks that it does so promptly).
}

TEST(DeadlineQueueTest, DestroyingDropsAPendingCallAndReturnsPromptly) {
  Runs runs;
  std::atomic<bool> pending_ran{false};
  auto queue = std::make_unique<DeadlineQueue>();
  // A call run first: the thread is up and, after it, goes to sleep until the pending one is
  // due, the sleep the destructor must cut short.
  After(*queue, milliseconds(0), runs.Record(0));
  ASSERT_EQ(runs.Await(1).size(), 1u);
  After(*queue, seconds(10), [&] { pending_ran = true; });

  auto asked = Clock::now();
  queue.reset();  // joins the thread: nothing runs after this
  EXPECT_LT(Clock::now() - asked, kPatience) << "the destructor waited for the pending call";
  EXPECT_FALSE(pending_ran.load());
}

}  // namespace
}  // namespace stepwise::engine
