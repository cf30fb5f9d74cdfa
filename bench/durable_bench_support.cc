#include "durable_bench_support.h"

#include <fcntl.h>
#include <malloc.h>
#include <spawn.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <sstream>
#include <thread>
#include <utility>

#include "rocksdb/db.h"
#include "rocksdb/options.h"
#include "rocksdb/write_batch.h"

extern char** environ;

namespace stepwise::bench {
namespace {

namespace fs = std::filesystem;

// --- the WAL format (RocksDB's db/log_format.h) ---
constexpr std::size_t kBlockSize = 32768;
constexpr std::size_t kHeaderSize = 7;             // checksum 4, length 2, type 1
constexpr std::size_t kRecyclableHeaderSize = 11;  // ... and the log number, 4
enum RecordType : unsigned char {
  kZeroType = 0,
  kFullType = 1,
  kFirstType = 2,
  kMiddleType = 3,
  kLastType = 4,
  kRecyclableFullType = 5,
  kRecyclableLastType = 8,
  kSetCompressionType = 9,
};

// Collects the shape of a batch as WriteBatch::Iterate walks it.
class ShapeHandler : public rocksdb::WriteBatch::Handler {
 public:
  explicit ShapeHandler(BatchShape& shape) : shape_(shape) {}

  rocksdb::Status PutCF(std::uint32_t family, const rocksdb::Slice& key,
                        const rocksdb::Slice& value) override {
    return Add(BatchEntry::Op::kPut, family, key.size(), value.size());
  }
  rocksdb::Status DeleteCF(std::uint32_t family, const rocksdb::Slice& key) override {
    return Add(BatchEntry::Op::kDelete, family, key.size(), 0);
  }
  rocksdb::Status SingleDeleteCF(std::uint32_t family, const rocksdb::Slice& key) override {
    return Add(BatchEntry::Op::kDelete, family, key.size(), 0);
  }
  rocksdb::Status DeleteRangeCF(std::uint32_t family, const rocksdb::Slice& begin,
                                const rocksdb::Slice& end) override {
    return Add(BatchEntry::Op::kDeleteRange, family, begin.size(), end.size());
  }
  rocksdb::Status MergeCF(std::uint32_t family, const rocksdb::Slice& key,
                          const rocksdb::Slice& value) override {
    return Add(BatchEntry::Op::kMerge, family, key.size(), value.size());
  }

 private:
  rocksdb::Status Add(BatchEntry::Op op, std::uint32_t family, std::size_t key, std::size_t value) {
    shape_.entries.push_back(BatchEntry{op, family, key, value});
    return rocksdb::Status::OK();
  }

  BatchShape& shape_;
};

void ParseWalFile(const std::string& path, std::uint64_t number, std::vector<BatchShape>& out,
                  std::string& error) {
  std::ifstream in(path, std::ios::binary);
  std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::string record;
  bool in_fragment = false;
  auto emit = [&out](const std::string& rep) {
    if (rep.size() < 12) return;  // not a write batch (its header alone is 12 bytes)
    rocksdb::WriteBatch batch(rep);
    BatchShape shape;
    ShapeHandler handler(shape);
    if (!batch.Iterate(&handler).ok()) return;
    shape.data_bytes = batch.GetDataSize();
    out.push_back(std::move(shape));
  };
  std::size_t offset = 0;
  while (offset < data.size()) {
    std::size_t left_in_block = kBlockSize - offset % kBlockSize;
    if (left_in_block < kHeaderSize) {
      offset += left_in_block;  // the block's zero-filled trailer
      continue;
    }
    if (offset + kHeaderSize > data.size()) break;
    const auto* header = reinterpret_cast<const unsigned char*>(data.data() + offset);
    std::size_t length = header[4] | (static_cast<std::size_t>(header[5]) << 8);
    unsigned char type = header[6];
    if (type == kZeroType && length == 0) {
      offset += left_in_block;  // preallocated, never written
      continue;
    }
    std::size_t header_size = kHeaderSize;
    if (type >= kRecyclableFullType && type <= kRecyclableLastType) {
      header_size = kRecyclableHeaderSize;
      if (offset + header_size > data.size()) break;
      std::uint32_t log = header[7] | (header[8] << 8) | (header[9] << 16) |
                          (static_cast<std::uint32_t>(header[10]) << 24);
      if (log != static_cast<std::uint32_t>(number)) break;  // an older log's leftovers
      type = static_cast<unsigned char>(type - (kRecyclableFullType - kFullType));
    }
    if (offset + header_size + length > data.size()) break;  // a torn tail
    std::string_view payload(data.data() + offset + header_size, length);
    offset += header_size + length;
    switch (type) {
      case kFullType:
        emit(std::string(payload));
        in_fragment = false;
        break;
      case kFirstType:
        record.assign(payload);
        in_fragment = true;
        break;
      case kMiddleType:
        if (in_fragment) record.append(payload);
        break;
      case kLastType:
        if (in_fragment) emit(record + std::string(payload));
        in_fragment = false;
        break;
      case kSetCompressionType:
        if (!payload.empty() && payload[0] != 0) {
          error = "the WAL is compressed; cannot read batch shapes from " + path;
          return;
        }
        break;
      default:
        break;  // record types this reader does not need
    }
  }
}

// Counts the samples of one thread of raw writes.
struct RawThreadResult {
  std::int64_t writes = 0;
  Latencies latency;
  SteadyClock::time_point last_end;
  std::string error;
};

// A key of exactly `size` bytes, unique for (thread, write, entry) when size allows.
std::string RawKey(int thread, std::int64_t write, std::size_t entry, std::size_t size) {
  char unique[48];
  int n = std::snprintf(unique, sizeof unique, "%03d-%012lld-%03zu", thread,
                        static_cast<long long>(write), entry);
  std::string key(unique, static_cast<std::size_t>(n));
  key.resize(size, 'k');
  return key;
}

}  // namespace

double MillisSince(SteadyClock::time_point start) {
  return std::chrono::duration<double, std::milli>(SteadyClock::now() - start).count();
}

double SecondsSince(SteadyClock::time_point start) {
  return std::chrono::duration<double>(SteadyClock::now() - start).count();
}

void Latencies::Merge(const Latencies& other) {
  samples_.insert(samples_.end(), other.samples_.begin(), other.samples_.end());
  sorted_ = false;
}

double Latencies::Percentile(double p) {
  if (samples_.empty()) return 0;
  if (!sorted_) {
    std::sort(samples_.begin(), samples_.end());
    sorted_ = true;
  }
  double rank = p / 100.0 * static_cast<double>(samples_.size() - 1);
  return samples_[static_cast<std::size_t>(std::llround(rank))];
}

std::int64_t RssKib() {
  std::ifstream status("/proc/self/status");
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmRSS:", 0) == 0) return std::stoll(line.substr(6));
  }
  return -1;
}

void TrimHeap() { malloc_trim(0); }

std::string DescribeFilesystem(const std::string& dir, bool& is_tmpfs) {
  std::error_code ignored;
  std::string path = fs::weakly_canonical(dir, ignored).string();
  std::ifstream mounts("/proc/self/mounts");
  std::string line;
  std::string best_device;
  std::string best_mount;
  std::string best_type = "unknown";
  auto unescape = [](const std::string& text) {  // /proc/mounts writes ' ' as \040
    std::string out;
    for (std::size_t i = 0; i < text.size(); ++i) {
      if (text[i] == '\\' && i + 3 < text.size()) {
        out += static_cast<char>(std::stoi(text.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        out += text[i];
      }
    }
    return out;
  };
  while (std::getline(mounts, line)) {
    std::istringstream fields(line);
    std::string device;
    std::string mount;
    std::string type;
    if (!(fields >> device >> mount >> type)) continue;
    mount = unescape(mount);
    bool covers = mount == "/" || path == mount || path.rfind(mount + "/", 0) == 0;
    if (covers && mount.size() >= best_mount.size()) {
      best_device = device;
      best_mount = mount;
      best_type = type;
    }
  }
  is_tmpfs = best_type == "tmpfs" || best_type == "ramfs";
  return best_type + ", " + best_device + " mounted on " + best_mount;
}

std::size_t BatchShape::Puts() const {
  return static_cast<std::size_t>(
      std::count_if(entries.begin(), entries.end(), [](const BatchEntry& entry) {
        return entry.op == BatchEntry::Op::kPut || entry.op == BatchEntry::Op::kMerge;
      }));
}

std::size_t BatchShape::Deletes() const { return entries.size() - Puts(); }

std::vector<BatchShape> ReadWalBatches(const std::string& dir, std::string& error) {
  std::vector<std::pair<std::uint64_t, std::string>> logs;
  std::error_code code;
  for (const auto& file : fs::directory_iterator(dir, code)) {
    if (file.path().extension() != ".log") continue;
    std::string stem = file.path().stem().string();
    if (stem.empty() || !std::all_of(stem.begin(), stem.end(), ::isdigit)) continue;
    logs.emplace_back(std::stoull(stem), file.path().string());
  }
  if (code) error = "cannot list " + dir + ": " + code.message();
  std::sort(logs.begin(), logs.end());
  std::vector<BatchShape> batches;
  for (const auto& [number, path] : logs) ParseWalFile(path, number, batches, error);
  return batches;
}

const BatchShape* MedianBatch(const std::vector<BatchShape>& batches) {
  if (batches.empty()) return nullptr;
  std::vector<const BatchShape*> sorted;
  for (const BatchShape& batch : batches) sorted.push_back(&batch);
  std::sort(sorted.begin(), sorted.end(),
            [](const BatchShape* a, const BatchShape* b) { return a->data_bytes < b->data_bytes; });
  return sorted[sorted.size() / 2];
}

BatchShape SyntheticBatch(std::size_t keys, std::size_t bytes) {
  BatchShape shape;
  std::size_t per_entry = bytes / std::max<std::size_t>(keys, 1);
  for (std::size_t i = 0; i < keys; ++i) {
    std::size_t key = std::min<std::size_t>(40, per_entry / 2);
    shape.entries.push_back(BatchEntry{BatchEntry::Op::kPut, 0, key, per_entry - key});
  }
  rocksdb::WriteBatch batch;
  for (const BatchEntry& entry : shape.entries) {
    batch.Put(std::string(entry.key_bytes, 'k'), std::string(entry.value_bytes, 'v'));
  }
  shape.data_bytes = batch.GetDataSize();
  return shape;
}

struct RawWriter::State {
  BatchShape shape;
  std::unique_ptr<rocksdb::DB> db;
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  std::string noise;            // incompressible value bytes, as serialized state mostly is
  std::int64_t next_write = 0;  // keeps keys fresh across runs
};

RawWriter::RawWriter(std::unique_ptr<State> state) : state_(std::move(state)) {}

RawWriter::~RawWriter() {
  for (rocksdb::ColumnFamilyHandle* handle : state_->handles) {
    (void)state_->db->DestroyColumnFamilyHandle(handle);
  }
  (void)state_->db->Close();
}

std::unique_ptr<RawWriter> RawWriter::Open(const std::string& dir, const BatchShape& shape,
                                           std::string& error) {
  auto state = std::make_unique<State>();
  state->shape = shape;
  std::uint32_t families = 1;
  for (const BatchEntry& entry : shape.entries) {
    families = std::max(families, entry.column_family + 1);
  }
  rocksdb::Options options;
  options.create_if_missing = true;
  options.create_missing_column_families = true;
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  descriptors.emplace_back(rocksdb::kDefaultColumnFamilyName, rocksdb::ColumnFamilyOptions());
  for (std::uint32_t i = 1; i < families; ++i) {
    descriptors.emplace_back("family" + std::to_string(i), rocksdb::ColumnFamilyOptions());
  }
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened = rocksdb::DB::Open(options, dir, descriptors, &state->handles, &raw_db);
  if (!opened.ok()) {
    error = "cannot open " + dir + ": " + opened.ToString();
    return nullptr;
  }
  state->db.reset(raw_db);
  state->noise.resize(1 << 16);
  std::mt19937_64 random(42);
  for (char& c : state->noise) c = static_cast<char>('a' + random() % 26);
  return std::unique_ptr<RawWriter>(new RawWriter(std::move(state)));
}

void RawWriter::Run(int threads, double seconds, RawResult& result) {
  State& state = *state_;
  std::vector<RawThreadResult> per_thread(static_cast<std::size_t>(threads));
  std::int64_t first_write = state.next_write;
  double cpu_before = ProcessCpuSeconds();
  auto start = SteadyClock::now();
  auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(seconds));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      RawThreadResult& mine = per_thread[static_cast<std::size_t>(t)];
      rocksdb::WriteOptions write_options;
      write_options.sync = true;
      const std::size_t half = state.noise.size() / 2;
      for (std::int64_t n = first_write; SteadyClock::now() < deadline; ++n) {
        rocksdb::WriteBatch batch;
        for (std::size_t i = 0; i < state.shape.entries.size(); ++i) {
          const BatchEntry& entry = state.shape.entries[i];
          rocksdb::ColumnFamilyHandle* family = state.handles[entry.column_family];
          std::string key = RawKey(t, n, i, entry.key_bytes);
          std::size_t at =
              static_cast<std::size_t>(n * 131 + static_cast<std::int64_t>(i) * 17) % half;
          rocksdb::Slice value(state.noise.data() + at, std::min(entry.value_bytes, half));
          switch (entry.op) {
            case BatchEntry::Op::kPut:
            case BatchEntry::Op::kMerge:
              batch.Put(family, key, value);
              break;
            case BatchEntry::Op::kDelete:
              batch.Delete(family, key);
              break;
            case BatchEntry::Op::kDeleteRange:
              batch.DeleteRange(family, key, RawKey(t, n, i + 1, entry.value_bytes));
              break;
          }
        }
        auto before = SteadyClock::now();
        rocksdb::Status written = state.db->Write(write_options, &batch);
        auto after = SteadyClock::now();
        if (!written.ok()) {
          mine.error = written.ToString();
          break;
        }
        mine.latency.Add(std::chrono::duration<double, std::micro>(after - before).count());
        mine.last_end = after;
        ++mine.writes;
      }
    });
  }
  for (std::thread& worker : workers) worker.join();
  result.cpu_seconds += ProcessCpuSeconds() - cpu_before;
  SteadyClock::time_point end = start;
  std::int64_t most = 0;
  for (RawThreadResult& mine : per_thread) {
    result.writes += mine.writes;
    result.latency.Merge(mine.latency);
    end = std::max(end, mine.last_end);
    most = std::max(most, mine.writes);
    if (result.error.empty()) result.error = mine.error;
  }
  state.next_write = first_write + most + 1;
  result.seconds += std::chrono::duration<double>(end - start).count();
}

double ProcessCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& time) {
    return static_cast<double>(time.tv_sec) + static_cast<double>(time.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

std::int64_t HeapInUseBytes() {
  struct mallinfo2 info = mallinfo2();
  return static_cast<std::int64_t>(info.uordblks + info.hblkhd);
}

std::vector<FamilySize> MeasureStoredSizes(const std::string& dir, const std::string& scratch_dir,
                                           const std::string& execution_id, std::string& error) {
  std::vector<FamilySize> sizes;
  rocksdb::Options options;
  options.max_open_files = -1;  // a secondary instance needs every table file open
  std::vector<std::string> names;
  rocksdb::Status listed = rocksdb::DB::ListColumnFamilies(options, dir, &names);
  if (!listed.ok()) {
    error = "cannot list the column families of " + dir + ": " + listed.ToString();
    return sizes;
  }
  std::vector<rocksdb::ColumnFamilyDescriptor> descriptors;
  for (const std::string& name : names) {
    descriptors.emplace_back(name, rocksdb::ColumnFamilyOptions());
  }
  std::vector<rocksdb::ColumnFamilyHandle*> handles;
  rocksdb::DB* raw_db = nullptr;
  rocksdb::Status opened =
      rocksdb::DB::OpenAsSecondary(options, dir, scratch_dir, descriptors, &handles, &raw_db);
  if (!opened.ok()) {
    error = "cannot open " + dir + " as a secondary: " + opened.ToString();
    return sizes;
  }
  std::unique_ptr<rocksdb::DB> db(raw_db);
  for (std::size_t i = 0; i < handles.size(); ++i) {
    FamilySize size;
    size.name = names[i];
    std::unique_ptr<rocksdb::Iterator> it(db->NewIterator(rocksdb::ReadOptions(), handles[i]));
    for (it->SeekToFirst(); it->Valid(); it->Next()) {
      auto bytes = static_cast<std::int64_t>(it->key().size() + it->value().size());
      ++size.keys;
      size.bytes += bytes;
      if (it->key().ToStringView().find(execution_id) != std::string_view::npos) {
        ++size.matched_keys;
        size.matched_bytes += bytes;
      }
    }
    if (!it->status().ok() && error.empty()) error = it->status().ToString();
    sizes.push_back(std::move(size));
  }
  for (rocksdb::ColumnFamilyHandle* handle : handles) {
    (void)db->DestroyColumnFamilyHandle(handle);
  }
  (void)db->Close();
  return sizes;
}

std::vector<FamilySize> MeasureStoredSizesInChild(const std::string& dir,
                                                  const std::string& scratch_dir,
                                                  const std::string& execution_id,
                                                  std::string& error) {
  std::vector<FamilySize> sizes;
  int pipe_fds[2];
  if (pipe(pipe_fds) != 0) {
    error = "pipe failed";
    return sizes;
  }
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, pipe_fds[1], STDOUT_FILENO);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[0]);
  posix_spawn_file_actions_addclose(&actions, pipe_fds[1]);
  std::string self = "/proc/self/exe";
  std::vector<std::string> args = {"durable_bench", "--stored-size", dir, scratch_dir,
                                   execution_id};
  std::vector<char*> argv;
  for (std::string& arg : args) argv.push_back(arg.data());
  argv.push_back(nullptr);
  pid_t child = 0;
  int spawned = posix_spawn(&child, self.c_str(), &actions, nullptr, argv.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  close(pipe_fds[1]);
  if (spawned != 0) {
    close(pipe_fds[0]);
    error = "cannot start the size reader: " + std::string(strerror(spawned));
    return sizes;
  }
  std::string output;
  char buffer[4096];
  for (ssize_t n; (n = read(pipe_fds[0], buffer, sizeof buffer)) > 0;) {
    output.append(buffer, static_cast<std::size_t>(n));
  }
  close(pipe_fds[0]);
  int status = 0;
  waitpid(child, &status, 0);
  std::istringstream lines(output);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.rfind("error\t", 0) == 0) {
      error = line.substr(6);
      continue;
    }
    std::istringstream fields(line);
    FamilySize size;
    if (std::getline(fields, size.name, '\t') &&
        (fields >> size.keys >> size.bytes >> size.matched_keys >> size.matched_bytes)) {
      sizes.push_back(std::move(size));
    }
  }
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    if (error.empty()) error = "the size reader failed";
  }
  return sizes;
}

int StoredSizeChildMain(const std::string& dir, const std::string& scratch_dir,
                        const std::string& execution_id) {
  std::string error;
  std::vector<FamilySize> sizes = MeasureStoredSizes(dir, scratch_dir, execution_id, error);
  for (const FamilySize& size : sizes) {
    std::printf("%s\t%lld\t%lld\t%lld\t%lld\n", size.name.c_str(),
                static_cast<long long>(size.keys), static_cast<long long>(size.bytes),
                static_cast<long long>(size.matched_keys),
                static_cast<long long>(size.matched_bytes));
  }
  if (!error.empty()) std::printf("error\t%s\n", error.c_str());
  std::error_code ignored;
  fs::remove_all(scratch_dir, ignored);
  return error.empty() ? 0 : 1;
}

}  // namespace stepwise::bench
