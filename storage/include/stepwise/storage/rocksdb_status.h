#pragma once

#include "absl/status/status.h"
#include "rocksdb/status.h"

namespace stepwise::storage {

// Converts a RocksDB status to the absl::Status that crosses module boundaries, keeping
// RocksDB's message. The one place where RocksDB error codes get a meaning for callers.
absl::Status ToAbslStatus(const rocksdb::Status& status);

}  // namespace stepwise::storage
