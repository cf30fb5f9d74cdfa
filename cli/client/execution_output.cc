#include "client/execution_output.h"

#include <cstdio>
#include <ostream>
#include <string>

#include "client/output.h"

namespace stepwise::cli::client {
namespace {

void PrintEventColumns(const std::string& id, const std::string& time, const std::string& type,
                       const std::string& state, std::ostream& out) {
  // Widths fit the longest id of a long history, the ISO time and the longest event type.
  char line[96];
  std::snprintf(line, sizeof line, "%6s  %-24s  %-28s  ", id.c_str(), time.c_str(), type.c_str());
  std::string text = line + state;
  while (!text.empty() && text.back() == ' ') text.pop_back();
  out << text << "\n";
}

}  // namespace

void PrintExecution(const v1::Execution& execution, std::ostream& out) {
  Fields fields = {
      {"id", execution.execution_id()},
      {"name", execution.name()},
      {"machine", execution.state_machine() + " (version " +
                      std::to_string(execution.state_machine_version()) + ")"},
      {"status", v1::ExecutionStatus_Name(execution.status())},
      {"started", FormatTime(execution.start_time())},
      {"stopped", FormatTime(execution.stop_time())},
  };
  if (execution.redrive_count() > 0) {
    fields.push_back({"redrives", std::to_string(execution.redrive_count())});
  }
  if (!execution.parent_execution_id().empty()) {
    fields.push_back({"parent", execution.parent_execution_id()});
  }
  for (const std::string& child : execution.child_execution_ids()) {
    fields.push_back({"child", child});
  }
  fields.push_back({"events", std::to_string(execution.last_event_id())});
  fields.push_back({"input", PrettyJson(execution.input())});
  if (execution.status() == v1::SUCCEEDED)
    fields.push_back({"output", PrettyJson(execution.output())});
  if (!execution.error().empty()) fields.push_back({"error", execution.error()});
  if (!execution.cause().empty()) fields.push_back({"cause", execution.cause()});
  PrintFields(fields, out);
}

void PrintEventHeader(std::ostream& out) { PrintEventColumns("ID", "TIME", "TYPE", "STATE", out); }

void PrintEventLine(const v1::HistoryEvent& event, std::ostream& out) {
  PrintEventColumns(std::to_string(event.id()), FormatTime(event.timestamp()), event.type(),
                    event.state_name(), out);
}

bool IsFailedEnd(const v1::HistoryEvent& event) {
  return event.type() == "ExecutionFailed" || event.type() == "ExecutionTimedOut" ||
         event.type() == "ExecutionAborted";
}

}  // namespace stepwise::cli::client
