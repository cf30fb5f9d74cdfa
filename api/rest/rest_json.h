#pragma once

#include <nlohmann/json.hpp>
#include <vector>

#include "api/grpc/worker_registry.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

// The REST API's JSON shapes (docs/rest.md): snake_case names, instants as RFC 3339 strings in
// UTC with milliseconds, and inputs, outputs and event details as JSON values, not as text.

// An execution as lists show it; `output` only once it succeeded, `stop_time` once it ended.
// Takes the summary by value: its input and output move into the JSON, not copied (a page of
// executions is mostly their inputs and outputs).
nlohmann::json ExecutionJson(engine::ExecutionSummary summary);
nlohmann::json ActiveStateJson(const engine::ActiveState& state);
nlohmann::json HistoryEventJson(const engine::StoredHistoryEvent& event);
nlohmann::json DefinitionJson(const engine::StoredDefinition& definition);
nlohmann::json FunctionLimitsJson(const engine::FunctionLimits& limits);
nlohmann::json FunctionJson(const engine::FunctionStatus& status);
nlohmann::json WorkerJson(const WorkerRegistry::Worker& worker);

}  // namespace stepwise::api
