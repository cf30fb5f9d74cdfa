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

  // Whether the rule matches. A missing Variable makes comparisons false (IsPresent true/false
  // as the spec says). Errors (a `...Path` operand that matches nothing, ...) are INVALID_ARGUMENT
  // or NOT_FOUND; the interpreter raises States.Runtime with the message.
  absl::StatusOr<bool> Evaluate(const EvalScope& scope) const;

  struct Node;  // defined in choice_rule.cc

 private:
  explicit ChoiceRule(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;
};

}  // namespace stepwise::dsl
