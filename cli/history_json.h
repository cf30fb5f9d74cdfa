#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>

#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/store.h"

namespace stepwise::cli {

// {"id", "timestamp" (ISO 8601, UTC, ms), "type", ...the event's details}: how `stepwise run
// --history` shows one event.
nlohmann::ordered_json HistoryEventJson(const engine::HistoryEvent& event);
nlohmann::ordered_json HistoryEventJson(const engine::StoredHistoryEvent& event);

}  // namespace stepwise::cli
