#pragma once

// Helpers of durable_bench: measuring (latencies, RSS, the disk under a directory) and looking
// at RocksDB from the outside (the shape of the batches in a WAL, raw synced writes, the bytes an
// execution occupies). Only the benchmark uses them.

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace stepwise::bench {

using SteadyClock = std::chrono::steady_clock;

double MillisSince(SteadyClock::time_point start);
double SecondsSince(SteadyClock::time_point start);

// Latency samples in microseconds.
class Latencies {
 public:
  void Add(double micros) { samples_.push_back(micros); }
  void Merge(const Latencies& other);
  std::size_t size() const { return samples_.size(); }
  // p in [0, 100]; 0 when empty. Sorts on first use after an Add or Merge.
  double Percentile(double p);

 private:
  std::vector<double> samples_;
  bool sorted_ = false;
};

// The process's resident set (VmRSS of /proc/self/status), in KiB.
std::int64_t RssKib();
// Gives freed heap back to the system (malloc_trim), so that RSS shows what is still held.
void TrimHeap();

// "ext4, /dev/vda mounted on /" for the filesystem that holds `dir`; sets `is_tmpfs`.
std::string DescribeFilesystem(const std::string& dir, bool& is_tmpfs);

// One entry of a write batch as RocksDB logged it: what, in which column family, how big.
struct BatchEntry {
  enum class Op { kPut, kDelete, kDeleteRange, kMerge };
  Op op = Op::kPut;
  std::uint32_t column_family = 0;
  std::size_t key_bytes = 0;
  std::size_t value_bytes = 0;  // kDeleteRange: the end key's size
};

// The shape of one logged write batch.
struct BatchShape {
  std::vector<BatchEntry> entries;
  std::size_t data_bytes = 0;  // WriteBatch::GetDataSize(): what goes to the WAL
  std::size_t Puts() const;
  std::size_t Deletes() const;
};

// Every write batch in the WAL files (*.log) of the RocksDB database in `dir`, in log order. The
// database may be open: the files are only read. Batches that a group commit merged come back
// as one.
std::vector<BatchShape> ReadWalBatches(const std::string& dir, std::string& error);

// The batch of median data size among `batches` (nullptr when there are none).
const BatchShape* MedianBatch(const std::vector<BatchShape>& batches);

// A batch of about `bytes` bytes spread over `keys` puts in the default column family, for when
// no engine batch could be measured.
BatchShape SyntheticBatch(std::size_t keys, std::size_t bytes);

// Figures of raw synced writes, summed over one or more measuring windows.
struct RawResult {
  std::int64_t writes = 0;
  double seconds = 0;      // the windows' total length
  double cpu_seconds = 0;  // the process's CPU time in the windows
  Latencies latency;
  std::string error;  // the first failed write, if any
  double WritesPerSecond() const { return seconds > 0 ? static_cast<double>(writes) / seconds : 0; }
};

// A RocksDB database of its own that takes synced write batches shaped like a given one (same
// operations, column families, key and value sizes; fresh keys each time).
class RawWriter {
 public:
  // Creates the database in `dir` (which must not hold one) with the default RocksDB options and
  // as many column families as `shape` uses. nullptr, with `error` set, when that fails.
  static std::unique_ptr<RawWriter> Open(const std::string& dir, const BatchShape& shape,
                                         std::string& error);
  ~RawWriter();
  RawWriter(const RawWriter&) = delete;
  RawWriter& operator=(const RawWriter&) = delete;

  // Writes from `threads` threads, each waiting for one synced write before the next, for
  // `seconds`, and adds what it saw to `result`.
  void Run(int threads, double seconds, RawResult& result);

 private:
  struct State;
  explicit RawWriter(std::unique_ptr<State> state);
  std::unique_ptr<State> state_;
};

// The process's CPU time (user + system) so far, in seconds.
double ProcessCpuSeconds();

// Bytes the heap has handed out and not had back (mallinfo2: in-use arena + mmapped blocks).
std::int64_t HeapInUseBytes();

// What one column family of a database holds.
struct FamilySize {
  std::string name;
  std::int64_t keys = 0;
  std::int64_t bytes = 0;         // keys + values
  std::int64_t matched_keys = 0;  // keys that contain the execution id given
  std::int64_t matched_bytes = 0;
};

// Counts every live key of every column family of the database in `dir`, which may be open in
// another handle (read through a RocksDB secondary instance, whose scratch files go in
// `scratch_dir`). Keys containing `execution_id` are counted apart as well.
std::vector<FamilySize> MeasureStoredSizes(const std::string& dir, const std::string& scratch_dir,
                                           const std::string& execution_id, std::string& error);

// Runs MeasureStoredSizes in a child process (this binary with `--stored-size`), so that the
// reader's memory does not show in this process's RSS.
std::vector<FamilySize> MeasureStoredSizesInChild(const std::string& dir,
                                                  const std::string& scratch_dir,
                                                  const std::string& execution_id,
                                                  std::string& error);

// The child's side: prints the sizes, one family a line. Returns the process exit code.
int StoredSizeChildMain(const std::string& dir, const std::string& scratch_dir,
                        const std::string& execution_id);

}  // namespace stepwise::bench
