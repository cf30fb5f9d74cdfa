#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "stepwise/engine/engine.h"

namespace stepwise::api {

// The `stepwise server --functions FILE` file: the limits of functions by name, and optionally
// the defaults of those nobody registered. Sets `functions` and `function_defaults` of the
// engine options it returns:
//
//   {"defaults": {"timeout_seconds": 300},
//    "functions": [{"name": "resize", "timeout_seconds": 30, "max_concurrency": 8,
//                   "rate_per_second": 50,
//                   "circuit_breaker": {"failure_threshold": 5, "window_seconds": 60,
//                                       "open_seconds": 30, "half_open_probes": 1}}]}
//
// Every field but "name" is optional and falls back to the defaults. InvalidArgument names the
// file and the place (line and column for bad JSON, a JSON pointer like
// /functions/1/timeout_seconds otherwise) and says what to write instead; unknown fields are
// errors, so a typo does not silently leave a default in force.
absl::StatusOr<engine::EngineOptions> ParseFunctionConfig(std::string_view text,
                                                          const std::string& file_name,
                                                          engine::EngineOptions options);
absl::StatusOr<engine::EngineOptions> ReadFunctionConfig(const std::string& path,
                                                         engine::EngineOptions options);

}  // namespace stepwise::api
