#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "group_commit.h"
#include "handle_allocator.h"
#include "keys.h"
#include "record_encoding.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "stepwise/engine/store.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::storage {

// The column families of a data directory (keys.h says what each holds).
struct Families {
  rocksdb::ColumnFamilyHandle* meta = nullptr;  // the default family
  rocksdb::ColumnFamilyHandle* definitions = nullptr;
  rocksdb::ColumnFamilyHandle* executions = nullptr;
  rocksdb::ColumnFamilyHandle* frames = nullptr;
  rocksdb::ColumnFamilyHandle* history = nullptr;
  rocksdb::ColumnFamilyHandle* timers = nullptr;
  rocksdb::ColumnFamilyHandle* timer_owners = nullptr;
  rocksdb::ColumnFamilyHandle* tasks = nullptr;
  rocksdb::ColumnFamilyHandle* indexes = nullptr;
};

// engine::Store on one RocksDB database. Its methods live in several files, one concern each:
// rocksdb_store.cc (writes, reads, Describe), commit_step.cc, load_execution.cc,
// execution_listing.cc, retention.cc, definitions.cc, functions.cc, scans.cc.
class RocksStore final : public engine::Store {
 public:
  // `handles_reserved`: the execution handle reservation read at open.
  RocksStore(std::unique_ptr<rocksdb::DB> db, std::vector<rocksdb::ColumnFamilyHandle*> handles,
             const Families& families, RocksStoreOptions options, keys::Handle handles_reserved);
  ~RocksStore() override;
  RocksStore(const RocksStore&) = delete;
  RocksStore& operator=(const RocksStore&) = delete;

  absl::StatusOr<engine::StoredDefinition> PutDefinition(const std::string& name,
                                                         const std::string& definition,
                                                         std::int64_t now) override;
  absl::StatusOr<engine::StoredDefinition> GetDefinition(const std::string& name,
                                                         std::int64_t version) override;
  absl::StatusOr<std::vector<engine::StoredDefinition>> ListDefinitions() override;
  absl::Status DeleteDefinition(const std::string& name) override;

  absl::Status PutFunction(const engine::FunctionLimits& limits) override;
  absl::StatusOr<std::vector<engine::FunctionLimits>> ListFunctions() override;

  absl::Status CommitStep(const engine::ExecutionState& state, const engine::Step& step,
                          const engine::CommitContext& context) override;
  // Writes on the group commit's thread, with the steps handed over meanwhile.
  void CommitStepAsync(const engine::ExecutionState& state, const engine::Step& step,
                       const engine::CommitContext& context, CommitDone done) override;
  absl::StatusOr<engine::ExecutionState> LoadExecution(const std::string& execution_id) override;
  absl::StatusOr<engine::ExecutionSummary> DescribeExecution(
      const std::string& execution_id) override;
  engine::StoreSizes Sizes() override;
  absl::StatusOr<std::int64_t> CountExecutions(const std::string& machine,
                                               engine::ExecutionStatus status,
                                               std::int64_t limit) override;
  absl::StatusOr<engine::ExecutionPage> ListExecutions(const engine::ExecutionFilter& filter,
                                                       const std::string& page_token,
                                                       int limit) override;
  absl::StatusOr<std::vector<std::string>> ListUnfinished() override;
  using engine::Store::ReadHistory;  // the oldest-first form
  absl::StatusOr<std::vector<engine::StoredHistoryEvent>> ReadHistory(
      const std::string& execution_id, std::int64_t from_id, int limit,
      engine::HistoryOrder order) override;

  absl::StatusOr<std::vector<engine::StoredTimer>> ScanDueTimers(std::int64_t up_to,
                                                                 int limit) override;
  absl::StatusOr<std::vector<engine::StoredTask>> ScanTasks() override;

  absl::StatusOr<std::int64_t> DeleteFinished(std::int64_t stopped_before,
                                              std::int64_t keep_newest) override;

 private:
  // Writes `batch` atomically, synced as the options say. After a failed write RocksDB may hold
  // a background error that refuses every later write; the next write asks it to resume first,
  // so the store serves writes again once the cause (a full disk) is gone.
  absl::Status Write(rocksdb::WriteBatch& batch);
  // The batch of one step (what CommitStep writes); reads what it needs of the execution's
  // timers and handle.
  absl::Status BuildStep(const engine::ExecutionState& state, const engine::Step& step,
                         const engine::CommitContext& context, rocksdb::WriteBatch& batch);
  // The value under `key`; nullopt when there is none.
  absl::StatusOr<std::optional<std::string>> Get(rocksdb::ColumnFamilyHandle* family,
                                                 const std::string& key,
                                                 const rocksdb::Snapshot* snapshot = nullptr);
  // The handle of an execution; nullopt when it was never created.
  absl::StatusOr<std::optional<keys::Handle>> FindHandle(
      const std::string& execution_id, const rocksdb::Snapshot* snapshot = nullptr);
  // The same, NotFound (naming the execution) when there is none.
  absl::StatusOr<keys::Handle> HandleOf(const std::string& execution_id,
                                        const rocksdb::Snapshot* snapshot = nullptr);
  // An execution's record; NotFound (naming the execution) when there is none.
  absl::StatusOr<ExecutionRecord> ReadRecord(const std::string& execution_id,
                                             const rocksdb::Snapshot* snapshot = nullptr);
  // An execution's start record (who it is, its input); DataLoss when the record has it not.
  absl::StatusOr<ExecutionStart> ReadStart(const std::string& execution_id,
                                           const rocksdb::Snapshot* snapshot = nullptr);
  absl::StatusOr<engine::ExecutionSummary> Summarize(const std::string& execution_id,
                                                     const rocksdb::Snapshot* snapshot);
  // Adds to `batch` the deletion of every timer of the execution.
  absl::Status DeleteAllTimers(keys::Handle handle, rocksdb::WriteBatch& batch);
  // Adds to `batch` the deletion of everything one finished execution left.
  absl::Status DeleteExecution(const std::string& execution_id, rocksdb::WriteBatch& batch);

  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> family_handles_;  // owned; closed before db_
  Families families_;
  RocksStoreOptions options_;

  std::atomic<bool> write_failed_{false};
  std::mutex resume_mutex_;
  absl::Status last_write_error_;  // guarded by resume_mutex_
  HandleAllocator allocator_;
  // Only PutDefinition takes it: two new versions of one name must not get the same number.
  std::mutex definitions_mutex_;
  // Stopped first thing in the destructor, writing what is still queued.
  std::unique_ptr<GroupCommit> group_;
};

}  // namespace stepwise::storage
