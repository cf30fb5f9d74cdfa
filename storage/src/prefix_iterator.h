#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "keys.h"
#include "rocksdb/db.h"
#include "rocksdb/iterator.h"
#include "stepwise/storage/rocksdb_status.h"

namespace stepwise::storage {

// An iterator over the keys of one column family that start with `prefix`. RocksDB is told the
// upper bound, so it stops at the prefix's end without reading past it (and past tombstones).
class PrefixIterator {
 public:
  PrefixIterator(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* family, std::string prefix,
                 const rocksdb::Snapshot* snapshot = nullptr)
      : prefix_(std::move(prefix)),
        end_(keys::PrefixEnd(prefix_)),
        begin_slice_(prefix_),
        end_slice_(end_) {
    rocksdb::ReadOptions read;
    read.snapshot = snapshot;
    read.iterate_lower_bound = &begin_slice_;
    if (!end_.empty()) read.iterate_upper_bound = &end_slice_;
    iterator_.reset(db.NewIterator(read, family));
  }
  PrefixIterator(const PrefixIterator&) = delete;
  PrefixIterator& operator=(const PrefixIterator&) = delete;

  void SeekToFirst() { iterator_->Seek(prefix_); }
  void SeekToLast() { iterator_->SeekToLast(); }
  void Seek(std::string_view key) { iterator_->Seek(rocksdb::Slice(key.data(), key.size())); }
  bool Valid() const { return iterator_->Valid() && key().starts_with(prefix_); }
  void Next() { iterator_->Next(); }
  void Prev() { iterator_->Prev(); }

  std::string_view key() const { return iterator_->key().ToStringView(); }
  // The key with the prefix taken off.
  std::string_view rest() const { return key().substr(prefix_.size()); }
  std::string_view value() const { return iterator_->value().ToStringView(); }
  // Whether the scan ended because of an error rather than the prefix's end.
  absl::Status status() const { return ToAbslStatus(iterator_->status()); }

 private:
  std::string prefix_;
  std::string end_;
  rocksdb::Slice begin_slice_;
  rocksdb::Slice end_slice_;
  std::unique_ptr<rocksdb::Iterator> iterator_;
};

}  // namespace stepwise::storage
