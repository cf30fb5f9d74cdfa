// CommitStep: one step of one execution as one WriteBatch, holding only what the step changed.
#include <algorithm>
#include <set>
#include <utility>
#include <variant>
#include <vector>

#include "keys.h"
#include "record_encoding.h"
#include "rocksdb_store_impl.h"
#include "timer_changes.h"

namespace stepwise::storage {
namespace {

using engine::ExecutionState;
using engine::ExecutionStatus;
using engine::Frame;
using engine::FrameId;
using engine::Step;

const Frame* FindFrame(const ExecutionState& state, FrameId id) {
  auto it = state.frames.find(id);
  return it == state.frames.end() ? nullptr : &it->second;
}

// A step may name a frame more than once (a frame entering several states in one step).
template <typename T>
std::set<T> Distinct(const std::vector<T>& values) {
  return std::set<T>(values.begin(), values.end());
}

void DeletePrefix(rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* family,
                  const std::string& prefix) {
  // Every prefix here starts with a handle, which never reaches 2^64 - 1: PrefixEnd is never
  // empty.
  batch.DeleteRange(family, prefix, keys::PrefixEnd(prefix));
}

// The frames the step touched: headers, inputs, children's items and results, each only when
// the step says it changed, so that a step of one Map iteration writes a few hundred bytes
// however many items the Map has.
void AddFrames(const ExecutionState& state, const Step& step, keys::Handle handle,
               rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* frames) {
  for (FrameId removed : Distinct(step.removed_frames)) {
    batch.DeleteRange(frames, keys::Frame(handle, removed), keys::Frame(handle, removed + 1));
  }
  for (FrameId changed : Distinct(step.changed_frames)) {
    if (const Frame* frame = FindFrame(state, changed)) {
      batch.Put(frames, keys::FrameHeader(handle, changed), EncodeFrameHeader(*frame));
    }
  }
  for (FrameId changed : Distinct(step.inputs_changed)) {
    if (const Frame* frame = FindFrame(state, changed)) {
      batch.Put(frames, keys::FrameInput(handle, changed), EncodeValue(frame->input));
    }
  }
  for (FrameId started : Distinct(step.children_started)) {
    const Frame* frame = FindFrame(state, started);
    if (frame == nullptr || !frame->children) continue;
    // A frame that ran a Map before (in a loop) may have that Map's results still stored.
    DeletePrefix(batch, frames, keys::FrameResults(handle, started));
    batch.Put(frames, keys::FrameChildren(handle, started), EncodeChildren(*frame->children));
  }
  for (const auto& [parent, index] : Distinct(step.child_results)) {
    const Frame* frame = FindFrame(state, parent);
    // Gone or finished within the step: its results went into its output, or nowhere.
    if (frame == nullptr || !frame->children || index < 0 ||
        index >= static_cast<std::int64_t>(frame->children->results.size())) {
      continue;
    }
    batch.Put(frames, keys::FrameResult(handle, parent, index),
              EncodeValue(frame->children->results[static_cast<std::size_t>(index)]));
  }
}

// The listing indexes: by start time, machine, status and parent. The status changes at the
// end (and back to RUNNING when redriven: `previous` is the record before the redrive); writing
// the end's keys again (a retried commit) is harmless.
void AddListing(const ExecutionState& state, bool created, const ExecutionRecord* previous,
                rocksdb::WriteBatch& batch, rocksdb::ColumnFamilyHandle* indexes) {
  const engine::ExecutionInfo& info = state.info;
  bool ended = state.status != ExecutionStatus::kRunning;
  if (!created && !ended && previous == nullptr) return;
  auto listing = [&](const std::string& machine, std::optional<ExecutionStatus> status) {
    return keys::ListingKey(keys::ListingPrefix(machine, status), info.start_time,
                            info.execution_id);
  };
  const std::string& machine = info.state_machine_name;
  if (created) {
    batch.Put(indexes, listing("", std::nullopt), "");
    batch.Put(indexes, listing(machine, std::nullopt), "");
    if (!info.parent_execution_id.empty()) {
      batch.Put(indexes,
                keys::ListingKey(keys::ParentPrefix(info.parent_execution_id), info.start_time,
                                 info.execution_id),
                "");
    }
  }
  if (previous != nullptr && previous->status != ExecutionStatus::kRunning) {
    batch.Delete(indexes, listing("", previous->status));
    batch.Delete(indexes, listing(machine, previous->status));
    batch.Delete(indexes, keys::Finished(previous->stop_time, info.execution_id));
  }
  if (ended) {
    batch.Delete(indexes, listing("", ExecutionStatus::kRunning));
    batch.Delete(indexes, listing(machine, ExecutionStatus::kRunning));
    batch.Put(indexes, keys::Finished(state.stop_time, info.execution_id), "");
  }
  batch.Put(indexes, listing("", state.status), "");
  batch.Put(indexes, listing(machine, state.status), "");
}

// Tasks scheduled, cancelled and completed, and timers armed and cancelled, in the step's order.
absl::Status AddEffects(rocksdb::DB& db, const Families& families, const std::string& id,
                        keys::Handle handle, const Step& step, const engine::CommitContext& context,
                        rocksdb::WriteBatch& batch) {
  if (context.completed_task) {
    batch.Delete(families.tasks, keys::Task(handle, *context.completed_task));
  }
  TimerChanges timers(db, families.timers, families.timer_owners, handle, id);
  for (const engine::Effect& effect : step.effects) {
    absl::Status status = absl::OkStatus();
    if (const auto* schedule = std::get_if<engine::ScheduleTask>(&effect)) {
      batch.Put(families.tasks, keys::Task(handle, schedule->task),
                EncodeTask(engine::StoredTask{id, *schedule}));
    } else if (const auto* cancel = std::get_if<engine::CancelTask>(&effect)) {
      batch.Delete(families.tasks, keys::Task(handle, cancel->task));
    } else if (const auto* arm = std::get_if<engine::ArmTimer>(&effect)) {
      status = timers.Arm(arm->timer, arm->due);
    } else if (const auto* moot = std::get_if<engine::CancelTimers>(&effect)) {
      status = timers.Cancel(moot->frame, moot->seq);
    }
    if (!status.ok()) return status;
  }
  timers.AddTo(batch);
  return absl::OkStatus();
}

}  // namespace

absl::Status RocksStore::CommitStep(const ExecutionState& state, const Step& step,
                                    const engine::CommitContext& context) {
  rocksdb::WriteBatch batch;
  if (absl::Status built = BuildStep(state, step, context, batch); !built.ok()) return built;
  if (absl::Status written = Write(batch); !written.ok()) return written;
  if (options_.on_commit) options_.on_commit(batch.GetDataSize());
  return absl::OkStatus();
}

void RocksStore::CommitStepAsync(const ExecutionState& state, const Step& step,
                                 const engine::CommitContext& context, CommitDone done) {
  rocksdb::WriteBatch batch;
  if (absl::Status built = BuildStep(state, step, context, batch); !built.ok()) {
    return done(built);
  }
  std::size_t bytes = batch.GetDataSize();
  group_->Submit(std::move(batch),
                 [this, bytes, done = std::move(done)](const absl::Status& status) {
                   if (status.ok() && options_.on_commit) options_.on_commit(bytes);
                   done(status);
                 });
}

absl::Status RocksStore::BuildStep(const ExecutionState& state, const Step& step,
                                   const engine::CommitContext& context,
                                   rocksdb::WriteBatch& batch) {
  const engine::ExecutionInfo& info = state.info;
  const std::string& id = info.execution_id;
  if (id.empty()) return absl::InvalidArgumentError("cannot commit a step of an unnamed execution");
  bool ended = state.status != ExecutionStatus::kRunning;
  // The handle: found under the id, or given out now to a new execution. Looked up even then,
  // so that committing a first step again (a retry) keeps the handle the first one gave.
  auto found = FindHandle(id);
  if (!found.ok()) return found.status();
  if (!*found && !context.created) {
    return absl::NotFoundError("execution '" + id + "' does not exist; its first step must be " +
                               "committed as created");
  }
  keys::Handle handle = 0;
  if (*found) {
    handle = **found;
  } else {
    auto given = allocator_.Next();
    if (!given.ok()) return given.status();
    handle = *given;
  }
  batch.Put(families_.executions, keys::ExecutionRecord(id),
            EncodeExecutionRecord(RecordOf(state)));
  if (context.created) {
    batch.Put(families_.executions, keys::ExecutionHandle(id), keys::HandleValue(handle));
    batch.Put(families_.executions, keys::ExecutionStart(id),
              EncodeExecutionStart(ExecutionStart{info, engine::ExecutionInput(state)}));
  }
  std::optional<ExecutionRecord> previous;
  if (context.redriven) {
    auto record = ReadRecord(id);
    if (!record.ok()) return record.status();
    previous = *std::move(record);
  }
  AddListing(state, context.created, previous ? &*previous : nullptr, batch, families_.indexes);
  for (const engine::HistoryEvent& event : step.history) {
    batch.Put(families_.history, keys::History(handle, event.id), EncodeHistoryEvent(event));
  }
  if (ended) {
    // Nothing of a finished execution runs any more: drop its timers and tasks whole (the
    // step's own effects included, which are all moot). A successful one's frames go too; an
    // unsuccessful one's stay as they were before this step, a consistent state in which every
    // frame waited on something: what a redrive resumes from (Interpreter::Redrive).
    if (state.status == ExecutionStatus::kSucceeded) {
      DeletePrefix(batch, families_.frames, keys::Owner(handle));
    }
    DeletePrefix(batch, families_.tasks, keys::Owner(handle));
    if (absl::Status timers = DeleteAllTimers(handle, batch); !timers.ok()) return timers;
  } else {
    AddFrames(state, step, handle, batch, families_.frames);
    absl::Status effects = AddEffects(*db_, families_, id, handle, step, context, batch);
    if (!effects.ok()) return effects;
  }
  return absl::OkStatus();
}

}  // namespace stepwise::storage
