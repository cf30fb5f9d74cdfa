#include "stepwise/engine/task_token.h"

namespace stepwise::engine {
namespace {

constexpr std::string_view kInvocationSuffix = ".i";

}  // namespace

std::string FormatTaskToken(const TaskToken& token) {
  std::string text = token.task.Token();
  if (token.invocation) text += kInvocationSuffix;
  text += '@';
  text += token.execution_id;
  return text;
}

std::string MakeTaskToken(std::string_view execution_id, const TaskRef& task) {
  return FormatTaskToken(TaskToken{std::string(execution_id), task, false});
}

std::optional<TaskToken> ParseTaskToken(std::string_view token) {
  // Execution ids may hold '@' (names are the user's); the attempt part never does.
  auto at = token.find('@');
  if (at == std::string_view::npos || at + 1 >= token.size()) return std::nullopt;
  std::string_view attempt = token.substr(0, at);
  TaskToken parsed;
  if (attempt.ends_with(kInvocationSuffix)) {
    parsed.invocation = true;
    attempt.remove_suffix(kInvocationSuffix.size());
  }
  auto ref = TaskRef::FromToken(attempt);
  if (!ref) return std::nullopt;
  parsed.task = *ref;
  parsed.execution_id = std::string(token.substr(at + 1));
  return parsed;
}

}  // namespace stepwise::engine
