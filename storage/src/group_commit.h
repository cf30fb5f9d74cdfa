#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "rocksdb/write_batch.h"

namespace stepwise::storage {

// Writes batches handed over by callers that do not wait for them, many as one: whatever was
// handed over while the previous write (and its fsync) was under way goes in the next, as ONE
// RocksDB batch. A step is one batch, so a busy server pays one write call, one log append and
// one fsync per group instead of per step, and no thread sleeps waiting for its own write.
//
// One thread writes and then runs the callbacks of the group, in the order they were handed
// over. The destructor writes what is still queued, runs its callbacks, then joins.
class GroupCommit {
 public:
  using Writer = std::function<absl::Status(rocksdb::WriteBatch&)>;
  // Called with the outcome of the write that held the batch, and the batch's size in bytes.
  using Done = std::function<void(const absl::Status&, std::size_t batch_bytes)>;

  // `write` commits a batch as the store does (with its durability and error recovery).
  explicit GroupCommit(Writer write);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Submit(rocksdb::WriteBatch batch, Done done);

  // One batch with the records of all of `batches`, in order, as RocksDB itself appends one
  // batch to another: a batch is a 12-byte header (sequence, count) and its records, the
  // format of the write-ahead log. nullopt when a batch is not in that format.
  static std::optional<rocksdb::WriteBatch> Merge(
      const std::vector<const rocksdb::WriteBatch*>& batches);

 private:
  struct Entry {
    rocksdb::WriteBatch batch;
    Done done;
  };

  void Run();
  void WriteGroup(std::deque<Entry>& group);

  Writer write_;
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<Entry> queue_;
  bool stopping_ = false;
  std::thread thread_;  // last: started once the rest is ready
};

}  // namespace stepwise::storage
