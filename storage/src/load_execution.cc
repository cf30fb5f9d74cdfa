// LoadExecution: an execution's state put back together from its record and its frames' keys.
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keys.h"
#include "prefix_iterator.h"
#include "record_encoding.h"
#include "rocksdb/snapshot.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {
namespace {

using engine::Frame;
using engine::FrameId;
using nlohmann::json;

// The keys of one frame, as read.
struct FrameParts {
  std::optional<Frame> header;
  std::optional<json> input;
  std::optional<std::string> children;
  std::vector<std::pair<std::int64_t, json>> results;
};

absl::Status Lost(const std::string& execution_id, FrameId frame, const std::string& what) {
  return absl::DataLossError("execution '" + execution_id + "', frame " + std::to_string(frame) +
                             ": " + what);
}

absl::Status Collect(std::string_view value, const keys::FrameKey& key, FrameParts& parts) {
  switch (key.part) {
    case keys::kFrameHeader: {
      auto header = DecodeFrameHeader(value);
      if (!header.ok()) return header.status();
      parts.header = *std::move(header);
      return absl::OkStatus();
    }
    case keys::kFrameInput: {
      auto input = DecodeValue(value);
      if (!input.ok()) return input.status();
      parts.input = *std::move(input);
      return absl::OkStatus();
    }
    case keys::kFrameChildren:
      parts.children = std::string(value);
      return absl::OkStatus();
    case keys::kFrameResult: {
      auto result = DecodeValue(value);
      if (!result.ok()) return result.status();
      parts.results.emplace_back(key.index, *std::move(result));
      return absl::OkStatus();
    }
    default:
      return absl::DataLossError(std::string("unknown frame key part '") + key.part + "'");
  }
}

absl::StatusOr<Frame> Assemble(const std::string& execution_id, FrameId id, FrameParts& parts) {
  if (!parts.header) return Lost(execution_id, id, "its header is missing");
  if (!parts.input) return Lost(execution_id, id, "its input is missing");
  Frame frame = *std::move(parts.header);
  if (frame.id != id)
    return Lost(execution_id, id, "its header names frame " + std::to_string(frame.id));
  frame.input = *std::move(parts.input);
  // Without children in the header, stored items and results are a finished Map's leftovers.
  if (!frame.children) return frame;
  engine::ChildrenProgress& children = *frame.children;
  if (!parts.children) return Lost(execution_id, id, "its children's items are missing");
  if (absl::Status decoded = DecodeChildren(*parts.children, children); !decoded.ok()) {
    return Lost(execution_id, id, std::string(decoded.message()));
  }
  // A started iteration owns its item; the interpreter lets go of it then, and so do we.
  auto& items = children.items.get_ref<json::array_t&>();
  for (std::size_t i = 0; i < items.size() && static_cast<std::int64_t>(i) < children.started;
       ++i) {
    items[i] = nullptr;
  }
  auto& results = children.results.get_ref<json::array_t&>();
  results.assign(static_cast<std::size_t>(children.total), json());
  for (auto& [index, result] : parts.results) {
    if (index < 0 || index >= children.total) {
      return Lost(execution_id, id,
                  "it has a result for child " + std::to_string(index) + " of " +
                      std::to_string(children.total));
    }
    results[static_cast<std::size_t>(index)] = std::move(result);
  }
  return frame;
}

}  // namespace

absl::StatusOr<engine::ExecutionState> RocksStore::LoadExecution(const std::string& execution_id) {
  // The record and the frames are many keys: read them as of one instant.
  rocksdb::ManagedSnapshot snapshot(db_.get());
  auto handle = HandleOf(execution_id, snapshot.snapshot());
  if (!handle.ok()) return handle.status();
  auto record = ReadRecord(execution_id, snapshot.snapshot());
  if (!record.ok()) return record.status();
  auto start = ReadStart(execution_id, snapshot.snapshot());
  if (!start.ok()) return start.status();

  engine::ExecutionState state;
  state.info = std::move(start->info);
  state.status = record->status;
  state.output = std::move(record->output);
  state.error = std::move(record->error);
  state.cause = std::move(record->cause);
  state.stop_time = record->stop_time;
  state.next_frame_id = record->next_frame_id;
  state.next_event_id = record->next_event_id;
  state.ready = std::move(record->ready);
  state.redrive_count = record->redrive_count;
  state.context = engine::MakeContext(state.info, start->input, state.redrive_count);

  std::map<FrameId, FrameParts> parts;
  PrefixIterator it(*db_, families_.frames, keys::Owner(*handle), snapshot.snapshot());
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    std::optional<keys::FrameKey> key = keys::ParseFrameKey(it.rest());
    if (!key) return absl::DataLossError("execution '" + execution_id + "' has a bad frame key");
    if (absl::Status collected = Collect(it.value(), *key, parts[key->frame]); !collected.ok()) {
      return Lost(execution_id, key->frame, std::string(collected.message()));
    }
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  for (auto& [id, frame_parts] : parts) {
    auto frame = Assemble(execution_id, id, frame_parts);
    if (!frame.ok()) return frame.status();
    state.frames.emplace(id, *std::move(frame));
  }
  return state;
}

}  // namespace stepwise::storage
