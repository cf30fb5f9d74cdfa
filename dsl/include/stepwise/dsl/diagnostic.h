#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl {

enum class Severity { kError, kWarning };

// One problem found in a definition. `pointer` is an RFC 6901 JSON Pointer to the offending
// value (`/States/Fetch/Retry/0/BackoffRate`); "" is the whole document.
struct Diagnostic {
  Severity severity = Severity::kError;
  std::string pointer;
  std::string message;

  friend bool operator==(const Diagnostic&, const Diagnostic&) = default;
};

// Collects every diagnostic of one compilation, so that all problems are reported at once.
class Diagnostics {
 public:
  void Error(std::string pointer, std::string message);
  void Warning(std::string pointer, std::string message);

  bool has_errors() const { return error_count_ > 0; }
  int error_count() const { return error_count_; }
  const std::vector<Diagnostic>& all() const { return items_; }

 private:
  std::vector<Diagnostic> items_;
  int error_count_ = 0;
};

// Appends one reference token to a JSON Pointer, escaping `~` and `/` as RFC 6901 requires.
std::string JoinPointer(std::string_view pointer, std::string_view token);
std::string JoinPointer(std::string_view pointer, size_t index);

// "error: /States/A/Next: ..." — the human form printed by `stepwise validate`.
std::string FormatDiagnostic(const Diagnostic& diagnostic);

// "line L, column C" of the 1-based byte offset `byte` in `text` (as nlohmann::json's
// parse_error::byte counts).
std::string LineAndColumn(std::string_view text, size_t byte);

}  // namespace stepwise::dsl
