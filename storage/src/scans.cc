// Reading in key order: history from an event id (either way), timers by due time, every task.
#include <algorithm>
#include <limits>
#include <string>
#include <utility>
#include <vector>

#include "keys.h"
#include "prefix_iterator.h"
#include "record_encoding.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {

absl::StatusOr<std::vector<engine::StoredHistoryEvent>> RocksStore::ReadHistory(
    const std::string& execution_id, std::int64_t from_id, int limit, engine::HistoryOrder order) {
  if (limit <= 0) return absl::InvalidArgumentError("the number of events must be positive");
  auto handle = HandleOf(execution_id);
  if (!handle.ok()) return handle.status();
  std::vector<engine::StoredHistoryEvent> events;
  PrefixIterator it(*db_, families_.history, keys::Owner(*handle));
  bool newest_first = order == engine::HistoryOrder::kNewestFirst;
  if (!newest_first) {
    it.Seek(keys::History(*handle, std::max<std::int64_t>(from_id, 0)));
  } else if (from_id <= 0 || from_id == std::numeric_limits<std::int64_t>::max()) {
    it.SeekToLast();
  } else {
    it.Seek(keys::History(*handle, from_id + 1));  // the first event past from_id, or the end
    if (it.Valid()) {
      it.Prev();
    } else {
      it.SeekToLast();
    }
  }
  for (; it.Valid() && static_cast<int>(events.size()) < limit;
       newest_first ? it.Prev() : it.Next()) {
    std::optional<std::int64_t> id = keys::ParseHistoryId(it.rest());
    if (!id) return absl::DataLossError("execution '" + execution_id + "' has a bad history key");
    auto event = DecodeHistoryEvent(it.value(), *id);
    if (!event.ok()) {
      return absl::DataLossError("execution '" + execution_id +
                                 "': " + std::string(event.status().message()));
    }
    events.push_back(*std::move(event));
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return events;
}

absl::StatusOr<std::vector<engine::StoredTimer>> RocksStore::ScanDueTimers(std::int64_t up_to,
                                                                           int limit) {
  std::vector<engine::StoredTimer> timers;
  // Keys start with the due time, so the scan stops at the first timer not yet due.
  std::string end = keys::DueValue(up_to);
  PrefixIterator it(*db_, families_.timers, "");
  for (it.SeekToFirst(); it.Valid() && static_cast<int>(timers.size()) < limit; it.Next()) {
    if (it.key().substr(0, end.size()) > end) break;
    auto timer = DecodeTimer(it.value());
    if (!timer.ok()) return timer.status();
    timers.push_back(*std::move(timer));
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return timers;
}

absl::StatusOr<std::vector<engine::StoredTask>> RocksStore::ScanTasks() {
  std::vector<engine::StoredTask> tasks;
  PrefixIterator it(*db_, families_.tasks, "");
  for (it.SeekToFirst(); it.Valid(); it.Next()) {
    auto task = DecodeTask(it.value());
    if (!task.ok()) return task.status();
    tasks.push_back(*std::move(task));
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  return tasks;
}

}  // namespace stepwise::storage
