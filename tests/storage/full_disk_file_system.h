#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace stepwise::storage::testing {

// A file system that reports a full disk for every write while `full` is set.
class FullDiskFileSystem : public rocksdb::FileSystemWrapper {
 public:
  explicit FullDiskFileSystem(std::shared_ptr<rocksdb::FileSystem> target)
      : FileSystemWrapper(std::move(target)) {}
  const char* Name() const override { return "FullDiskFileSystem"; }

  rocksdb::IOStatus NewWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* file,
                                    rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->NewWritableFile(name, options, file, debug);
    if (status.ok()) *file = std::make_unique<File>(std::move(*file), *this);
    return status;
  }
  rocksdb::IOStatus ReopenWritableFile(const std::string& name, const rocksdb::FileOptions& options,
                                       std::unique_ptr<rocksdb::FSWritableFile>* file,
                                       rocksdb::IODebugContext* debug) override {
    rocksdb::IOStatus status = target()->ReopenWritableFile(name, options, file, debug);
    if (status.ok()) *file = std::make_unique<File>(std::move(*file), *this);
    return status;
  }

  std::atomic<bool>& full() { return full_; }

  // Waits until at least `count` writes have been refused in all, or `timeout` passes.
  bool AwaitRefusals(int count, std::chrono::milliseconds timeout) {
    std::unique_lock lock(mutex_);
    return refused_changed_.wait_for(lock, timeout, [&] { return refusals_ >= count; });
  }
  int refusals() {
    std::lock_guard lock(mutex_);
    return refusals_;
  }

 private:
  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile> target, FullDiskFileSystem& owner)
        : FSWritableFileOwnerWrapper(std::move(target)), owner_(owner) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             rocksdb::IODebugContext* debug) override {
      if (owner_.Refuse()) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
      return target()->Append(data, options, debug);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data, const rocksdb::IOOptions& options,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* debug) override {
      if (owner_.Refuse()) return rocksdb::IOStatus::NoSpace("injected: no space left on device");
      return target()->Append(data, options, info, debug);
    }

   private:
    FullDiskFileSystem& owner_;
  };

  bool Refuse() {
    if (!full_) return false;
    {
      std::lock_guard lock(mutex_);
      ++refusals_;
    }
    refused_changed_.notify_all();
    return true;
  }

  std::atomic<bool> full_{false};
  std::mutex mutex_;
  std::condition_variable refused_changed_;
  int refusals_ = 0;
};

// An Env over a FullDiskFileSystem, for RocksStoreOptions::env.
struct FullDiskEnv {
  std::shared_ptr<FullDiskFileSystem> file_system =
      std::make_shared<FullDiskFileSystem>(rocksdb::FileSystem::Default());
  std::unique_ptr<rocksdb::Env> env = rocksdb::NewCompositeEnv(file_system);
};

}  // namespace stepwise::storage::testing
