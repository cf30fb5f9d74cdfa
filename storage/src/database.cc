#include "stepwise/storage/database.h"

#include "rocksdb/options.h"
#include "stepwise/storage/rocksdb_status.h"

namespace stepwise::storage {

absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDatabase(const std::string& dir,
                                                          const DatabaseOptions& options) {
  rocksdb::Options rocksdb_options;
  rocksdb_options.create_if_missing = options.create_if_missing;
  rocksdb::DB* db = nullptr;
  rocksdb::Status status = rocksdb::DB::Open(rocksdb_options, dir, &db);
  if (status.ok()) return std::unique_ptr<rocksdb::DB>(db);
  if (IsLockHeld(status)) {
    return absl::FailedPreconditionError("data directory '" + dir +
                                         "' is already in use by another Stepwise process or "
                                         "handle; stop it or use another directory (" +
                                         status.ToString() + ")");
  }
  absl::Status error = ToAbslStatus(status);
  return absl::Status(error.code(),
                      "cannot open database in '" + dir + "': " + std::string(error.message()));
}

absl::Status CommitBatch(rocksdb::DB& db, rocksdb::WriteBatch& batch,
                         const DatabaseOptions& options) {
  rocksdb::WriteOptions write_options;
  write_options.sync = options.sync_writes;
  return ToAbslStatus(db.Write(write_options, &batch));
}

}  // namespace stepwise::storage
