#include "worker_outcome.h"

#include <exception>
#include <thread>
#include <utility>

#include "worker_backoff.h"

namespace stepwise::workers::internal {
namespace {

constexpr int kDeliveryAttempts = 4;
constexpr std::chrono::milliseconds kFirstRedelivery{200};
constexpr std::chrono::milliseconds kMaxRedelivery{2000};
constexpr std::string_view kDataLimitExceeded = "States.DataLimitExceeded";

bool MayNotHaveArrived(const absl::Status& status) {
  return absl::IsUnavailable(status) || absl::IsDeadlineExceeded(status);
}

absl::Status SendOnce(TaskClient& client, const std::string& token, const Outcome& outcome) {
  if (!outcome.succeeded) {
    return client.Fail(token, outcome.error, outcome.cause, outcome.cold_start);
  }
  absl::Status sent = client.Succeed(token, outcome.output, outcome.cold_start);
  if (!absl::IsResourceExhausted(sent)) return sent;
  return client.Fail(token, kDataLimitExceeded,
                     "the server refused the handler's output of " +
                         std::to_string(outcome.output.size()) +
                         " bytes: " + std::string(sent.message()),
                     outcome.cold_start);
}

}  // namespace

Outcome Failure(std::string_view error, std::string cause) {
  Outcome outcome;
  outcome.error = std::string(error);
  outcome.cause = std::move(cause);
  return outcome;
}

Outcome RunHandler(const Handler& handler, const Invocation& call) {
  try {
    absl::StatusOr<nlohmann::json> result = handler(call);
    if (!result.ok()) return Failure(ErrorName(result.status()), ErrorCause(result.status()));
    Outcome outcome;
    outcome.succeeded = true;
    // Strings that are not valid UTF-8 are sent with U+FFFD in place rather than failing.
    outcome.output = result->dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
    return outcome;
  } catch (const std::exception& error) {
    return Failure(kHandlerFailedError, std::string("the handler threw: ") + error.what());
  } catch (...) {
    return Failure(kHandlerFailedError, "the handler threw something that is not a std::exception");
  }
}

absl::Status Deliver(TaskClient& client, const std::string& token, const Outcome& outcome) {
  Backoff backoff(kFirstRedelivery, kMaxRedelivery);
  bool maybe_applied = false;
  for (int attempt = 1;; ++attempt) {
    absl::Status sent = SendOnce(client, token, outcome);
    // An earlier try that timed out may have been applied: the refusal of the repeat says so.
    if (maybe_applied && absl::IsFailedPrecondition(sent)) return absl::OkStatus();
    if (!MayNotHaveArrived(sent) || attempt == kDeliveryAttempts) return sent;
    maybe_applied = maybe_applied || absl::IsDeadlineExceeded(sent);
    // A plain pause: this thread has nothing else to do, and no shutdown should cut a
    // delivery short (the result would be lost).
    std::this_thread::sleep_for(backoff.Next());
  }
}

}  // namespace stepwise::workers::internal
