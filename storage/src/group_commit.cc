#include "group_commit.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <string>

namespace stepwise::storage {
namespace {

constexpr std::size_t kHeaderBytes = 12;  // sequence (8 bytes), then count (4, little-endian)
// A group stops growing here (so its count cannot overflow either): the callbacks of a huge
// group would wait for all of its bytes.
constexpr std::size_t kMaxGroupBytes = 4u << 20;

}  // namespace

GroupCommit::GroupCommit(Writer write)
    : write_(std::move(write)),
      answerer_([this] { AnswerLoop(); }),
      writer_([this] { WriteLoop(); }) {}

GroupCommit::~GroupCommit() {
  {
    std::lock_guard lock(queue_mutex_);
    stopping_ = true;
  }
  queue_ready_.notify_one();
  writer_.join();
  {
    std::lock_guard lock(written_mutex_);
    writer_stopped_ = true;
  }
  written_ready_.notify_one();
  answerer_.join();
}

void GroupCommit::Submit(rocksdb::WriteBatch batch, Done done) {
  bool was_empty = false;
  {
    std::lock_guard lock(queue_mutex_);
    was_empty = queue_.empty();
    queue_.push_back(Entry{std::move(batch), std::move(done)});
  }
  // A writer busy writing takes the queue when it is done: it needs no wake-up.
  if (was_empty) queue_ready_.notify_one();
}

void GroupCommit::WriteLoop() {
  std::unique_lock lock(queue_mutex_);
  for (;;) {
    queue_ready_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (queue_.empty()) return;  // stopping, and nothing left to write
    std::deque<Entry> group;
    std::size_t bytes = 0;
    while (!queue_.empty() && (group.empty() || bytes < kMaxGroupBytes)) {
      bytes += queue_.front().batch.GetDataSize();
      group.push_back(std::move(queue_.front()));
      queue_.pop_front();
    }
    lock.unlock();
    WriteGroup(std::move(group));
    lock.lock();
  }
}

void GroupCommit::AnswerLoop() {
  std::unique_lock lock(written_mutex_);
  for (;;) {
    written_ready_.wait(lock, [this] { return writer_stopped_ || !written_.empty(); });
    if (written_.empty()) return;  // the writer stopped, and every group is answered
    Written written = std::move(written_.front());
    written_.pop_front();
    answering_ = true;
    lock.unlock();
    Answer(written);
    lock.lock();
    answering_ = false;
  }
}

void GroupCommit::WriteGroup(std::deque<Entry> group) {
  absl::Status status;
  if (group.size() == 1) {
    status = write_(group.front().batch);
  } else {
    std::vector<const rocksdb::WriteBatch*> batches;
    for (const Entry& entry : group) batches.push_back(&entry.batch);
    rocksdb::WriteBatch merged = Merge(batches);
    status = write_(merged);
  }
  Written written{std::move(group), std::move(status)};
  {
    std::lock_guard lock(written_mutex_);
    if (written.group.size() > 1 || !written_.empty() || answering_ || !QueueEmpty()) {
      bool was_empty = written_.empty();
      written_.push_back(std::move(written));
      if (was_empty) written_ready_.notify_one();
      return;
    }
    // A lone step, with nothing to write next and nothing to answer before it: the hand-over
    // to the answerer would only add a thread wake-up to its latency. (A larger group means a
    // busy server, where the next steps come while this one's callbacks run.)
    answering_ = true;
  }
  Answer(written);
  std::lock_guard lock(written_mutex_);
  answering_ = false;
}

bool GroupCommit::QueueEmpty() {
  std::lock_guard lock(queue_mutex_);
  return queue_.empty();
}

void GroupCommit::Answer(Written& written) {
  for (Entry& entry : written.group) entry.done(written.status);
}

rocksdb::WriteBatch GroupCommit::Merge(const std::vector<const rocksdb::WriteBatch*>& batches) {
  std::size_t bytes = kHeaderBytes;
  std::uint32_t count = 0;
  for (const rocksdb::WriteBatch* batch : batches) {
    bytes += batch->GetDataSize() - kHeaderBytes;
    count += batch->Count();
  }
  std::string rep;
  rep.reserve(bytes);
  rep.append(batches.front()->Data(), 0, kHeaderBytes);
  for (const rocksdb::WriteBatch* batch : batches) rep.append(batch->Data(), kHeaderBytes);
  // The count is stored little-endian, as on the machines this runs on (RocksDB's own append
  // copies it the same way).
  static_assert(std::endian::native == std::endian::little);
  std::memcpy(rep.data() + 8, &count, sizeof count);
  return rocksdb::WriteBatch(std::move(rep));
}

}  // namespace stepwise::storage
