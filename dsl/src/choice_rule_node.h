// The compiled form of a Choice Rule, shared by the compiler (choice_rule.cc) and the evaluator
// (choice_rule_evaluate.cc). Built once and never changed: copies of a ChoiceRule share it.
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <vector>

#include "choice_operator.h"
#include "stepwise/dsl/choice_rule.h"
#include "stepwise/dsl/json_path.h"
#include "stepwise/dsl/timestamp.h"
#include "string_matches.h"

namespace stepwise::dsl {

struct ChoiceRule::Node {
  enum class Kind { kAnd, kOr, kNot, kComparison };

  // A Variable with one operator. Exactly one of the operand members is set, chosen by `op`:
  // `path` for the `...Path` forms, `pattern` for StringMatches, `timestamp` for Timestamp*
  // literals, `literal` for the rest (a string, number or boolean checked at compile time).
  struct Comparison {
    const internal::ChoiceOperator* op = nullptr;
    std::optional<JsonPath> variable;
    std::optional<JsonPath> path;
    std::optional<internal::GlobPattern> pattern;
    std::optional<Timestamp> timestamp;
    nlohmann::json literal;
  };

  Kind kind = Kind::kComparison;
  std::vector<std::shared_ptr<const Node>> children;  // And/Or: one or more; Not: exactly one
  Comparison comparison;                              // kComparison only
};

}  // namespace stepwise::dsl
