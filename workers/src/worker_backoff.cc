#include "worker_backoff.h"

#include <algorithm>

namespace stepwise::workers::internal {

std::string DescribePause(std::chrono::milliseconds pause) {
  if (pause.count() < 1000) return std::to_string(pause.count()) + " ms";
  return std::to_string(pause.count() / 1000) + "." + std::to_string(pause.count() % 1000 / 100) +
         " s";
}

Backoff::Backoff(std::chrono::milliseconds first, std::chrono::milliseconds max)
    : first_(std::max(first, std::chrono::milliseconds(1))),
      max_(std::max(max, first_)),
      current_(first_),
      random_(Seed()) {}

unsigned Backoff::Seed() {
  // A random_device costs a system call or two; a Backoff is made per delivery of a result.
  thread_local std::minstd_rand seeds(std::random_device{}());
  return static_cast<unsigned>(seeds());
}

std::chrono::milliseconds Backoff::Next() {
  std::chrono::milliseconds full = current_;
  current_ = current_ > max_ / 2 ? max_ : current_ * 2;  // no overflow near milliseconds::max()
  std::uniform_int_distribution<std::chrono::milliseconds::rep> pick(full.count() / 2,
                                                                     full.count());
  return std::chrono::milliseconds(std::max<std::chrono::milliseconds::rep>(pick(random_), 1));
}

}  // namespace stepwise::workers::internal
