#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "stepwise/workers/worker.h"
#include "worker_client.h"

namespace stepwise::workers::internal {

// How one invocation ended, in the terms of the task protocol.
struct Outcome {
  bool succeeded = false;
  std::string output;  // JSON text, when succeeded
  std::string error;   // when failed: the name Retry and Catch match
  std::string cause;
  bool cold_start = false;  // run by a freshly started instance (Invocation::cold_start)
};

Outcome Failure(std::string_view error, std::string cause);

// Calls the handler and turns what it returns (or throws) into an Outcome: a value is the
// output; a status fails with ErrorName/ErrorCause; an exception fails with
// kHandlerFailedError and its what() as cause. An exception must not escape a worker thread:
// it would end the whole process.
Outcome RunHandler(const Handler& handler, const Invocation& call);

// Sends the outcome of the attempt `token` names. A call that may not have reached the server
// (UNAVAILABLE, DEADLINE_EXCEEDED) is tried again a few times, which is safe because
// completions are idempotent; an output the server refuses as too large fails the task with
// States.DataLimitExceeded instead, so the state does not wait for its timeout.
// FailedPrecondition when the server no longer awaited the attempt.
absl::Status Deliver(TaskClient& client, const std::string& token, const Outcome& outcome);

}  // namespace stepwise::workers::internal
