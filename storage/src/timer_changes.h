#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "keys.h"
#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "stepwise/engine/execution_state.h"

namespace stepwise::storage {

// What one step does to one execution's durable timers, worked out before any of it is written.
// Each timer has two keys (by due time, for the due scan; by owner, for cancelling), and a
// timer ref has at most one due at a time: arming it again (a heartbeat's new deadline, the
// next kContinue) moves it instead of leaving the old due behind, so a million-step loop keeps
// one continue timer, not a million. Effects are applied in the step's order, so a timer armed
// and cancelled within one step is never written at all.
//
// Reads the current timers (a point lookup per armed timer, a prefix scan per cancelled wait),
// so the caller must not commit another step of the same execution meanwhile.
class TimerChanges {
 public:
  TimerChanges(rocksdb::DB& db, rocksdb::ColumnFamilyHandle* timers,
               rocksdb::ColumnFamilyHandle* owners, keys::Handle handle, std::string execution_id);

  absl::Status Arm(const engine::TimerRef& timer, std::int64_t due);
  absl::Status Cancel(engine::FrameId frame, std::uint64_t seq);
  void AddTo(rocksdb::WriteBatch& batch) const;

 private:
  struct Change {
    engine::TimerRef timer;
    std::optional<std::int64_t> stored;  // the due time in the database
    std::optional<std::int64_t> wanted;  // the due time after this step
  };

  rocksdb::DB& db_;
  rocksdb::ColumnFamilyHandle* timers_;
  rocksdb::ColumnFamilyHandle* owners_;
  keys::Handle handle_;
  std::string execution_id_;
  std::map<std::string, Change> changes_;  // by owner key
};

}  // namespace stepwise::storage
