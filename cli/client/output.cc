#include "client/output.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <ostream>

#include "google/protobuf/util/json_util.h"
#include "stepwise/engine/iso_time.h"

namespace stepwise::cli::client {

void PrintJsonLine(const google::protobuf::Message& message, std::ostream& out) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string json;
  // Printing a well-formed message only fails for invalid UTF-8 in a string field; say so
  // rather than print half an object.
  auto status = google::protobuf::util::MessageToJsonString(message, &json, options);
  if (!status.ok()) {
    json =
        nlohmann::json{{"error", "cannot print the response as JSON: " + status.ToString()}}.dump();
  }
  out << json << "\n";
}

std::string FormatTime(const google::protobuf::Timestamp& timestamp) {
  if (timestamp.seconds() == 0 && timestamp.nanos() == 0) return "-";
  return engine::FormatIsoMillis(timestamp.seconds() * 1000 + timestamp.nanos() / 1'000'000);
}

std::string PrettyJson(const std::string& text) {
  // ordered_json keeps the keys in the order the execution wrote them.
  nlohmann::ordered_json value =
      nlohmann::ordered_json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (value.is_discarded()) return text;
  return value.dump(2, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void PrintFields(const Fields& fields, std::ostream& out) {
  std::size_t width = 0;
  for (const auto& [key, value] : fields) width = std::max(width, key.size() + 1);
  for (const auto& [key, value] : fields) {
    std::string label = key + ":";
    out << label << std::string(width - label.size() + 1, ' ');
    std::string_view rest = value;
    for (std::size_t newline; (newline = rest.find('\n')) != std::string_view::npos;) {
      out << rest.substr(0, newline) << "\n" << std::string(width + 1, ' ');
      rest.remove_prefix(newline + 1);
    }
    out << rest << "\n";
  }
}

void PrintTable(const std::vector<std::string>& header,
                const std::vector<std::vector<std::string>>& rows, std::ostream& out) {
  std::vector<std::size_t> widths(header.size());
  for (std::size_t i = 0; i < header.size(); ++i) widths[i] = header[i].size();
  for (const auto& row : rows) {
    for (std::size_t i = 0; i < row.size() && i < widths.size(); ++i) {
      widths[i] = std::max(widths[i], row[i].size());
    }
  }
  auto print_row = [&](const std::vector<std::string>& cells) {
    std::string line;
    for (std::size_t i = 0; i < cells.size() && i < widths.size(); ++i) {
      line += cells[i];
      if (i + 1 < cells.size()) line += std::string(widths[i] - cells[i].size() + 2, ' ');
    }
    out << line << "\n";
  };
  print_row(header);
  for (const auto& row : rows) print_row(row);
}

}  // namespace stepwise::cli::client
