// TaskError: a handler's named failure, carried in an absl::Status so that handlers and the
// helpers they call need no second error type.
#include <optional>
#include <string>

#include "absl/strings/cord.h"
#include "stepwise/workers/worker.h"

namespace stepwise::workers {
namespace {

// The payload that names the error; the URL only has to be unique among payloads.
constexpr absl::string_view kErrorNameUrl = "type.stepwise.dev/stepwise.workers.ErrorName";

// This abseil has its own string_view, not std::string_view under another name.
absl::string_view View(std::string_view text) {
  return absl::string_view(text.data(), text.size());
}

std::optional<std::string> NamedError(const absl::Status& status) {
  auto payload = status.GetPayload(kErrorNameUrl);
  if (!payload.has_value()) return std::nullopt;
  return std::string(*payload);
}

}  // namespace

absl::Status TaskError(std::string_view error, std::string_view cause) {
  absl::Status status(absl::StatusCode::kUnknown, View(cause));
  // An empty name would reach the server as "no name" and become States.TaskFailed anyway;
  // saying so here keeps ErrorName() truthful.
  status.SetPayload(kErrorNameUrl, absl::Cord(View(error.empty() ? kHandlerFailedError : error)));
  return status;
}

std::string ErrorName(const absl::Status& status) {
  return NamedError(status).value_or(std::string(kHandlerFailedError));
}

std::string ErrorCause(const absl::Status& status) {
  if (NamedError(status)) return std::string(status.message());
  return absl::StatusCodeToString(status.code()) + ": " + std::string(status.message());
}

}  // namespace stepwise::workers
