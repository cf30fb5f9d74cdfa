// The data directory's safety: one user at a time, no misreading of other formats or damaged
// records, and a full disk that fails writes cleanly while reads go on.
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "../../storage/src/keys.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/file_system.h"
#include "storage/full_disk_file_system.h"
#include "storage/store_test_support.h"

namespace stepwise::storage::testing {
namespace {

using ::testing::HasSubstr;

// The directory's database opened with plain RocksDB, every column family included, as a tool
// (or an attacker, or a bad disk) would see it.
class RawDatabase {
 public:
  explicit RawDatabase(const std::string& dir) {
    std::vector<std::string> names;
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(rocksdb::DBOptions(), dir, &names);
    if (!listed.ok()) names = {rocksdb::kDefaultColumnFamilyName};
    std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
    for (const std::string& name : names)
      descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
    rocksdb::DBOptions options;
    options.create_if_missing = true;
    rocksdb::DB* db = nullptr;
    rocksdb::Status opened = rocksdb::DB::Open(options, dir, descriptors, &handles_, &db);
    EXPECT_TRUE(opened.ok()) << opened.ToString();
    db_.reset(db);
  }
  ~RawDatabase() {
    if (!db_) return;
    for (auto* handle : handles_) db_->DestroyColumnFamilyHandle(handle);
    db_->Close().PermitUncheckedError();
  }
  std::string Get(const std::string& family, const std::string& key) {
    std::string value;
    for (auto* handle : handles_) {
      if (handle->GetName() == family) {
        EXPECT_TRUE(db_->Get(rocksdb::ReadOptions(), handle, key, &value).ok());
      }
    }
    return value;
  }
  void Put(const std::string& family, const std::string& key, const std::string& value) {
    for (auto* handle : handles_) {
      if (handle->GetName() == family) {
        ASSERT_TRUE(db_->Put(rocksdb::WriteOptions(), handle, key, value).ok());
        return;
      }
    }
    ADD_FAILURE() << "no column family " << family;
  }

 private:
  std::unique_ptr<rocksdb::DB> db_;
  std::vector<rocksdb::ColumnFamilyHandle*> handles_;
};

TEST(RocksStoreOpenTest, ASecondOpenOfTheSameDirectoryIsRefusedUntilTheFirstCloses) {
  TempDir dir;
  auto first = OpenRocksStore(dir.path());
  ASSERT_TRUE(first.ok()) << first.status();
  auto second = OpenRocksStore(dir.path());
  ASSERT_FALSE(second.ok());
  EXPECT_EQ(second.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(second.status().message(), HasSubstr("'" + dir.path() + "'"));
  EXPECT_THAT(second.status().message(), HasSubstr("in use by another Stepwise process"));
  first->reset();
  EXPECT_TRUE(OpenRocksStore(dir.path()).ok());
}

TEST(RocksStoreOpenTest, ADirectoryLockedByAnotherProcessIsRefused) {
  TempDir dir;
  ASSERT_TRUE(OpenRocksStore(dir.path()).ok());  // created, then closed
  int ready[2];
  int release[2];
  ASSERT_EQ(pipe(ready), 0);
  ASSERT_EQ(pipe(release), 0);
  std::string lock_file = dir.path() + "/LOCK";
  pid_t child = fork();
  if (child == 0) {
    // Only async-signal-safe calls here: holds the lock as a second server would.
    close(ready[0]);
    close(release[1]);
    int fd = open(lock_file.c_str(), O_RDWR);
    struct flock lock = {};
    lock.l_type = F_WRLCK;
    lock.l_whence = SEEK_SET;
    char locked = fd >= 0 && fcntl(fd, F_SETLK, &lock) == 0;
    (void)!write(ready[1], &locked, 1);
    (void)!read(release[0], &locked, 1);
    _exit(0);
  }
  close(ready[1]);
  close(release[0]);
  char locked = 0;
  ASSERT_EQ(read(ready[0], &locked, 1), 1);
  close(ready[0]);
  ASSERT_TRUE(locked);
  auto store = OpenRocksStore(dir.path());
  close(release[1]);
  waitpid(child, nullptr, 0);
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("in use by another Stepwise process"));
}

TEST(RocksStoreOpenTest, ADirectoryOfAnotherFormatVersionIsRefusedNotMisread) {
  TempDir dir;
  ASSERT_TRUE(OpenRocksStore(dir.path()).ok());
  RawDatabase(dir.path()).Put(rocksdb::kDefaultColumnFamilyName, "format_version", "2");
  auto store = OpenRocksStore(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("format version 2"));
  EXPECT_THAT(store.status().message(), HasSubstr("reads only version 1"));
  // Refusing changed nothing: once the version is right again, the store opens.
  RawDatabase(dir.path()).Put(rocksdb::kDefaultColumnFamilyName, "format_version", "1");
  EXPECT_TRUE(OpenRocksStore(dir.path()).ok());
}

TEST(RocksStoreOpenTest, AnUnreadableFormatVersionIsRefused) {
  TempDir dir;
  ASSERT_TRUE(OpenRocksStore(dir.path()).ok());
  RawDatabase(dir.path()).Put(rocksdb::kDefaultColumnFamilyName, "format_version", "v1?");
  auto store = OpenRocksStore(dir.path());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("unreadable"));
}

TEST(RocksStoreOpenTest, ARocksDbDatabaseThatIsNotAStepwiseDirectoryIsRefused) {
  TempDir dir;
  RawDatabase(dir.path()).Put(rocksdb::kDefaultColumnFamilyName, "someone", "else's data");
  auto store = OpenRocksStore(dir.path());
  ASSERT_FALSE(store.ok());
  EXPECT_EQ(store.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(store.status().message(), HasSubstr("not a Stepwise data directory"));
}

TEST(RocksStoreOpenTest, WithoutCreateIfMissingAnEmptyDirectoryIsNotFound) {
  TempDir dir;
  RocksStoreOptions options;
  options.create_if_missing = false;
  auto store = OpenRocksStore(dir.path(), options);
  EXPECT_EQ(store.status().code(), absl::StatusCode::kNotFound);
  ASSERT_TRUE(OpenRocksStore(dir.path()).ok());
  EXPECT_TRUE(OpenRocksStore(dir.path(), options).ok());
}

TEST(RocksStoreOpenTest, SyncedCommitsAreThereAfterReopening) {
  TempDir dir;
  auto state = MakeExecution("m", "durable", kT0, json{{"in", 1}});
  {
    auto store = OpenRocksStore(dir.path());  // synced: the default
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE(CommitCreated(**store, state).ok());
    ASSERT_TRUE(CommitEnd(**store, state, engine::ExecutionStatus::kSucceeded, kT0 + 5).ok());
  }
  auto store = OpenRocksStore(dir.path());
  ASSERT_TRUE(store.ok()) << store.status();
  auto summary = (*store)->DescribeExecution(state.info.execution_id);
  ASSERT_TRUE(summary.ok()) << summary.status();
  EXPECT_EQ(summary->status, engine::ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary->input, json({{"in", 1}}));
  EXPECT_EQ(summary->output, json({{"done", true}}));
}

class CorruptionTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    state_ = MakeExecution("m", "victim", kT0);
    engine::Frame& root = state_.frames[1];
    root.id = 1;
    root.state = 0;
    root.phase = engine::FramePhase::kTask;
    state_.next_frame_id = 2;
    engine::Step step;
    step.changed_frames = {1};
    step.inputs_changed = {1};
    engine::CommitContext created;
    created.created = true;
    ASSERT_TRUE(store().CommitStep(state_, step, created).ok());
    ASSERT_TRUE(store().LoadExecution(id()).ok());
    Close();
  }
  const std::string& id() const { return state_.info.execution_id; }
  engine::ExecutionState state_;
};

TEST_F(CorruptionTest, ACorruptedExecutionRecordIsDataLoss) {
  RawDatabase(dir_.path()).Put("executions", keys::ExecutionRecord(id()), "\x01garbage");
  Open();
  auto described = store().DescribeExecution(id());
  EXPECT_EQ(described.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(described.status().message(), HasSubstr(id()));
  EXPECT_EQ(store().LoadExecution(id()).status().code(), absl::StatusCode::kDataLoss);
}

TEST_F(CorruptionTest, AFrameFromANewerReleaseIsDataLoss) {
  {
    RawDatabase raw(dir_.path());
    auto handle = keys::ParseHandleValue(raw.Get("executions", keys::ExecutionHandle(id())));
    ASSERT_TRUE(handle.has_value());
    raw.Put("frames", keys::FrameHeader(*handle, 1), "\x07whatever");
  }
  Open();
  auto loaded = store().LoadExecution(id());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(loaded.status().message(), HasSubstr("frame 1"));
  EXPECT_THAT(loaded.status().message(), HasSubstr("record format 7"));
  EXPECT_TRUE(store().DescribeExecution(id()).ok());  // the rest is still readable
}

TEST(RocksStoreDiskFullTest, AFullDiskFailsTheCommitCleanlyAndReadsGoOn) {
  TempDir dir;
  auto file_system = std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
  RocksStoreOptions options;
  options.env = env.get();
  auto opened = OpenRocksStore(dir.path(), options);
  ASSERT_TRUE(opened.ok()) << opened.status();
  engine::Store& store = **opened;
  auto first = MakeExecution("m", "first", kT0);
  ASSERT_TRUE(CommitCreated(store, first).ok());

  file_system->full() = true;
  auto second = MakeExecution("m", "second", kT0 + 1);
  absl::Status refused = CommitCreated(store, second);
  EXPECT_EQ(refused.code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(refused.message(), HasSubstr("disk is full"));
  EXPECT_EQ(store.DescribeExecution(second.info.execution_id).status().code(),
            absl::StatusCode::kNotFound);
  auto described = store.DescribeExecution(first.info.execution_id);
  EXPECT_TRUE(described.ok()) << described.status();
  auto listed = store.ListExecutions({}, "", 10);
  ASSERT_TRUE(listed.ok()) << listed.status();
  EXPECT_EQ(listed->executions.size(), 1u);

  file_system->full() = false;  // the operator freed space
  // RocksDB may first have to finish recovering; until then writes are refused, still naming
  // the full disk as the cause.
  absl::Status retried = CommitCreated(store, second);
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!retried.ok() && std::chrono::steady_clock::now() < deadline) {
    EXPECT_EQ(retried.code(), absl::StatusCode::kResourceExhausted) << retried;
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    retried = CommitCreated(store, second);
  }
  EXPECT_TRUE(retried.ok()) << retried;
  EXPECT_TRUE(store.DescribeExecution(second.info.execution_id).ok());
  opened->reset();
}

}  // namespace
}  // namespace stepwise::storage::testing
