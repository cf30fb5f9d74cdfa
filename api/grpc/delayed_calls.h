#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <map>
#include <mutex>
#include <thread>

namespace stepwise::api {

// Runs functions a little later, in due order, on one thread of its own: for work that may wait
// a moment so that it can be done together with other work (a worker session's acknowledgements
// wait for the next task going the same way). Functions must be quick and must not block.
// The destructor drops the calls not yet due.
class DelayedCalls {
 public:
  DelayedCalls();
  ~DelayedCalls();
  DelayedCalls(const DelayedCalls&) = delete;
  DelayedCalls& operator=(const DelayedCalls&) = delete;

  void After(std::chrono::steady_clock::duration delay, std::function<void()> call);

 private:
  void Run();

  std::mutex mutex_;
  std::condition_variable changed_;
  std::multimap<std::chrono::steady_clock::time_point, std::function<void()>> due_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace stepwise::api
