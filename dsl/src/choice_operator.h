#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace stepwise::dsl::internal {

// The comparison operators of a Choice Rule, one entry per spelling (`NumericLessThan` and
// `NumericLessThanPath` are two), so that the compiler and the evaluator share one table.
enum class ChoiceOperatorKind {
  kCompare,        // String*/Numeric*/Timestamp*/BooleanEquals: Variable against an operand
  kStringMatches,  // Variable against a wildcard pattern
  kIsNull,
  kIsPresent,
  kIsNumeric,
  kIsString,
  kIsBoolean,
  kIsTimestamp,
};

enum class ChoiceType { kString, kNumeric, kBoolean, kTimestamp };

enum class ChoiceRelation { kEquals, kLessThan, kGreaterThan, kLessThanEquals, kGreaterThanEquals };

struct ChoiceOperator {
  std::string name;
  ChoiceOperatorKind kind = ChoiceOperatorKind::kCompare;
  ChoiceType type = ChoiceType::kString;  // of the operand; kBoolean for the Is* operators
  ChoiceRelation relation = ChoiceRelation::kEquals;
  bool path = false;  // the operand is a path to the value, not the value itself
};

// nullptr when `name` is not an operator.
const ChoiceOperator* FindChoiceOperator(std::string_view name);

// Every operator name, for "did you mean" suggestions.
const std::vector<std::string_view>& ChoiceOperatorNames();

// "a string", "a number", ...: what an operand of `type` must be, for messages.
std::string_view DescribeChoiceType(ChoiceType type);

}  // namespace stepwise::dsl::internal
