// The input and output pipeline of a state (InputPath, Parameters, ResultSelector, ResultPath,
// OutputPath), the context object, history records and frame bookkeeping.
#include <string>
#include <utility>

#include "payload_size.h"
#include "step_runner.h"
#include "stepwise/engine/iso_time.h"

namespace stepwise::engine {

using nlohmann::json;

namespace {

bool IsRoot(const std::optional<dsl::JsonPath>& path) {
  if (!path) return false;
  const std::string& text = path->text();
  return text.size() == 1 && text[0] == '$';
}

}  // namespace

Frame* StepRunner::Find(FrameId id) {
  auto it = state_.frames.find(id);
  return it == state_.frames.end() ? nullptr : &it->second;
}

bool StepRunner::StillRunning(FrameId id) {
  Frame* frame = Find(id);
  return frame != nullptr && frame->phase == FramePhase::kRunning;
}

Frame& StepRunner::NewFrame(FrameId parent, std::int64_t child_index,
                            const dsl::StateGraph* graph) {
  FrameId id = state_.next_frame_id++;
  Frame& frame = state_.frames[id];
  frame.id = id;
  frame.parent = parent;
  frame.child_index = child_index;
  frame.graph = graph;
  Touch(frame);
  return frame;
}

void StepRunner::RemoveFrame(FrameId id) {
  state_.frames.erase(id);
  touched_.erase(id);
  step_.removed_frames.push_back(id);
  if (context_frame_ == id) context_frame_ = 0;
}

void StepRunner::AbandonDescendants(FrameId ancestor) {
  std::vector<FrameId> doomed;
  for (const auto& [id, frame] : state_.frames) {
    for (FrameId up = frame.parent; up != 0;) {
      if (up == ancestor) {
        doomed.push_back(id);
        break;
      }
      auto it = state_.frames.find(up);
      up = it == state_.frames.end() ? 0 : it->second.parent;
    }
  }
  for (FrameId id : doomed) {
    const Frame& frame = state_.frames.at(id);
    if (frame.phase == FramePhase::kTask) step_.effects.push_back(CancelTask{{id, frame.seq}});
    step_.effects.push_back(CancelTimers{id, frame.seq});
    RemoveFrame(id);
  }
}

const json& StepRunner::Context(const Frame& frame) {
  if (context_frame_ != frame.id || context_state_ != frame.state ||
      context_entered_ != frame.entered_time || context_retry_ != frame.retry_count) {
    // Assigned in place: the slots stay where Start put them, and short names need no memory.
    json& state = state_.context["State"];
    if (context_frame_ != frame.id || context_state_ != frame.state) {
      state["Name"].get_ref<std::string&>() = Current(frame).name;
    }
    if (context_entered_ != frame.entered_time) {
      state["EnteredTime"].get_ref<std::string&>() = FormatIsoMillis(frame.entered_time);
    }
    state["RetryCount"] = frame.retry_count;
    context_frame_ = frame.id;
    context_state_ = frame.state;
    context_entered_ = frame.entered_time;
    context_retry_ = frame.retry_count;
  }
  return state_.context;
}

dsl::EvalScope StepRunner::Scope(const json& input, const json& context) {
  return dsl::EvalScope{input, context, [this] { return random_.Next(); }};
}

HistoryEvent& StepRunner::Record(const char* type) {
  RecordNotes();
  return NewEvent(type);
}

void StepRunner::RecordNotes(bool step_over) {
  if (recorded_ == 0 && !step_over) return;
  while (notes_recorded_ < at_.notes.size()) {
    const HistoryNote& note = at_.notes[notes_recorded_++];
    HistoryEvent& event = NewEvent(note.type);
    event.state_name = note.state_name;
    event.details = note.details;
  }
}

HistoryEvent& StepRunner::NewEvent(const char* type) {
  // Unrecorded events still take their id; callers fill a scratch event that is then dropped.
  HistoryEvent& event = options_.record_history ? step_.history.emplace_back() : scratch_event_;
  event.id = state_.next_event_id++;
  event.timestamp = at_.now;
  event.type = type;
  ++recorded_;
  return event;
}

HistoryEvent& StepRunner::RecordState(const char* type, const Frame& frame) {
  HistoryEvent& event = Record(type);
  event.state_name = Current(frame).name;
  return event;
}

dsl::StatesError StepRunner::RuntimeError(const Frame& frame, const std::string& what) const {
  return dsl::StatesError{"States.Runtime", "An error occurred while executing the state '" +
                                                Current(frame).name +
                                                "' (entered at the event id #" +
                                                std::to_string(frame.entered_event) + "). " + what};
}

dsl::Outcome<json> StepRunner::EffectiveInput(Frame& frame, bool keep_raw) {
  const auto& path = Current(frame).input_path;
  if (!path) return json::object();
  if (IsRoot(path)) return keep_raw ? frame.input : std::move(frame.input);
  const json& root = path->is_context() ? Context(frame) : frame.input;
  auto value = path->Evaluate(root);
  if (!value.ok()) {
    return RuntimeError(
        frame, "Invalid path '" + path->text() + "' : " + std::string(value.status().message()));
  }
  return *std::move(value);
}

dsl::Outcome<json> StepRunner::ApplyTemplate(const Frame& frame,
                                             const std::optional<dsl::PayloadTemplate>& tmpl,
                                             json input) {
  if (!tmpl) return input;
  auto value = tmpl->Evaluate(Scope(input, Context(frame)));
  if (value.ok()) return std::move(value).value();
  dsl::StatesError error = value.error();
  if (error.error == "States.Runtime") return RuntimeError(frame, error.cause);
  return error;
}

dsl::Outcome<json> StepRunner::StateOutput(Frame& frame,
                                           const std::optional<dsl::JsonPath>& result_path,
                                           json result) {
  json output;
  if (!result_path) {
    output = std::move(frame.input);
  } else if (IsRoot(result_path)) {
    output = std::move(result);
  } else {
    output = std::move(frame.input);
    auto assigned = result_path->Assign(output, std::move(result));
    if (!assigned.ok()) {
      // A failed Assign changes nothing: give the input back for a Catch (ResultPath null).
      frame.input = std::move(output);
      return dsl::StatesError{"States.ResultPathMatchFailure",
                              "An error occurred while executing the state '" +
                                  Current(frame).name + "' (entered at the event id #" +
                                  std::to_string(frame.entered_event) + "). " +
                                  "Unable to apply ResultPath '" + result_path->text() +
                                  "' to the input: " + std::string(assigned.message())};
    }
  }
  return ApplyOutputPath(frame, std::move(output));
}

dsl::Outcome<json> StepRunner::ApplyOutputPath(const Frame& frame, json value) {
  const auto& path = Current(frame).output_path;
  if (!path) return json::object();
  if (IsRoot(path)) return value;
  auto selected = path->Evaluate(path->is_context() ? state_.context : value);
  if (!selected.ok()) {
    return RuntimeError(
        frame, "Invalid path '" + path->text() + "' : " + std::string(selected.status().message()));
  }
  return *std::move(selected);
}

std::optional<dsl::StatesError> StepRunner::CheckSize(const Frame& frame, const json& value) const {
  if (JsonTextSize(value, options_.max_payload_bytes) <= options_.max_payload_bytes) {
    return std::nullopt;
  }
  std::string who = frame.state >= 0 ? Current(frame).name : "the execution input";
  return dsl::StatesError{"States.DataLimitExceeded",
                          "The state/task '" + who +
                              "' returned a result with a size exceeding the maximum number of "
                              "bytes service limit."};
}

dsl::Outcome<std::int64_t> StepRunner::ResolveInteger(const Frame& frame,
                                                      const dsl::LiteralOrPath<std::int64_t>& field,
                                                      const json& input, const char* path_field,
                                                      std::int64_t fallback) {
  if (field.literal) return *field.literal;
  if (!field.path) return fallback;
  auto value = field.path->Evaluate(field.path->is_context() ? state_.context : input);
  if (!value.ok()) {
    return RuntimeError(frame, "Invalid path '" + field.path->text() +
                                   "' : " + std::string(value.status().message()));
  }
  if (value->is_number_integer() || value->is_number_unsigned()) {
    return value->get<std::int64_t>();
  }
  if (value->is_number_float()) {
    double number = value->get<double>();
    if (number == static_cast<double>(static_cast<std::int64_t>(number))) {
      return static_cast<std::int64_t>(number);
    }
  }
  std::string shown = value->is_string() ? value->get<std::string>() : value->dump();
  return RuntimeError(frame, std::string("The ") + path_field + " field refers to value \"" +
                                 shown + "\" which is not a valid integer: " + field.path->text());
}

}  // namespace stepwise::engine
