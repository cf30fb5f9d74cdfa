#include "stepwise/dsl/diagnostic.h"

#include <string>

namespace stepwise::dsl {

void Diagnostics::Error(std::string pointer, std::string message) {
  items_.push_back({Severity::kError, std::move(pointer), std::move(message)});
  ++error_count_;
}

void Diagnostics::Warning(std::string pointer, std::string message) {
  items_.push_back({Severity::kWarning, std::move(pointer), std::move(message)});
}

std::string JoinPointer(std::string_view pointer, std::string_view token) {
  std::string out(pointer);
  out.push_back('/');
  for (char c : token) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out.push_back(c);
    }
  }
  return out;
}

std::string JoinPointer(std::string_view pointer, size_t index) {
  return JoinPointer(pointer, std::to_string(index));
}

std::string FormatDiagnostic(const Diagnostic& diagnostic) {
  std::string out = diagnostic.severity == Severity::kError ? "error: " : "warning: ";
  out += diagnostic.pointer.empty() ? "(definition)" : diagnostic.pointer;
  out += ": ";
  out += diagnostic.message;
  return out;
}

}  // namespace stepwise::dsl
