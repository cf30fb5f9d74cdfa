// GET /v1/executions/{id}/events: an execution's history as server-sent events, live.
#include <charconv>
#include <chrono>
#include <limits>
#include <memory>
#include <string>
#include <utility>

#include "api/rest/query_reader.h"
#include "api/rest/rest_json.h"
#include "api/rest/rest_resources.h"

namespace stepwise::api::rest {

using nlohmann::json;

namespace {

namespace http = boost::beast::http;

// Events read per chunk: a long history goes out in chunks of this many.
constexpr int kEventsPerChunk = 100;
// A quiet stream sends a comment this often, so that a client gone away is noticed (the write
// fails) and proxies do not close it for idleness.
constexpr std::chrono::milliseconds kKeepAlive{15'000};

std::string EventText(std::string_view name, const json& data, std::int64_t id) {
  std::string text;
  if (id > 0) text += "id: " + std::to_string(id) + "\n";
  text += "event: " + std::string(name) + "\ndata: " + data.dump() + "\n\n";
  return text;
}

// What one stream has sent; pulled by one connection, one pull at a time.
struct Feed : std::enable_shared_from_this<Feed> {
  Feed(engine::Engine& engine, engine::Store& store, std::string id, std::int64_t last)
      : engine(engine), store(store), execution_id(std::move(id)), last_sent(last) {}

  void Pull(StreamingResponse::Next next) {
    std::string prefix;
    if (first) {
      first = false;
      prefix = "retry: 2000\n\n";  // an EventSource reconnects after 2 s, with Last-Event-ID
    }
    // The execution is described before its history is read: if it had ended by then, every
    // event it will ever have is in that read, so an empty read means the end (whatever its
    // last_event_id says: history retention may have removed events it counts).
    auto summary = store.DescribeExecution(execution_id);
    if (!summary.ok()) return next(prefix + Failure(summary.status()), true);
    auto events = store.ReadHistory(execution_id, last_sent + 1, kEventsPerChunk);
    if (!events.ok()) return next(prefix + Failure(events.status()), true);
    if (!events->empty()) {
      std::string text = prefix;
      for (const engine::StoredHistoryEvent& event : *events) {
        text += EventText(event.type, HistoryEventJson(event), event.id);
      }
      last_sent = events->back().id;
      return next(std::move(text), false);
    }
    if (summary->status != engine::ExecutionStatus::kRunning) {
      return next(prefix + EventText("end", {{"status", engine::StatusName(summary->status)}}, 0),
                  true);
    }
    if (!prefix.empty())
      next = [next, prefix](std::string chunk, bool last) { next(prefix + chunk, last); };
    // Woken by the next commit of the execution (or the keep-alive interval): a comment goes
    // out, and the pull that follows its write reads what came.
    engine.AwaitHistoryAsync(execution_id, last_sent, kKeepAlive,
                             [next](absl::StatusOr<std::int64_t> latest) {
                               if (!latest.ok()) return next(Failure(latest.status()), true);
                               next(":\n\n", false);
                             });
  }

  static std::string Failure(const absl::Status& status) {
    return EventText("error", {{"message", std::string(status.message())}}, 0);
  }

  engine::Engine& engine;
  engine::Store& store;
  const std::string execution_id;
  std::int64_t last_sent;
  bool first = true;
};

}  // namespace

absl::StatusOr<StreamingResponse> ExecutionEvents(Sources& sources, const RequestTarget& target,
                                                  const std::string& id,
                                                  std::string_view last_event_id) {
  QueryReader query(target);
  std::int64_t after = query.Int("after", 0, 0, std::numeric_limits<std::int64_t>::max() - 1);
  if (absl::Status checked = query.Check({"after"}); !checked.ok()) return checked;
  if (!last_event_id.empty()) {
    // A reconnecting EventSource says where it stopped; that wins over `after`.
    auto [end, error] =
        std::from_chars(last_event_id.data(), last_event_id.data() + last_event_id.size(), after);
    if (error != std::errc() || end != last_event_id.data() + last_event_id.size() || after < 0) {
      return absl::InvalidArgumentError("Last-Event-ID '" + std::string(last_event_id) +
                                        "' is not an event id; send the id of the last event "
                                        "received, or none");
    }
  }
  auto summary = sources.store.DescribeExecution(id);
  if (!summary.ok()) return summary.status();
  auto feed = std::make_shared<Feed>(sources.engine, sources.store, id, after);
  StreamingResponse response;
  response.head.result(http::status::ok);
  response.head.set(http::field::content_type, "text/event-stream; charset=utf-8");
  response.head.set(http::field::cache_control, "no-cache");
  response.head.set("X-Accel-Buffering", "no");  // nginx: pass events on as they come
  response.pull = [feed](StreamingResponse::Next next) { feed->Pull(std::move(next)); };
  return response;
}

}  // namespace stepwise::api::rest
