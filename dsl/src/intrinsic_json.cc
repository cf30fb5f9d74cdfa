// States.StringToJson, States.JsonToString and States.JsonMerge.

#include "intrinsic_functions.h"

namespace stepwise::dsl::internal {

using nlohmann::json;

absl::StatusOr<json> EvaluateStringToJson(const Invocation& call) {
  const auto& text = call.args[0].get_ref<const std::string&>();
  // AWS returns null for an empty or blank string rather than failing.
  if (text.find_first_not_of(" \t\r\n") == std::string::npos) return nullptr;
  try {
    return json::parse(text);
  } catch (const json::exception& e) {
    // Drop nlohmann's "[json.exception.parse_error.101] " prefix: it means nothing to a user.
    std::string_view detail = e.what();
    if (const size_t end = detail.find("] "); detail.starts_with("[json.") && end != detail.npos) {
      detail.remove_prefix(end + 2);
    }
    return absl::InvalidArgumentError(ArgumentName(call.function, 0) +
                                      " is not valid JSON: " + std::string(detail));
  }
}

// Compact, as AWS writes it: {"a":1,"b":[2]}. Strings that are not valid UTF-8 cannot come from
// a parsed payload; should one appear anyway, it is repaired rather than thrown on.
absl::StatusOr<json> EvaluateJsonToString(const Invocation& call) {
  return call.args[0].dump(-1, ' ', false, json::error_handler_t::replace);
}

// Shallow: a key of the second object replaces the same key of the first, nested objects
// included (the third argument, checked to be false, would ask for a deep merge).
absl::StatusOr<json> EvaluateJsonMerge(const Invocation& call) {
  json merged = call.args[0];
  merged.update(call.args[1]);
  return merged;
}

}  // namespace stepwise::dsl::internal
