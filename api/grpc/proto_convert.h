#pragma once

// Conversions between the engine's and store's values and the API's messages, and the checks
// of request fields that every service shares.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "api/proto/stepwise.pb.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"

namespace stepwise::api {

void ToProto(const dsl::Diagnostic& diagnostic, v1::Diagnostic& out);
void ToProto(const engine::StoredDefinition& definition, std::int64_t latest_version,
             v1::StateMachine& out);
void ToProto(const engine::ExecutionSummary& summary, v1::Execution& out);
void ToProto(const engine::StoredHistoryEvent& event, v1::HistoryEvent& out);
void ToProto(const engine::TaskLease& lease, v1::Task& out);

v1::ExecutionStatus ToProto(engine::ExecutionStatus status);
std::optional<engine::ExecutionStatus> FromProto(v1::ExecutionStatus status);

void SetMillis(std::int64_t millis, google::protobuf::Timestamp& out);
std::int64_t ToMillis(const google::protobuf::Timestamp& timestamp);
// The wall clock now, in milliseconds since the epoch.
std::int64_t NowMillis();

// Parses a JSON text field; empty text is `empty_value`. InvalidArgument naming `field` and
// where the text stops being JSON.
absl::StatusOr<nlohmann::json> ParseJsonField(const std::string& field, const std::string& text,
                                              const nlohmann::json& empty_value);

// Names of machines and executions: letters, digits, '-' and '_', 1 to 80 characters, as Step
// Functions allows (less its Unicode). InvalidArgument saying what is wrong.
absl::Status CheckName(const std::string& what, const std::string& name);

// The page size a request asked for: 0 is the default of 100; beyond 1000 is InvalidArgument.
absl::StatusOr<int> PageSize(std::int32_t requested);

}  // namespace stepwise::api
