#include "stepwise/storage/rocksdb_status.h"

#include <gtest/gtest.h>

namespace stepwise::storage {
namespace {

TEST(ToAbslStatusTest, OkStaysOk) { EXPECT_TRUE(ToAbslStatus(rocksdb::Status::OK()).ok()); }

TEST(ToAbslStatusTest, KeepsRocksDbMessage) {
  absl::Status status = ToAbslStatus(rocksdb::Status::NotFound("key k"));
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "NotFound: key k");
}

TEST(ToAbslStatusTest, CorruptionIsDataLoss) {
  EXPECT_EQ(ToAbslStatus(rocksdb::Status::Corruption("bad block")).code(),
            absl::StatusCode::kDataLoss);
}

TEST(ToAbslStatusTest, FullDiskIsResourceExhaustedOtherIoErrorsAreUnavailable) {
  EXPECT_EQ(ToAbslStatus(rocksdb::Status::NoSpace("disk full")).code(),
            absl::StatusCode::kResourceExhausted);
  EXPECT_EQ(ToAbslStatus(rocksdb::Status::IOError("read failed")).code(),
            absl::StatusCode::kUnavailable);
}

TEST(ToAbslStatusTest, WriteConflictIsAborted) {
  EXPECT_EQ(ToAbslStatus(rocksdb::Status::Busy()).code(), absl::StatusCode::kAborted);
}

TEST(ToAbslStatusTest, ShutdownIsUnavailable) {
  EXPECT_EQ(ToAbslStatus(rocksdb::Status::ShutdownInProgress()).code(),
            absl::StatusCode::kUnavailable);
}

}  // namespace
}  // namespace stepwise::storage
