#include "function_failure.h"

#include <signal.h>
#include <string.h>

namespace stepwise::workers::internal {
namespace {

// strerror() may share one buffer between threads; strerror_r comes in a GNU form (returns the
// text) and a POSIX form (fills the buffer), and these overloads accept either.
[[maybe_unused]] const char* ErrorText(const char* text, const char*) { return text; }
[[maybe_unused]] const char* ErrorText(int, const char* buffer) { return buffer; }

}  // namespace

ProcessOutcome Failed(std::string error, std::string cause) {
  ProcessOutcome outcome;
  outcome.error = std::move(error);
  outcome.cause = std::move(cause);
  return outcome;
}

std::string Quoted(const FunctionBinding& binding) { return "function '" + binding.name + "'"; }

std::string ErrnoText(int error) {
  char buffer[256] = "";
  return ErrorText(strerror_r(error, buffer, sizeof buffer), buffer);
}

std::string SignalText(int signal) {
  std::string text = std::to_string(signal);
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 32))
  if (const char* abbreviation = sigabbrev_np(signal))
    text += std::string(" (SIG") + abbreviation + ")";
#endif
  return text;
}

std::string DurationText(std::chrono::milliseconds duration) {
  const long long ms = duration.count();
  if (ms < 1000) return std::to_string(ms) + " ms";
  std::string seconds = std::to_string(ms / 1000);
  if (ms % 1000 != 0) {
    std::string fraction = std::to_string(1000 + ms % 1000).substr(1);
    while (fraction.back() == '0') fraction.pop_back();
    seconds += "." + fraction;
  }
  return seconds + (ms == 1000 ? " second" : " seconds");
}

std::optional<std::pair<std::string, std::string>> ReportedError(const nlohmann::json& report) {
  if (!report.is_object()) return std::nullopt;
  if (auto error = report.find("error"); error != report.end() && error->is_string()) {
    std::string cause;
    if (auto found = report.find("cause"); found != report.end() && !found->is_null()) {
      cause = found->is_string() ? found->get<std::string>() : found->dump();
    }
    return std::make_pair(error->get<std::string>(), std::move(cause));
  }
  if (auto type = report.find("errorType"); type != report.end() && type->is_string()) {
    // Lambda reports the whole error object as the cause, and Catch handlers parse it back.
    return std::make_pair(type->get<std::string>(), report.dump());
  }
  return std::nullopt;
}

}  // namespace stepwise::workers::internal
