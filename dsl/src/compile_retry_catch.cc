// Retry and Catch: the error handling fields of Task, Parallel and Map states.
#include <algorithm>
#include <string>
#include <vector>

#include "compiler.h"

namespace stepwise::dsl::internal {

using nlohmann::json;

namespace {

constexpr std::int64_t kMaxSeconds = 99999999;

// ErrorEquals: a non-empty array of error names; States.ALL only alone. Returns the names.
std::vector<std::string> ReadErrorEquals(FieldReader& fields) {
  std::vector<std::string> names;
  const json* errors = fields.Get("ErrorEquals");
  if (errors == nullptr) {
    fields.diagnostics().Error(fields.pointer(), "missing required field 'ErrorEquals' (the "
                                                 "error names this entry handles)");
    return names;
  }
  if (!errors->is_array() || errors->empty()) {
    fields.Error("ErrorEquals", "'ErrorEquals' must be a non-empty array of error names");
    return names;
  }
  for (size_t i = 0; i < errors->size(); ++i) {
    const json& name = (*errors)[i];
    std::string pointer = JoinPointer(fields.PointerTo("ErrorEquals"), i);
    if (!name.is_string() || name.get<std::string>().empty()) {
      fields.diagnostics().Error(pointer, "error names must be non-empty strings");
      continue;
    }
    names.push_back(name.get<std::string>());
  }
  if (names.size() > 1 && std::find(names.begin(), names.end(), "States.ALL") != names.end()) {
    fields.Error("ErrorEquals", "'States.ALL' must appear alone in its 'ErrorEquals'");
  }
  return names;
}

// States.ALL matches everything, so an entry after it could never be used.
void CheckStatesAllIsLast(FieldReader& fields, std::string_view key,
                          const std::vector<std::vector<std::string>>& entries) {
  for (size_t i = 0; i + 1 < entries.size(); ++i) {
    if (std::find(entries[i].begin(), entries[i].end(), "States.ALL") != entries[i].end()) {
      fields.diagnostics().Error(JoinPointer(fields.PointerTo(key), i),
                                 "an entry matching 'States.ALL' must be the last in '" +
                                     std::string(key) + "'");
    }
  }
}

}  // namespace

void Compiler::CompileRetry(FieldReader& fields, State& state) {
  const json* retry = fields.Get("Retry");
  if (retry == nullptr) return;
  if (!retry->is_array()) {
    fields.Error("Retry", "'Retry' must be an array of retriers, not " + DescribeType(*retry));
    return;
  }
  std::vector<std::vector<std::string>> all_errors;
  for (size_t i = 0; i < retry->size(); ++i) {
    const json& entry = (*retry)[i];
    FieldReader retrier_fields(entry, JoinPointer(fields.PointerTo("Retry"), i), diagnostics_);
    if (!entry.is_object()) {
      diagnostics_.Error(retrier_fields.pointer(), "a retrier must be an object");
      continue;
    }
    retrier_fields.CheckKnownFields({"ErrorEquals", "IntervalSeconds", "MaxAttempts",
                                     "BackoffRate", "MaxDelaySeconds", "JitterStrategy",
                                     "Comment"},
                                    "a retrier");
    Retrier retrier;
    retrier.error_equals = ReadErrorEquals(retrier_fields);
    all_errors.push_back(retrier.error_equals);
    retrier.interval_seconds = static_cast<double>(
        retrier_fields.Integer("IntervalSeconds", 1, kMaxSeconds).value_or(1));
    retrier.max_attempts =
        static_cast<int>(retrier_fields.Integer("MaxAttempts", 0, 99999999).value_or(3));
    retrier.backoff_rate =
        retrier_fields.Number("BackoffRate", 1.0, std::numeric_limits<double>::max())
            .value_or(2.0);
    if (auto max_delay = retrier_fields.Integer("MaxDelaySeconds", 1, kMaxSeconds)) {
      retrier.max_delay_seconds = static_cast<double>(*max_delay);
    }
    if (auto jitter = retrier_fields.String("JitterStrategy")) {
      if (*jitter != "FULL" && *jitter != "NONE") {
        retrier_fields.Error("JitterStrategy",
                             "'JitterStrategy' must be FULL or NONE, not '" + *jitter + "'");
      }
      retrier.full_jitter = *jitter == "FULL";
    }
    state.retry.push_back(std::move(retrier));
  }
  CheckStatesAllIsLast(fields, "Retry", all_errors);
}

void Compiler::CompileCatch(FieldReader& fields, State& state) {
  const json* catchers = fields.Get("Catch");
  if (catchers == nullptr) return;
  if (!catchers->is_array()) {
    fields.Error("Catch", "'Catch' must be an array of catchers, not " + DescribeType(*catchers));
    return;
  }
  std::vector<std::vector<std::string>> all_errors;
  for (size_t i = 0; i < catchers->size(); ++i) {
    const json& entry = (*catchers)[i];
    FieldReader catcher_fields(entry, JoinPointer(fields.PointerTo("Catch"), i), diagnostics_);
    if (!entry.is_object()) {
      diagnostics_.Error(catcher_fields.pointer(), "a catcher must be an object");
      continue;
    }
    catcher_fields.CheckKnownFields({"ErrorEquals", "Next", "ResultPath", "Comment"},
                                    "a catcher", {"Assign", "Output"});
    Catcher catcher;
    catcher.error_equals = ReadErrorEquals(catcher_fields);
    all_errors.push_back(catcher.error_equals);
    catcher.next_name = catcher_fields.NonEmptyString("Next", /*required=*/true).value_or("");
    catcher.result_path =
        catcher_fields.PathOrDefault("ResultPath", JsonPath::Kind::kReferencePath);
    state.catchers.push_back(std::move(catcher));
  }
  CheckStatesAllIsLast(fields, "Catch", all_errors);
}

}  // namespace stepwise::dsl::internal
