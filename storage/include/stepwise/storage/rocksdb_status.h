#pragma once

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace stepwise::storage {

// Converts a RocksDB status to the absl::Status that crosses module boundaries, keeping
// RocksDB's message. The one place where RocksDB error codes get a meaning for callers.
// A full disk (ResourceExhausted) gets a message that says so, since the operator has to act.
absl::Status ToAbslStatus(const rocksdb::Status& status);

// Whether opening failed because the database's LOCK file is held (by another process, or by
// another handle in this one). RocksDB reports that as a plain IOError with no subcode ("lock
// hold by current process", or "While lock file: DIR/LOCK: Resource temporarily unavailable"),
// so the file name in the message is the only way to recognise it.
bool IsLockHeld(const rocksdb::Status& status);

}  // namespace stepwise::storage
