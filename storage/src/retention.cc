// DeleteFinished: history retention for finished executions, by age and by count.
#include <string>

#include "keys.h"
#include "prefix_iterator.h"
#include "rocksdb_store_impl.h"

namespace stepwise::storage {
namespace {

// Deletions go out in batches of this many executions, so that a first pass over a large
// store neither builds one huge batch nor holds every id in memory.
constexpr int kExecutionsPerBatch = 128;

}  // namespace

absl::Status RocksStore::DeleteExecution(const std::string& execution_id,
                                         rocksdb::WriteBatch& batch) {
  auto handle = HandleOf(execution_id);
  if (!handle.ok()) return handle.status();
  auto record = ReadRecord(execution_id);
  if (!record.ok()) return record.status();
  auto start = ReadStart(execution_id);
  if (!start.ok()) return start.status();
  const engine::ExecutionInfo& info = start->info;
  const std::string& machine = info.state_machine_name;
  std::string owner = keys::Owner(*handle);
  batch.Delete(families_.executions, keys::ExecutionHandle(execution_id));
  batch.Delete(families_.executions, keys::ExecutionRecord(execution_id));
  batch.Delete(families_.executions, keys::ExecutionStart(execution_id));
  // Its timers and tasks went when it ended (CommitStep drops them in the same batch); an
  // unsuccessful one's frames were kept for a redrive.
  batch.DeleteRange(families_.history, owner, keys::PrefixEnd(owner));
  batch.DeleteRange(families_.frames, owner, keys::PrefixEnd(owner));
  for (const std::string& by : {std::string(), machine}) {
    for (std::optional<engine::ExecutionStatus> status :
         {std::optional<engine::ExecutionStatus>(), std::optional(record->status)}) {
      batch.Delete(families_.indexes, keys::ListingKey(keys::ListingPrefix(by, status),
                                                       info.start_time, execution_id));
    }
  }
  batch.Delete(families_.indexes, keys::Finished(record->stop_time, execution_id));
  if (!info.parent_execution_id.empty()) {
    batch.Delete(families_.indexes, keys::ListingKey(keys::ParentPrefix(info.parent_execution_id),
                                                     info.start_time, execution_id));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::int64_t> RocksStore::DeleteFinished(std::int64_t stopped_before,
                                                        std::int64_t keep_newest) {
  // Newest first: the first `keep_newest` that stopped at or after `stopped_before` stay. The
  // iterator reads as of its creation, so deleting behind it is safe.
  PrefixIterator it(*db_, families_.indexes, std::string(1, keys::kIndexFinished));
  std::int64_t position = 0;
  std::int64_t deleted = 0;
  rocksdb::WriteBatch batch;
  int pending = 0;
  for (it.SeekToLast(); it.Valid(); it.Prev(), ++position) {
    std::int64_t stop_time = 0;
    std::optional<std::string> id = keys::ParseFinishedId(it.key(), stop_time);
    if (!id) return absl::DataLossError("a finished-executions index key is malformed");
    if (position < keep_newest && stop_time >= stopped_before) continue;
    absl::Status added = DeleteExecution(*id, batch);
    if (absl::IsNotFound(added)) {
      batch.Delete(families_.indexes, it.key());  // an index entry without its execution
    } else if (!added.ok()) {
      return added;
    } else {
      ++deleted;
    }
    if (++pending == kExecutionsPerBatch) {
      if (absl::Status written = Write(batch); !written.ok()) return written;
      batch.Clear();
      pending = 0;
    }
  }
  if (absl::Status scanned = it.status(); !scanned.ok()) return scanned;
  if (pending > 0) {
    if (absl::Status written = Write(batch); !written.ok()) return written;
  }
  return deleted;
}

}  // namespace stepwise::storage
