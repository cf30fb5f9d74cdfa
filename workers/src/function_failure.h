#pragma once

#include <chrono>
#include <optional>
#include <string>
#include <utility>

#include "nlohmann/json.hpp"
#include "stepwise/workers/function_binding.h"
#include "stepwise/workers/process_function.h"

namespace stepwise::workers::internal {

// How the process host words a failed invocation, shared by the exec and warm modes so that a
// function fails the same way whichever mode runs it.

ProcessOutcome Failed(std::string error, std::string cause);

// "function 'NAME'", the subject of the causes the host writes.
std::string Quoted(const FunctionBinding& binding);

// strerror's text for `error`, thread-safe.
std::string ErrnoText(int error);

// "9 (SIGKILL)", or just the number where the C library cannot name it.
std::string SignalText(int signal);

// "200 ms", "1 second", "2.5 seconds".
std::string DurationText(std::chrono::milliseconds duration);

// The error a function reports about itself: `{"error": E, "cause": C}` gives E and C verbatim
// (C's JSON text when it is not a string; empty when missing); Lambda's `{"errorType": E, ...}`
// gives E with the whole object's JSON text as cause. Anything else: nullopt.
std::optional<std::pair<std::string, std::string>> ReportedError(const nlohmann::json& report);

}  // namespace stepwise::workers::internal
