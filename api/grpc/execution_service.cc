#include "api/grpc/execution_service.h"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <chrono>
#include <deque>
#include <limits>
#include <mutex>
#include <string>

#include "api/grpc/execution_links.h"
#include "api/grpc/proto_convert.h"
#include "api/grpc/status_mapping.h"

namespace stepwise::api {
namespace {

using nlohmann::json;

constexpr std::int64_t kDefaultSyncTimeoutMs = 60'000;
constexpr std::int64_t kMaxSyncTimeoutMs = 3'600'000;
// A watch or sync start waits for news this long at a time, so that a cancelled call is
// finished within this long of its cancellation.
constexpr std::chrono::milliseconds kWatchWindow{2'000};

grpc::Status BadPageToken() {
  return InvalidArgument("page_token is not one this server gave; pass next_page_token as it came");
}

// History page tokens: the id to go on from, in decimal.
std::optional<std::int64_t> ParseHistoryToken(const std::string& token) {
  std::int64_t id = 0;
  auto parsed = std::from_chars(token.data(), token.data() + token.size(), id);
  if (parsed.ec != std::errc() || parsed.ptr != token.data() + token.size() || id < 1) {
    return std::nullopt;
  }
  return id;
}

}  // namespace

// --- start, stop, redrive --------------------------------------------------------------------

grpc::ServerUnaryReactor* ExecutionService::StartExecution(grpc::CallbackServerContext* context,
                                                           const v1::StartExecutionRequest* request,
                                                           v1::StartExecutionResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  if (!request->name().empty()) {
    if (absl::Status named = CheckName("the execution name", request->name()); !named.ok()) {
      return Finish(context, ToGrpcStatus(named));
    }
  }
  auto input = ParseJsonField("input", request->input(), json::object());
  if (!input.ok()) return Finish(context, ToGrpcStatus(input.status()));
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine_.StartExecutionAsync(
      request->state_machine(), request->name(), *std::move(input),
      [reactor, response](absl::StatusOr<engine::StartedExecution> started) {
        if (!started.ok()) return reactor->Finish(ToGrpcStatus(started.status()));
        response->set_execution_id(started->execution_id);
        SetMillis(started->start_time, *response->mutable_start_time());
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

// Starts, then waits for the end in windows of kWatchWindow, holding no thread in between.
class ExecutionService::SyncStart {
 public:
  static void Begin(ExecutionService& service, grpc::CallbackServerContext* context,
                    grpc::ServerUnaryReactor* reactor, const v1::StartExecutionRequest& start,
                    json input, std::int64_t deadline, v1::Execution* response) {
    service.engine_.StartExecutionAsync(
        start.state_machine(), start.name(), std::move(input),
        [&service, context, reactor, deadline,
         response](absl::StatusOr<engine::StartedExecution> started) {
          if (!started.ok()) return reactor->Finish(ToGrpcStatus(started.status()));
          // No look at the store here: the watch reads it once it is registered, and answers at
          // once if the execution has ended already.
          Await(service, context, reactor, started->execution_id, deadline, response);
        });
  }

 private:
  // An event id no execution reaches: the watch answers only when the execution ends (or its
  // window does), not at each of its steps.
  static constexpr std::int64_t kOnlyTheEnd = std::numeric_limits<std::int64_t>::max();

  static void Await(ExecutionService& service, grpc::CallbackServerContext* context,
                    grpc::ServerUnaryReactor* reactor, const std::string& id, std::int64_t deadline,
                    v1::Execution* response) {
    std::int64_t left = deadline - NowMillis();
    auto wait =
        std::clamp(std::chrono::milliseconds(left), std::chrono::milliseconds(0), kWatchWindow);
    service.engine_.AwaitHistoryAsync(
        id, kOnlyTheEnd, wait,
        [&service, context, reactor, id, deadline, response](absl::StatusOr<std::int64_t> latest) {
          if (!latest.ok()) return reactor->Finish(ToGrpcStatus(latest.status()));
          Check(service, context, reactor, id, deadline, response);
        });
  }

  static void Check(ExecutionService& service, grpc::CallbackServerContext* context,
                    grpc::ServerUnaryReactor* reactor, const std::string& id, std::int64_t deadline,
                    v1::Execution* response) {
    auto summary = service.store_.DescribeExecution(id);
    if (!summary.ok()) return reactor->Finish(ToGrpcStatus(summary.status()));
    if (summary->status != engine::ExecutionStatus::kRunning) {
      absl::Status described = DescribeWithLinks(service.store_, *summary, *response);
      return reactor->Finish(ToGrpcStatus(described));
    }
    if (deadline - NowMillis() <= 0) {
      return reactor->Finish(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED,
                                          "execution '" + id +
                                              "' is still running; it goes on, and "
                                              "DescribeExecution will show its end"));
    }
    if (context->IsCancelled()) {
      return reactor->Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
    Await(service, context, reactor, id, deadline, response);
  }
};

grpc::ServerUnaryReactor* ExecutionService::StartSyncExecution(
    grpc::CallbackServerContext* context, const v1::StartSyncExecutionRequest* request,
    v1::Execution* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  const v1::StartExecutionRequest& start = request->start();
  if (!start.name().empty()) {
    if (absl::Status named = CheckName("the execution name", start.name()); !named.ok()) {
      return Finish(context, ToGrpcStatus(named));
    }
  }
  if (request->timeout_ms() < 0 || request->timeout_ms() > kMaxSyncTimeoutMs) {
    return Finish(context, InvalidArgument("timeout_ms must be 0 (60 s) to 3600000 (an hour)"));
  }
  auto input = ParseJsonField("start.input", start.input(), json::object());
  if (!input.ok()) return Finish(context, ToGrpcStatus(input.status()));
  std::int64_t timeout = request->timeout_ms() == 0 ? kDefaultSyncTimeoutMs : request->timeout_ms();
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  SyncStart::Begin(*this, context, reactor, start, *std::move(input), NowMillis() + timeout,
                   response);
  return reactor;
}

grpc::ServerUnaryReactor* ExecutionService::StopExecution(grpc::CallbackServerContext* context,
                                                          const v1::StopExecutionRequest* request,
                                                          v1::StopExecutionResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  engine::Store& store = store_;
  std::string id = request->execution_id();
  engine_.StopExecutionAsync(
      id, request->error(), request->cause(), [reactor, response, &store, id](absl::Status status) {
        if (status.code() == absl::StatusCode::kFailedPrecondition) {
          auto summary = store.DescribeExecution(id);
          if (summary.ok() && summary->status != engine::ExecutionStatus::kRunning) {
            return reactor->Finish(grpc::Status(grpc::StatusCode::FAILED_PRECONDITION,
                                                "execution '" + id + "' has already ended (" +
                                                    engine::StatusName(summary->status) +
                                                    "); only a running one can be stopped"));
          }
        }
        if (!status.ok()) return reactor->Finish(ToGrpcStatus(status));
        auto summary = store.DescribeExecution(id);
        if (summary.ok()) SetMillis(summary->stop_time, *response->mutable_stop_time());
        reactor->Finish(grpc::Status::OK);
      });
  return reactor;
}

grpc::ServerUnaryReactor* ExecutionService::RedriveExecution(
    grpc::CallbackServerContext* context, const v1::RedriveExecutionRequest* request,
    v1::RedriveExecutionResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  std::int64_t at = NowMillis();
  absl::Status redriven = engine_.RedriveExecution(request->execution_id());
  if (!redriven.ok()) return Finish(context, ToGrpcStatus(redriven));
  SetMillis(at, *response->mutable_redrive_time());
  auto summary = store_.DescribeExecution(request->execution_id());
  if (summary.ok()) response->set_redrive_count(summary->redrive_count);
  return Finish(context, grpc::Status::OK);
}

// --- reads -----------------------------------------------------------------------------------

grpc::ServerUnaryReactor* ExecutionService::DescribeExecution(
    grpc::CallbackServerContext* context, const v1::DescribeExecutionRequest* request,
    v1::Execution* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  auto summary = store_.DescribeExecution(request->execution_id());
  if (!summary.ok()) return Finish(context, ToGrpcStatus(summary.status()));
  return Finish(context, ToGrpcStatus(DescribeWithLinks(store_, *summary, *response)));
}

grpc::ServerUnaryReactor* ExecutionService::ListExecutions(grpc::CallbackServerContext* context,
                                                           const v1::ListExecutionsRequest* request,
                                                           v1::ListExecutionsResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  auto size = PageSize(request->page_size());
  if (!size.ok()) return Finish(context, ToGrpcStatus(size.status()));
  engine::ExecutionFilter filter;
  filter.machine_name = request->state_machine();
  if (request->status() != v1::EXECUTION_STATUS_UNSPECIFIED) {
    filter.status = FromProto(request->status());
    if (!filter.status) return Finish(context, InvalidArgument("status is not a known status"));
  }
  if (request->has_started_after()) filter.started_after = ToMillis(request->started_after());
  if (request->has_started_before()) filter.started_before = ToMillis(request->started_before());
  auto page = store_.ListExecutions(filter, request->page_token(), *size);
  if (!page.ok()) return Finish(context, ToGrpcStatus(page.status()));
  for (const engine::ExecutionSummary& summary : page->executions) {
    ToProto(summary, *response->add_executions());
  }
  response->set_next_page_token(page->next_page_token);
  return Finish(context, grpc::Status::OK);
}

grpc::ServerUnaryReactor* ExecutionService::GetExecutionHistory(
    grpc::CallbackServerContext* context, const v1::GetExecutionHistoryRequest* request,
    v1::GetExecutionHistoryResponse* response) {
  if (grpc::Status allowed = guard_.Check(*context); !allowed.ok()) return Finish(context, allowed);
  auto size = PageSize(request->page_size());
  if (!size.ok()) return Finish(context, ToGrpcStatus(size.status()));
  if (request->after_event_id() < 0) {
    return Finish(context, InvalidArgument("after_event_id must be 0 or more"));
  }
  const std::string& id = request->execution_id();
  auto summary = store_.DescribeExecution(id);
  if (!summary.ok()) return Finish(context, ToGrpcStatus(summary.status()));
  std::optional<std::int64_t> resume;
  if (!request->page_token().empty()) {
    resume = ParseHistoryToken(request->page_token());
    if (!resume) return Finish(context, BadPageToken());
  }
  std::vector<engine::StoredHistoryEvent> events;
  if (!request->reverse()) {
    std::int64_t from = resume ? *resume : request->after_event_id() + 1;
    auto read = store_.ReadHistory(id, from, *size + 1);
    if (!read.ok()) return Finish(context, ToGrpcStatus(read.status()));
    events = *std::move(read);
    if (static_cast<int>(events.size()) > *size) {
      events.resize(*size);
      response->set_next_page_token(std::to_string(events.back().id + 1));
    }
  } else {
    // Newest first: ids at or below `from`, down to 1.
    std::int64_t from = resume                          ? *resume
                        : request->after_event_id() > 0 ? request->after_event_id() - 1
                                                        : summary->last_event_id;
    if (from >= 1) {
      auto read = store_.ReadHistory(id, from, *size + 1, engine::HistoryOrder::kNewestFirst);
      if (!read.ok()) return Finish(context, ToGrpcStatus(read.status()));
      events = *std::move(read);
      if (static_cast<int>(events.size()) > *size) {
        events.resize(*size);
        if (events.back().id > 1)
          response->set_next_page_token(std::to_string(events.back().id - 1));
      }
    }
  }
  for (const engine::StoredHistoryEvent& event : events) {
    ToProto(event, *response->add_events());
  }
  return Finish(context, grpc::Status::OK);
}

// --- watch -----------------------------------------------------------------------------------

// Sends what the store has after the last event sent, one write at a time; when caught up,
// waits (a window at a time) for the engine to commit more; ends once the execution has ended
// and its last event is sent. Deletes itself in OnDone, which gRPC calls only after Finish, and
// Finish is only ever called when no engine callback is pending.
class ExecutionService::Watch : public grpc::ServerWriteReactor<v1::HistoryEvent> {
 public:
  Watch(ExecutionService& service, grpc::CallbackServerContext* context, std::string id,
        std::int64_t after)
      : service_(service), context_(context), id_(std::move(id)), sent_(after) {
    if (grpc::Status allowed = service_.guard_.Check(*context_); !allowed.ok()) {
      Finish(allowed);
      return;
    }
    Next();
  }

  void OnWriteDone(bool ok) override {
    if (!ok) return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "the client went away"));
    Next();
  }

  void OnDone() override { delete this; }

 private:
  void Next() {
    if (context_->IsCancelled()) {
      return Finish(grpc::Status(grpc::StatusCode::CANCELLED, "cancelled"));
    }
    if (pending_.empty()) {
      auto summary = service_.store_.DescribeExecution(id_);
      if (!summary.ok()) return Finish(ToGrpcStatus(summary.status()));
      bool ended = summary->status != engine::ExecutionStatus::kRunning;
      auto read = service_.store_.ReadHistory(id_, sent_ + 1, 100);
      if (!read.ok()) return Finish(ToGrpcStatus(read.status()));
      for (engine::StoredHistoryEvent& event : *read) pending_.push_back(std::move(event));
      if (pending_.empty()) {
        // Events numbered but not stored (history recording off) are passed over, or the wait
        // below would answer at once for ever.
        sent_ = std::max(sent_, summary->last_event_id);
        if (ended) return Finish(grpc::Status::OK);
        service_.engine_.AwaitHistoryAsync(id_, sent_, kWatchWindow,
                                           [this](const absl::StatusOr<std::int64_t>& latest) {
                                             if (!latest.ok())
                                               return Finish(ToGrpcStatus(latest.status()));
                                             Next();
                                           });
        return;
      }
    }
    ToProto(pending_.front(), event_);
    sent_ = pending_.front().id;
    pending_.pop_front();
    StartWrite(&event_);
  }

  ExecutionService& service_;
  grpc::CallbackServerContext* context_;
  std::string id_;
  std::int64_t sent_;
  std::deque<engine::StoredHistoryEvent> pending_;
  v1::HistoryEvent event_;
};

grpc::ServerWriteReactor<v1::HistoryEvent>* ExecutionService::WatchExecution(
    grpc::CallbackServerContext* context, const v1::WatchExecutionRequest* request) {
  return new Watch(*this, context, request->execution_id(), request->after_event_id());
}

}  // namespace stepwise::api
