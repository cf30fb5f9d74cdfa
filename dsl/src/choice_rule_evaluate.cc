// Evaluates a compiled Choice Rule against a state's input, with the semantics AWS Step Functions
// shows (see the comment on ChoiceRule::Evaluate and tests/dsl/choice_conformance_test.cc).
#include <compare>
#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "choice_operator.h"
#include "choice_rule_node.h"
#include "field_reader.h"
#include "numeric_compare.h"
#include "stepwise/dsl/choice_rule.h"
#include "stepwise/dsl/timestamp.h"

namespace stepwise::dsl {
namespace {

using internal::ChoiceOperator;
using internal::ChoiceOperatorKind;
using internal::ChoiceRelation;
using internal::ChoiceType;
using nlohmann::json;
using Node = ChoiceRule::Node;

// AWS's States.Runtime cause for a Variable or `...Path` operand that selects nothing.
absl::Status InvalidPath(const JsonPath& path) {
  return absl::NotFoundError("Invalid path '" + path.text() +
                             "': The choice state's condition path references an invalid value.");
}

// The value the path selects, or nullopt when it selects nothing. Any evaluation failure means
// "nothing there" to a Choice Rule: IsPresent turns it into false, the rest into InvalidPath.
std::optional<json> Resolve(const JsonPath& path, const EvalScope& scope) {
  auto value = path.Evaluate(path.is_context() ? scope.context : scope.input);
  if (!value.ok()) return std::nullopt;
  return *std::move(value);
}

std::optional<Timestamp> AsTimestamp(const json& value) {
  if (!value.is_string()) return std::nullopt;
  return ParseTimestamp(value.get_ref<const std::string&>());
}

bool HasType(const json& value, ChoiceType type) {
  switch (type) {
    case ChoiceType::kString:
      return value.is_string();
    case ChoiceType::kNumeric:
      return value.is_number();  // never a boolean, and a numeric string is still a string
    case ChoiceType::kBoolean:
      return value.is_boolean();
    case ChoiceType::kTimestamp:
      return AsTimestamp(value).has_value();
  }
  return false;
}

bool Holds(std::partial_ordering order, ChoiceRelation relation) {
  switch (relation) {
    case ChoiceRelation::kEquals:
      return order == 0;
    case ChoiceRelation::kLessThan:
      return order < 0;
    case ChoiceRelation::kGreaterThan:
      return order > 0;
    case ChoiceRelation::kLessThanEquals:
      return order <= 0;
    case ChoiceRelation::kGreaterThanEquals:
      return order >= 0;
  }
  return false;
}

// Orders two values that both have `type` (checked by the caller). Strings compare by Unicode
// code point, which for UTF-8 is plain unsigned byte order (what std::string does); timestamps
// compare as instants, so 10:00+02:00 equals 08:00Z.
std::partial_ordering Order(const json& a, const json& b, ChoiceType type) {
  switch (type) {
    case ChoiceType::kString:
      return a.get_ref<const std::string&>() <=> b.get_ref<const std::string&>();
    case ChoiceType::kNumeric:
      return internal::CompareNumbers(a, b);
    case ChoiceType::kBoolean:
      return a.get<bool>() == b.get<bool>() ? std::partial_ordering::equivalent
                                            : std::partial_ordering::unordered;
    case ChoiceType::kTimestamp:
      return *AsTimestamp(a) <=> *AsTimestamp(b);
  }
  return std::partial_ordering::unordered;
}

std::string DescribeValue(const json& value) {
  if (value.is_string()) return "the string \"" + value.get<std::string>() + "\"";
  return internal::DescribeType(value);
}

// String*/Numeric*/Timestamp*/BooleanEquals and their Path forms, `value` being the Variable's.
absl::StatusOr<bool> EvaluateCompare(const Node::Comparison& comparison, const json& value,
                                     const EvalScope& scope) {
  const ChoiceOperator& op = *comparison.op;
  if (!op.path) {
    // The literal was checked (and a timestamp parsed) at compile time. A Variable of another
    // type makes the comparison false, never an error: AWS takes the Default for
    // {"Variable": "$.x", "NumericEquals": 0} with x = "0", null, [], {} or true.
    if (op.type == ChoiceType::kTimestamp) {
      auto timestamp = AsTimestamp(value);
      return timestamp && Holds(*timestamp <=> *comparison.timestamp, op.relation);
    }
    return HasType(value, op.type) && Holds(Order(value, comparison.literal, op.type), op.relation);
  }
  auto operand = Resolve(*comparison.path, scope);
  if (!operand) return InvalidPath(*comparison.path);
  if (!HasType(*operand, op.type)) {
    // Equality with a value of another type is simply false. An ordering has nothing to order
    // by, and Step Functions fails the state instead (it checks the operand before the
    // Variable, so this holds even when the Variable has the wrong type too).
    if (op.relation == ChoiceRelation::kEquals) return false;
    return absl::InvalidArgumentError("Invalid value provided at path '" + comparison.path->text() +
                                      "': '" + op.name + "' needs " +
                                      std::string(internal::DescribeChoiceType(op.type)) +
                                      ", but it holds " + DescribeValue(*operand));
  }
  return HasType(value, op.type) && Holds(Order(value, *operand, op.type), op.relation);
}

absl::StatusOr<bool> EvaluateComparison(const Node::Comparison& comparison,
                                        const EvalScope& scope) {
  const ChoiceOperator& op = *comparison.op;
  std::optional<json> value = Resolve(*comparison.variable, scope);
  if (op.kind == ChoiceOperatorKind::kIsPresent) {
    return value.has_value() == comparison.literal.get<bool>();
  }
  // Every other operator needs a value: a missing Variable fails the state with States.Runtime
  // on AWS (guard with IsPresent in an And to make it optional).
  if (!value) return InvalidPath(*comparison.variable);
  switch (op.kind) {
    case ChoiceOperatorKind::kCompare:
      return EvaluateCompare(comparison, *value, scope);
    case ChoiceOperatorKind::kStringMatches:
      return value->is_string() &&
             comparison.pattern->Matches(value->get_ref<const std::string&>());
    case ChoiceOperatorKind::kIsNull:
      return value->is_null() == comparison.literal.get<bool>();
    case ChoiceOperatorKind::kIsNumeric:
      return value->is_number() == comparison.literal.get<bool>();
    case ChoiceOperatorKind::kIsString:
      return value->is_string() == comparison.literal.get<bool>();
    case ChoiceOperatorKind::kIsBoolean:
      return value->is_boolean() == comparison.literal.get<bool>();
    case ChoiceOperatorKind::kIsTimestamp:
      return AsTimestamp(*value).has_value() == comparison.literal.get<bool>();
    case ChoiceOperatorKind::kIsPresent:
      break;  // handled above
  }
  return false;
}

// And and Or stop at the first rule that decides, so a later rule's error (a missing Variable)
// only counts when that rule is reached: `And: [IsPresent, NumericEquals]` is the safe idiom.
absl::StatusOr<bool> EvaluateNode(const Node& node, const EvalScope& scope) {
  switch (node.kind) {
    case Node::Kind::kAnd:
      for (const auto& child : node.children) {
        auto result = EvaluateNode(*child, scope);
        if (!result.ok() || !*result) return result;
      }
      return true;
    case Node::Kind::kOr:
      for (const auto& child : node.children) {
        auto result = EvaluateNode(*child, scope);
        if (!result.ok() || *result) return result;
      }
      return false;
    case Node::Kind::kNot: {
      auto result = EvaluateNode(*node.children.front(), scope);
      if (!result.ok()) return result;
      return !*result;
    }
    case Node::Kind::kComparison:
      return EvaluateComparison(node.comparison, scope);
  }
  return false;
}

}  // namespace

absl::StatusOr<bool> ChoiceRule::Evaluate(const EvalScope& scope) const {
  return EvaluateNode(*root_, scope);
}

}  // namespace stepwise::dsl
