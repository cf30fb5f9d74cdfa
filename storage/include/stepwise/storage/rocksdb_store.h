#pragma once

#include <cstddef>
#include <functional>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "stepwise/engine/store.h"

namespace rocksdb {
class Env;
}  // namespace rocksdb

namespace stepwise::storage {

// How a Stepwise data directory is opened and written.
struct RocksStoreOptions {
  // Default true: a commit returns only after its write-ahead log record is fsynced, so an
  // accepted step survives power loss and OS crashes. false: a commit survives a process crash
  // (kill -9) but may be lost with the machine; commits are many times faster. Concurrent synced
  // commits share fsyncs (RocksDB's group commit) either way.
  bool sync_writes = true;

  // Default true: create the database when the directory holds none. false for tools that must
  // never start from an empty state by mistake: opening an empty directory is then NotFound.
  bool create_if_missing = true;

  // Default 32 MiB: RocksDB's block cache, shared by every column family but the history's,
  // which has one of a sixteenth of this size (at least 1 MiB). More keeps more of a
  // large store's reads (recovery scans, listings, loads of parked executions) off the disk, at
  // the cost of resident memory.
  std::size_t block_cache_bytes = 32u << 20;

  // Default 64 MiB: the memory all memtables together may use before RocksDB flushes them.
  // More means fewer, larger flushes and faster bursts of writes; less means a smaller RSS and
  // a shorter log to replay after a crash.
  std::size_t memtable_bytes = 64u << 20;

  // Default 256: how many table files RocksDB keeps open, each with its reader's memory. A store
  // holds a file per few megabytes of history; bounding the open ones keeps memory from growing
  // with the history's length. More spares re-opening files on reads of old histories; -1 keeps
  // every file open.
  int max_open_files = 128;

  // Default true: after a memtable flush or a compaction (at most once a second), freed heap is
  // handed back to the operating system (glibc's malloc_trim), so that the resident set follows
  // the memory in use instead of creeping up with the data written.
  bool release_memory_after_flush = true;

  // Default 2: RocksDB's background threads for flushes and compactions. More keeps up with
  // heavier write loads on machines with cores to spare.
  int background_jobs = 2;

  // Default empty: called after every successful CommitStep with the size in bytes of the
  // step's write batch, for metrics and for tests that check a step stays small. It runs on
  // the committing thread, so from many threads at once: it must be thread-safe and quick.
  std::function<void(std::size_t batch_bytes)> on_commit;

  // Default nullptr (the process's default Env): the RocksDB environment for file I/O. Tests
  // pass one that injects faults (a full disk); it must outlive the store.
  rocksdb::Env* env = nullptr;
};

// Opens the Stepwise data directory `dir` as an engine::Store.
//
// Refused with FailedPrecondition: a directory another process (or another store in this one)
// has open; a directory written by another format version (the version is recorded when the
// directory is created, and an unknown or newer one is refused rather than misread); a RocksDB
// database that is not a Stepwise data directory. NotFound: no database and
// `create_if_missing` off.
//
// Every method of the store is thread-safe; commits from many threads are not serialised
// behind one lock, so they share fsyncs. The caller serialises the steps of one execution (as
// the Engine does with a strand per execution). A write that fails (ResourceExhausted when the
// disk is full, Unavailable for other I/O errors) changes nothing; reads go on being served,
// and writes are tried again (after RocksDB recovers from the error) on the next request.
absl::StatusOr<std::unique_ptr<engine::Store>> OpenRocksStore(
    const std::string& dir, const RocksStoreOptions& options = {});

}  // namespace stepwise::storage
