// GET /v1/executions[/{id}[/history]]
#include <algorithm>
#include <cctype>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/rest/query_reader.h"
#include "api/rest/rest_json.h"
#include "api/rest/rest_resources.h"

namespace stepwise::api::rest {

using nlohmann::json;

namespace {

constexpr std::int64_t kDefaultPage = 100;
constexpr std::int64_t kMaxPage = 1000;

// "RUNNING" (any case) and the other statuses as Step Functions spells them.
std::optional<engine::ExecutionStatus> ParseStatus(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  for (engine::ExecutionStatus status :
       {engine::ExecutionStatus::kRunning, engine::ExecutionStatus::kSucceeded,
        engine::ExecutionStatus::kFailed, engine::ExecutionStatus::kTimedOut,
        engine::ExecutionStatus::kAborted}) {
    if (text == engine::StatusName(status)) return status;
  }
  return std::nullopt;
}

}  // namespace

absl::StatusOr<json> ListExecutions(Sources& sources, const RequestTarget& target) {
  QueryReader query(target);
  engine::ExecutionFilter filter;
  filter.machine_name = query.Text("machine").value_or("");
  if (std::optional<std::string> status = query.Text("status")) {
    filter.status = ParseStatus(*status);
    if (!filter.status) {
      query.Fail("status='" + *status +
                 "' is not a status; write RUNNING, SUCCEEDED, FAILED, TIMED_OUT or ABORTED");
    }
  }
  filter.started_after = query.Time("started_after");
  filter.started_before = query.Time("started_before");
  std::int64_t limit = query.Int("limit", kDefaultPage, 1, kMaxPage);
  std::string token = query.Text("page_token").value_or("");
  if (absl::Status checked = query.Check(
          {"machine", "status", "started_after", "started_before", "limit", "page_token"});
      !checked.ok()) {
    return checked;
  }
  auto page = sources.store.ListExecutions(filter, token, static_cast<int>(limit));
  if (!page.ok()) return page.status();
  json executions = json::array();
  executions.get_ref<json::array_t&>().reserve(page->executions.size());
  for (engine::ExecutionSummary& summary : page->executions) {
    executions.push_back(ExecutionJson(std::move(summary)));
  }
  return json{{"executions", std::move(executions)},
              {"next_page_token",
               page->next_page_token.empty() ? json(nullptr) : json(page->next_page_token)}};
}

absl::StatusOr<json> DescribeExecution(Sources& sources, const RequestTarget& target,
                                       const std::string& id) {
  if (absl::Status checked = QueryReader(target).Check({}); !checked.ok()) return checked;
  auto summary = sources.store.DescribeExecution(id);
  if (!summary.ok()) return summary.status();
  bool running = summary->status == engine::ExecutionStatus::kRunning;
  json out = ExecutionJson(*std::move(summary));
  engine::ExecutionFilter children;
  children.parent_execution_id = id;
  json child_ids = json::array();
  std::string token;
  do {
    auto page = sources.store.ListExecutions(children, token, static_cast<int>(kMaxPage));
    if (!page.ok()) return page.status();
    for (const engine::ExecutionSummary& child : page->executions) {
      child_ids.push_back(child.info.execution_id);
    }
    token = page->next_page_token;
  } while (!token.empty());
  out["child_execution_ids"] = std::move(child_ids);
  json current = json::array();
  if (running) {
    auto states = sources.engine.CurrentStates(id);
    // Ended between the two reads: no current state, which is what the next read would say.
    if (!states.ok() && !absl::IsNotFound(states.status())) return states.status();
    if (states.ok()) {
      for (const engine::ActiveState& state : *states) current.push_back(ActiveStateJson(state));
    }
  }
  out["current_states"] = std::move(current);
  return out;
}

// Events after `after` in the order asked for: ids above it, oldest first, or (reverse) ids
// below it, newest first, where after=0 starts at the newest. next_after continues the reading;
// null when no event followed the page (a running execution may add some later).
absl::StatusOr<json> ExecutionHistory(Sources& sources, const RequestTarget& target,
                                      const std::string& id) {
  QueryReader query(target);
  std::int64_t after = query.Int("after", 0, 0, std::numeric_limits<std::int64_t>::max() - 1);
  std::int64_t limit = query.Int("limit", kDefaultPage, 1, kMaxPage);
  bool reverse = query.Bool("reverse", false);
  if (absl::Status checked = query.Check({"after", "limit", "reverse"}); !checked.ok()) {
    return checked;
  }
  auto summary = sources.store.DescribeExecution(id);
  if (!summary.ok()) return summary.status();
  // One event more than the page: whether it is there says whether to offer next_after.
  int wanted = static_cast<int>(limit) + 1;
  std::vector<engine::StoredHistoryEvent> events;
  if (!reverse) {
    auto read =
        sources.store.ReadHistory(id, after + 1, wanted, engine::HistoryOrder::kOldestFirst);
    if (!read.ok()) return read.status();
    events = *std::move(read);
  } else if (after != 1) {  // nothing comes before the first event
    auto read = sources.store.ReadHistory(id, after == 0 ? 0 : after - 1, wanted,
                                          engine::HistoryOrder::kNewestFirst);
    if (!read.ok()) return read.status();
    events = *std::move(read);
  }
  bool more = static_cast<std::int64_t>(events.size()) > limit;
  if (more) events.pop_back();
  json out_events = json::array();
  for (const engine::StoredHistoryEvent& event : events) {
    out_events.push_back(HistoryEventJson(event));
  }
  return json{{"events", std::move(out_events)},
              {"next_after", more ? json(events.back().id) : json(nullptr)}};
}

}  // namespace stepwise::api::rest
