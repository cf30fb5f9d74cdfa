#pragma once

#include <nlohmann/json.hpp>
#include <string>

namespace stepwise::dsl::internal {

// The text States.Format inserts for a value. AWS runs on Java and inserts Java's toString() of
// the value: strings raw (no quotes), integers as digits, other numbers as Double.toString
// ("1.1", "100.0", "1.0E10"), arrays as List.toString ("[1, a, null]") and objects as
// Map.toString ("{Arg1=1, Arg2=[]}"). Recorded executions show exactly these forms.
std::string JavaText(const nlohmann::json& value);

// Double.toString: the shortest decimal that reads back as `value`, written plainly with at
// least one fractional digit when 10^-3 <= |value| < 10^7, else as "d.dddE<exponent>".
std::string JavaDoubleText(double value);

}  // namespace stepwise::dsl::internal
