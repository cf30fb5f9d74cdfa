#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace stepwise::conformance {

// Compares an execution's end with a conformance case's `expect`, by the rules of
// ../shared/conformance/README.md ("Comparison rules").

// How an execution ended, in the case format's terms.
struct ActualResult {
  std::string status;  // "SUCCEEDED", "FAILED", "TIMED_OUT", "ABORTED"
  nlohmann::json output;
  std::string error;
  std::string cause;
};

struct Verdict {
  bool passed = true;
  bool cause_only = false;  // the status and error name matched; only the cause differs
  std::string difference;   // short, for the FAIL line
};

// Whether `actual` is `expected` with each placeholder (`<uuid:1>`, `<ArnPart_0idx>`, ...)
// standing for any text, possibly empty.
bool MatchesWithPlaceholders(std::string_view expected, std::string_view actual);

struct JsonCompareOptions {
  std::vector<std::string> ignore_keys;  // removed at any depth from both sides
  bool placeholders = false;             // strings match with MatchesWithPlaceholders
};

// Where the two first differ and how ("/a/0: expected 1, got 2"), or nothing when they are
// equal: object key order is ignored and numbers are compared by value (1 == 1.0).
std::optional<std::string> JsonDifference(const nlohmann::json& expected,
                                          const nlohmann::json& actual,
                                          const JsonCompareOptions& options);

// The whole case: status, then output or error name, then cause.
Verdict Compare(const nlohmann::json& test_case, const ActualResult& actual);

// `text` cut to at most `max` bytes (on a UTF-8 boundary) with "..." when cut.
std::string Truncate(std::string_view text, std::size_t max);

}  // namespace stepwise::conformance
