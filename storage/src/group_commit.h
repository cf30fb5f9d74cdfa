#pragma once

#include <condition_variable>
#include <deque>
#include <functional>
#include <mutex>
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
// Two threads make a pipeline: the writer writes group after group, and the answerer runs each
// written group's callbacks, in the order they were handed over, while the writer writes the
// next. (The callbacks are a step's effects: the next task goes to its worker. Run by the
// writer, they would keep the disk idle while they run.) A lone step with nothing to write
// after it is answered by the writer itself, sparing it the hand-over. The destructor writes what
// is still queued and runs its callbacks, then joins both.
class GroupCommit {
 public:
  using Writer = std::function<absl::Status(rocksdb::WriteBatch&)>;
  // Called with the outcome of the write that held the batch.
  using Done = std::function<void(const absl::Status&)>;

  // `write` commits a batch as the store does (with its durability and error recovery).
  explicit GroupCommit(Writer write);
  ~GroupCommit();
  GroupCommit(const GroupCommit&) = delete;
  GroupCommit& operator=(const GroupCommit&) = delete;

  void Submit(rocksdb::WriteBatch batch, Done done);

 private:
  struct Entry {
    rocksdb::WriteBatch batch;
    Done done;
  };

  struct Written {
    std::deque<Entry> group;
    absl::Status status;  // of the one write that held them all
  };

  void WriteLoop();
  void AnswerLoop();
  // Writes the group, then answers it: on this thread when it is a lone step and nothing else
  // waits to be written or answered, else by handing it to the answerer.
  void WriteGroup(std::deque<Entry> group);
  bool QueueEmpty();
  static void Answer(Written& written);  // runs the callbacks
  // One batch with the records of all of `batches` (at least one), in order, as RocksDB itself
  // appends one batch to another: a batch is a 12-byte header (sequence, count) and its
  // records, the format of the write-ahead log.
  static rocksdb::WriteBatch Merge(const std::vector<const rocksdb::WriteBatch*>& batches);

  Writer write_;

  std::mutex queue_mutex_;
  std::condition_variable queue_ready_;
  std::deque<Entry> queue_;  // handed over, not yet written
  bool stopping_ = false;

  std::mutex written_mutex_;
  std::condition_variable written_ready_;
  std::deque<Written> written_;  // written, callbacks not yet run
  bool answering_ = false;       // callbacks are running (on either thread)
  bool writer_stopped_ = false;

  // Last: started once the rest is ready.
  std::thread answerer_;
  std::thread writer_;
};

}  // namespace stepwise::storage
