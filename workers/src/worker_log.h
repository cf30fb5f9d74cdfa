#pragma once

#include <string_view>
#include <utility>

#include "stepwise/workers/worker.h"

namespace stepwise::workers::internal {

// Where the worker's log lines go: the user's LogFunction, or else warnings and errors on
// stderr. Never give it payloads or tokens: tokens are credentials for one attempt.
class Log {
 public:
  explicit Log(LogFunction sink) : sink_(std::move(sink)) {}

  void operator()(LogLevel level, std::string_view message) const;

 private:
  LogFunction sink_;
};

}  // namespace stepwise::workers::internal
