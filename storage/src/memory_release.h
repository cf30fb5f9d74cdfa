#pragma once

#include <chrono>
#include <memory>

namespace rocksdb {
class EventListener;
}  // namespace rocksdb

namespace stepwise::storage {

// A RocksDB listener that hands freed heap back to the operating system after a memtable
// flush, at most once per `min_interval`.
//
// Why: a flush frees a whole memtable (megabytes) at once. glibc keeps freed memory for reuse,
// and long-lived allocations made meanwhile (table readers, cache entries) end up between the
// pages it keeps, so the process's resident set creeps up with the amount of data written even
// though the memory in use does not. Returning the free pages after each burst of frees keeps the
// resident set where the memory in use is. Elsewhere than glibc it does nothing.
std::shared_ptr<rocksdb::EventListener> NewMemoryReleaseListener(
    std::chrono::steady_clock::duration min_interval);

}  // namespace stepwise::storage
