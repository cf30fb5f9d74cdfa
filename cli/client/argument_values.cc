#include "client/argument_values.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "stepwise/dsl/timestamp.h"

namespace stepwise::cli::client {

absl::StatusOr<std::int64_t> ParseCount(const std::string& flag, const std::string& text,
                                        std::int64_t min) {
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), value);
  if (text.empty() || error != std::errc() || end != text.data() + text.size() || value < min) {
    return absl::InvalidArgumentError(flag + " '" + text +
                                      "': expected a whole number >= " + std::to_string(min));
  }
  return value;
}

absl::StatusOr<std::int64_t> ParseSecondsAsMillis(const std::string& flag,
                                                  const std::string& text) {
  char* end = nullptr;
  errno = 0;
  double seconds = std::strtod(text.c_str(), &end);
  // An hour of milliseconds is far inside int64; the bound only keeps the cast defined.
  if (text.empty() || end != text.c_str() + text.size() || errno != 0 || !std::isfinite(seconds) ||
      seconds < 0 || seconds > 1e9) {
    return absl::InvalidArgumentError(flag + " '" + text +
                                      "': expected a number of seconds, such as 20 or 0.5");
  }
  return static_cast<std::int64_t>(std::llround(seconds * 1000));
}

absl::StatusOr<google::protobuf::Timestamp> ParseInstant(const std::string& flag,
                                                         const std::string& text) {
  // A date alone is the common case when listing ("what ran since Monday"); the States
  // Language's parser wants a full timestamp, so the date is completed to its midnight UTC.
  bool date_only = text.size() == 10 && text[4] == '-' && text[7] == '-';
  std::optional<dsl::Timestamp> parsed =
      dsl::ParseTimestamp(date_only ? text + "T00:00:00Z" : text);
  if (!parsed) {
    return absl::InvalidArgumentError(
        flag + " '" + text +
        "': expected an ISO 8601 time with its zone, such as 2024-01-31T12:00:00Z, or a date");
  }
  google::protobuf::Timestamp timestamp;
  timestamp.set_seconds(parsed->epoch_seconds);
  timestamp.set_nanos(parsed->nanos);
  return timestamp;
}

absl::StatusOr<v1::ExecutionStatus> ParseExecutionStatus(const std::string& text) {
  std::string upper;
  for (char c : text) upper += static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  v1::ExecutionStatus status = v1::EXECUTION_STATUS_UNSPECIFIED;
  if (!v1::ExecutionStatus_Parse(upper, &status) || status == v1::EXECUTION_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        "--status '" + text + "': expected RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED");
  }
  return status;
}

// Read as bytes and sent as they are: the server validates definitions and inputs, so that the
// client never disagrees with it (cli/definition_file.h would also compile the definition here).
absl::StatusOr<std::string> ReadFileArgument(const std::string& what, const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return absl::InvalidArgumentError("cannot read " + what + " '" + path +
                                      "': " + std::strerror(errno));
  }
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace stepwise::cli::client
