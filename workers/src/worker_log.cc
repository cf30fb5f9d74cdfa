#include "worker_log.h"

#include <iostream>
#include <string>

namespace stepwise::workers::internal {

void Log::operator()(LogLevel level, std::string_view message) const {
  if (sink_) return sink_(level, message);
  if (level == LogLevel::kInfo) return;
  // One write per line, so that lines of concurrent invocations do not interleave.
  std::string line = std::string("stepwise worker: ") +
                     (level == LogLevel::kError ? "error: " : "warning: ") + std::string(message) +
                     "\n";
  std::cerr << line << std::flush;
}

}  // namespace stepwise::workers::internal
