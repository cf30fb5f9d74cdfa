#pragma once

#include <cstdint>
#include <functional>
#include <mutex>

#include "absl/status/statusor.h"
#include "keys.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"

namespace stepwise::storage {

// Gives out execution handles (keys.h says what they are for). Handles are reserved in blocks:
// the end of the reservation is written before any handle of the block is used, so a restart
// (even after a crash, since the log is replayed in order) starts above every handle that may
// have been given out, and a block costs one small write in thousands of starts.
class HandleAllocator {
 public:
  using Writer = std::function<absl::Status(rocksdb::WriteBatch&)>;
  // `write` commits a batch as the store does (with its durability and error recovery).
  HandleAllocator(Writer write, rocksdb::ColumnFamilyHandle* meta, keys::Handle reserved);

  // The end of the reservation as stored (0 when none was made yet).
  static absl::StatusOr<keys::Handle> ReadReservation(rocksdb::DB& db,
                                                      rocksdb::ColumnFamilyHandle* meta);

  absl::StatusOr<keys::Handle> Next();

 private:
  static constexpr keys::Handle kBlock = 1024;

  Writer write_;
  rocksdb::ColumnFamilyHandle* meta_;
  std::mutex mutex_;  // held for a counter increment, or a reservation once per block
  keys::Handle next_;
  keys::Handle reserved_;
};

}  // namespace stepwise::storage
