#pragma once

#include <cstddef>
#include <nlohmann/json.hpp>

namespace stepwise::engine {

// The length of `value` as compact JSON text (what the payload limit is about), computed without
// building the text. Stops counting once past `limit`, so a huge value costs no more than the
// limit's worth of walking.
std::size_t JsonTextSize(const nlohmann::json& value, std::size_t limit);

}  // namespace stepwise::engine
