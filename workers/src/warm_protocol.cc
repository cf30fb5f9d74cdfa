#include "warm_protocol.h"

#include <utility>

#include "absl/status/status.h"
#include "function_failure.h"

namespace stepwise::workers::internal {

using nlohmann::json;

std::string WarmRequestLine(const json& input,
                            std::optional<std::chrono::system_clock::time_point> deadline,
                            int attempt) {
  std::string line = "{\"attempt\":" + std::to_string(attempt);
  if (deadline) {
    const auto ms =
        std::chrono::duration_cast<std::chrono::milliseconds>(deadline->time_since_epoch());
    line += ",\"deadline_ms\":" + std::to_string(ms.count());
  }
  // dump() without indentation escapes every newline inside strings, so the request stays one
  // line; `replace` keeps a stray invalid UTF-8 string in the input from throwing.
  line += ",\"input\":" + input.dump(-1, ' ', false, json::error_handler_t::replace) + "}\n";
  return line;
}

absl::StatusOr<ProcessOutcome> ParseWarmResponse(std::string_view line) {
  json response = json::parse(line, nullptr, /*allow_exceptions=*/false);
  if (response.is_discarded()) return absl::InvalidArgumentError("the line is not JSON");
  if (!response.is_object()) return absl::InvalidArgumentError("the line is not a JSON object");
  if (auto reported = ReportedError(response)) {
    return Failed(std::move(reported->first), std::move(reported->second));
  }
  auto output = response.find("output");
  if (output == response.end()) {
    return absl::InvalidArgumentError(
        "the object has none of \"output\", \"error\" (a string) or \"errorType\" (a string)");
  }
  ProcessOutcome outcome;
  outcome.succeeded = true;
  outcome.output = std::move(*output);
  return outcome;
}

}  // namespace stepwise::workers::internal
