#pragma once

// How executions and their history events read on a terminal, shared by the `exec` commands.
#include <iosfwd>

#include "api/proto/stepwise.pb.h"

namespace stepwise::cli::client {

// `key: value` lines: id, name, machine, status, times, then input and output (pretty JSON),
// or error and cause.
void PrintExecution(const v1::Execution& execution, std::ostream& out);

// The column titles of PrintEventLine, for the top of a history.
void PrintEventHeader(std::ostream& out);

// One line per event: id, time, type, state. Fixed columns rather than a measured table, so
// that `exec watch` can print each event the moment it arrives.
void PrintEventLine(const v1::HistoryEvent& event, std::ostream& out);

// True for the event that ends an execution other than successfully.
bool IsFailedEnd(const v1::HistoryEvent& event);

}  // namespace stepwise::cli::client
