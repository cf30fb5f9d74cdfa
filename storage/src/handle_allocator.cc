#include "handle_allocator.h"

#include <algorithm>
#include <string>
#include <utility>

#include "stepwise/storage/rocksdb_status.h"

namespace stepwise::storage {

HandleAllocator::HandleAllocator(Writer write, rocksdb::ColumnFamilyHandle* meta,
                                 keys::Handle reserved)
    : write_(std::move(write)),
      meta_(meta),
      next_(std::max<keys::Handle>(reserved, 1)),  // 0 stands for no handle
      reserved_(reserved) {}

absl::StatusOr<keys::Handle> HandleAllocator::ReadReservation(rocksdb::DB& db,
                                                              rocksdb::ColumnFamilyHandle* meta) {
  std::string value;
  rocksdb::Status read = db.Get(rocksdb::ReadOptions(), meta, keys::kHandlesReserved, &value);
  if (read.IsNotFound()) return 0;
  if (!read.ok()) return ToAbslStatus(read);
  std::optional<keys::Handle> reserved = keys::ParseHandleValue(value);
  if (!reserved) return absl::DataLossError("the execution handle reservation is malformed");
  return *reserved;
}

absl::StatusOr<keys::Handle> HandleAllocator::Next() {
  std::lock_guard lock(mutex_);
  if (next_ >= reserved_) {
    keys::Handle end = next_ + kBlock;
    rocksdb::WriteBatch batch;
    batch.Put(meta_, keys::kHandlesReserved, keys::HandleValue(end));
    if (absl::Status written = write_(batch); !written.ok()) return written;
    reserved_ = end;
  }
  return next_++;
}

}  // namespace stepwise::storage
