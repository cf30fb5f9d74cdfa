#include "api/rest/prometheus_text.h"

#include <charconv>
#include <string_view>

namespace stepwise::api {
namespace {

// Shortest text that reads back as the same double ("0.0005", "2.5", "1e-07").
std::string Number(double value) {
  char buffer[32];
  auto [end, error] = std::to_chars(buffer, buffer + sizeof buffer, value);
  return error == std::errc() ? std::string(buffer, end) : std::to_string(value);
}

// A label value, escaped as the format asks: backslash, double quote and line feed.
std::string Escaped(std::string_view value) {
  std::string out;
  for (char c : value) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '"') {
      out += "\\\"";
    } else if (c == '\n') {
      out += "\\n";
    } else {
      out += c;
    }
  }
  return out;
}

class Writer {
 public:
  void Header(std::string_view name, std::string_view type, std::string_view help) {
    out_ += "# HELP stepwise_" + std::string(name) + " " + std::string(help) + "\n";
    out_ += "# TYPE stepwise_" + std::string(name) + " " + std::string(type) + "\n";
  }
  // `labels` is "" or `key="value",...` already escaped.
  void Sample(std::string_view name, const std::string& labels, const std::string& value) {
    out_ += "stepwise_" + std::string(name);
    if (!labels.empty()) out_ += "{" + labels + "}";
    out_ += " " + value + "\n";
  }
  void Sample(std::string_view name, const std::string& labels, std::int64_t value) {
    Sample(name, labels, std::to_string(value));
  }
  void Histogram(std::string_view name, const std::string& labels,
                 const engine::LatencyHistogram::Snapshot& histogram) {
    std::string prefix = labels.empty() ? "" : labels + ",";
    std::uint64_t cumulative = 0;
    for (std::size_t i = 0; i < engine::LatencyHistogram::kBounds.size(); ++i) {
      cumulative += histogram.buckets[i];
      Sample(std::string(name) + "_bucket",
             prefix + "le=\"" + Number(engine::LatencyHistogram::kBounds[i]) + "\"",
             std::to_string(cumulative));
    }
    Sample(std::string(name) + "_bucket", prefix + "le=\"+Inf\"", std::to_string(histogram.count));
    Sample(std::string(name) + "_sum", labels, Number(histogram.sum_seconds));
    Sample(std::string(name) + "_count", labels, std::to_string(histogram.count));
  }
  std::string Take() { return std::move(out_); }

 private:
  std::string out_;
};

std::string Label(std::string_view key, std::string_view value) {
  return std::string(key) + "=\"" + Escaped(value) + "\"";
}

}  // namespace

std::string PrometheusText(const MetricsScrape& scrape) {
  Writer out;
  const engine::EngineMetrics& engine = scrape.engine;
  out.Header("executions_started_total", "counter", "Executions started since the server started.");
  out.Sample("executions_started_total", "", engine.executions_started);
  out.Header("executions_finished_total", "counter",
             "Executions that reached a final status since the server started, by status.");
  for (const auto& [status, count] : engine.executions_finished) {
    out.Sample("executions_finished_total", Label("status", status), count);
  }
  out.Header("state_transitions_total", "counter", "States entered since the server started.");
  out.Sample("state_transitions_total", "", engine.state_transitions);
  out.Header("step_commit_seconds", "histogram", "Time to commit one step to the store.");
  out.Histogram("step_commit_seconds", "", engine.step_commit);
  out.Header("timers_pending", "gauge", "Timers armed and not yet fired.");
  out.Sample("timers_pending", "", engine.timers_pending);
  out.Header("polls_waiting", "gauge", "Long polls of workers waiting for a task.");
  out.Sample("polls_waiting", "", engine.polls_waiting);
  out.Header("workers", "gauge", "Workers heard from in the last hour.");
  out.Sample("workers", "", scrape.workers);

  out.Header("task_dispatch_seconds", "histogram",
             "Time from a task being ready to its hand-over to a worker, by function.");
  for (const auto& [function, histogram] : engine.task_dispatch) {
    out.Histogram("task_dispatch_seconds", Label("function", function), histogram);
  }
  out.Header("task_queue_depth", "gauge", "Tasks waiting for a worker, by function.");
  for (const engine::FunctionStatus& status : scrape.functions) {
    out.Sample("task_queue_depth", Label("function", status.limits.name), status.queued);
  }
  out.Header("function_in_flight", "gauge", "Invocations handed to workers and not over.");
  for (const engine::FunctionStatus& status : scrape.functions) {
    out.Sample("function_in_flight", Label("function", status.limits.name), status.in_flight);
  }
  out.Header("function_invocations_total", "counter",
             "Invocations over, by function and outcome (refused: failed at once, circuit open).");
  for (const engine::FunctionStatus& status : scrape.functions) {
    std::string function = Label("function", status.limits.name);
    out.Sample("function_invocations_total", function + "," + Label("outcome", "succeeded"),
               status.succeeded);
    out.Sample("function_invocations_total", function + "," + Label("outcome", "failed"),
               status.failed);
    out.Sample("function_invocations_total", function + "," + Label("outcome", "refused"),
               status.refused);
  }
  out.Header("function_cold_starts_total", "counter",
             "Invocations run by a freshly started instance, as workers report them.");
  for (const engine::FunctionStatus& status : scrape.functions) {
    out.Sample("function_cold_starts_total", Label("function", status.limits.name),
               status.cold_starts);
  }
  out.Header("function_circuit_state", "gauge",
             "1 for the state each function's circuit breaker is in, 0 for the others.");
  for (const engine::FunctionStatus& status : scrape.functions) {
    std::string function = Label("function", status.limits.name);
    for (engine::CircuitState state : {engine::CircuitState::kClosed, engine::CircuitState::kOpen,
                                       engine::CircuitState::kHalfOpen}) {
      out.Sample("function_circuit_state",
                 function + "," + Label("state", engine::CircuitStateName(state)),
                 status.circuit == state ? 1 : 0);
    }
  }
  out.Header("function_circuit_opened_total", "counter", "How often each circuit opened.");
  for (const engine::FunctionStatus& status : scrape.functions) {
    out.Sample("function_circuit_opened_total", Label("function", status.limits.name),
               status.circuit_opened);
  }

  out.Header("store_live_data_bytes", "gauge", "Estimated size of the stored data, compacted.");
  out.Sample("store_live_data_bytes", "", scrape.store.live_data_bytes);
  out.Header("store_sst_files_bytes", "gauge", "Size of the store's table files on disk.");
  out.Sample("store_sst_files_bytes", "", scrape.store.sst_files_bytes);
  out.Header("store_memtable_bytes", "gauge", "Size of the store's writes held in memory.");
  out.Sample("store_memtable_bytes", "", scrape.store.memtable_bytes);
  out.Header("store_keys", "gauge", "Estimated number of keys in the store.");
  out.Sample("store_keys", "", scrape.store.keys);
  return out.Take();
}

}  // namespace stepwise::api
