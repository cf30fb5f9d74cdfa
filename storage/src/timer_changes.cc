#include "timer_changes.h"

#include <utility>

#include "keys.h"
#include "prefix_iterator.h"
#include "record_encoding.h"
#include "stepwise/storage/rocksdb_status.h"

namespace stepwise::storage {

TimerChanges::TimerChanges(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* timers,
                           rocksdb::ColumnFamilyHandle* owners, keys::Handle handle,
                           std::string execution_id)
    : db_(db),
      timers_(timers),
      owners_(owners),
      handle_(handle),
      execution_id_(std::move(execution_id)) {}

absl::Status TimerChanges::Arm(const engine::TimerRef& timer, std::int64_t due) {
  std::string owner = keys::TimerOwner(handle_, timer);
  auto [it, fresh] = changes_.try_emplace(owner);
  it->second.timer = timer;
  it->second.wanted = due;
  if (!fresh) return absl::OkStatus();
  std::string value;
  rocksdb::Status read = db_.Get(rocksdb::ReadOptions(), owners_, owner, &value);
  if (read.IsNotFound()) return absl::OkStatus();
  if (!read.ok()) return ToAbslStatus(read);
  it->second.stored = keys::ParseDueValue(value);
  if (!it->second.stored) {
    return absl::DataLossError("a timer of '" + execution_id_ + "' has a bad due time");
  }
  return absl::OkStatus();
}

absl::Status TimerChanges::Cancel(engine::FrameId frame, std::uint64_t seq) {
  std::string prefix = keys::TimerOwnerWait(handle_, frame, seq);
  for (auto it = changes_.lower_bound(prefix);
       it != changes_.end() && it->first.starts_with(prefix); ++it) {
    it->second.wanted.reset();
  }
  PrefixIterator stored(db_, owners_, prefix);
  for (stored.SeekToFirst(); stored.Valid(); stored.Next()) {
    auto [it, fresh] = changes_.try_emplace(std::string(stored.key()));
    if (!fresh) continue;  // already known, and just cancelled above
    it->second.stored = keys::ParseDueValue(stored.value());
    if (!it->second.stored) {
      return absl::DataLossError("a timer of '" + execution_id_ + "' has a bad due time");
    }
  }
  return stored.status();
}

void TimerChanges::AddTo(rocksdb::WriteBatch& batch) const {
  for (const auto& [owner, change] : changes_) {
    if (change.stored == change.wanted) continue;
    if (change.stored) batch.Delete(timers_, keys::TimerDue(*change.stored, owner));
    if (change.wanted) {
      engine::StoredTimer record{execution_id_, change.timer, *change.wanted};
      batch.Put(timers_, keys::TimerDue(*change.wanted, owner), EncodeTimer(record));
      batch.Put(owners_, owner, keys::DueValue(*change.wanted));
    } else {
      batch.Delete(owners_, owner);
    }
  }
}

}  // namespace stepwise::storage
