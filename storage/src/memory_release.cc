#include "memory_release.h"

#include <atomic>

#include "rocksdb/listener.h"

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace stepwise::storage {
namespace {

class MemoryReleaseListener : public rocksdb::EventListener {
 public:
  explicit MemoryReleaseListener(std::chrono::steady_clock::duration min_interval)
      : min_interval_(min_interval) {}

  const char* Name() const override { return "StepwiseMemoryRelease"; }

  void OnFlushCompleted(rocksdb::DB*, const rocksdb::FlushJobInfo&) override { Release(); }
  void OnCompactionCompleted(rocksdb::DB*, const rocksdb::CompactionJobInfo&) override {
    Release();
  }

 private:
  void Release() {
    auto now = std::chrono::steady_clock::now().time_since_epoch().count();
    auto last = last_release_.load(std::memory_order_relaxed);
    if (now - last < min_interval_.count()) return;
    // Flushes and compactions of several families may finish at once: one of them trims.
    if (!last_release_.compare_exchange_strong(last, now, std::memory_order_relaxed)) return;
#if defined(__GLIBC__)
    malloc_trim(0);
#endif
  }

  const std::chrono::steady_clock::duration min_interval_;
  std::atomic<std::chrono::steady_clock::rep> last_release_{0};
};

}  // namespace

std::shared_ptr<rocksdb::EventListener> NewMemoryReleaseListener(
    std::chrono::steady_clock::duration min_interval) {
  return std::make_shared<MemoryReleaseListener>(min_interval);
}

}  // namespace stepwise::storage
