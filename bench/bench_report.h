#pragma once

// The benchmarks' report: notes, then a table of figures with their goals and whether each was
// met, printed on stdout; progress goes to stderr as it happens. Also the number formats the
// figures use.

#include <cstdint>
#include <string>
#include <vector>

namespace stepwise::bench {

std::string Format(const char* format, ...) __attribute__((format(printf, 1, 2)));
// KiB as "12.3 MB".
std::string Mib(std::int64_t kib);
// Microseconds as "1.234 ms".
std::string Ms(double micros);
// 1234567 as "1,234,567".
std::string WithCommas(std::int64_t value);

enum class Verdict { kNone, kMet, kMissed };

class Report {
 public:
  void Note(std::string line);
  void Row(std::string label, std::string value, std::string goal = "",
           Verdict verdict = Verdict::kNone);
  void Check(std::string label, std::string value, std::string goal, bool met);
  void Print() const;

 private:
  struct RowData {
    std::string label;
    std::string value;
    std::string goal;
    Verdict verdict;
  };
  std::vector<std::string> notes_;
  std::vector<RowData> rows_;
};

// "== line" on stderr: what the benchmark is doing now.
void Progress(const std::string& line);

}  // namespace stepwise::bench
