// `exec describe`, `exec history`, `exec list`, `exec watch`: the calls that read executions.
#include <algorithm>
#include <iostream>
#include <optional>
#include <string>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "client/argument_values.h"
#include "client/connection.h"
#include "client/exec_commands.h"
#include "client/execution_output.h"
#include "client/output.h"

namespace stepwise::cli::client {
namespace {

constexpr std::int64_t kMaxPageSize = 1000;  // the API's bound

// The page size that fetches what is left of `limit` (0: no limit) in as few calls as
// possible. Asking for exactly what is left makes the server's next_page_token point just after
// the last item printed, so that --page-token goes on from there.
std::int32_t PageSize(std::int64_t limit, std::int64_t fetched) {
  if (limit == 0) return kMaxPageSize;
  return static_cast<std::int32_t>(std::min(kMaxPageSize, limit - fetched));
}

// --limit N, 0 when absent; nullopt after printing the usage error (into `exit_code`).
std::optional<std::int64_t> Limit(const Invocation& invocation, int& exit_code) {
  std::optional<std::string> text = invocation.Value("--limit");
  if (!text) return 0;
  absl::StatusOr<std::int64_t> limit = ParseCount("--limit", *text, 1);
  if (!limit.ok()) {
    exit_code = invocation.UsageError(limit.status());
    return std::nullopt;
  }
  return *limit;
}

// Fills the filters of `exec list`; a usage error message when a value is malformed.
std::optional<std::string> ListFilters(const Invocation& invocation,
                                       v1::ListExecutionsRequest& request) {
  request.set_state_machine(invocation.Value("--machine").value_or(""));
  if (std::optional<std::string> text = invocation.Value("--status")) {
    absl::StatusOr<v1::ExecutionStatus> status = ParseExecutionStatus(*text);
    if (!status.ok()) return std::string(status.status().message());
    request.set_status(*status);
  }
  for (bool after : {true, false}) {
    const char* flag = after ? "--started-after" : "--started-before";
    std::optional<std::string> text = invocation.Value(flag);
    // Only a given bound may be set: an unset one means "no bound", a zero one "1970".
    if (!text) continue;
    absl::StatusOr<google::protobuf::Timestamp> instant = ParseInstant(flag, *text);
    if (!instant.ok()) return std::string(instant.status().message());
    *(after ? request.mutable_started_after() : request.mutable_started_before()) = *instant;
  }
  request.set_page_token(invocation.Value("--page-token").value_or(""));
  return std::nullopt;
}

void PrintExecutionTable(const v1::ListExecutionsResponse& list) {
  std::vector<std::vector<std::string>> rows;
  for (const v1::Execution& execution : list.executions()) {
    rows.push_back({execution.execution_id(), execution.state_machine(),
                    v1::ExecutionStatus_Name(execution.status()),
                    FormatTime(execution.start_time()), FormatTime(execution.stop_time())});
  }
  PrintTable({"ID", "MACHINE", "STATUS", "STARTED", "STOPPED"}, rows, std::cout);
}

}  // namespace

int ExecDescribe(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::DescribeExecutionRequest request;
  request.set_execution_id(invocation.args()[0]);
  v1::Execution execution;
  grpc::Status status = v1::Executions::NewStub(connection->channel())
                            ->DescribeExecution(connection->Context().get(), request, &execution);
  if (!status.ok()) return connection->Fail("exec describe " + request.execution_id(), status);
  if (invocation.options().json) {
    PrintJsonLine(execution, std::cout);
  } else {
    PrintExecution(execution, std::cout);
  }
  return kExitOk;
}

int ExecHistory(const Invocation& invocation) {
  v1::GetExecutionHistoryRequest request;
  request.set_execution_id(invocation.args()[0]);
  request.set_reverse(invocation.Has("--reverse"));
  if (std::optional<std::string> after = invocation.Value("--after")) {
    absl::StatusOr<std::int64_t> id = ParseCount("--after", *after, 0);
    if (!id.ok()) return invocation.UsageError(id.status());
    request.set_after_event_id(*id);
  }
  int exit_code = kExitOk;
  std::optional<std::int64_t> limit = Limit(invocation, exit_code);
  if (!limit) return exit_code;
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  auto stub = v1::Executions::NewStub(connection->channel());
  // The pages gathered into one response, so that --json prints one object as for any call.
  v1::GetExecutionHistoryResponse all;
  do {
    request.set_page_size(PageSize(*limit, all.events_size()));
    v1::GetExecutionHistoryResponse page;
    grpc::Status status = stub->GetExecutionHistory(connection->Context().get(), request, &page);
    if (!status.ok()) return connection->Fail("exec history " + request.execution_id(), status);
    for (v1::HistoryEvent& event : *page.mutable_events()) *all.add_events() = std::move(event);
    all.set_next_page_token(page.next_page_token());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && (*limit == 0 || all.events_size() < *limit));
  if (invocation.options().json) {
    PrintJsonLine(all, std::cout);
    return kExitOk;
  }
  PrintEventHeader(std::cout);
  for (const v1::HistoryEvent& event : all.events()) PrintEventLine(event, std::cout);
  return kExitOk;
}

int ExecList(const Invocation& invocation) {
  v1::ListExecutionsRequest request;
  if (std::optional<std::string> problem = ListFilters(invocation, request)) {
    return invocation.UsageError(*problem);
  }
  int exit_code = kExitOk;
  std::optional<std::int64_t> limit = Limit(invocation, exit_code);
  if (!limit) return exit_code;
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  auto stub = v1::Executions::NewStub(connection->channel());
  v1::ListExecutionsResponse all;
  do {
    request.set_page_size(PageSize(*limit, all.executions_size()));
    v1::ListExecutionsResponse page;
    grpc::Status status = stub->ListExecutions(connection->Context().get(), request, &page);
    if (!status.ok()) return connection->Fail("exec list", status);
    for (v1::Execution& execution : *page.mutable_executions()) {
      *all.add_executions() = std::move(execution);
    }
    all.set_next_page_token(page.next_page_token());
    request.set_page_token(page.next_page_token());
  } while (!request.page_token().empty() && (*limit == 0 || all.executions_size() < *limit));
  if (invocation.options().json) {
    PrintJsonLine(all, std::cout);
    return kExitOk;
  }
  PrintExecutionTable(all);
  // On stderr, so that the table on stdout stays a table for scripts.
  if (!all.next_page_token().empty()) {
    std::cerr << "more executions: go on with --page-token " << all.next_page_token() << "\n";
  }
  return kExitOk;
}

int ExecWatch(const Invocation& invocation) {
  std::optional<Connection> connection = Connect(invocation);
  if (!connection) return kExitUsage;
  v1::WatchExecutionRequest request;
  request.set_execution_id(invocation.args()[0]);
  std::unique_ptr<grpc::ClientContext> context = connection->StreamContext();
  auto stream =
      v1::Executions::NewStub(connection->channel())->WatchExecution(context.get(), request);
  v1::HistoryEvent event;
  bool any = false;
  bool failed = false;
  while (stream->Read(&event)) {
    if (invocation.options().json) {
      PrintJsonLine(event, std::cout);
    } else {
      // The header waits for the first event, so that an error (no such execution) is printed
      // alone.
      if (!any) PrintEventHeader(std::cout);
      PrintEventLine(event, std::cout);
    }
    // Whoever reads the other end of a pipe sees each event as it happens.
    std::cout.flush();
    any = true;
    failed = IsFailedEnd(event);
  }
  grpc::Status status = stream->Finish();
  if (!status.ok()) return connection->Fail("exec watch " + request.execution_id(), status);
  return failed ? kExitFailed : kExitOk;
}

}  // namespace stepwise::cli::client
