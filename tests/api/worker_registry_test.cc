// The server's records of workers: what they serve, their polls and tasks, and forgetting the
// silent ones (but never one with a poll waiting, however long it waits).
#include "api/grpc/worker_registry.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

namespace stepwise::api {
namespace {

std::vector<std::string> Names(const std::vector<WorkerRegistry::Worker>& workers) {
  std::vector<std::string> names;
  for (const auto& worker : workers) names.push_back(worker.name);
  return names;
}

TEST(WorkerRegistryTest, CountsPollsAndTasksAndForgetsTheSilentOnes) {
  WorkerRegistry registry(std::chrono::milliseconds(1000));
  registry.PollStarted("a", "box-a", {"double"}, 0);
  registry.PollEnded("a", true, 10);
  registry.PollStarted("waiting", "box-b", {"triple"}, 0);
  registry.Contact("c", 500);
  registry.Contact("", 600);  // a call that names no worker is nobody's contact

  std::vector<WorkerRegistry::Worker> listed = registry.List(700);
  EXPECT_EQ(Names(listed), (std::vector<std::string>{"c", "a", "waiting"}));
  EXPECT_EQ(listed[1].tasks_received, 1);
  EXPECT_EQ(listed[1].polls_waiting, 0);
  EXPECT_EQ(listed[1].host, "box-a");
  EXPECT_EQ(listed[2].polls_waiting, 1);

  registry.Contact("d", 1900);
  EXPECT_EQ(Names(registry.List(2000)), (std::vector<std::string>{"d", "waiting"}));
  registry.PollEnded("waiting", false, 2100);
  EXPECT_EQ(Names(registry.List(3050)), (std::vector<std::string>{"waiting"}));
  EXPECT_TRUE(registry.List(3200).empty());
}

TEST(WorkerRegistryTest, ANewNameSweepsTheSilentOnesButNeverItself) {
  // Wall-clock times, as the server passes: the very first name already comes a minute or more
  // after the last sweep (none), and must still be listed.
  constexpr std::int64_t kNow = 1'800'000'000'000;
  WorkerRegistry registry(std::chrono::milliseconds(1000));
  registry.PollStarted("first", "box-a", {"double"}, kNow);
  EXPECT_EQ(Names(registry.List(kNow)), (std::vector<std::string>{"first"}));
  registry.PollEnded("first", false, kNow + 10);

  // A minute on, a new name sweeps "first" (silent since) and is listed itself.
  registry.Contact("second", kNow + 60'010);
  EXPECT_EQ(Names(registry.List(kNow + 60'010)), (std::vector<std::string>{"second"}));
}

}  // namespace
}  // namespace stepwise::api
