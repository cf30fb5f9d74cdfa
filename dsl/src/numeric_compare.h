#pragma once

#include <compare>
#include <nlohmann/json.hpp>

namespace stepwise::dsl::internal {

// Orders two JSON numbers by their mathematical value, whatever mix of int64, uint64 and double
// nlohmann stores them as: 1 == 1.0, and 9007199254740993 > 9007199254740992.0 (converting the
// integer to double would call them equal). Unordered only for a NaN. Both must be numbers.
std::partial_ordering CompareNumbers(const nlohmann::json& a, const nlohmann::json& b);

}  // namespace stepwise::dsl::internal
