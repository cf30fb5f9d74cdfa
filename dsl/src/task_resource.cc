#include <string>
#include <string_view>
#include <vector>

#include "compiler.h"

namespace stepwise::dsl::internal {
namespace {

std::vector<std::string> Split(std::string_view text, char separator) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t end = text.find(separator, start);
    parts.emplace_back(text.substr(start, end - start));
    if (end == std::string_view::npos) return parts;
    start = end + 1;
  }
}

// Strips a service integration pattern suffix (`.sync`, `.sync:2`, `.waitForTaskToken`).
TaskResource::Pattern TakePattern(std::string& uri) {
  for (auto [suffix, pattern] :
       {std::pair{".sync:2", TaskResource::Pattern::kSync2},
        std::pair{".sync", TaskResource::Pattern::kSync},
        std::pair{".waitForTaskToken", TaskResource::Pattern::kWaitForTaskToken}}) {
    std::string_view view(suffix);
    if (uri.size() > view.size() && uri.ends_with(view)) {
      uri.resize(uri.size() - view.size());
      return pattern;
    }
  }
  return TaskResource::Pattern::kRequestResponse;
}

}  // namespace

TaskResource ParseTaskResource(const std::string& uri) {
  TaskResource resource;
  resource.uri = uri;
  if (uri.starts_with("function:") && uri.size() > 9) {
    resource.kind = TaskResource::Kind::kFunction;
    resource.name = uri.substr(9);
    return resource;
  }
  // arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE...
  std::vector<std::string> parts = Split(uri, ':');
  if (parts.size() < 6 || parts[0] != "arn") return resource;
  const std::string& service = parts[2];
  if (service == "lambda" && parts[5] == "function" && parts.size() >= 7 && !parts[6].empty()) {
    resource.kind = TaskResource::Kind::kFunction;
    resource.name = parts[6];
    if (parts.size() >= 8) resource.qualifier = parts[7];
    return resource;
  }
  if (service != "states") return resource;
  if (parts[5] == "activity" && parts.size() == 7 && !parts[6].empty()) {
    resource.kind = TaskResource::Kind::kActivity;
    resource.name = parts[6];
    return resource;
  }
  std::string action = uri;
  resource.pattern = TakePattern(action);
  if (action.ends_with(":::lambda:invoke")) {
    resource.kind = TaskResource::Kind::kLambdaInvoke;
  } else if (action.ends_with(":::states:startExecution")) {
    resource.kind = TaskResource::Kind::kStartExecution;
  }
  return resource;
}

}  // namespace stepwise::dsl::internal
