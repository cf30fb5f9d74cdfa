#pragma once

#include <optional>
#include <string_view>

#include <nlohmann/json.hpp>

#include "stepwise/dsl/diagnostic.h"

namespace stepwise::dsl::internal {

// Parses a definition's text. Malformed JSON is reported with its line and column; a key that
// appears twice in one object (which plain JSON parsers silently resolve to the last one, hiding
// a duplicate state name) is reported with its pointer.
std::optional<nlohmann::json> ParseJsonText(std::string_view text, Diagnostics& diagnostics);

}  // namespace stepwise::dsl::internal
