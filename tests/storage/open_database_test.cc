#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <memory>
#include <string>

#include "rocksdb/db.h"
#include "rocksdb/write_batch.h"
#include "stepwise/storage/database.h"
#include "storage/temp_dir.h"

namespace stepwise::storage {
namespace {

using ::testing::HasSubstr;

std::string Get(rocksdb::DB& db, const std::string& key) {
  std::string value;
  rocksdb::Status status = db.Get(rocksdb::ReadOptions(), key, &value);
  return status.ok() ? value : "<" + status.ToString() + ">";
}

TEST(OpenDatabaseTest, CommittedBatchIsReadBackAfterReopen) {
  testing::TempDir dir;
  DatabaseOptions options;
  {
    absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenDatabase(dir.path(), options);
    ASSERT_TRUE(db.ok()) << db.status();
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(batch.Put("execution/1", "running").ok());
    ASSERT_TRUE(batch.Put("history/1/0001", "ExecutionStarted").ok());
    ASSERT_TRUE(batch.Delete("never-written").ok());
    ASSERT_TRUE(CommitBatch(**db, batch, options).ok());
  }
  absl::StatusOr<std::unique_ptr<rocksdb::DB>> db = OpenDatabase(dir.path(), options);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(Get(**db, "execution/1"), "running");
  EXPECT_EQ(Get(**db, "history/1/0001"), "ExecutionStarted");
  EXPECT_EQ(Get(**db, "never-written"), "<NotFound: >");
}

TEST(OpenDatabaseTest, UnsyncedWritesAreVisibleAfterCleanClose) {
  testing::TempDir dir;
  DatabaseOptions options;
  options.sync_writes = false;
  {
    auto db = OpenDatabase(dir.path(), options);
    ASSERT_TRUE(db.ok()) << db.status();
    rocksdb::WriteBatch batch;
    ASSERT_TRUE(batch.Put("k", "v").ok());
    ASSERT_TRUE(CommitBatch(**db, batch, options).ok());
  }
  auto db = OpenDatabase(dir.path(), options);
  ASSERT_TRUE(db.ok()) << db.status();
  EXPECT_EQ(Get(**db, "k"), "v");
}

TEST(OpenDatabaseTest, SecondHandleOnAnOpenDirectoryFailsClearly) {
  testing::TempDir dir;
  auto first = OpenDatabase(dir.path(), DatabaseOptions());
  ASSERT_TRUE(first.ok()) << first.status();

  auto second = OpenDatabase(dir.path(), DatabaseOptions());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("'" + dir.path() + "' is already in use"));
  EXPECT_THAT(second.status().message(), HasSubstr("LOCK"));
}

// Holds RocksDB's lock on `lock_file` in a child process (the way a second `stepwise server`
// would) until the returned release fd is closed; returns -1 if the lock could not be taken.
int HoldLockInChildProcess(const std::string& lock_file, pid_t* child) {
  int ready[2];
  int release[2];
  if (pipe(ready) != 0 || pipe(release) != 0) return -1;
  *child = fork();
  if (*child == 0) {
    // Only async-signal-safe calls from here: the parent may have had other threads.
    close(ready[0]);
    close(release[1]);
    int fd = open(lock_file.c_str(), O_RDWR | O_CREAT, 0644);
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    char locked = fd >= 0 && fcntl(fd, F_SETLK, &lock) == 0;
    (void)!write(ready[1], &locked, 1);
    (void)!read(release[0], &locked, 1);  // returns when the parent closes its end
    _exit(0);
  }
  close(ready[1]);
  close(release[0]);
  char locked = 0;
  if (read(ready[0], &locked, 1) != 1) locked = 0;
  close(ready[0]);
  if (!locked) {
    close(release[1]);
    waitpid(*child, nullptr, 0);
    return -1;
  }
  return release[1];
}

TEST(OpenDatabaseTest, DirectoryLockedByAnotherProcessFailsClearly) {
  testing::TempDir dir;
  pid_t child = 0;
  int release = HoldLockInChildProcess(dir.path() + "/LOCK", &child);
  ASSERT_GE(release, 0) << "the child process could not take the lock";

  auto db = OpenDatabase(dir.path(), DatabaseOptions());
  close(release);
  waitpid(child, nullptr, 0);

  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(db.status().message(), HasSubstr("'" + dir.path() + "' is already in use"));
}

TEST(OpenDatabaseTest, DirectoryCanBeReopenedOnceTheFirstHandleIsClosed) {
  testing::TempDir dir;
  auto first = OpenDatabase(dir.path(), DatabaseOptions());
  ASSERT_TRUE(first.ok()) << first.status();
  first->reset();
  auto second = OpenDatabase(dir.path(), DatabaseOptions());
  EXPECT_TRUE(second.ok()) << second.status();
}

TEST(OpenDatabaseTest, WithoutCreateIfMissingAnEmptyDirectoryIsAnError) {
  testing::TempDir dir;
  DatabaseOptions options;
  options.create_if_missing = false;
  auto db = OpenDatabase(dir.path(), options);
  ASSERT_FALSE(db.ok());
  EXPECT_EQ(db.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(db.status().message(), HasSubstr("cannot open database in '" + dir.path() + "'"));
}

}  // namespace
}  // namespace stepwise::storage
