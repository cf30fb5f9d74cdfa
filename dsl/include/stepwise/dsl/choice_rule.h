#pragma once

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl {

// A compiled Choice Rule: a comparison (`Variable` with one operator such as NumericEquals,
// StringMatches, IsPresent, TimestampLessThanPath, ...) or a Boolean combination (And, Or, Not)
// nested to any depth.
class ChoiceRule {
 public:
  // Compiles the rule at `pointer`, reporting every problem to `diagnostics`; nullopt if any.
  // A top-level rule (an element of `Choices`) must carry `Next`, which is left to the caller
  // to resolve; nested rules must not.
  static std::optional<ChoiceRule> Compile(const nlohmann::json& rule, const std::string& pointer,
                                           bool top_level, Diagnostics& diagnostics);

  // Whether the rule matches, with AWS's semantics:
  // - A Variable or `...Path` operand that selects nothing is NOT_FOUND, "Invalid path '$.x':
  //   The choice state's condition path references an invalid value." (AWS's States.Runtime
  //   cause), for every operator but IsPresent, which is then simply false (IsPresent: true).
  // - A Variable of the wrong type makes the comparison false, never an error: NumericEquals on
  //   "5", null, true or [] is false; IsNumeric on "5" is false; IsTimestamp on a non-string or
  //   a non-RFC 3339 string is false. Booleans are not numbers.
  // - Numbers compare by value (1 == 1.0). Strings compare by Unicode code point. Timestamps
  //   compare as instants, so differing offsets of the same instant are equal.
  // - A `...Path` operand of the wrong type: false for the Equals forms; INVALID_ARGUMENT
  //   ("Invalid value provided at path '$.y': ...") for the ordering forms.
  // - And/Or evaluate in order and stop at the first deciding rule; an error stops evaluation.
  // The interpreter raises States.Runtime with the status message.
  absl::StatusOr<bool> Evaluate(const EvalScope& scope) const;

  struct Node;  // defined in choice_rule.cc

 private:
  explicit ChoiceRule(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;
};

}  // namespace stepwise::dsl
