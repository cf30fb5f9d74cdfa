#include "conformance/case_functions.h"

#include <string>
#include <utility>

namespace stepwise::conformance {
namespace {

using nlohmann::json;

engine::TaskOutcome Failure(std::string error, std::string cause) {
  return engine::TaskOutcome{false, nullptr, std::move(error), std::move(cause)};
}

// What Lambda answers for a function that does not exist, as AWS Step Functions reports it.
engine::TaskOutcome NoSuchLambda(const std::string& name) {
  return Failure("Lambda.ResourceNotFoundException",
                 "Function not found: arn:aws:lambda:us-east-1:111111111111:function:" + name +
                     ":$LATEST (Service: AWSLambda; Status Code: 404; Error Code: "
                     "ResourceNotFoundException; Request ID: "
                     "00000000-0000-0000-0000-000000000000; Proxy: null)");
}

std::string Text(const json& behaviour, const char* key) {
  auto it = behaviour.find(key);
  return it != behaviour.end() && it->is_string() ? it->get<std::string>() : "";
}

}  // namespace

void CaseFunctions::Invoke(const engine::ScheduleTask& task,
                           std::function<void(engine::TaskOutcome)> done) {
  const json* behaviour = nullptr;
  if (functions_.is_object()) {
    if (!task.function.empty()) {
      if (auto it = functions_.find(task.function); it != functions_.end()) behaviour = &*it;
    }
    if (behaviour == nullptr) {
      if (auto it = functions_.find(task.resource); it != functions_.end()) behaviour = &*it;
    }
  }
  if (behaviour == nullptr) {
    done(task.function.empty()
             ? Failure("States.TaskFailed", "the case binds no function to '" + task.resource + "'")
             : NoSuchLambda(task.function));
    return;
  }
  std::string kind = Text(*behaviour, "kind");
  if (kind == "echo") {
    done(engine::TaskOutcome{true, task.input, "", ""});
  } else if (kind == "const") {
    done(engine::TaskOutcome{true, behaviour->value("value", json()), "", ""});
  } else if (kind == "error") {
    done(Failure(Text(*behaviour, "error"), Text(*behaviour, "cause")));
  } else {
    done(Failure("Conformance.UnknownKind", "the case's function kind '" + kind + "' is unknown"));
  }
}

}  // namespace stepwise::conformance
