#include "record_encoding.h"

#include <optional>
#include <string>
#include <utility>

namespace stepwise::storage {
namespace {

using nlohmann::json;

std::string Seal(const json& body) {
  std::string bytes(1, static_cast<char>(kRecordFormat));
  json::to_cbor(body, bytes);  // appends
  return bytes;
}

// The CBOR body of a record, checked for its tag and well-formedness.
absl::StatusOr<json> Open(std::string_view bytes, const std::string& what) {
  if (bytes.empty()) return absl::DataLossError(what + " is empty");
  auto tag = static_cast<std::uint8_t>(bytes.front());
  if (tag != kRecordFormat) {
    return absl::DataLossError(what + " has record format " + std::to_string(tag) +
                               ", which this release does not read (it reads format " +
                               std::to_string(kRecordFormat) + ")");
  }
  json body = json::from_cbor(bytes.begin() + 1, bytes.end(), /*strict=*/true,
                              /*allow_exceptions=*/false);
  if (body.is_discarded()) return absl::DataLossError(what + " is not well-formed CBOR");
  return body;
}

// A record's body must be a map; its fields are read with json's checked accessors, which
// throw on a missing field or a wrong type. Decoders catch that here and report DataLoss.
absl::StatusOr<json> OpenObject(std::string_view bytes, const std::string& what) {
  absl::StatusOr<json> body = Open(bytes, what);
  if (body.ok() && !body->is_object()) return absl::DataLossError(what + " is not a CBOR map");
  return body;
}

template <typename Decode>
auto Guard(const std::string& what, Decode decode) -> decltype(decode()) {
  try {
    return decode();
  } catch (const json::exception& error) {
    return absl::DataLossError(what + " is malformed: " + error.what());
  }
}

// An enum field; nullopt when the number names no enumerator (a newer release's value).
template <typename Enum>
std::optional<Enum> CheckedEnum(const json& body, const char* field, Enum last) {
  int value = body.at(field).get<int>();
  if (value < 0 || value > static_cast<int>(last)) return std::nullopt;
  return static_cast<Enum>(value);
}

absl::Status BadEnum(const std::string& what, const char* field) {
  return absl::DataLossError(what + " has an unknown " + field + " value");
}

// Fields moved out of a decoded body rather than copied: listings decode thousands of records
// a second, and their inputs and outputs are most of the bytes. Throw as json's accessors do.
std::string TakeString(json& body, const char* field) {
  return std::move(body.at(field).get_ref<std::string&>());
}
std::string TakeStringOr(json& body, const char* field) {
  auto found = body.find(field);
  return found == body.end() ? std::string() : std::move(found->get_ref<std::string&>());
}
json TakeValueOr(json& body, const char* field) {
  auto found = body.find(field);
  return found == body.end() ? json() : std::move(*found);
}

template <typename T>
void PutIfSet(json& body, const char* field, const T& value, const T& unset = T{}) {
  if (value != unset) body[field] = value;
}

}  // namespace

std::string EncodeExecutionStart(const ExecutionStart& start) {
  const engine::ExecutionInfo& info = start.info;
  json body = {{"id", info.execution_id},
               {"name", info.name},
               {"smid", info.state_machine_id},
               {"sm", info.state_machine_name},
               {"smv", info.state_machine_version},
               {"start", info.start_time},
               {"in", start.input}};
  PutIfSet(body, "role", info.role_arn);
  PutIfSet(body, "par", info.parent_execution_id);
  PutIfSet(body, "ptok", info.parent_task_token);
  PutIfSet(body, "pjson", info.parent_wants_json);
  return Seal(body);
}

absl::StatusOr<ExecutionStart> DecodeExecutionStart(std::string_view bytes) {
  const std::string what = "execution start record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<ExecutionStart> {
    ExecutionStart start;
    engine::ExecutionInfo& info = start.info;
    info.execution_id = TakeString(*body, "id");
    info.name = TakeString(*body, "name");
    info.state_machine_id = TakeString(*body, "smid");
    info.state_machine_name = TakeString(*body, "sm");
    info.state_machine_version = body->at("smv").get<std::int64_t>();
    info.role_arn = TakeStringOr(*body, "role");
    info.start_time = body->at("start").get<std::int64_t>();
    // Fields added later are optional: records written before them read as their defaults.
    info.parent_execution_id = TakeStringOr(*body, "par");
    info.parent_task_token = TakeStringOr(*body, "ptok");
    info.parent_wants_json = body->value("pjson", false);
    start.input = std::move(body->at("in"));
    return start;
  });
}

ExecutionRecord RecordOf(const engine::ExecutionState& state) {
  ExecutionRecord record;
  record.status = state.status;
  record.stop_time = state.stop_time;
  record.output = state.output;
  record.error = state.error;
  record.cause = state.cause;
  record.next_event_id = state.next_event_id;
  record.next_frame_id = state.next_frame_id;
  record.ready = state.ready;
  record.redrive_count = state.redrive_count;
  return record;
}

std::string EncodeExecutionRecord(const ExecutionRecord& record) {
  json body = {{"status", static_cast<int>(record.status)},
               {"nev", record.next_event_id},
               {"nfr", record.next_frame_id}};
  PutIfSet(body, "stop", record.stop_time);
  if (!record.output.is_null()) body["out"] = record.output;
  PutIfSet(body, "err", record.error);
  PutIfSet(body, "cause", record.cause);
  if (!record.ready.empty()) body["ready"] = record.ready;
  PutIfSet(body, "rdc", record.redrive_count);
  return Seal(body);
}

absl::StatusOr<ExecutionRecord> DecodeExecutionRecord(std::string_view bytes) {
  const std::string what = "execution record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<ExecutionRecord> {
    ExecutionRecord record;
    auto status = CheckedEnum(*body, "status", engine::ExecutionStatus::kAborted);
    if (!status) return BadEnum(what, "status");
    record.status = *status;
    record.stop_time = body->value("stop", std::int64_t{0});
    record.output = TakeValueOr(*body, "out");
    record.error = TakeStringOr(*body, "err");
    record.cause = TakeStringOr(*body, "cause");
    record.next_event_id = body->at("nev").get<std::int64_t>();
    record.next_frame_id = body->at("nfr").get<engine::FrameId>();
    record.ready = body->value("ready", std::vector<engine::FrameId>());
    record.redrive_count = body->value("rdc", std::int64_t{0});
    return record;
  });
}

std::string EncodeValue(const json& value) { return Seal(value); }

absl::StatusOr<json> DecodeValue(std::string_view bytes) { return Open(bytes, "stored value"); }

std::string EncodeFrameHeader(const engine::Frame& frame) {
  json body = {{"id", frame.id}, {"st", frame.state}, {"ph", static_cast<int>(frame.phase)}};
  PutIfSet(body, "par", frame.parent);
  PutIfSet(body, "idx", frame.child_index);
  PutIfSet(body, "seq", frame.seq);
  PutIfSet(body, "et", frame.entered_time);
  PutIfSet(body, "ee", frame.entered_event);
  if (!frame.retry_counts.empty()) body["rcs"] = frame.retry_counts;
  PutIfSet(body, "rc", frame.retry_count);
  PutIfSet(body, "hbd", frame.heartbeat_due);
  PutIfSet(body, "hbs", frame.heartbeat_seconds);
  if (frame.children) {
    const engine::ChildrenProgress& children = *frame.children;
    body["ch"] = {{"tot", children.total},
                  {"sta", children.started},
                  {"run", children.running},
                  {"fail", children.failed},
                  {"maxc", children.max_concurrency},
                  {"tfc", children.tolerated_failure_count},
                  {"tfp", children.tolerated_failure_percentage},
                  {"q", children.queued}};
  }
  return Seal(body);
}

absl::StatusOr<engine::Frame> DecodeFrameHeader(std::string_view bytes) {
  const std::string what = "frame header";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::Frame> {
    engine::Frame frame;
    frame.id = body->at("id").get<engine::FrameId>();
    frame.state = body->at("st").get<int>();
    auto phase = CheckedEnum(*body, "ph", engine::FramePhase::kChildren);
    if (!phase) return BadEnum(what, "phase");
    frame.phase = *phase;
    frame.parent = body->value("par", engine::FrameId{0});
    frame.child_index = body->value("idx", std::int64_t{0});
    frame.seq = body->value("seq", std::uint64_t{0});
    frame.entered_time = body->value("et", std::int64_t{0});
    frame.entered_event = body->value("ee", std::int64_t{0});
    frame.retry_counts = body->value("rcs", std::vector<int>());
    frame.retry_count = body->value("rc", 0);
    frame.heartbeat_due = body->value("hbd", std::int64_t{0});
    frame.heartbeat_seconds = body->value("hbs", std::int64_t{0});
    if (auto found = body->find("ch"); found != body->end()) {
      const json& stored = *found;
      engine::ChildrenProgress& children = frame.children.emplace();
      children.total = stored.at("tot").get<std::int64_t>();
      children.started = stored.at("sta").get<std::int64_t>();
      children.running = stored.at("run").get<std::int64_t>();
      children.failed = stored.at("fail").get<std::int64_t>();
      children.max_concurrency = stored.at("maxc").get<std::int64_t>();
      children.tolerated_failure_count = stored.at("tfc").get<std::int64_t>();
      children.tolerated_failure_percentage = stored.at("tfp").get<double>();
      children.queued = stored.at("q").get<bool>();
      if (children.total < 0 || children.started < 0 || children.started > children.total) {
        return absl::DataLossError(what + " has impossible child counts");
      }
    }
    return frame;
  });
}

std::string EncodeChildren(const engine::ChildrenProgress& children) {
  return Seal({{"items", children.items}, {"shared", children.shared_input}});
}

absl::Status DecodeChildren(std::string_view bytes, engine::ChildrenProgress& children) {
  const std::string what = "frame children";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::Status {
    json items = body->at("items");
    if (!items.is_array()) return absl::DataLossError(what + " items are not an array");
    children.items = std::move(items);
    children.shared_input = body->at("shared");
    return absl::OkStatus();
  });
}

std::string EncodeTimer(const engine::StoredTimer& timer) {
  return Seal({{"ex", timer.execution_id},
               {"fr", timer.timer.frame},
               {"seq", timer.timer.seq},
               {"k", static_cast<int>(timer.timer.kind)},
               {"due", timer.due}});
}

absl::StatusOr<engine::StoredTimer> DecodeTimer(std::string_view bytes) {
  const std::string what = "timer record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::StoredTimer> {
    engine::StoredTimer timer;
    timer.execution_id = body->at("ex").get<std::string>();
    timer.timer.frame = body->at("fr").get<engine::FrameId>();
    timer.timer.seq = body->at("seq").get<std::uint64_t>();
    auto kind = CheckedEnum(*body, "k", engine::TimerKind::kContinue);
    if (!kind) return BadEnum(what, "timer kind");
    timer.timer.kind = *kind;
    timer.due = body->at("due").get<std::int64_t>();
    return timer;
  });
}

std::string EncodeTask(const engine::StoredTask& stored) {
  const engine::ScheduleTask& task = stored.task;
  json body = {{"ex", stored.execution_id}, {"fr", task.task.frame}, {"seq", task.task.seq},
               {"sn", task.state_name},     {"res", task.resource},  {"in", task.input},
               {"to", task.timeout_seconds}};
  PutIfSet(body, "fn", task.function);
  if (task.heartbeat_seconds) body["hb"] = *task.heartbeat_seconds;
  PutIfSet(body, "att", task.attempt);
  if (task.integration != engine::TaskIntegration::kInvoke) {
    body["ig"] = static_cast<int>(task.integration);
  }
  return Seal(body);
}

absl::StatusOr<engine::StoredTask> DecodeTask(std::string_view bytes) {
  const std::string what = "task record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::StoredTask> {
    engine::StoredTask stored;
    engine::ScheduleTask& task = stored.task;
    stored.execution_id = body->at("ex").get<std::string>();
    task.task.frame = body->at("fr").get<engine::FrameId>();
    task.task.seq = body->at("seq").get<std::uint64_t>();
    task.state_name = body->at("sn").get<std::string>();
    task.resource = body->at("res").get<std::string>();
    task.function = body->value("fn", std::string());
    task.input = body->at("in");
    task.timeout_seconds = body->at("to").get<std::int64_t>();
    if (auto found = body->find("hb"); found != body->end()) {
      task.heartbeat_seconds = found->get<std::int64_t>();
    }
    task.attempt = body->value("att", 0);
    if (body->contains("ig")) {
      auto integration = CheckedEnum(*body, "ig", engine::TaskIntegration::kStartExecutionCallback);
      if (!integration) return BadEnum(what, "integration");
      task.integration = *integration;
    }
    return stored;
  });
}

std::string EncodeHistoryEvent(const engine::HistoryEvent& event) {
  json body = {{"t", event.type}, {"ts", event.timestamp}};
  PutIfSet(body, "sn", event.state_name);
  if (!event.details.is_null()) body["d"] = event.details;
  return Seal(body);
}

absl::StatusOr<engine::StoredHistoryEvent> DecodeHistoryEvent(std::string_view bytes,
                                                              std::int64_t id) {
  const std::string what = "history event " + std::to_string(id);
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::StoredHistoryEvent> {
    engine::StoredHistoryEvent event;
    event.id = id;
    event.type = body->at("t").get<std::string>();
    event.timestamp = body->at("ts").get<std::int64_t>();
    event.state_name = body->value("sn", std::string());
    event.details = body->value("d", json());
    return event;
  });
}

std::string EncodeDefinition(const engine::StoredDefinition& definition) {
  return Seal({{"n", definition.name},
               {"v", definition.version},
               {"def", definition.definition},
               {"at", definition.created_at}});
}

std::string EncodeFunction(const engine::FunctionLimits& limits) {
  const engine::CircuitBreakerOptions& breaker = limits.circuit_breaker;
  return Seal({{"n", limits.name},
               {"t", limits.timeout.count()},
               {"c", limits.max_concurrency},
               {"r", limits.rate_per_second},
               {"cb",
                {breaker.failure_threshold, breaker.window.count(), breaker.open_for.count(),
                 breaker.half_open_probes}}});
}

absl::StatusOr<engine::FunctionLimits> DecodeFunction(std::string_view bytes) {
  const std::string what = "function record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::FunctionLimits> {
    engine::FunctionLimits limits;
    limits.name = body->at("n").get<std::string>();
    limits.timeout = std::chrono::seconds(body->at("t").get<std::int64_t>());
    limits.max_concurrency = body->at("c").get<int>();
    limits.rate_per_second = body->at("r").get<double>();
    const json& breaker = body->at("cb");
    limits.circuit_breaker.failure_threshold = breaker.at(0).get<int>();
    limits.circuit_breaker.window = std::chrono::milliseconds(breaker.at(1).get<std::int64_t>());
    limits.circuit_breaker.open_for = std::chrono::milliseconds(breaker.at(2).get<std::int64_t>());
    limits.circuit_breaker.half_open_probes = breaker.at(3).get<int>();
    return limits;
  });
}

absl::StatusOr<engine::StoredDefinition> DecodeDefinition(std::string_view bytes) {
  const std::string what = "definition record";
  absl::StatusOr<json> body = OpenObject(bytes, what);
  if (!body.ok()) return body.status();
  return Guard(what, [&]() -> absl::StatusOr<engine::StoredDefinition> {
    engine::StoredDefinition definition;
    definition.name = body->at("n").get<std::string>();
    definition.version = body->at("v").get<std::int64_t>();
    definition.definition = body->at("def").get<std::string>();
    definition.created_at = body->at("at").get<std::int64_t>();
    return definition;
  });
}

}  // namespace stepwise::storage
