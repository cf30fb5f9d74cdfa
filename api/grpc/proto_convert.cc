#include "api/grpc/proto_convert.h"

#include <chrono>
#include <string>

namespace stepwise::api {

using nlohmann::json;

namespace {

constexpr int kDefaultPageSize = 100;
constexpr int kMaxPageSize = 1000;
constexpr std::size_t kMaxNameLength = 80;

v1::Diagnostic::Severity ToProto(dsl::Severity severity) {
  switch (severity) {
    case dsl::Severity::kError:
      return v1::Diagnostic::SEVERITY_ERROR;
    case dsl::Severity::kWarning:
      return v1::Diagnostic::SEVERITY_WARNING;
  }
  return v1::Diagnostic::SEVERITY_UNSPECIFIED;
}

}  // namespace

void ToProto(const dsl::Diagnostic& diagnostic, v1::Diagnostic& out) {
  out.set_severity(ToProto(diagnostic.severity));
  out.set_pointer(diagnostic.pointer);
  out.set_message(diagnostic.message);
}

void ToProto(const engine::StoredDefinition& definition, std::int64_t latest_version,
             v1::StateMachine& out) {
  out.set_name(definition.name);
  out.set_arn("arn:stepwise:states:local:stateMachine:" + definition.name);
  out.set_version(definition.version);
  out.set_latest_version(latest_version);
  out.set_definition(definition.definition);
  SetMillis(definition.created_at, *out.mutable_created_at());
}

void ToProto(const engine::ExecutionSummary& summary, v1::Execution& out) {
  out.set_execution_id(summary.info.execution_id);
  out.set_name(summary.info.name);
  out.set_state_machine(summary.info.state_machine_name);
  out.set_state_machine_version(summary.info.state_machine_version);
  out.set_status(ToProto(summary.status));
  SetMillis(summary.info.start_time, *out.mutable_start_time());
  if (summary.stop_time != 0) SetMillis(summary.stop_time, *out.mutable_stop_time());
  out.set_input(summary.input.dump());
  if (summary.status == engine::ExecutionStatus::kSucceeded) out.set_output(summary.output.dump());
  out.set_error(summary.error);
  out.set_cause(summary.cause);
  out.set_parent_execution_id(summary.info.parent_execution_id);
  out.set_redrive_count(summary.redrive_count);
  out.set_last_event_id(summary.last_event_id);
}

void ToProto(const engine::StoredHistoryEvent& event, v1::HistoryEvent& out) {
  out.set_id(event.id);
  SetMillis(event.timestamp, *out.mutable_timestamp());
  out.set_type(event.type);
  out.set_state_name(event.state_name);
  out.set_details(event.details.is_null() ? "{}" : event.details.dump());
}

void ToProto(const engine::TaskLease& lease, v1::Task& out) {
  out.set_token(lease.token);
  out.set_execution_id(lease.execution_id);
  out.set_state_name(lease.task.state_name);
  out.set_function(lease.task.function.empty() ? lease.task.resource : lease.task.function);
  out.set_resource(lease.task.resource);
  out.set_input(lease.task.input.dump());
  out.set_attempt(lease.task.attempt);
  if (lease.deadline != 0) SetMillis(lease.deadline, *out.mutable_deadline());
  out.set_heartbeat_seconds(lease.task.heartbeat_seconds.value_or(0));
  out.set_callback(lease.callback);
}

v1::ExecutionStatus ToProto(engine::ExecutionStatus status) {
  switch (status) {
    case engine::ExecutionStatus::kRunning:
      return v1::RUNNING;
    case engine::ExecutionStatus::kSucceeded:
      return v1::SUCCEEDED;
    case engine::ExecutionStatus::kFailed:
      return v1::FAILED;
    case engine::ExecutionStatus::kTimedOut:
      return v1::TIMED_OUT;
    case engine::ExecutionStatus::kAborted:
      return v1::ABORTED;
  }
  return v1::EXECUTION_STATUS_UNSPECIFIED;
}

std::optional<engine::ExecutionStatus> FromProto(v1::ExecutionStatus status) {
  switch (status) {
    case v1::RUNNING:
      return engine::ExecutionStatus::kRunning;
    case v1::SUCCEEDED:
      return engine::ExecutionStatus::kSucceeded;
    case v1::FAILED:
      return engine::ExecutionStatus::kFailed;
    case v1::TIMED_OUT:
      return engine::ExecutionStatus::kTimedOut;
    case v1::ABORTED:
      return engine::ExecutionStatus::kAborted;
    default:
      return std::nullopt;
  }
}

std::int64_t NowMillis() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

void SetMillis(std::int64_t millis, google::protobuf::Timestamp& out) {
  std::int64_t seconds = millis / 1000;
  std::int64_t rest = millis % 1000;
  if (rest < 0) {
    rest += 1000;
    --seconds;
  }
  out.set_seconds(seconds);
  out.set_nanos(static_cast<std::int32_t>(rest * 1'000'000));
}

std::int64_t ToMillis(const google::protobuf::Timestamp& timestamp) {
  return timestamp.seconds() * 1000 + timestamp.nanos() / 1'000'000;
}

absl::StatusOr<json> ParseJsonField(const std::string& field, const std::string& text,
                                    const json& empty_value) {
  if (text.empty()) return empty_value;
  try {
    return json::parse(text);
  } catch (const json::parse_error& error) {
    return absl::InvalidArgumentError("'" + field + "' is not valid JSON: " + error.what());
  }
}

absl::Status CheckName(const std::string& what, const std::string& name) {
  if (name.empty()) return absl::InvalidArgumentError(what + " is required");
  if (name.size() > kMaxNameLength) {
    return absl::InvalidArgumentError(what + " '" + name.substr(0, 20) + "...' is " +
                                      std::to_string(name.size()) +
                                      " characters long; at most 80 are allowed");
  }
  for (char c : name) {
    bool allowed = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                   c == '-' || c == '_';
    if (!allowed) {
      return absl::InvalidArgumentError(what + " '" + name + "' contains '" + std::string(1, c) +
                                        "'; use only letters, digits, '-' and '_'");
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<int> PageSize(std::int32_t requested) {
  if (requested < 0 || requested > kMaxPageSize) {
    return absl::InvalidArgumentError("page_size " + std::to_string(requested) +
                                      " is out of range; use 1 to 1000, or 0 for 100");
  }
  return requested == 0 ? kDefaultPageSize : requested;
}

}  // namespace stepwise::api
