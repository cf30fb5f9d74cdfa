// Opening a data directory: RocksDB's options, the column families, and the checks that refuse
// a directory in use or of another format before anything reads it.
#include <algorithm>
#include <charconv>
#include <chrono>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "handle_allocator.h"
#include "keys.h"
#include "memory_release.h"
#include "rocksdb/cache.h"
#include "rocksdb/db.h"
#include "rocksdb/env.h"
#include "rocksdb/filter_policy.h"
#include "rocksdb/table.h"
#include "rocksdb/utilities/table_properties_collectors.h"
#include "rocksdb_store_impl.h"
#include "stepwise/storage/rocksdb_status.h"
#include "stepwise/storage/rocksdb_store.h"

namespace stepwise::storage {
namespace {

// The layout (keys.h) and record formats (record_encoding.h) of a data directory, recorded when
// it is created. Bump it when a release changes either in a way older releases would misread.
constexpr int kFormatVersion = 1;

// How a family's keys are used, which decides how it is tuned.
enum class Shape {
  // Point lookups of keys that may be absent, and short scans.
  kRecords,
  // Keys written and soon deleted: they pile up tombstones at the front of the key space, which
  // every scan from the start wades through until compacted; a file with many deletions is
  // compacted early.
  kQueue,
  // Written once, appended in key order, only ever range-scanned, and far larger than the rest
  // (history). Its memory must not grow with its length: no Bloom filter (range scans cannot use
  // one, and at 10 bits a key it would fill the block cache as history grows), large blocks (a
  // small index), and a small memtable (bursts of history need no large one to absorb them).
  kLog,
};

struct FamilySpec {
  const char* name;
  rocksdb::ColumnFamilyHandle* Families::*handle;
  Shape shape;
};

constexpr FamilySpec kFamilies[] = {
    {"definitions", &Families::definitions, Shape::kRecords},
    {"executions", &Families::executions, Shape::kRecords},
    {"frames", &Families::frames, Shape::kRecords},
    {"history", &Families::history, Shape::kLog},
    {"timers", &Families::timers, Shape::kQueue},
    {"timer_owners", &Families::timer_owners, Shape::kQueue},
    {"tasks", &Families::tasks, Shape::kQueue},
    {"indexes", &Families::indexes, Shape::kRecords},
};

rocksdb::DBOptions DatabaseOptions(const RocksStoreOptions& options, rocksdb::Env* env) {
  rocksdb::DBOptions db;
  db.env = env;
  db.max_background_jobs = std::max(1, options.background_jobs);
  db.db_write_buffer_size = options.memtable_bytes;
  // A family written rarely (definitions) would otherwise keep old logs alive, and with them
  // the time a restart spends replaying them; past this size its memtable is flushed.
  db.max_total_wal_size = 4 * static_cast<std::uint64_t>(options.memtable_bytes);
  db.keep_log_file_num = 5;
  // The writers of a group commit are the engine's step threads, up to dozens on a machine of
  // two cores. The group's leader inserts every batch into the memtables itself: parallel
  // inserts would wake each writer once more, for little gain on few cores.
  db.allow_concurrent_memtable_write = false;
  // A writer waiting for its group sleeps at once instead of spinning on sched_yield for up to
  // 100 us: with more writers than cores, the spinning takes the CPU the leader needs.
  db.enable_write_thread_adaptive_yield = false;
  db.max_open_files = options.max_open_files;
  if (options.release_memory_after_flush) {
    db.listeners.push_back(NewMemoryReleaseListener(std::chrono::milliseconds(200)));
  }
  return db;
}

// The block caches: one shared by the families read at random, and a small one of the history's
// own, so that the index blocks of history files, one per file and never read again once the
// execution has finished, cannot crowd the other families out or hold memory that grows with
// the history's length.
struct Caches {
  std::shared_ptr<rocksdb::Cache> records;
  std::shared_ptr<rocksdb::Cache> log;
};

// RocksDB splits a cache into shards of 512 KB and up, and a block larger than its shard is
// dropped as soon as it is read. A file's filter and its index are one block each, past 512 KB
// in a file of half a million keys (execution records: 565 KB of filter, 966 KB of index), which
// every lookup reaching the file (a start checking its name is free, a step finding its
// execution's handle) then read again from disk and checksummed: 4% of the server's CPU in
// dispatch_bench. Shards of 8 MB and up keep them.
int ShardBitsFor(std::size_t cache_bytes) {
  int bits = 0;
  while (bits < 6 && (cache_bytes >> (bits + 1)) >= (8u << 20)) ++bits;
  return bits;
}

Caches NewCaches(const RocksStoreOptions& options) {
  std::size_t log_bytes = std::max<std::size_t>(options.block_cache_bytes / 64, 256u << 10);
  return Caches{
      rocksdb::NewLRUCache(options.block_cache_bytes, ShardBitsFor(options.block_cache_bytes)),
      rocksdb::NewLRUCache(log_bytes, ShardBitsFor(log_bytes))};
}

rocksdb::ColumnFamilyOptions FamilyOptions(const RocksStoreOptions& options, const Caches& caches,
                                           Shape shape) {
  rocksdb::ColumnFamilyOptions family;
  std::size_t share = shape == Shape::kLog ? 16 : 4;
  family.write_buffer_size = std::max<std::size_t>(options.memtable_bytes / share, 1u << 20);
  family.level_compaction_dynamic_level_bytes = true;
  rocksdb::BlockBasedTableOptions table;
  table.block_cache = shape == Shape::kLog ? caches.log : caches.records;
  if (shape == Shape::kLog) {
    table.block_size = 32u << 10;
    // New history lands just past the end of the old, but overlaps it a little (executions
    // that ran across a flush), so every compaction into the last level rewrites the file that
    // ends it. Small files bound that rewrite. With RocksDB's 64 MB, that file grew with the
    // family: in a 75 s dispatch_bench run, compacting history took 7.8 s of CPU, 0.6 s a
    // compaction by the end; with 4 MB files, 1.8 s and 0.1 s.
    family.target_file_size_base = 4u << 20;
  } else {
    // Most reads are point lookups of keys that may be absent (a timer being armed for the
    // first time, an execution started twice): a Bloom filter answers those without a block.
    table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  }
  table.cache_index_and_filter_blocks = true;  // their memory counts against the cache
  table.pin_l0_filter_and_index_blocks_in_cache = true;
  family.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  if (shape == Shape::kQueue) {
    family.table_properties_collector_factories.push_back(
        rocksdb::NewCompactOnDeletionCollectorFactory(/*sliding_window_size=*/128,
                                                      /*deletion_trigger=*/64));
  }
  return family;
}

absl::Status Refuse(const std::string& dir, const std::string& why) {
  return absl::FailedPreconditionError("cannot open data directory '" + dir + "': " + why);
}

// Whether nothing at all is stored yet: a directory whose creation was cut short before the
// format version was recorded is still fresh, not foreign.
bool IsEmpty(rocksdb::DB& db, const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    std::unique_ptr<rocksdb::Iterator> it(db.NewIterator(rocksdb::ReadOptions(), handle));
    it->SeekToFirst();
    if (it->Valid() || !it->status().ok()) return false;
  }
  return true;
}

absl::Status CheckFormatVersion(const std::string& dir, rocksdb::DB& db,
                                const std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  std::string value;
  rocksdb::Status read = db.Get(rocksdb::ReadOptions(), handles[0], keys::kFormatVersion, &value);
  if (read.IsNotFound()) {
    if (!IsEmpty(db, handles)) {
      return Refuse(dir,
                    "it holds a RocksDB database without a Stepwise format version record, "
                    "so it is not a Stepwise data directory");
    }
    rocksdb::WriteOptions sync;
    sync.sync = true;
    return ToAbslStatus(
        db.Put(sync, handles[0], keys::kFormatVersion, std::to_string(kFormatVersion)));
  }
  if (!read.ok()) return ToAbslStatus(read);
  int version = 0;
  auto parsed = std::from_chars(value.data(), value.data() + value.size(), version);
  if (parsed.ec != std::errc() || parsed.ptr != value.data() + value.size()) {
    return Refuse(dir, "its format version record is unreadable ('" + value +
                           "'); it was not written by Stepwise or is damaged");
  }
  if (version != kFormatVersion) {
    return Refuse(dir, "it was written in Stepwise data format version " + std::to_string(version) +
                           ", and this release reads only version " +
                           std::to_string(kFormatVersion) +
                           (version > kFormatVersion ? "; run the newer release that wrote it"
                                                     : "; it is from an unsupported release"));
  }
  return absl::OkStatus();
}

// RocksDB reports a held LOCK file as a plain IOError; see IsLockHeld.
absl::Status OpenError(const std::string& dir, const rocksdb::Status& status) {
  if (IsLockHeld(status)) {
    return Refuse(dir,
                  "it is in use by another Stepwise process (or another store in this one); "
                  "stop that one or use another directory (" +
                      status.ToString() + ")");
  }
  absl::Status error = ToAbslStatus(status);
  return absl::Status(error.code(),
                      "cannot open data directory '" + dir + "': " + std::string(error.message()));
}

void CloseAll(rocksdb::DB& db, std::vector<rocksdb::ColumnFamilyHandle*>& handles) {
  for (rocksdb::ColumnFamilyHandle* handle : handles) db.DestroyColumnFamilyHandle(handle);
  handles.clear();
  db.Close().PermitUncheckedError();
}

}  // namespace

absl::StatusOr<std::unique_ptr<engine::Store>> OpenRocksStore(const std::string& dir,
                                                              const RocksStoreOptions& options) {
  rocksdb::Env* env = options.env != nullptr ? options.env : rocksdb::Env::Default();
  rocksdb::DBOptions db_options = DatabaseOptions(options, env);
  bool exists = env->FileExists(dir + "/CURRENT").ok();
  if (!exists && !options.create_if_missing) {
    return absl::NotFoundError("data directory '" + dir +
                               "' holds no Stepwise database (and creating one is turned off)");
  }
  std::vector<std::string> existing;
  if (exists) {
    rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(db_options, dir, &existing);
    if (!listed.ok()) return OpenError(dir, listed);
  }
  db_options.create_if_missing = !exists;
  db_options.create_missing_column_families = !exists;

  Caches cache = NewCaches(options);
  // Open what is there (families a later release added included, so that opening does not fail
  // before the format check can say why), and ours when creating.
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName,
                           FamilyOptions(options, cache, Shape::kRecords));
  for (const FamilySpec& spec : kFamilies) {
    if (!exists || std::find(existing.begin(), existing.end(), spec.name) != existing.end()) {
      descriptors.emplace_back(spec.name, FamilyOptions(options, cache, spec.shape));
    }
  }
  for (const std::string& name : existing) {
    auto known = std::find_if(descriptors.begin(), descriptors.end(),
                              [&](const auto& descriptor) { return descriptor.name == name; });
    if (known == descriptors.end()) descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }

  rocksdb::DB* raw = nullptr;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::Status opened = rocksdb::DB::Open(db_options, dir, descriptors, &handles, &raw);
  if (!opened.ok()) return OpenError(dir, opened);
  std::unique_ptr<rocksdb::DB> db(raw);

  if (absl::Status format = CheckFormatVersion(dir, *db, handles); !format.ok()) {
    CloseAll(*db, handles);
    return format;
  }
  Families families;
  families.meta = handles[0];
  for (const FamilySpec& spec : kFamilies) {
    auto found = std::find_if(handles.begin(), handles.end(),
                              [&](auto* handle) { return handle->GetName() == spec.name; });
    if (found != handles.end()) {
      families.*spec.handle = *found;
      continue;
    }
    // Same format, yet a family is missing: its creation was cut short. Nothing can be in it.
    rocksdb::ColumnFamilyHandle* created = nullptr;
    rocksdb::Status status =
        db->CreateColumnFamily(FamilyOptions(options, cache, spec.shape), spec.name, &created);
    if (!status.ok()) {
      CloseAll(*db, handles);
      return OpenError(dir, status);
    }
    handles.push_back(created);
    families.*spec.handle = created;
  }
  auto reserved = HandleAllocator::ReadReservation(*db, families.meta);
  if (!reserved.ok()) {
    CloseAll(*db, handles);
    return reserved.status();
  }
  return std::make_unique<RocksStore>(std::move(db), std::move(handles), families, options,
                                      *reserved);
}

}  // namespace stepwise::storage
