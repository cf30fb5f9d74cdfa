#include "bench_report.h"

#include <algorithm>
#include <cstdarg>
#include <cstdio>

namespace stepwise::bench {

std::string Format(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof buffer, format, args);
  va_end(args);
  return buffer;
}

std::string Mib(std::int64_t kib) { return Format("%.1f MB", static_cast<double>(kib) / 1024.0); }

std::string Ms(double micros) { return Format("%.3f ms", micros / 1000.0); }

std::string WithCommas(std::int64_t value) {
  std::string digits = std::to_string(value < 0 ? -value : value);
  for (int at = static_cast<int>(digits.size()) - 3; at > 0; at -= 3) {
    digits.insert(static_cast<std::size_t>(at), ",");
  }
  return value < 0 ? "-" + digits : digits;
}

void Report::Note(std::string line) {
  std::fprintf(stderr, "  %s\n", line.c_str());
  notes_.push_back(std::move(line));
}

void Report::Row(std::string label, std::string value, std::string goal, Verdict verdict) {
  std::fprintf(stderr, "  %s: %s\n", label.c_str(), value.c_str());
  rows_.push_back(RowData{std::move(label), std::move(value), std::move(goal), verdict});
}

void Report::Check(std::string label, std::string value, std::string goal, bool met) {
  Row(std::move(label), std::move(value), std::move(goal), met ? Verdict::kMet : Verdict::kMissed);
}

void Report::Print() const {
  std::size_t label_width = 6;
  std::size_t value_width = 5;
  std::size_t goal_width = 4;
  for (const RowData& row : rows_) {
    label_width = std::max(label_width, row.label.size());
    value_width = std::max(value_width, row.value.size());
    goal_width = std::max(goal_width, row.goal.size());
  }
  std::printf("\n");
  for (const std::string& note : notes_) std::printf("%s\n", note.c_str());
  std::printf("\n| %-*s | %-*s | %-*s | %-6s |\n", static_cast<int>(label_width), "figure",
              static_cast<int>(value_width), "value", static_cast<int>(goal_width), "goal", "");
  std::printf("|%s|%s|%s|--------|\n", std::string(label_width + 2, '-').c_str(),
              std::string(value_width + 2, '-').c_str(), std::string(goal_width + 2, '-').c_str());
  for (const RowData& row : rows_) {
    const char* verdict = row.verdict == Verdict::kMet      ? "met"
                          : row.verdict == Verdict::kMissed ? "MISSED"
                                                            : "";
    std::printf("| %-*s | %-*s | %-*s | %-6s |\n", static_cast<int>(label_width), row.label.c_str(),
                static_cast<int>(value_width), row.value.c_str(), static_cast<int>(goal_width),
                row.goal.c_str(), verdict);
  }
  std::fflush(stdout);
}

void Progress(const std::string& line) { std::fprintf(stderr, "== %s\n", line.c_str()); }

}  // namespace stepwise::bench
