#pragma once

// Every value Stepwise stores, as bytes: a tag byte naming the record format (so a later release
// can read today's data, and today's release refuses tomorrow's instead of misreading it),
// followed by CBOR. Records are CBOR maps with short field names (they are written on every
// step, so their size is the commit's size); fields at their default are left out. Each record
// type has one encoder and one decoder here and nowhere else. A decoder never trusts its input:
// an unknown tag, bad CBOR, a missing field or a field of the wrong type is DataLoss.

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "stepwise/engine/execution_state.h"
#include "stepwise/engine/interpreter.h"
#include "stepwise/engine/store.h"

namespace stepwise::storage {

// The tag of every record this release writes.
inline constexpr std::uint8_t kRecordFormat = 1;

// What never changes about an execution: who it is and its input. Written when it starts.
struct ExecutionStart {
  engine::ExecutionInfo info;
  nlohmann::json input;
};
std::string EncodeExecutionStart(const ExecutionStart& start);
absl::StatusOr<ExecutionStart> DecodeExecutionStart(std::string_view bytes);

// The rest of the execution-wide part of an execution state: what a step rewrites every time,
// kept apart from the start record (and the frames) so that it stays a few dozen bytes.
struct ExecutionRecord {
  engine::ExecutionStatus status = engine::ExecutionStatus::kRunning;
  std::int64_t stop_time = 0;
  nlohmann::json output;
  std::string error;
  std::string cause;
  std::int64_t next_event_id = 1;
  engine::FrameId next_frame_id = 1;
  std::vector<engine::FrameId> ready;
  std::int64_t redrive_count = 0;
};
ExecutionRecord RecordOf(const engine::ExecutionState& state);
std::string EncodeExecutionRecord(const ExecutionRecord& record);
absl::StatusOr<ExecutionRecord> DecodeExecutionRecord(std::string_view bytes);

// A bare JSON value: a frame's input, one child's result.
std::string EncodeValue(const nlohmann::json& value);
absl::StatusOr<nlohmann::json> DecodeValue(std::string_view bytes);

// A frame without its big parts: everything but `input`, and of `children` only the counters
// (items, shared_input and results are stored apart). `graph` is never stored.
std::string EncodeFrameHeader(const engine::Frame& frame);
absl::StatusOr<engine::Frame> DecodeFrameHeader(std::string_view bytes);

// A Parallel or Map frame's items and shared input, written once when its children begin.
std::string EncodeChildren(const engine::ChildrenProgress& children);
absl::Status DecodeChildren(std::string_view bytes, engine::ChildrenProgress& children);

std::string EncodeTimer(const engine::StoredTimer& timer);
absl::StatusOr<engine::StoredTimer> DecodeTimer(std::string_view bytes);

std::string EncodeTask(const engine::StoredTask& task);
absl::StatusOr<engine::StoredTask> DecodeTask(std::string_view bytes);

// A history event; its id is in the key, so the decoder is told it.
std::string EncodeHistoryEvent(const engine::HistoryEvent& event);
absl::StatusOr<engine::StoredHistoryEvent> DecodeHistoryEvent(std::string_view bytes,
                                                              std::int64_t id);

std::string EncodeDefinition(const engine::StoredDefinition& definition);
absl::StatusOr<engine::StoredDefinition> DecodeDefinition(std::string_view bytes);

std::string EncodeFunction(const engine::FunctionLimits& limits);
absl::StatusOr<engine::FunctionLimits> DecodeFunction(std::string_view bytes);

}  // namespace stepwise::storage
