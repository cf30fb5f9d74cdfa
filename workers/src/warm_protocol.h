#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "nlohmann/json.hpp"
#include "stepwise/workers/process_function.h"

namespace stepwise::workers::internal {

// The two halves of warm_pool.h's line protocol; see there for what the lines mean.

// The request for one invocation, ending with its newline. The keys come in a fixed order with
// "input" last, so a shell script can cut the input out with sed: `s/^.*"input"://; s/}$//`.
// `deadline` is omitted when the invocation has none.
std::string WarmRequestLine(const nlohmann::json& input,
                            std::optional<std::chrono::system_clock::time_point> deadline,
                            int attempt);

// What one response line (newline removed) says: the output, or the error the function reports.
// InvalidArgument when the line is not a response, with a message saying what is wrong.
absl::StatusOr<ProcessOutcome> ParseWarmResponse(std::string_view line);

}  // namespace stepwise::workers::internal
