#pragma once

// Reading the values of client command arguments: numbers, durations, instants, statuses and
// files. Each returns nullopt (or an error) with a message saying what was expected, which the
// command prints with its usage.
#include <cstdint>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/proto/stepwise.pb.h"
#include "google/protobuf/timestamp.pb.h"

namespace stepwise::cli::client {

// A whole number >= `min`. The error names `flag`.
absl::StatusOr<std::int64_t> ParseCount(const std::string& flag, const std::string& text,
                                        std::int64_t min);

// Seconds as a non-negative decimal ("20", "0.5"), in milliseconds.
absl::StatusOr<std::int64_t> ParseSecondsAsMillis(const std::string& flag, const std::string& text);

// An RFC 3339 instant ("2024-01-31T12:00:00Z", "2024-01-31T14:00:00.5+02:00") or a date alone
// ("2024-01-31", its midnight UTC).
absl::StatusOr<google::protobuf::Timestamp> ParseInstant(const std::string& flag,
                                                         const std::string& text);

// RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED, in any case.
absl::StatusOr<v1::ExecutionStatus> ParseExecutionStatus(const std::string& text);

// The whole content of a file named on the command line; the error names `what` (e.g.
// "--input-file") and the reason.
absl::StatusOr<std::string> ReadFileArgument(const std::string& what, const std::string& path);

}  // namespace stepwise::cli::client
