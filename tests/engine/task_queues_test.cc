// The long-poll machinery (white-box: engine/src is the engine's private side): the deadline
// thread, and the task queues' waiting polls. Polls are answered through callbacks; tests wait
// for those with futures, never with sleeps.
#include "../../engine/src/task_queues.h"

#include <gtest/gtest.h>

#include <chrono>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "stepwise/engine/deadline_queue.h"

namespace stepwise::engine {
namespace {

using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

TaskLease Lease(const std::string& function, std::uint64_t seq) {
  TaskLease lease;
  lease.execution_id = "exec";
  lease.task.task = TaskRef{1, seq};
  lease.task.function = function;
  lease.token = std::to_string(seq);
  return lease;
}

// A poll's answer, awaited by the test.
struct Answer {
  std::promise<std::optional<TaskLease>> promise;
  std::future<std::optional<TaskLease>> future = promise.get_future();
  int calls = 0;  // guarded by the single caller the queues promise

  TaskQueues::Delivery Callback() {
    return [this](std::optional<TaskLease> lease) {
      if (++calls == 1) promise.set_value(std::move(lease));
    };
  }
  bool Ready() { return future.wait_for(0s) == std::future_status::ready; }
  std::optional<TaskLease> Get() {
    EXPECT_EQ(future.wait_for(10s), std::future_status::ready) << "the poll was never answered";
    return future.get();
  }
};

TEST(DeadlineQueueTest, RunsEachFunctionAtItsTimeInOrderAndNotWhenCancelled) {
  DeadlineQueue queue;
  std::mutex mutex;
  std::vector<int> order;
  std::promise<void> last;
  auto now = Clock::now();
  queue.Schedule(now + 60ms, [&] {
    std::lock_guard lock(mutex);
    order.push_back(3);
    last.set_value();
  });
  queue.Schedule(now + 20ms, [&] {
    std::lock_guard lock(mutex);
    order.push_back(1);
  });
  DeadlineQueue::Id cancelled = queue.Schedule(now + 30ms, [&] {
    std::lock_guard lock(mutex);
    order.push_back(2);
  });
  EXPECT_TRUE(queue.Cancel(cancelled));
  EXPECT_FALSE(queue.Cancel(cancelled));
  ASSERT_EQ(last.get_future().wait_for(10s), std::future_status::ready);
  EXPECT_GE(Clock::now(), now + 60ms);
  std::lock_guard lock(mutex);
  EXPECT_EQ(order, (std::vector<int>{1, 3}));
}

TEST(DeadlineQueueTest, AFunctionMayScheduleAnother) {
  DeadlineQueue queue;
  std::promise<void> second;
  queue.Schedule(Clock::now(), [&] { queue.Schedule(Clock::now(), [&] { second.set_value(); }); });
  EXPECT_EQ(second.get_future().wait_for(10s), std::future_status::ready);
}

class TaskQueuesTest : public ::testing::Test {
 protected:
  DeadlineQueue deadlines_;
  TaskQueues queues_{deadlines_};
};

TEST_F(TaskQueuesTest, AQueuedTaskAnswersAPollAtOnce) {
  queues_.Push(Lease("f", 1));
  Answer answer;
  queues_.PollAsync({"f"}, 10s, answer.Callback());
  ASSERT_TRUE(answer.Ready()) << "answered on the polling thread, before PollAsync returned";
  std::optional<TaskLease> lease = answer.Get();
  ASSERT_TRUE(lease.has_value());
  EXPECT_EQ(lease->token, "1");
  EXPECT_EQ(queues_.waiting(), 0u);
}

TEST_F(TaskQueuesTest, APushedTaskGoesToTheOldestWaitingPoll) {
  Answer first, second;
  queues_.PollAsync({"f"}, 10s, first.Callback());
  queues_.PollAsync({"f"}, 10s, second.Callback());
  EXPECT_EQ(queues_.waiting(), 2u);
  queues_.Push(Lease("f", 7));
  ASSERT_TRUE(first.Ready());
  EXPECT_FALSE(second.Ready());
  EXPECT_EQ(first.Get()->token, "7");
  queues_.Push(Lease("f", 8));
  EXPECT_EQ(second.Get()->token, "8");
  EXPECT_EQ(queues_.waiting(), 0u);
}

TEST_F(TaskQueuesTest, APollOverSeveralFunctionsTakesTheLongestQueuedTask) {
  queues_.Push(Lease("b", 1));
  queues_.Push(Lease("a", 2));
  Answer answer;
  queues_.PollAsync({"a", "b", "c"}, 10s, answer.Callback());
  EXPECT_EQ(answer.Get()->token, "1");

  Answer waiting;
  queues_.PollAsync({"x", "y", "x"}, 10s, waiting.Callback());
  queues_.Push(Lease("z", 3));
  EXPECT_FALSE(waiting.Ready());
  queues_.Push(Lease("y", 4));
  EXPECT_EQ(waiting.Get()->token, "4");
  EXPECT_EQ(queues_.waiting(), 0u) << "the poll was left registered under another function";
}

TEST_F(TaskQueuesTest, AWaitingPollIsAnsweredWithNothingAtItsDeadline) {
  auto begin = Clock::now();
  Answer answer;
  queues_.PollAsync({"f"}, 80ms, answer.Callback());
  EXPECT_FALSE(answer.Get().has_value());
  EXPECT_GE(Clock::now() - begin, 80ms);
  EXPECT_EQ(queues_.waiting(), 0u);
  queues_.Push(Lease("f", 1));  // after the deadline: queued for the next poll, not lost
  EXPECT_TRUE(queues_.Poll("f", 0ms).has_value());
}

TEST_F(TaskQueuesTest, AZeroWaitAnswersAtOnce) {
  Answer answer;
  queues_.PollAsync({"f"}, 0ms, answer.Callback());
  ASSERT_TRUE(answer.Ready());
  EXPECT_FALSE(answer.Get().has_value());
}

TEST_F(TaskQueuesTest, CancellingAnswersOnceAndNeverLosesADeliveredTask) {
  Answer cancelled;
  PollId id = queues_.PollAsync({"f"}, 10s, cancelled.Callback());
  queues_.Cancel(id);
  ASSERT_TRUE(cancelled.Ready()) << "answered on the cancelling thread";
  EXPECT_FALSE(cancelled.Get().has_value());
  queues_.Cancel(id);  // again: nothing
  EXPECT_EQ(cancelled.calls, 1);

  queues_.Push(Lease("f", 5));  // nobody waits any more: it stays queued
  Answer delivered;
  PollId taken = queues_.PollAsync({"f"}, 10s, delivered.Callback());
  queues_.Cancel(taken);  // the client went away after the task was handed over
  EXPECT_EQ(delivered.calls, 1);
  EXPECT_EQ(delivered.Get()->token, "5");
}

TEST_F(TaskQueuesTest, ReleasingAnswersEveryPollAndLaterOnesAtOnceKeepingTasks) {
  Answer a, b;
  queues_.PollAsync({"f"}, 10s, a.Callback());
  queues_.PollAsync({"g", "h"}, 10s, b.Callback());
  queues_.Release();
  EXPECT_FALSE(a.Get().has_value());
  EXPECT_FALSE(b.Get().has_value());
  EXPECT_EQ(queues_.waiting(), 0u);

  queues_.Push(Lease("f", 1));
  Answer later;
  queues_.PollAsync({"f"}, 10s, later.Callback());
  ASSERT_TRUE(later.Ready());
  EXPECT_FALSE(later.Get().has_value()) << "a released engine hands out no more tasks";
}

TEST_F(TaskQueuesTest, RemovedTasksAreNotHandedOut) {
  queues_.Push(Lease("f", 1));
  queues_.Push(Lease("f", 2));
  queues_.Remove("exec", TaskRef{1, 1});
  EXPECT_EQ(queues_.Poll("f", 0ms)->token, "2");
  EXPECT_FALSE(queues_.Poll("f", 0ms).has_value());
}

TEST_F(TaskQueuesTest, ACallbackMayPollAgain) {
  Answer again;
  auto first = std::make_shared<Answer>();
  queues_.PollAsync({"f"}, 10s, [&](std::optional<TaskLease> lease) {
    first->promise.set_value(std::move(lease));
    queues_.PollAsync({"f"}, 10s, again.Callback());  // from inside an answer: no deadlock
  });
  queues_.Push(Lease("f", 1));
  queues_.Push(Lease("f", 2));
  EXPECT_EQ(first->Get()->token, "1");
  EXPECT_EQ(again.Get()->token, "2");
}

}  // namespace
}  // namespace stepwise::engine
