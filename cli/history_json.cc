#include "history_json.h"

#include "stepwise/engine/iso_time.h"

namespace stepwise::cli {

namespace {

template <typename Event>
nlohmann::ordered_json EventJson(const Event& event) {
  nlohmann::ordered_json out = {{"id", event.id},
                                {"timestamp", engine::FormatIsoMillis(event.timestamp)},
                                {"type", event.type}};
  if (!event.state_name.empty()) out["name"] = event.state_name;
  if (event.details.is_object()) {
    for (const auto& [key, value] : event.details.items()) out[key] = value;
  } else if (!event.details.is_null()) {
    out["details"] = event.details;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json HistoryEventJson(const engine::HistoryEvent& event) {
  return EventJson(event);
}

nlohmann::ordered_json HistoryEventJson(const engine::StoredHistoryEvent& event) {
  return EventJson(event);
}

}  // namespace stepwise::cli
