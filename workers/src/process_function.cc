#include "stepwise/workers/process_function.h"

#include <optional>
#include <string>
#include <utility>

#include "bounded_text.h"
#include "child_process.h"
#include "function_failure.h"

namespace stepwise::workers {
namespace {

using internal::ChildResult;
using internal::DurationText;
using internal::ErrnoText;
using internal::Failed;
using internal::Quoted;
using internal::SignalText;
using nlohmann::json;

// stderr is kept with this much to spare, so trimming trailing blank lines still leaves a full
// max_cause_bytes of text.
constexpr std::size_t kCauseSlack = 4096;
constexpr std::size_t kNotJsonPreviewChars = 200;

// A function that failed may say why on stdout, in Stepwise's form or in Lambda's.
std::optional<std::pair<std::string, std::string>> ReportedError(const std::string& out) {
  return internal::ReportedError(json::parse(out, nullptr, /*allow_exceptions=*/false));
}

ProcessOutcome FromExit(const FunctionBinding& binding, const ChildResult& child,
                        const ProcessLimits& limits) {
  if (child.end == ChildResult::End::kExited && child.exit_status == 0) {
    json output = json::parse(child.out, nullptr, /*allow_exceptions=*/false);
    if (output.is_discarded()) {
      std::string text = internal::ValidUtf8(internal::TrimWhitespace(child.out));
      return Failed("States.TaskFailed",
                    Quoted(binding) + " exited 0 but its output is not JSON: " +
                        std::string(internal::Utf8Head(text, kNotJsonPreviewChars)));
    }
    ProcessOutcome outcome;
    outcome.succeeded = true;
    outcome.output = std::move(output);
    return outcome;
  }
  if (auto reported = ReportedError(child.out)) {
    return Failed(std::move(reported->first), std::move(reported->second));
  }
  std::string err = internal::ValidUtf8(internal::SkipPartialCharacter(child.err_tail));
  std::string_view cause =
      internal::Utf8Tail(internal::TrimWhitespace(err), limits.max_cause_bytes);
  if (!cause.empty()) return Failed("States.TaskFailed", std::string(cause));
  if (child.end == ChildResult::End::kSignaled) {
    return Failed("States.TaskFailed",
                  Quoted(binding) + " was killed by signal " + SignalText(child.signal));
  }
  return Failed("States.TaskFailed",
                Quoted(binding) + " exited with status " + std::to_string(child.exit_status));
}

}  // namespace

ProcessOutcome RunProcessFunction(const FunctionBinding& binding, const json& input,
                                  const ProcessLimits& limits) {
  if (binding.argv.empty()) {
    return Failed("States.TaskFailed", "cannot run " + Quoted(binding) + ": its command is empty");
  }
  // `replace` keeps a stray invalid UTF-8 string in the input from throwing; the trailing newline
  // lets line-oriented programs (`read line`) see a complete line.
  std::string text = input.dump(-1, ' ', false, json::error_handler_t::replace);
  text.push_back('\n');
  internal::ChildLimits child_limits;
  child_limits.timeout = limits.timeout;
  child_limits.max_stdout_bytes = limits.max_output_bytes;
  child_limits.max_stderr_bytes = limits.max_cause_bytes + kCauseSlack;
  ChildResult child = internal::RunChild(binding.argv, text, child_limits);

  switch (child.end) {
    case ChildResult::End::kSystemError:
      return Failed("States.TaskFailed", "cannot run " + Quoted(binding) + ": " +
                                             child.system_call + ": " +
                                             ErrnoText(child.system_errno));
    case ChildResult::End::kTimedOut:
      return Failed("States.Timeout",
                    Quoted(binding) + " did not finish within " + DurationText(limits.timeout));
    case ChildResult::End::kOutputTooLarge:
      return Failed("States.DataLimitExceeded",
                    Quoted(binding) + " wrote more than " +
                        std::to_string(limits.max_output_bytes) +
                        " bytes to stdout, the limit for a function's output");
    case ChildResult::End::kExited:
    case ChildResult::End::kSignaled:
      break;
  }
  return FromExit(binding, child, limits);
}

}  // namespace stepwise::workers
