#include "keys.h"

namespace stepwise::storage::keys {

void AppendBe64(std::string& out, std::uint64_t value) {
  for (int shift = 56; shift >= 0; shift -= 8) {
    out.push_back(static_cast<char>((value >> shift) & 0xFF));
  }
}

void AppendSigned(std::string& out, std::int64_t value) {
  AppendBe64(out, static_cast<std::uint64_t>(value) ^ (std::uint64_t{1} << 63));
}

void AppendStr(std::string& out, std::string_view text) {
  std::uint64_t length = text.size();
  while (length >= 0x80) {
    out.push_back(static_cast<char>((length & 0x7F) | 0x80));
    length >>= 7;
  }
  out.push_back(static_cast<char>(length));
  out.append(text);
}

bool ReadBe64(std::string_view& in, std::uint64_t& value) {
  if (in.size() < 8) return false;
  value = 0;
  for (int i = 0; i < 8; ++i) value = (value << 8) | static_cast<unsigned char>(in[i]);
  in.remove_prefix(8);
  return true;
}

bool ReadSigned(std::string_view& in, std::int64_t& value) {
  std::uint64_t raw = 0;
  if (!ReadBe64(in, raw)) return false;
  value = static_cast<std::int64_t>(raw ^ (std::uint64_t{1} << 63));
  return true;
}

bool ReadStr(std::string_view& in, std::string& text) {
  std::uint64_t length = 0;
  for (int shift = 0;; shift += 7) {
    if (in.empty() || shift > 63) return false;
    auto byte = static_cast<unsigned char>(in.front());
    in.remove_prefix(1);
    length |= static_cast<std::uint64_t>(byte & 0x7F) << shift;
    if ((byte & 0x80) == 0) break;
  }
  if (length > in.size()) return false;
  text.assign(in.substr(0, length));
  in.remove_prefix(length);
  return true;
}

std::string PrefixEnd(std::string_view prefix) {
  std::string end(prefix);
  while (!end.empty()) {
    auto last = static_cast<unsigned char>(end.back());
    if (last != 0xFF) {
      end.back() = static_cast<char>(last + 1);
      return end;
    }
    end.pop_back();
  }
  return end;
}

std::string Execution(std::string_view id) {
  std::string key;
  AppendStr(key, id);
  return key;
}

std::string ExecutionHandle(std::string_view id) { return Execution(id) + 'h'; }
std::string ExecutionStart(std::string_view id) { return Execution(id) + 's'; }
std::string ExecutionRecord(std::string_view id) { return Execution(id) + 'r'; }

std::string HandleValue(Handle handle) { return Owner(handle); }

std::optional<Handle> ParseHandleValue(std::string_view value) {
  Handle handle = 0;
  if (!ReadBe64(value, handle) || !value.empty() || handle == 0) return std::nullopt;
  return handle;
}

std::string Owner(Handle handle) {
  std::string key;
  AppendBe64(key, handle);
  return key;
}

std::string Frame(Handle handle, engine::FrameId frame) {
  std::string key = Owner(handle);
  AppendBe64(key, frame);
  return key;
}

std::string FrameHeader(Handle handle, engine::FrameId frame) {
  return Frame(handle, frame) + kFrameHeader;
}
std::string FrameInput(Handle handle, engine::FrameId frame) {
  return Frame(handle, frame) + kFrameInput;
}
std::string FrameChildren(Handle handle, engine::FrameId frame) {
  return Frame(handle, frame) + kFrameChildren;
}
std::string FrameResults(Handle handle, engine::FrameId frame) {
  return Frame(handle, frame) + kFrameResult;
}

std::string FrameResult(Handle handle, engine::FrameId frame, std::int64_t index) {
  std::string key = FrameResults(handle, frame);
  AppendBe64(key, static_cast<std::uint64_t>(index));
  return key;
}

std::optional<FrameKey> ParseFrameKey(std::string_view after_owner) {
  FrameKey key;
  if (!ReadBe64(after_owner, key.frame) || after_owner.empty()) return std::nullopt;
  key.part = after_owner.front();
  after_owner.remove_prefix(1);
  if (key.part == kFrameResult) {
    std::uint64_t index = 0;
    if (!ReadBe64(after_owner, index)) return std::nullopt;
    key.index = static_cast<std::int64_t>(index);
  }
  if (!after_owner.empty()) return std::nullopt;
  return key;
}

std::string History(Handle handle, std::int64_t event_id) {
  std::string key = Owner(handle);
  AppendBe64(key, static_cast<std::uint64_t>(event_id));
  return key;
}

std::optional<std::int64_t> ParseHistoryId(std::string_view after_owner) {
  std::uint64_t id = 0;
  if (!ReadBe64(after_owner, id) || !after_owner.empty()) return std::nullopt;
  return static_cast<std::int64_t>(id);
}

std::string TimerOwnerWait(Handle handle, engine::FrameId frame, std::uint64_t seq) {
  std::string key = Frame(handle, frame);
  AppendBe64(key, seq);
  return key;
}

std::string TimerOwner(Handle handle, const engine::TimerRef& timer) {
  return TimerOwnerWait(handle, timer.frame, timer.seq) + static_cast<char>(timer.kind);
}

std::string TimerDue(std::int64_t due, std::string_view owner_key) {
  std::string key;
  AppendSigned(key, due);
  key.append(owner_key);
  return key;
}

std::string DueValue(std::int64_t due) {
  std::string value;
  AppendSigned(value, due);
  return value;
}

std::optional<std::int64_t> ParseDueValue(std::string_view value) {
  std::int64_t due = 0;
  if (!ReadSigned(value, due) || !value.empty()) return std::nullopt;
  return due;
}

std::string Task(Handle handle, const engine::TaskRef& task) {
  std::string key = Frame(handle, task.frame);
  AppendBe64(key, task.seq);
  return key;
}

std::string ListingPrefix(std::string_view machine, std::optional<engine::ExecutionStatus> status) {
  std::string prefix;
  if (machine.empty() && !status) {
    prefix.push_back(kIndexAll);
  } else if (!status) {
    prefix.push_back(kIndexMachine);
    AppendStr(prefix, machine);
  } else if (machine.empty()) {
    prefix.push_back(kIndexStatus);
    prefix.push_back(static_cast<char>(*status));
  } else {
    prefix.push_back(kIndexBoth);
    AppendStr(prefix, machine);
    prefix.push_back(static_cast<char>(*status));
  }
  return prefix;
}

std::string ParentPrefix(std::string_view parent_id) {
  std::string prefix(1, kIndexParent);
  AppendStr(prefix, parent_id);
  return prefix;
}

std::string ListingKey(std::string_view prefix, std::int64_t start_time, std::string_view id) {
  std::string key(prefix);
  AppendSigned(key, ~start_time);  // ~ reverses the order: newest first
  AppendStr(key, id);
  return key;
}

std::string ListingFrom(std::string_view prefix, std::int64_t start_time) {
  std::string key(prefix);
  AppendSigned(key, ~start_time);  // every Str(id) after it sorts after this
  return key;
}

std::optional<std::string> ParseListingKey(std::string_view key, std::string_view prefix,
                                           std::int64_t& start_time) {
  if (!key.starts_with(prefix)) return std::nullopt;
  key.remove_prefix(prefix.size());
  std::int64_t time = 0;
  std::string id;
  if (!ReadSigned(key, time) || !ReadStr(key, id) || !key.empty()) return std::nullopt;
  start_time = ~time;
  return id;
}

std::optional<std::string> ParseListingId(std::string_view key, std::string_view prefix) {
  std::int64_t start_time = 0;
  return ParseListingKey(key, prefix, start_time);
}

std::string Finished(std::int64_t stop_time, std::string_view id) {
  std::string key(1, kIndexFinished);
  AppendSigned(key, stop_time);
  AppendStr(key, id);
  return key;
}

std::optional<std::string> ParseFinishedId(std::string_view key, std::int64_t& stop_time) {
  if (key.empty() || key.front() != kIndexFinished) return std::nullopt;
  key.remove_prefix(1);
  std::string id;
  if (!ReadSigned(key, stop_time) || !ReadStr(key, id) || !key.empty()) return std::nullopt;
  return id;
}

std::string Definitions(std::string_view name) { return Execution(name); }

std::string Definition(std::string_view name, std::int64_t version) {
  std::string key = Definitions(name);
  AppendBe64(key, static_cast<std::uint64_t>(version));
  return key;
}

bool ParseDefinition(std::string_view key, std::string& name, std::int64_t& version) {
  std::uint64_t raw = 0;
  if (!ReadStr(key, name) || !ReadBe64(key, raw) || !key.empty()) return false;
  version = static_cast<std::int64_t>(raw);
  return true;
}

}  // namespace stepwise::storage::keys
