#pragma once

#include <chrono>
#include <random>
#include <string>

namespace stepwise::workers::internal {

// "250 ms", "1.5 s": a pause, for log lines.
std::string DescribePause(std::chrono::milliseconds pause);

// Exponential backoff with "equal jitter": each delay is drawn from [d/2, d], where d starts at
// `first` and doubles up to `max`. The jitter keeps a fleet of workers that lost the same
// server from coming back in step; the half that is kept guarantees a pause, so a failing call
// is never retried in a tight loop. Not thread-safe: one per retrying loop.
class Backoff {
 public:
  Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max);

  // The pause before the next try.
  std::chrono::milliseconds Next();
  // After a success: the next failure starts again at `first`.
  void Reset() { current_ = first_; }

 private:
  static unsigned Seed();  // a different one each call

  std::chrono::milliseconds first_;
  std::chrono::milliseconds max_;
  std::chrono::milliseconds current_;
  std::minstd_rand random_;
};

}  // namespace stepwise::workers::internal
