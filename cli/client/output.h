#pragma once

// How client commands print what the server answered: protobuf's JSON mapping for --json,
// otherwise tables and `key: value` blocks meant for people.
#include <iosfwd>
#include <string>
#include <utility>
#include <vector>

#include "google/protobuf/message.h"
#include "google/protobuf/timestamp.pb.h"

namespace stepwise::cli::client {

// The message in protobuf's canonical JSON mapping on one line (so that a stream prints one
// object per line). Fields at their default value are printed too: a script reading `valid` or
// `cancelled` should find `false`, not nothing.
void PrintJsonLine(const google::protobuf::Message& message, std::ostream& out);

// "2024-01-31T12:00:00.000Z" (UTC, milliseconds); "-" for an unset timestamp.
std::string FormatTime(const google::protobuf::Timestamp& timestamp);

// A JSON text indented for reading; text that is not JSON is returned as it is.
std::string PrettyJson(const std::string& text);

// `key: value` lines with the values aligned. A value of several lines (pretty JSON) keeps its
// shape, indented to the value column.
using Fields = std::vector<std::pair<std::string, std::string>>;
void PrintFields(const Fields& fields, std::ostream& out);

// A table: the header, then one line per row, columns padded to their widest cell.
void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out);

}  // namespace stepwise::cli::client
