#include "stepwise/engine/metrics.h"

#include <algorithm>
#include <cmath>

namespace stepwise::engine {

void LatencyHistogram::Observe(double seconds) {
  seconds = std::max(seconds, 0.0);
  auto bucket = std::lower_bound(kBounds.begin(), kBounds.end(), seconds) - kBounds.begin();
  buckets_[static_cast<std::size_t>(bucket)].fetch_add(1, std::memory_order_relaxed);
  sum_nanos_.fetch_add(static_cast<std::uint64_t>(std::llround(seconds * 1e9)),
                       std::memory_order_relaxed);
}

LatencyHistogram::Snapshot LatencyHistogram::Read() const {
  Snapshot snapshot;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    snapshot.buckets[i] = buckets_[i].load(std::memory_order_relaxed);
  }
  // The count is the buckets' total, as Prometheus expects of _count and the +Inf bucket.
  for (std::uint64_t in_bucket : snapshot.buckets) snapshot.count += in_bucket;
  snapshot.sum_seconds = static_cast<double>(sum_nanos_.load(std::memory_order_relaxed)) / 1e9;
  return snapshot;
}

}  // namespace stepwise::engine
