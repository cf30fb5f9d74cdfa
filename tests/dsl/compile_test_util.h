#pragma once

#include <string>
#include <string_view>

#include <gtest/gtest.h>

#include "stepwise/dsl/compile.h"

namespace stepwise::dsl::testing {

// True when `result` holds a diagnostic of `severity` at exactly `pointer` whose message
// contains `fragment`.
inline bool HasDiagnostic(const CompileResult& result, std::string_view pointer,
                          std::string_view fragment, Severity severity = Severity::kError) {
  for (const auto& d : result.diagnostics) {
    if (d.severity == severity && d.pointer == pointer &&
        d.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

inline std::string Describe(const CompileResult& result) {
  std::string out;
  for (const auto& d : result.diagnostics) out += "  " + FormatDiagnostic(d) + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

#define EXPECT_DIAGNOSTIC(result, pointer, fragment)                                  \
  EXPECT_TRUE(::stepwise::dsl::testing::HasDiagnostic(result, pointer, fragment))     \
      << "expected an error at " << (pointer) << " mentioning '" << (fragment)        \
      << "'; got:\n"                                                                  \
      << ::stepwise::dsl::testing::Describe(result)

#define EXPECT_COMPILES(result) \
  EXPECT_NE((result).machine, nullptr) << ::stepwise::dsl::testing::Describe(result)

// Wraps one state (JSON text) named "S" into a machine that starts at it.
inline std::string OneState(std::string_view state_json) {
  return R"({"StartAt": "S", "States": {"S": )" + std::string(state_json) + "}}";
}

}  // namespace stepwise::dsl::testing
