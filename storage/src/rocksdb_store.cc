// The store's plumbing: its lifetime, writing a batch, reading a key, and Describe.
#include <utility>

#include "keys.h"
#include "prefix_iterator.h"
#include "rocksdb/snapshot.h"
#include "rocksdb_store_impl.h"
#include "stepwise/storage/rocksdb_status.h"

namespace stepwise::storage {

RocksStore::RocksStore(std::unique_ptr<rocksdb::DB> db,
                       std::vector<rocksdb::ColumnFamilyHandle*> handles, const Families& families,
                       RocksStoreOptions options, keys::Handle handles_reserved)
    : db_(std::move(db)),
      family_handles_(std::move(handles)),
      families_(families),
      options_(std::move(options)),
      allocator_([this](rocksdb::WriteBatch& batch) { return Write(batch); }, families_.meta,
                 handles_reserved),
      group_(std::make_unique<GroupCommit>(
          [this](rocksdb::WriteBatch& batch) { return Write(batch); })) {}

RocksStore::~RocksStore() {
  group_.reset();
  for (rocksdb::ColumnFamilyHandle* handle : family_handles_)
    db_->DestroyColumnFamilyHandle(handle);
  // Close flushes nothing it need not (the log has every write) and reports errors we could only
  // log; the next open recovers from the log either way.
  db_->Close().PermitUncheckedError();
}

absl::Status RocksStore::Write(rocksdb::WriteBatch& batch) {
  if (write_failed_.load(std::memory_order_acquire)) {
    std::lock_guard lock(resume_mutex_);
    if (write_failed_.load(std::memory_order_relaxed)) {
      // Resume is a no-op when RocksDB has no background error (it recovered on its own).
      rocksdb::Status resumed = db_->Resume();
      if (resumed.IsBusy()) {
        // RocksDB is already recovering by itself (it does after a full disk, once it sees
        // free space again); writes work again when it is done. Until then the cause of the
        // failure is what the caller needs to hear.
        if (last_write_error_.code() == absl::StatusCode::kResourceExhausted) {
          return absl::ResourceExhaustedError(
              "the disk is full (or was at the last write, and the data directory is still "
              "recovering): free space on the data directory's file system, then retry");
        }
        return absl::UnavailableError(
            "the data directory is recovering from an earlier write error; retry shortly");
      }
      if (!resumed.ok()) return ToAbslStatus(resumed);
      write_failed_.store(false, std::memory_order_release);
    }
  }
  rocksdb::WriteOptions write;
  write.sync = options_.sync_writes;
  rocksdb::Status status = db_->Write(write, &batch);
  if (!status.ok()) {
    absl::Status error = ToAbslStatus(status);
    std::lock_guard lock(resume_mutex_);
    last_write_error_ = error;
    write_failed_.store(true, std::memory_order_release);
    return error;
  }
  return absl::OkStatus();
}

engine::StoreSizes RocksStore::Sizes() {
  auto total = [this](const std::string& property) -> std::int64_t {
    std::uint64_t value = 0;
    // Summed over the column families; false (and 0) for a property this RocksDB lacks.
    if (!db_->GetAggregatedIntProperty(property, &value)) return 0;
    return static_cast<std::int64_t>(value);
  };
  engine::StoreSizes sizes;
  sizes.live_data_bytes = total(rocksdb::DB::Properties::kEstimateLiveDataSize);
  sizes.sst_files_bytes = total(rocksdb::DB::Properties::kTotalSstFilesSize);
  sizes.memtable_bytes = total(rocksdb::DB::Properties::kCurSizeAllMemTables);
  sizes.keys = total(rocksdb::DB::Properties::kEstimateNumKeys);
  return sizes;
}

absl::StatusOr<std::optional<std::string>> RocksStore::Get(rocksdb::ColumnFamilyHandle* family,
                                                           const std::string& key,
                                                           const rocksdb::Snapshot* snapshot) {
  rocksdb::ReadOptions read;
  read.snapshot = snapshot;
  std::string value;
  rocksdb::Status status = db_->Get(read, family, key, &value);
  if (status.IsNotFound()) return std::nullopt;
  if (!status.ok()) return ToAbslStatus(status);
  return value;
}

absl::StatusOr<std::optional<keys::Handle>> RocksStore::FindHandle(
    const std::string& execution_id, const rocksdb::Snapshot* snapshot) {
  auto bytes = Get(families_.executions, keys::ExecutionHandle(execution_id), snapshot);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return std::nullopt;
  std::optional<keys::Handle> handle = keys::ParseHandleValue(**bytes);
  if (!handle) return absl::DataLossError("execution '" + execution_id + "' has a bad handle");
  return handle;
}

absl::StatusOr<keys::Handle> RocksStore::HandleOf(const std::string& execution_id,
                                                  const rocksdb::Snapshot* snapshot) {
  auto handle = FindHandle(execution_id, snapshot);
  if (!handle.ok()) return handle.status();
  if (!*handle) return absl::NotFoundError("execution '" + execution_id + "' does not exist");
  return **handle;
}

absl::StatusOr<ExecutionRecord> RocksStore::ReadRecord(const std::string& execution_id,
                                                       const rocksdb::Snapshot* snapshot) {
  auto bytes = Get(families_.executions, keys::ExecutionRecord(execution_id), snapshot);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) return absl::NotFoundError("execution '" + execution_id + "' does not exist");
  auto record = DecodeExecutionRecord(**bytes);
  if (!record.ok()) {
    return absl::DataLossError("execution '" + execution_id +
                               "': " + std::string(record.status().message()));
  }
  return record;
}

absl::StatusOr<ExecutionStart> RocksStore::ReadStart(const std::string& execution_id,
                                                     const rocksdb::Snapshot* snapshot) {
  auto bytes = Get(families_.executions, keys::ExecutionStart(execution_id), snapshot);
  if (!bytes.ok()) return bytes.status();
  if (!*bytes) {
    return absl::DataLossError("execution '" + execution_id + "' has lost its start record");
  }
  auto start = DecodeExecutionStart(**bytes);
  if (!start.ok()) {
    return absl::DataLossError("execution '" + execution_id +
                               "': " + std::string(start.status().message()));
  }
  return start;
}

absl::StatusOr<engine::ExecutionSummary> RocksStore::Summarize(const std::string& execution_id,
                                                               const rocksdb::Snapshot* snapshot) {
  auto record = ReadRecord(execution_id, snapshot);
  if (!record.ok()) return record.status();
  auto start = ReadStart(execution_id, snapshot);
  if (!start.ok()) return start.status();
  engine::ExecutionSummary summary;
  summary.info = std::move(start->info);
  summary.status = record->status;
  summary.stop_time = record->stop_time;
  summary.input = std::move(start->input);
  summary.output = std::move(record->output);
  summary.error = std::move(record->error);
  summary.cause = std::move(record->cause);
  summary.last_event_id = record->next_event_id - 1;
  summary.redrive_count = record->redrive_count;
  return summary;
}

absl::StatusOr<engine::ExecutionSummary> RocksStore::DescribeExecution(
    const std::string& execution_id) {
  // The record and the input are two keys: read them as of one instant.
  rocksdb::ManagedSnapshot snapshot(db_.get());
  return Summarize(execution_id, snapshot.snapshot());
}

absl::Status RocksStore::DeleteAllTimers(keys::Handle handle, rocksdb::WriteBatch& batch) {
  PrefixIterator owners(*db_, families_.timer_owners, keys::Owner(handle));
  for (owners.SeekToFirst(); owners.Valid(); owners.Next()) {
    std::optional<std::int64_t> due = keys::ParseDueValue(owners.value());
    if (!due) return absl::DataLossError("a timer owner key has a bad due time");
    std::string owner(owners.key());
    batch.Delete(families_.timers, keys::TimerDue(*due, owner));
    batch.Delete(families_.timer_owners, owner);
  }
  return owners.status();
}

}  // namespace stepwise::storage
