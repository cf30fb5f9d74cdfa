#include "stepwise/storage/rocksdb_status.h"

#include <string>

namespace stepwise::storage {
namespace {

absl::StatusCode CodeOf(const rocksdb::Status& status) {
  using Code = rocksdb::Status::Code;
  using SubCode = rocksdb::Status::SubCode;
  switch (status.code()) {
    case Code::kOk:
      return absl::StatusCode::kOk;
    case Code::kNotFound:
      return absl::StatusCode::kNotFound;
    case Code::kCorruption:
      return absl::StatusCode::kDataLoss;
    case Code::kNotSupported:
      return absl::StatusCode::kUnimplemented;
    case Code::kInvalidArgument:
      return absl::StatusCode::kInvalidArgument;
    case Code::kIOError:
      // A full disk is worth telling apart: the operator has to free space. Other I/O errors
      // mean the write was not accepted and may succeed later, so callers may retry.
      if (status.subcode() == SubCode::kNoSpace || status.subcode() == SubCode::kSpaceLimit) {
        return absl::StatusCode::kResourceExhausted;
      }
      return absl::StatusCode::kUnavailable;
    case Code::kShutdownInProgress:
    case Code::kTryAgain:
      return absl::StatusCode::kUnavailable;
    case Code::kTimedOut:
    case Code::kExpired:
      return absl::StatusCode::kDeadlineExceeded;
    case Code::kAborted:
    case Code::kBusy:  // a write conflict: the caller's whole operation should be retried
      return absl::StatusCode::kAborted;
    case Code::kCompactionTooLarge:
      return absl::StatusCode::kResourceExhausted;
    case Code::kColumnFamilyDropped:
      return absl::StatusCode::kFailedPrecondition;
    case Code::kMergeInProgress:
    case Code::kIncomplete:
      return absl::StatusCode::kInternal;
    default:
      return absl::StatusCode::kUnknown;
  }
}

}  // namespace

absl::Status ToAbslStatus(const rocksdb::Status& status) {
  if (status.ok()) return absl::OkStatus();
  if (status.IsNoSpace()) {
    return absl::ResourceExhaustedError(
        "the disk is full: free space on the data directory's file system, then retry (" +
        status.ToString() + ")");
  }
  // ToString() keeps RocksDB's own kind prefix ("IO error: ..."), useful in logs.
  return absl::Status(CodeOf(status), status.ToString());
}

bool IsLockHeld(const rocksdb::Status& status) {
  return status.IsIOError() && status.ToString().find("LOCK") != std::string::npos;
}

}  // namespace stepwise::storage
