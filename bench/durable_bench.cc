// durable_bench: the durable engine's figures (issue 5) beside a raw RocksDB baseline, measured
// in one run on one disk. See bench/README.md for what each line means.
//
//   durable_bench [--dir DIR] [--quick] [--only raw,engine,parked,loop] [--unsynced-loop]
//                 [--memtable-mb N] [--cache-mb N] [--keep] [--keep-freed-memory]

#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdarg>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <functional>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "bench_report.h"
#include "durable_bench_support.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/engine.h"
#include "stepwise/engine/store.h"
#include "stepwise/storage/rocksdb_store.h"

#ifndef STEPWISE_BENCH_DEFAULT_ROOT
#define STEPWISE_BENCH_DEFAULT_ROOT "."
#endif

namespace stepwise::bench {
namespace {

namespace fs = std::filesystem;
using engine::Engine;
using nlohmann::json;

// --- configuration ---------------------------------------------------------------------------

struct Config {
  std::string root;  // every phase's data directory goes under it
  bool made_root = false;
  bool quick = false;
  bool keep = false;
  std::set<std::string> phases = {"raw", "engine", "parked", "loop"};
  int rounds = 5;       // throughput: raw and engine windows alternate this many times
  double window = 2.0;  // seconds of each window
  int concurrency = 64;
  int chain_tasks = 20;
  std::int64_t parked = 100'000;
  std::int64_t loop_n = 1'000'000;
  std::int64_t loop_mark = 10'000;
  bool loop_synced = true;
  std::size_t memtable_bytes = 0;  // 0: the store's default
  bool release_memory = true;      // RocksStoreOptions::release_memory_after_flush
  std::size_t cache_bytes = 0;     // 0: the store's default
};

constexpr const char* kUsage =
    "usage: durable_bench [--dir DIR] [--quick] [--only raw,engine,parked,loop] "
    "[--unsynced-loop] [--loop-iterations N] [--memtable-mb N] [--cache-mb N] [--keep]\n"
    "    [--keep-freed-memory]\n"
    "  --dir DIR        where the databases go (default: a new directory under the build tree)\n"
    "  --quick          a smoke run: counts 100x smaller, measuring windows 10x shorter\n"
    "  --only LIST      run only these phases (parked includes the recovery measurement)\n"
    "  --unsynced-loop  run the 1,000,000-iteration loop without fsync (default: synced)\n"
    "  --loop-iterations N  run the loop N times round instead of 1,000,000 (to show that\n"
    "                   memory does not grow with history: the level stays where it was)\n"
    "  --memtable-mb N  RocksStoreOptions::memtable_bytes of every store (default: its default)\n"
    "  --cache-mb N     RocksStoreOptions::block_cache_bytes of every store\n"
    "  --keep-freed-memory  open stores with release_memory_after_flush off (to measure it)\n"
    "  --keep           keep the databases afterwards\n";

// --- the report: bench_report.h ---------------------------------------------------------------

// --- workloads -------------------------------------------------------------------------------

constexpr const char* kFunction = "bench";

// `tasks` Task states in a chain, each served by the in-process workers.
std::string ChainDefinition(int tasks) {
  json states = json::object();
  for (int i = 1; i <= tasks; ++i) {
    json state = {{"Type", "Task"}, {"Resource", std::string("function:") + kFunction}};
    if (i < tasks) {
      state["Next"] = "T" + std::to_string(i + 1);
    } else {
      state["End"] = true;
    }
    states["T" + std::to_string(i)] = std::move(state);
  }
  return json{{"StartAt", "T1"}, {"States", std::move(states)}}.dump();
}

// A representative order-like payload that the tasks pass along.
json ChainInput() {
  return json{{"orderId", "ord-2024-000123"},
              {"customer", {{"id", "c-0042"}, {"tier", "gold"}}},
              {"items", json::array({"sku-1", "sku-2", "sku-3"})},
              {"amount", 129.95}};
}

constexpr const char* kWaitDefinition = R"json({
  "StartAt": "Park",
  "States": {"Park": {"Type": "Wait", "Seconds": 3600, "End": true}}
})json";

// A copy of ../shared/bench/workloads/loop.json.
constexpr const char* kLoopDefinition = R"json({
  "Comment": "A counter loop: two transitions per iteration (Pass + Choice), no tasks.",
  "StartAt": "Step",
  "States": {
    "Step": {"Type": "Pass", "Parameters": {"i.$": "States.MathAdd($.i, 1)", "n.$": "$.n"},
             "Next": "More"},
    "More": {"Type": "Choice",
             "Choices": [{"Variable": "$.i", "NumericLessThanPath": "$.n", "Next": "Step"}],
             "Default": "Done"},
    "Done": {"Type": "Succeed"}
  }
})json";

// --- a server: a store and an engine over it --------------------------------------------------

const engine::SystemClock& SystemClock() {
  static const engine::SystemClock clock;
  return clock;
}

struct Server {
  std::unique_ptr<engine::Store> store;
  std::unique_ptr<Engine> engine;

  ~Server() {
    engine.reset();  // its threads use the store
    store.reset();
  }
};

absl::StatusOr<std::unique_ptr<engine::Store>> OpenStore(
    const Config& config, const std::string& dir, bool synced,
    std::function<void(std::size_t)> on_commit = nullptr) {
  storage::RocksStoreOptions options;
  options.sync_writes = synced;
  options.create_if_missing = true;
  if (config.memtable_bytes > 0) options.memtable_bytes = config.memtable_bytes;
  options.release_memory_after_flush = config.release_memory;
  if (config.cache_bytes > 0) options.block_cache_bytes = config.cache_bytes;
  options.on_commit = std::move(on_commit);
  return storage::OpenRocksStore(dir, options);
}

absl::StatusOr<std::unique_ptr<Server>> StartServer(
    const Config& config, const std::string& dir, bool synced,
    std::function<void(std::size_t)> on_commit = nullptr) {
  auto server = std::make_unique<Server>();
  auto store = OpenStore(config, dir, synced, std::move(on_commit));
  if (!store.ok()) return store.status();
  server->store = std::move(*store);
  server->engine = std::make_unique<Engine>(*server->store, SystemClock());
  if (absl::Status recovered = server->engine->Recover(); !recovered.ok()) return recovered;
  return server;
}

std::string FreshDir(const Config& config, const std::string& name) {
  std::string dir = (fs::path(config.root) / name).string();
  std::error_code ignored;
  fs::remove_all(dir, ignored);
  fs::create_directories(dir, ignored);
  return dir;
}

void Discard(const Config& config, const std::string& dir) {
  if (config.keep) return;
  std::error_code ignored;
  fs::remove_all(dir, ignored);
}

// --- driving the Task chain ------------------------------------------------------------------

struct ChainResult {
  std::int64_t completions = 0;  // CompleteTask calls that committed a step
  std::int64_t starts = 0;       // StartExecution calls (each commits a step too)
  double seconds = 0;            // the windows' total length
  double cpu_seconds = 0;        // the process's CPU time in the windows
  Latencies latency;             // CompleteTask call to return
  std::int64_t errors = 0;
  std::string first_error;

  std::int64_t Steps() const { return completions + starts; }
  double StepsPerSecond() const { return seconds > 0 ? static_cast<double>(Steps()) / seconds : 0; }
};

// Keeps `concurrency` executions of the chain running for `seconds`: one worker thread per
// execution polls a task and completes it at once; a worker that completes an execution's last
// task starts the next one. Then lets the executions in flight finish (not counted), so that the
// next run starts from an idle engine. Adds what it saw to `total`.
void RunChain(Engine& engine, const std::string& machine, int tasks, int concurrency,
              double seconds, ChainResult& total) {
  struct PerWorker {
    std::int64_t completions = 0;
    std::int64_t starts = 0;
    Latencies latency;
    SteadyClock::time_point last_end;
    std::int64_t errors = 0;
    std::string first_error;
  };
  std::vector<PerWorker> workers(static_cast<std::size_t>(concurrency));
  const std::string last_state = "T" + std::to_string(tasks);
  double cpu_before = ProcessCpuSeconds();
  auto start = SteadyClock::now();
  auto deadline = start + std::chrono::duration_cast<SteadyClock::duration>(
                              std::chrono::duration<double>(seconds));
  std::atomic<double> cpu_at_deadline{0};
  std::atomic<bool> cpu_taken{false};
  auto fail = [](PerWorker& mine, const absl::Status& status) {
    if (mine.errors++ == 0) mine.first_error = status.ToString();
  };
  std::vector<std::thread> threads;
  for (int w = 0; w < concurrency; ++w) {
    threads.emplace_back([&, w] {
      PerWorker& mine = workers[static_cast<std::size_t>(w)];
      auto start_one = [&] {
        auto started = engine.StartExecution(machine, "", ChainInput());
        if (started.ok()) {
          ++mine.starts;
          mine.last_end = SteadyClock::now();
        } else {
          fail(mine, started.status());
        }
      };
      start_one();
      while (SteadyClock::now() < deadline) {
        auto lease = engine.PollTask(kFunction, std::chrono::milliseconds(20));
        if (!lease) continue;
        auto before = SteadyClock::now();
        absl::Status done = engine.CompleteTask(lease->token, lease->task.input);
        auto after = SteadyClock::now();
        if (!done.ok()) {
          fail(mine, done);
          continue;
        }
        mine.latency.Add(std::chrono::duration<double, std::micro>(after - before).count());
        mine.last_end = after;
        ++mine.completions;
        if (lease->task.state_name == last_state && SteadyClock::now() < deadline) start_one();
      }
      if (!cpu_taken.exchange(true)) cpu_at_deadline.store(ProcessCpuSeconds());
      // Drain: finish what is in flight without starting more.
      while (auto lease = engine.PollTask(kFunction, std::chrono::milliseconds(300))) {
        absl::Status done = engine.CompleteTask(lease->token, lease->task.input);
        if (!done.ok()) fail(mine, done);
      }
    });
  }
  for (std::thread& thread : threads) thread.join();
  SteadyClock::time_point end = start;
  for (PerWorker& mine : workers) {
    total.completions += mine.completions;
    total.starts += mine.starts;
    total.latency.Merge(mine.latency);
    end = std::max(end, mine.last_end);
    if (total.errors == 0 && mine.errors > 0) total.first_error = mine.first_error;
    total.errors += mine.errors;
  }
  total.seconds += std::chrono::duration<double>(end - start).count();
  total.cpu_seconds += cpu_at_deadline.load() - cpu_before;
}

// --- phases ----------------------------------------------------------------------------------

std::string DescribeShape(const BatchShape& shape) {
  std::string text;
  for (const BatchEntry& entry : shape.entries) {
    if (!text.empty()) text += ", ";
    const char* op = entry.op == BatchEntry::Op::kPut      ? "put"
                     : entry.op == BatchEntry::Op::kDelete ? "del"
                     : entry.op == BatchEntry::Op::kMerge  ? "merge"
                                                           : "delrange";
    text += Format("cf%u %s %zu+%zu", entry.column_family, op, entry.key_bytes, entry.value_bytes);
  }
  return text;
}

// Runs a short synced single-execution chain and reads its WAL back: the median logged batch is
// a Task-completion step, the batch the raw baseline then writes.
BatchShape MeasureStepBatch(const Config& config, Report& report) {
  Progress("measuring the engine's step batch");
  std::string dir = FreshDir(config, "calibrate");
  BatchShape fallback = SyntheticBatch(5, 600);
  std::string problem;
  std::vector<BatchShape> batches;
  std::mutex committed_mutex;
  std::vector<std::size_t> committed;  // what the store's on_commit hook says
  {
    auto server = StartServer(config, dir, /*synced=*/true, [&](std::size_t bytes) {
      std::lock_guard lock(committed_mutex);
      committed.push_back(bytes);
    });
    if (!server.ok()) {
      problem = server.status().ToString();
    } else {
      Engine& engine = *(*server)->engine;
      auto put = engine.PutStateMachine("chain", ChainDefinition(config.chain_tasks));
      if (!put.ok()) {
        problem = put.status().ToString();
      } else {
        ChainResult run;
        RunChain(engine, "chain", config.chain_tasks, 1, std::min(config.window, 1.0), run);
        if (run.errors > 0) problem = run.first_error;
        batches = ReadWalBatches(dir, problem);
      }
    }
  }
  Discard(config, dir);
  const BatchShape* median = MedianBatch(batches);
  if (median == nullptr) {
    report.Note("engine step batch: not measured (" + problem + "); using a synthetic batch of " +
                Format("%zu puts, %zu bytes", fallback.entries.size(), fallback.data_bytes));
    return fallback;
  }
  report.Note(
      Format("engine step batch (median of %zu WAL records of a synced 1-execution "
             "chain, i.e. one Task completion): %zu entries (%zu puts, %zu deletes), "
             "%zu bytes",
             batches.size(), median->entries.size(), median->Puts(), median->Deletes(),
             median->data_bytes));
  report.Note("  entries (column family, op, key+value bytes): " + DescribeShape(*median));
  if (!committed.empty()) {
    std::sort(committed.begin(), committed.end());
    report.Note(
        Format("  cross-check: the store's on_commit hook saw %zu commits, median %zu "
               "bytes",
               committed.size(), committed[committed.size() / 2]));
  }
  return *median;
}

void AddRaw(RawResult& total, RawResult& one) {
  total.writes += one.writes;
  total.seconds += one.seconds;
  total.cpu_seconds += one.cpu_seconds;
  total.latency.Merge(one.latency);
  if (total.error.empty()) total.error = one.error;
}

void AddChain(ChainResult& total, ChainResult& one) {
  total.completions += one.completions;
  total.starts += one.starts;
  total.seconds += one.seconds;
  total.cpu_seconds += one.cpu_seconds;
  total.latency.Merge(one.latency);
  if (total.errors == 0) total.first_error = one.first_error;
  total.errors += one.errors;
}

std::string RoundP50s(const std::vector<double>& p50s) {
  std::string text;
  for (double p50 : p50s) text += (text.empty() ? "" : " ") + Format("%.2f", p50 / 1000.0);
  return "  (p50 by round, ms: " + text + ")";
}

// Raw synced batches and the engine's synced steps, each at 1 and at `concurrency`, in
// alternating windows so that both see the same disk weather (the disk may be shared).
void RunThroughput(const Config& config, bool raw, bool with_engine, Report& report) {
  BatchShape shape = raw ? MeasureStepBatch(config, report) : BatchShape{};
  std::string raw_dir = FreshDir(config, "raw");
  std::string engine_dir = FreshDir(config, "engine");
  std::unique_ptr<RawWriter> writer;
  if (raw) {
    std::string error;
    writer = RawWriter::Open(raw_dir, shape, error);
    if (!writer) report.Row("1 raw RocksDB", "error: " + error);
  }
  std::unique_ptr<Server> server;
  if (with_engine) {
    auto started = StartServer(config, engine_dir, /*synced=*/true);
    absl::Status problem = started.status();
    if (started.ok()) {
      server = std::move(*started);
      auto put = server->engine->PutStateMachine("chain", ChainDefinition(config.chain_tasks));
      problem = put.status();
      if (!put.ok()) server.reset();
    }
    if (!server) report.Row("2 engine", "error: " + problem.ToString());
  }
  const int levels[2] = {1, config.concurrency};
  RawResult raw_total[2];
  ChainResult chain_total[2];
  std::vector<double> raw_p50s[2];
  std::vector<double> chain_p50s[2];
  for (int round = 1; round <= config.rounds; ++round) {
    Progress(Format("round %d of %d: raw and engine, %.2f s windows", round, config.rounds,
                    config.window));
    for (int k = 0; k < 2; ++k) {
      if (writer) {
        RawResult one;
        writer->Run(levels[k], config.window, one);
        raw_p50s[k].push_back(one.latency.Percentile(50));
        std::fprintf(stderr, "   raw %2d: %6.0f writes/s p50 %.3f ms\n", levels[k],
                     one.WritesPerSecond(), one.latency.Percentile(50) / 1000);
        AddRaw(raw_total[k], one);
      }
      if (server) {
        ChainResult one;
        RunChain(*server->engine, "chain", config.chain_tasks, levels[k], config.window, one);
        chain_p50s[k].push_back(one.latency.Percentile(50));
        std::fprintf(stderr, "   engine %2d: %6.0f steps/s p50 %.3f ms\n", levels[k],
                     one.StepsPerSecond(), one.latency.Percentile(50) / 1000);
        AddChain(chain_total[k], one);
      }
    }
  }
  writer.reset();
  server.reset();
  Discard(config, raw_dir);
  Discard(config, engine_dir);

  for (int k = 0; k < 2 && raw; ++k) {
    std::string label = Format("1 raw synced WriteBatch (%zu B), %d thread%s", shape.data_bytes,
                               levels[k], levels[k] == 1 ? "" : "s");
    RawResult& total = raw_total[k];
    if (!total.error.empty()) report.Row(label + ": error", total.error);
    report.Row(label + ": writes/s",
               Format("%.0f  (CPU %.0f us/write)", total.WritesPerSecond(),
                      total.writes > 0 ? total.cpu_seconds * 1e6 / static_cast<double>(total.writes)
                                       : 0.0));
    report.Row(label + ": latency p50 / p99", Ms(total.latency.Percentile(50)) + " / " +
                                                  Ms(total.latency.Percentile(99)) +
                                                  RoundP50s(raw_p50s[k]));
  }
  for (int k = 0; k < 2 && with_engine; ++k) {
    std::string label = Format("2 engine synced, %d-Task chain, %d execution%s", config.chain_tasks,
                               levels[k], levels[k] == 1 ? "" : "s");
    ChainResult& total = chain_total[k];
    report.Row(
        label + ": steps/s",
        Format("%.0f  (%s completions + %s starts in %.1f s; CPU %.0f us/step)",
               total.StepsPerSecond(), WithCommas(total.completions).c_str(),
               WithCommas(total.starts).c_str(), total.seconds,
               total.Steps() > 0 ? total.cpu_seconds * 1e6 / static_cast<double>(total.Steps())
                                 : 0.0));
    report.Row(label + ": step latency p50 / p99", Ms(total.latency.Percentile(50)) + " / " +
                                                       Ms(total.latency.Percentile(99)) +
                                                       RoundP50s(chain_p50s[k]));
    if (total.errors > 0) {
      report.Row(label + ": errors",
                 Format("%lld, first: ", static_cast<long long>(total.errors)) + total.first_error);
    }
  }
  if (raw && with_engine && raw_total[1].WritesPerSecond() > 0 && raw_total[0].latency.size() > 0) {
    double throughput = chain_total[1].StepsPerSecond() / raw_total[1].WritesPerSecond();
    double latency = chain_total[0].latency.Percentile(50) / raw_total[0].latency.Percentile(50);
    report.Check(Format("2 ratio: engine %d-exec steps/s / raw %d-thread writes/s",
                        config.concurrency, config.concurrency),
                 Format("%.2f", throughput), ">= 0.5", throughput >= 0.5);
    report.Check("2 ratio: engine 1-exec step p50 / raw 1-thread write p50",
                 Format("%.2f", latency), "<= 1.5", latency > 0 && latency <= 1.5);
  }
}

struct StartManyResult {
  double seconds = 0;
  std::int64_t started = 0;
  std::int64_t errors = 0;
  std::string first_error;
};

StartManyResult StartMany(Engine& engine, const std::string& machine, std::int64_t count,
                          int threads) {
  StartManyResult result;
  std::atomic<std::int64_t> next{0};
  std::atomic<std::int64_t> started{0};
  std::atomic<std::int64_t> errors{0};
  std::mutex error_mutex;
  auto begin = SteadyClock::now();
  std::vector<std::thread> starters;
  for (int t = 0; t < threads; ++t) {
    starters.emplace_back([&] {
      for (std::int64_t i; (i = next.fetch_add(1)) < count;) {
        auto id = engine.StartExecution(machine, Format("park-%07lld", static_cast<long long>(i)),
                                        json{{"n", i}});
        if (id.ok()) {
          started.fetch_add(1);
        } else if (errors.fetch_add(1) == 0) {
          std::lock_guard lock(error_mutex);
          result.first_error = id.status().ToString();
        }
      }
    });
  }
  for (std::thread& starter : starters) starter.join();
  result.seconds = SecondsSince(begin);
  result.started = started.load();
  result.errors = errors.load();
  return result;
}

// 100,000 executions parked in a Wait, then a restart over them.
void RunParked(const Config& config, Report& report) {
  std::string dir = FreshDir(config, "parked");
  std::string count = WithCommas(config.parked);
  {
    Progress("parking " + count + " executions in a Wait (Seconds 3600), synced");
    auto server = StartServer(config, dir, /*synced=*/true);
    if (!server.ok()) {
      report.Row("3 parked executions", "error: " + server.status().ToString());
      Discard(config, dir);
      return;
    }
    Engine& engine = *(*server)->engine;
    if (auto put = engine.PutStateMachine("park", kWaitDefinition); !put.ok()) {
      report.Row("3 parked executions", "error: " + put.status().ToString());
      return;
    }
    TrimHeap();
    std::int64_t before = RssKib();
    StartManyResult started = StartMany(engine, "park", config.parked, config.concurrency);
    std::int64_t after = RssKib();
    std::int64_t heap = HeapInUseBytes();
    TrimHeap();
    std::int64_t trimmed = RssKib();
    report.Row("3 start " + count + " parked executions (64 threads, synced)",
               Format("%.2f s  (%.0f starts/s)", started.seconds,
                      static_cast<double>(started.started) / started.seconds));
    if (started.errors > 0) {
      report.Row("3 start errors", Format("%lld, first: ", static_cast<long long>(started.errors)) +
                                       started.first_error);
    }
    report.Check(
        "3 RSS with " + count + " parked",
        Mib(after) + Format("  (%s before starting; %s after malloc_trim; heap in use "
                            "%s; %.0f B per execution)",
                            Mib(before).c_str(), Mib(trimmed).c_str(), Mib(heap / 1024).c_str(),
                            static_cast<double>(after - before) * 1024.0 /
                                static_cast<double>(std::max<std::int64_t>(started.started, 1))),
        "< 300 MB", after < 300 * 1024);
  }
  // The server is closed: reopen and recover.
  Progress("recovering " + count + " unfinished executions");
  TrimHeap();
  std::int64_t before = RssKib();
  auto begin = SteadyClock::now();
  auto store = OpenStore(config, dir, /*synced=*/true);
  if (!store.ok()) {
    report.Row("5 recovery", "error: " + store.status().ToString());
    Discard(config, dir);
    return;
  }
  double opened = SecondsSince(begin);
  {
    Server server;
    server.store = std::move(*store);
    server.engine = std::make_unique<Engine>(*server.store, SystemClock());
    absl::Status recovered = server.engine->Recover();
    double recovered_at = SecondsSince(begin);
    auto first = server.engine->StartExecution("park", "after-recovery", json{{"n", -1}});
    double served_at = SecondsSince(begin);
    if (!recovered.ok() || !first.ok()) {
      report.Row("5 recovery",
                 "error: " + (!recovered.ok() ? recovered.ToString() : first.status().ToString()));
    } else {
      report.Check("5 recovery with " + count + " unfinished: ready to serve",
                   Format("%.2f s  (open store %.2f s, Recover() %.2f s, first start %.3f s)",
                          served_at, opened, recovered_at - opened, served_at - recovered_at),
                   "seconds", served_at < 10);
      report.Row("5 RSS after recovery", Mib(RssKib()) + "  (" + Mib(before) + " before)");
    }
  }
  Discard(config, dir);
}

// The state of the loop execution as the store holds it, history aside.
struct StoredState {
  std::int64_t execution_bytes = 0;  // non-history keys that name the execution
  std::int64_t execution_keys = 0;
  std::int64_t other_bytes = 0;  // every other non-history key (the definition, indexes)
  std::int64_t history_bytes = 0;
  std::int64_t history_keys = 0;
  std::string families;
  std::string error;
};

bool IsHistoryFamily(const std::string& name) { return name.find("hist") != std::string::npos; }

StoredState MeasureState(const std::string& dir, const std::string& execution_id) {
  StoredState state;
  std::string scratch = dir + "-secondary";
  std::vector<FamilySize> sizes =
      MeasureStoredSizesInChild(dir, scratch, execution_id, state.error);
  for (const FamilySize& size : sizes) {
    if (IsHistoryFamily(size.name)) {
      state.history_bytes += size.bytes;
      state.history_keys += size.keys;
      continue;
    }
    state.execution_bytes += size.matched_bytes;
    state.execution_keys += size.matched_keys;
    state.other_bytes += size.bytes - size.matched_bytes;
    if (size.matched_keys > 0) {
      if (!state.families.empty()) state.families += ", ";
      state.families += Format("%s %lld keys %lld B", size.name.c_str(),
                               static_cast<long long>(size.matched_keys),
                               static_cast<long long>(size.matched_bytes));
    }
  }
  return state;
}

std::string DescribeState(const StoredState& state) {
  if (!state.error.empty() && state.execution_keys == 0) return "error: " + state.error;
  return Format("%s B in %lld keys (%s; other non-history keys %s B; history %s keys, %s B)",
                WithCommas(state.execution_bytes).c_str(),
                static_cast<long long>(state.execution_keys), state.families.c_str(),
                WithCommas(state.other_bytes).c_str(), WithCommas(state.history_keys).c_str(),
                WithCommas(state.history_bytes).c_str());
}

// The resident set over a window of iterations [from, to) of the loop run.
struct WindowLevel {
  std::int64_t median = 0;
  std::int64_t peak = 0;
  std::size_t samples = 0;
};

template <typename Sample>
WindowLevel RssLevel(const std::vector<Sample>& samples, std::int64_t from, std::int64_t to) {
  std::vector<std::int64_t> in_window;
  for (const Sample& sample : samples) {
    if (sample.iteration >= from && sample.iteration < to) in_window.push_back(sample.rss);
  }
  WindowLevel level;
  level.samples = in_window.size();
  if (in_window.empty()) return level;
  std::sort(in_window.begin(), in_window.end());
  level.median = in_window[in_window.size() / 2];
  level.peak = in_window.back();
  return level;
}

// The root frame's `i` of the loop execution (-1 when it cannot be read).
std::int64_t LoopIteration(engine::Store& store, const std::string& id) {
  auto state = store.LoadExecution(id);
  if (!state.ok()) return -1;
  for (const auto& [frame_id, frame] : state->frames) {
    if (frame.parent == 0 && frame.input.is_object()) {
      auto it = frame.input.find("i");
      if (it != frame.input.end() && it->is_number_integer()) return it->get<std::int64_t>();
    }
  }
  return -1;
}

void RunLoop(const Config& config, Report& report) {
  std::string n = WithCommas(config.loop_n);
  const char* sync = config.loop_synced ? "synced" : "unsynced";
  Progress(Format("a %s-iteration loop.json run (%s)", n.c_str(), sync));
  std::string dir = FreshDir(config, "loop");
  std::string label = Format("4 loop n=%s (%s)", n.c_str(), sync);
  auto server = StartServer(config, dir, config.loop_synced);
  if (!server.ok()) {
    report.Row(label, "error: " + server.status().ToString());
    Discard(config, dir);
    return;
  }
  Engine& engine = *(*server)->engine;
  engine::Store& store = *(*server)->store;
  if (auto put = engine.PutStateMachine("loop", kLoopDefinition); !put.ok()) {
    report.Row(label, "error: " + put.status().ToString());
    server->reset();
    Discard(config, dir);
    return;
  }
  TrimHeap();
  std::int64_t rss_before = RssKib();

  struct Milestone {
    std::int64_t at;
    std::int64_t iteration = -1;
    std::int64_t rss = 0;
    std::int64_t heap = 0;
    double seconds = 0;
  };
  std::vector<Milestone> milestones;
  for (std::int64_t at : {config.loop_mark, config.loop_n / 10, config.loop_n / 4,
                          config.loop_n / 2, config.loop_n * 3 / 4}) {
    milestones.push_back(Milestone{at});
  }
  std::atomic<bool> done{false};
  std::int64_t peak_after_mark = 0;
  // RSS rises and falls as memtables fill and are flushed and as freed memory waits to be handed
  // back; growth with history length shows as a higher level late in the run than early in it.
  // The level of a window is its median sample (a peak is one transient, and the longer the
  // window the higher it is likely to be), over two windows of as many iterations: just after
  // the mark, [mark, n/10), and the run's last iterations.
  struct RssSample {
    std::int64_t iteration;
    std::int64_t rss;
  };
  std::vector<RssSample> samples;  // written by the monitor thread only until it is joined
  StoredState state_at_mark;
  StoredState state_at_half;
  std::string id;
  std::mutex id_mutex;
  std::atomic<bool> have_id{false};
  auto begin = SteadyClock::now();

  std::thread monitor([&] {
    while (!have_id.load() && !done.load())
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    std::string execution;
    {
      std::lock_guard lock(id_mutex);
      execution = id;
    }
    while (!done.load()) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      std::int64_t i = LoopIteration(store, execution);
      std::int64_t rss = RssKib();
      std::int64_t heap = HeapInUseBytes();
      double at = SecondsSince(begin);
      if (i >= config.loop_mark) peak_after_mark = std::max(peak_after_mark, rss);
      if (i >= config.loop_mark) samples.push_back(RssSample{i, rss});
      for (std::size_t m = 0; m < milestones.size(); ++m) {
        Milestone& milestone = milestones[m];
        if (milestone.iteration >= 0 || i < milestone.at) continue;
        milestone.iteration = i;
        milestone.rss = rss;
        milestone.heap = heap;
        milestone.seconds = at;
        if (m == 0) state_at_mark = MeasureState(dir, execution);
        if (m == 3) state_at_half = MeasureState(dir, execution);
      }
    }
  });

  auto started = engine.StartExecution("loop", "loop-1", json{{"i", 0}, {"n", config.loop_n}});
  if (started.ok()) {
    std::lock_guard lock(id_mutex);
    id = *started;
  }
  have_id.store(true);
  absl::StatusOr<engine::ExecutionSummary> summary =
      started.ok() ? engine.AwaitExecution(*started, std::chrono::hours(2)) : started.status();
  double seconds = SecondsSince(begin);
  std::int64_t rss_end = RssKib();
  std::int64_t heap_end = HeapInUseBytes();
  done.store(true);
  monitor.join();
  peak_after_mark = std::max(peak_after_mark, rss_end);
  samples.push_back(RssSample{config.loop_n, rss_end});

  if (!summary.ok()) {
    report.Row(label, "error: " + summary.status().ToString());
  } else {
    bool right = summary->status == engine::ExecutionStatus::kSucceeded &&
                 summary->output == json({{"i", config.loop_n}, {"n", config.loop_n}});
    double transitions = 2.0 * static_cast<double>(config.loop_n) + 1;
    report.Row(label + ": time, transitions/s",
               Format("%.2f s, %.0f/s  (%s)", seconds, transitions / seconds,
                      right ? "output checked"
                            : ("WRONG: " + std::string(engine::StatusName(summary->status)) + " " +
                               summary->output.dump() + " " + summary->error)
                                  .c_str()));
    const Milestone& mark = milestones.front();
    if (mark.iteration < 0) {
      report.Row(label + ": RSS",
                 "the run ended before a sample at the mark; end: " + Mib(rss_end));
    } else {
      double growth =
          100.0 * static_cast<double>(rss_end - mark.rss) / static_cast<double>(mark.rss);
      double peak_growth =
          100.0 * static_cast<double>(peak_after_mark - mark.rss) / static_cast<double>(mark.rss);
      report.Row(label + ": RSS at iteration " + WithCommas(mark.iteration),
                 Mib(mark.rss) + "  (" + Mib(rss_before) + " before starting)");
      report.Row(label + ": RSS at the end / peak after the mark",
                 Mib(rss_end) + Format(" (%+.1f%%) / %s (%+.1f%%)", growth,
                                       Mib(peak_after_mark).c_str(), peak_growth));
      std::int64_t window = config.loop_n / 10 - config.loop_mark;
      WindowLevel early = RssLevel(samples, config.loop_mark, config.loop_mark + window);
      WindowLevel late = RssLevel(samples, config.loop_n - window, config.loop_n + 1);
      if (early.samples > 0 && late.samples > 0) {
        double growth = 100.0 * static_cast<double>(late.median - early.median) /
                        static_cast<double>(early.median);
        double peak_growth =
            100.0 * static_cast<double>(late.peak - early.peak) / static_cast<double>(early.peak);
        report.Check(
            label + Format(": RSS growth, median of the last %s iterations over median of "
                           "iterations %s to %s",
                           WithCommas(window).c_str(), WithCommas(config.loop_mark).c_str(),
                           WithCommas(config.loop_mark + window).c_str()),
            Format("%+.1f%%  (%s to %s; %zu and %zu samples; peaks %s to %s, %+.1f%%)", growth,
                   Mib(early.median).c_str(), Mib(late.median).c_str(), early.samples, late.samples,
                   Mib(early.peak).c_str(), Mib(late.peak).c_str(), peak_growth),
            "< 10% growth", growth < 10.0);
      }
      std::string curve;
      for (const Milestone& milestone : milestones) {
        if (milestone.iteration < 0) continue;
        if (!curve.empty()) curve += ", ";
        curve += Format("i=%s: %s (heap %s) at %.1f s", WithCommas(milestone.iteration).c_str(),
                        Mib(milestone.rss).c_str(), Mib(milestone.heap / 1024).c_str(),
                        milestone.seconds);
      }
      report.Note("loop RSS (and heap in use) by iteration: " + curve +
                  Format(", end: %s (heap %s) at %.1f s", Mib(rss_end).c_str(),
                         Mib(heap_end / 1024).c_str(), seconds));
    }
    auto state_check = [&](const std::string& when, const StoredState& state) {
      if (state.execution_keys == 0 && state.error.empty()) return;
      report.Check(label + ": stored state, history aside, " + when, DescribeState(state),
                   "< 64 KB", state.error.empty() && state.execution_bytes < 64 * 1024);
    };
    state_check("at iteration " + WithCommas(milestones[0].iteration), state_at_mark);
    state_check("at iteration " + WithCommas(milestones[3].iteration), state_at_half);
    if (started.ok()) state_check("at the end", MeasureState(dir, *started));
  }
  server->reset();
  Discard(config, dir);
}

// --- main ------------------------------------------------------------------------------------

bool ParseArgs(int argc, char** argv, Config& config) {
  std::string dir;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--quick") {
      config.quick = true;
    } else if (arg == "--keep") {
      config.keep = true;
    } else if (arg == "--keep-freed-memory") {
      config.release_memory = false;
    } else if (arg == "--unsynced-loop") {
      config.loop_synced = false;
    } else if ((arg == "--memtable-mb" || arg == "--cache-mb") && i + 1 < argc) {
      std::size_t bytes = static_cast<std::size_t>(std::stoull(argv[++i])) << 20;
      (arg == "--memtable-mb" ? config.memtable_bytes : config.cache_bytes) = bytes;
    } else if (arg == "--loop-iterations" && i + 1 < argc) {
      config.loop_n = std::stoll(argv[++i]);
    } else if (arg == "--dir" && i + 1 < argc) {
      dir = argv[++i];
    } else if (arg == "--only" && i + 1 < argc) {
      config.phases.clear();
      std::stringstream list(argv[++i]);
      for (std::string phase; std::getline(list, phase, ',');) {
        if (phase != "raw" && phase != "engine" && phase != "parked" && phase != "loop") {
          std::fprintf(stderr, "unknown phase '%s'\n%s", phase.c_str(), kUsage);
          return false;
        }
        config.phases.insert(phase);
      }
    } else {
      std::fprintf(stderr, "%s", kUsage);
      return false;
    }
  }
  if (config.quick) {
    config.rounds = 2;
    config.window = 0.25;
    config.parked /= 100;
    config.loop_n /= 100;
    config.loop_mark /= 100;
  }
  std::error_code code;
  if (dir.empty()) {
    std::string pattern = std::string(STEPWISE_BENCH_DEFAULT_ROOT) + "/durable-bench-XXXXXX";
    fs::create_directories(STEPWISE_BENCH_DEFAULT_ROOT, code);
    if (mkdtemp(pattern.data()) == nullptr) {
      std::fprintf(stderr, "cannot create a directory like %s\n", pattern.c_str());
      return false;
    }
    config.root = pattern;
    config.made_root = true;
  } else {
    fs::create_directories(dir, code);
    if (code) {
      std::fprintf(stderr, "cannot create %s: %s\n", dir.c_str(), code.message().c_str());
      return false;
    }
    config.root = fs::weakly_canonical(dir, code).string();
  }
  return true;
}

int Main(int argc, char** argv) {
  if (argc == 5 && std::string(argv[1]) == "--stored-size") {
    return StoredSizeChildMain(argv[2], argv[3], argv[4]);
  }
  Config config;
  if (!ParseArgs(argc, argv, config)) return 2;
  Report report;
  bool tmpfs = false;
  report.Note(Format("durable_bench%s: data in %s (%s), %u cores", config.quick ? " --quick" : "",
                     config.root.c_str(), DescribeFilesystem(config.root, tmpfs).c_str(),
                     std::thread::hardware_concurrency()));
  if (tmpfs) report.Note("WARNING: tmpfs keeps data in memory; fsync costs nothing there.");
  if (config.memtable_bytes > 0 || config.cache_bytes > 0) {
    report.Note(
        Format("stores opened with memtable_bytes %zu MiB, block_cache_bytes %zu MiB "
               "(0: the default)",
               config.memtable_bytes >> 20, config.cache_bytes >> 20));
  }

  bool raw = config.phases.count("raw") > 0;
  bool with_engine = config.phases.count("engine") > 0;
  if (raw || with_engine) RunThroughput(config, raw, with_engine, report);
  if (config.phases.count("parked") > 0) RunParked(config, report);
  if (config.phases.count("loop") > 0) RunLoop(config, report);

  report.Print();
  if (config.made_root && !config.keep) {
    std::error_code ignored;
    fs::remove_all(config.root, ignored);
  }
  return 0;
}

}  // namespace
}  // namespace stepwise::bench

int main(int argc, char** argv) { return stepwise::bench::Main(argc, argv); }
