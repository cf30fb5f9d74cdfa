#include "stepwise/engine/execution_state.h"

#include <charconv>

#include "stepwise/engine/iso_time.h"

namespace stepwise::engine {

std::string TaskRef::Token() const { return std::to_string(frame) + "." + std::to_string(seq); }

std::optional<TaskRef> TaskRef::FromToken(std::string_view token) {
  auto dot = token.find('.');
  if (dot == std::string_view::npos) return std::nullopt;
  TaskRef ref;
  const char* begin = token.data();
  auto frame = std::from_chars(begin, begin + dot, ref.frame);
  auto seq = std::from_chars(begin + dot + 1, begin + token.size(), ref.seq);
  if (frame.ec != std::errc() || frame.ptr != begin + dot || seq.ec != std::errc() ||
      seq.ptr != begin + token.size() || ref.frame == 0) {
    return std::nullopt;
  }
  return ref;
}

const char* StatusName(ExecutionStatus status) {
  switch (status) {
    case ExecutionStatus::kRunning:
      return "RUNNING";
    case ExecutionStatus::kSucceeded:
      return "SUCCEEDED";
    case ExecutionStatus::kFailed:
      return "FAILED";
    case ExecutionStatus::kTimedOut:
      return "TIMED_OUT";
    case ExecutionStatus::kAborted:
      return "ABORTED";
  }
  return "UNKNOWN";
}

nlohmann::json MakeContext(const ExecutionInfo& info, const nlohmann::json& input,
                           std::int64_t redrive_count) {
  return {
      {"Execution",
       {{"Id", info.execution_id},
        {"Input", input},
        {"Name", info.name},
        {"RoleArn", info.role_arn},
        {"StartTime", FormatIsoMillis(info.start_time)},
        {"RedriveCount", redrive_count}}},
      {"StateMachine", {{"Id", info.state_machine_id}, {"Name", info.state_machine_name}}},
      {"State", {{"Name", ""}, {"EnteredTime", ""}, {"RetryCount", 0}}},
  };
}

const nlohmann::json& ExecutionInput(const ExecutionState& state) {
  static const nlohmann::json kNull;
  auto execution = state.context.find("Execution");
  if (execution == state.context.end()) return kNull;
  auto input = execution->find("Input");
  return input == execution->end() ? kNull : *input;
}

}  // namespace stepwise::engine
