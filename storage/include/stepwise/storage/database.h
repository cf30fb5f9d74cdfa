#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace stepwise::storage {

// How a Stepwise data directory is opened and written.
struct DatabaseOptions {
  // Create the database if the directory holds none. Off for tools that must never start from
  // an empty state by mistake (for example a restore check).
  bool create_if_missing = true;

  // true: a write returns only after its log record is fsynced, so an acknowledged write
  // survives power loss and OS crashes. false: it survives a process crash (kill -9) but may be
  // lost with the machine; writes are many times faster. Concurrent synced writes share fsyncs.
  bool sync_writes = true;
};

// Opens (or creates) the RocksDB database in `dir`. Only one handle, in one process, may have a
// directory open at a time: a second open fails with FailedPrecondition.
absl::StatusOr<std::unique_ptr<rocksdb::DB>> OpenDatabase(const std::string& dir,
                                                          const DatabaseOptions& options);

// Applies every update in `batch` atomically: after a crash either all of them are visible or
// none. Durability is as `options.sync_writes` says.
absl::Status CommitBatch(rocksdb::DB& db, rocksdb::WriteBatch& batch,
                         const DatabaseOptions& options);

}  // namespace stepwise::storage
