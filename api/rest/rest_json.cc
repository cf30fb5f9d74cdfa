#include "api/rest/rest_json.h"

#include <string>
#include <utility>

#include "stepwise/engine/iso_time.h"

namespace stepwise::api {

using nlohmann::json;

namespace {

const char* PhaseName(engine::FramePhase phase) {
  switch (phase) {
    case engine::FramePhase::kRunning:
      return "RUNNING";
    case engine::FramePhase::kTask:
      return "TASK";
    case engine::FramePhase::kWaiting:
      return "WAITING";
    case engine::FramePhase::kBackoff:
      return "RETRY_BACKOFF";
    case engine::FramePhase::kChildren:
      return "CHILDREN";
  }
  return "RUNNING";
}

// An instant, or null for "never" (0).
json Instant(std::int64_t millis) {
  return millis == 0 ? json(nullptr) : json(engine::FormatIsoMillis(millis));
}

}  // namespace

json ExecutionJson(engine::ExecutionSummary summary) {
  json out = {{"execution_id", summary.info.execution_id},
              {"name", summary.info.name},
              {"state_machine", summary.info.state_machine_name},
              {"state_machine_version", summary.info.state_machine_version},
              {"status", engine::StatusName(summary.status)},
              {"start_time", Instant(summary.info.start_time)},
              {"stop_time", Instant(summary.stop_time)},
              {"input", std::move(summary.input)},
              {"last_event_id", summary.last_event_id},
              {"redrive_count", summary.redrive_count}};
  if (summary.status == engine::ExecutionStatus::kSucceeded) {
    out["output"] = std::move(summary.output);
  }
  if (!summary.error.empty() || !summary.cause.empty()) {
    out["error"] = summary.error;
    out["cause"] = summary.cause;
  }
  out["parent_execution_id"] = summary.info.parent_execution_id.empty()
                                   ? json(nullptr)
                                   : json(summary.info.parent_execution_id);
  return out;
}

json ActiveStateJson(const engine::ActiveState& state) {
  return {{"name", state.name},
          {"phase", PhaseName(state.phase)},
          {"entered_time", Instant(state.entered_time)},
          {"frame", state.frame},
          {"parent_frame", state.parent_frame},
          {"child_index", state.child_index}};
}

json HistoryEventJson(const engine::StoredHistoryEvent& event) {
  json out = {{"id", event.id},
              {"timestamp", Instant(event.timestamp)},
              {"type", event.type},
              {"details", event.details.is_null() ? json::object() : event.details}};
  if (!event.state_name.empty()) out["state_name"] = event.state_name;
  return out;
}

json DefinitionJson(const engine::StoredDefinition& definition) {
  return {{"name", definition.name},
          {"version", definition.version},
          {"created_at", Instant(definition.created_at)}};
}

json FunctionLimitsJson(const engine::FunctionLimits& limits) {
  const engine::CircuitBreakerOptions& breaker = limits.circuit_breaker;
  return {{"timeout_seconds", limits.timeout.count()},
          {"max_concurrency", limits.max_concurrency},
          {"rate_per_second", limits.rate_per_second},
          {"circuit_breaker",
           {{"failure_threshold", breaker.failure_threshold},
            {"window_ms", breaker.window.count()},
            {"open_ms", breaker.open_for.count()},
            {"half_open_probes", breaker.half_open_probes}}}};
}

json FunctionJson(const engine::FunctionStatus& status) {
  json out = {{"name", status.limits.name},
              {"registered", status.registered},
              {"limits", FunctionLimitsJson(status.limits)},
              {"in_flight", status.in_flight},
              {"queued", status.queued},
              {"circuit", std::string(engine::CircuitStateName(status.circuit))},
              {"circuit_opened", status.circuit_opened},
              {"circuit_changed_at", Instant(status.circuit_changed_at)},
              {"succeeded", status.succeeded},
              {"failed", status.failed},
              {"refused", status.refused},
              {"cold_starts", status.cold_starts},
              {"durations",
               {{"count", status.durations.count},
                {"p50_ms", status.durations.p50_ms},
                {"p90_ms", status.durations.p90_ms},
                {"p99_ms", status.durations.p99_ms},
                {"max_ms", status.durations.max_ms}}}};
  if (status.circuit == engine::CircuitState::kOpen) {
    out["circuit_open_until"] = Instant(status.circuit_open_until);
  }
  return out;
}

json WorkerJson(const WorkerRegistry::Worker& worker) {
  return {{"name", worker.name},
          {"host", worker.host},
          {"functions", worker.functions},
          {"first_seen", Instant(worker.first_seen)},
          {"last_contact", Instant(worker.last_contact)},
          {"polls_waiting", worker.polls_waiting},
          {"tasks_received", worker.tasks_received}};
}

}  // namespace stepwise::api
