// Compiles Choice Rules: checks every field of a rule and of the rules nested in its And, Or and
// Not, reports each problem at its JSON Pointer, and builds the immutable Node tree that
// Evaluate (choice_rule_evaluate.cc) walks without looking at the JSON again.
#include "stepwise/dsl/choice_rule.h"

#include <algorithm>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "choice_operator.h"
#include "choice_rule_node.h"
#include "closest_match.h"
#include "field_reader.h"
#include "string_matches.h"

namespace stepwise::dsl {
namespace {

using internal::ChoiceOperator;
using internal::ChoiceOperatorKind;
using internal::ChoiceType;
using internal::DescribeType;
using nlohmann::json;
using Node = ChoiceRule::Node;

constexpr std::string_view kCombinators[] = {"And", "Or", "Not"};

// Fields of the JSONata flavour and of variables: "not supported yet" rather than "unknown".
constexpr std::string_view kNotYetSupported[] = {"Assign", "Output", "Condition"};

// Spelt out for an unknown field that resembles no valid one, so the user sees the choices.
constexpr std::string_view kValidFields =
    "a Choice Rule has 'Variable' with one operator (StringEquals, StringLessThan, "
    "StringGreaterThan, StringLessThanEquals, StringGreaterThanEquals, the same five for Numeric "
    "and Timestamp, BooleanEquals, each of these also with a 'Path' suffix; StringMatches, "
    "IsNull, IsPresent, IsNumeric, IsString, IsBoolean, IsTimestamp), or one of 'And', 'Or', "
    "'Not'; and 'Next' (top-level rules only) and 'Comment'";

constexpr std::string_view kTimestampExample =
    "a timestamp such as \"2016-03-14T01:59:00Z\" (RFC 3339: an upper-case T, and Z or an "
    "offset such as +02:00 at the end)";

template <size_t N>
bool Contains(const std::string_view (&list)[N], std::string_view word) {
  return std::find(std::begin(list), std::end(list), word) != std::end(list);
}

bool IsCombinator(std::string_view key) { return Contains(kCombinators, key); }

const std::vector<std::string_view>& KnownFields() {
  static const auto* const fields = [] {
    auto* out = new std::vector<std::string_view>(internal::ChoiceOperatorNames());
    out->insert(out->end(), {"Variable", "Next", "Comment", "And", "Or", "Not"});
    return out;
  }();
  return *fields;
}

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() ? nullptr : &*it;
}

std::string Quoted(std::string_view text) { return "'" + std::string(text) + "'"; }

// What a wrong value is, for messages: its type, or the string itself when the type was right
// but the content was not.
std::string Describe(const json& value) {
  if (value.is_string()) return "\"" + value.get<std::string>() + "\"";
  return DescribeType(value);
}

class RuleCompiler {
 public:
  explicit RuleCompiler(Diagnostics& diagnostics) : diagnostics_(diagnostics) {}

  // nullptr when the rule, or a rule inside it, has an error; every error is reported.
  std::shared_ptr<const Node> Compile(const json& rule, const std::string& pointer, bool top_level);

 private:
  // Reports unknown fields; collects the combinators and operators the rule uses. Returns
  // whether an unknown field looked like a misspelt operator (so "no operator" would repeat it).
  bool ClassifyFields(const json& rule, const std::string& pointer,
                      std::vector<std::string>& combinators,
                      std::vector<const ChoiceOperator*>& operators);
  void CheckNext(const json& rule, const std::string& pointer, bool top_level);
  void CompileCombinator(const std::string& name, const json& value, const std::string& pointer,
                         Node& node);
  std::optional<JsonPath> CompilePath(std::string_view key, const json& value,
                                      const std::string& pointer);
  void CompileOperand(const ChoiceOperator& op, const json& value, const std::string& pointer,
                      Node::Comparison& comparison);

  void Error(std::string pointer, std::string message) {
    diagnostics_.Error(std::move(pointer), std::move(message));
  }

  Diagnostics& diagnostics_;
};

std::shared_ptr<const Node> RuleCompiler::Compile(const json& rule, const std::string& pointer,
                                                  bool top_level) {
  if (!rule.is_object()) {
    Error(pointer, "a Choice Rule must be a JSON object, not " + DescribeType(rule));
    return nullptr;
  }
  const int errors_before = diagnostics_.error_count();
  std::vector<std::string> combinators;
  std::vector<const ChoiceOperator*> operators;
  bool operator_typo = ClassifyFields(rule, pointer, combinators, operators);

  if (const json* comment = Find(rule, "Comment"); comment != nullptr && !comment->is_string()) {
    Error(JoinPointer(pointer, "Comment"),
          "'Comment' must be a string, not " + DescribeType(*comment));
  }
  CheckNext(rule, pointer, top_level);

  const json* variable = Find(rule, "Variable");
  const size_t operator_count = combinators.size() + operators.size();
  if (operator_count == 0 && !operator_typo) {
    Error(pointer, variable != nullptr
                       ? "'Variable' needs an operator next to it, such as StringEquals, "
                         "NumericGreaterThan or IsPresent"
                       : "a Choice Rule needs a comparison ('Variable' with an operator such as "
                         "StringEquals) or one of 'And', 'Or', 'Not'");
  } else if (operator_count > 1) {
    std::string names;
    for (const auto& name : combinators) names += (names.empty() ? "" : ", ") + Quoted(name);
    for (const auto* op : operators) names += (names.empty() ? "" : ", ") + Quoted(op->name);
    Error(pointer, "a Choice Rule takes exactly one operator, but this one has " + names +
                       "; to test several things, nest rules in 'And' or 'Or'");
  }

  auto node = std::make_shared<Node>();
  for (const auto& name : combinators) {
    CompileCombinator(name, rule[name], JoinPointer(pointer, name), *node);
  }
  if (!combinators.empty() && operators.empty() && variable != nullptr) {
    Error(JoinPointer(pointer, "Variable"),
          "'Variable' belongs to a comparison, not to " + Quoted(combinators.front()) +
              "; move the 'Variable' and its operator into one of the nested rules");
  }

  if (!operators.empty()) {
    Node::Comparison& comparison = node->comparison;
    comparison.op = operators.front();
    if (variable == nullptr) {
      Error(pointer, "missing required field 'Variable': the path to the value that " +
                         Quoted(operators.front()->name) + " tests, such as \"$.status\"");
    } else {
      comparison.variable = CompilePath("Variable", *variable, JoinPointer(pointer, "Variable"));
    }
    // Extra operators are an error already, but their values are checked too so that one run
    // reports everything.
    for (const ChoiceOperator* op : operators) {
      Node::Comparison scratch;
      CompileOperand(*op, rule[op->name], JoinPointer(pointer, op->name),
                     op == operators.front() ? comparison : scratch);
    }
  }

  if (diagnostics_.error_count() > errors_before) return nullptr;
  if (!operators.empty()) {
    node->kind = Node::Kind::kComparison;
  } else {
    const std::string& name = combinators.front();
    node->kind = name == "And"  ? Node::Kind::kAnd
                 : name == "Or" ? Node::Kind::kOr
                                : Node::Kind::kNot;
  }
  return node;
}

bool RuleCompiler::ClassifyFields(const json& rule, const std::string& pointer,
                                  std::vector<std::string>& combinators,
                                  std::vector<const ChoiceOperator*>& operators) {
  bool operator_typo = false;
  for (const auto& [key, value] : rule.items()) {
    if (key == "Variable" || key == "Next" || key == "Comment") continue;
    if (IsCombinator(key)) {
      combinators.push_back(key);
      continue;
    }
    if (const ChoiceOperator* op = internal::FindChoiceOperator(key)) {
      operators.push_back(op);
      continue;
    }
    const std::string field = JoinPointer(pointer, key);
    if (Contains(kNotYetSupported, key)) {
      Error(field, Quoted(key) + " is not supported yet in a Choice Rule");
    } else if (key == "StringMatchesPath") {
      operator_typo = true;
      Error(field,
            "there is no 'StringMatchesPath': the pattern of 'StringMatches' is always "
            "written literally");
    } else if (auto suggestion = internal::ClosestMatch(key, KnownFields())) {
      operator_typo = operator_typo || IsCombinator(*suggestion) ||
                      internal::FindChoiceOperator(*suggestion) != nullptr;
      Error(field, "unknown field " + Quoted(key) + " in a Choice Rule (did you mean " +
                       Quoted(*suggestion) + "?)");
    } else {
      Error(field,
            "unknown field " + Quoted(key) + " in a Choice Rule; " + std::string(kValidFields));
    }
  }
  return operator_typo;
}

void RuleCompiler::CheckNext(const json& rule, const std::string& pointer, bool top_level) {
  const json* next = Find(rule, "Next");
  const std::string next_pointer = JoinPointer(pointer, "Next");
  if (!top_level) {
    if (next != nullptr) {
      Error(next_pointer,
            "'Next' belongs on the top-level Choice Rule (the element of "
            "'Choices'); a rule inside 'And', 'Or' or 'Not' has no transition of "
            "its own");
    }
    return;
  }
  if (next == nullptr) {
    Error(pointer, "missing required field 'Next': the state to go to when this rule matches");
  } else if (!next->is_string()) {
    Error(next_pointer,
          "'Next' must be the name of a state (a string), not " + DescribeType(*next));
  } else if (next->get_ref<const std::string&>().empty()) {
    Error(next_pointer, "'Next' must name a state; it is empty");
  }
}

void RuleCompiler::CompileCombinator(const std::string& name, const json& value,
                                     const std::string& pointer, Node& node) {
  if (name == "Not") {
    if (!value.is_object()) {
      Error(pointer, "'Not' must be one Choice Rule (a JSON object), not " + DescribeType(value) +
                         (value.is_array() ? "; to negate several rules, put an 'And' or 'Or' "
                                             "inside 'Not'"
                                           : ""));
      return;
    }
    if (auto child = Compile(value, pointer, /*top_level=*/false)) node.children.push_back(child);
    return;
  }
  if (!value.is_array() || value.empty()) {
    Error(pointer, Quoted(name) + " must be a non-empty array of Choice Rules, not " +
                       (value.is_array() ? std::string("an empty array") : DescribeType(value)));
    return;
  }
  for (size_t i = 0; i < value.size(); ++i) {
    if (auto child = Compile(value[i], JoinPointer(pointer, i), /*top_level=*/false)) {
      node.children.push_back(child);
    }
  }
}

std::optional<JsonPath> RuleCompiler::CompilePath(std::string_view key, const json& value,
                                                  const std::string& pointer) {
  if (!value.is_string()) {
    Error(pointer,
          Quoted(key) + " must be a path string such as \"$.status\", not " + DescribeType(value));
    return std::nullopt;
  }
  // The spec requires Reference Paths here: a comparison needs one value, not a set of them.
  auto path = JsonPath::Parse(value.get_ref<const std::string&>(), JsonPath::Kind::kReferencePath);
  if (!path.ok()) {
    Error(pointer, Quoted(key) +
                       " must be a Reference Path (member names and array indexes, "
                       "such as \"$.order.items[0]\"): " +
                       std::string(path.status().message()));
    return std::nullopt;
  }
  return *std::move(path);
}

void RuleCompiler::CompileOperand(const ChoiceOperator& op, const json& value,
                                  const std::string& pointer, Node::Comparison& comparison) {
  const std::string name = Quoted(op.name);
  if (op.path) {
    comparison.path = CompilePath(op.name, value, pointer);
    return;
  }
  switch (op.kind) {
    case ChoiceOperatorKind::kStringMatches: {
      if (!value.is_string()) {
        Error(pointer,
              name + " must be a string pattern such as \"*.log\", not " + DescribeType(value));
        return;
      }
      bool stray_backslash = false;
      comparison.pattern =
          internal::GlobPattern::Parse(value.get_ref<const std::string&>(), &stray_backslash);
      if (stray_backslash) {
        diagnostics_.Warning(pointer, "a backslash in " + name +
                                          " escapes only '*' or another backslash; this one "
                                          "is matched as a literal backslash (write two to "
                                          "say so)");
      }
      return;
    }
    case ChoiceOperatorKind::kCompare:
      break;
    default:  // the Is* operators
      if (!value.is_boolean()) {
        Error(pointer, name + " must be true or false, not " + DescribeType(value));
        return;
      }
      comparison.literal = value;
      return;
  }
  switch (op.type) {
    case ChoiceType::kString:
      if (!value.is_string()) {
        // StringLessThan -> NumericLessThan: the user most likely meant to compare numbers.
        std::string numeric = "Numeric" + op.name.substr(std::string_view("String").size());
        Error(pointer,
              name + " must be a string, not " + DescribeType(value) +
                  (value.is_number() ? "; to compare numbers, use " + Quoted(numeric) : ""));
        return;
      }
      break;
    case ChoiceType::kNumeric:
      if (!value.is_number()) {
        Error(pointer, name + " must be a number, not " + Describe(value) +
                           (value.is_string() ? "; write the number without quotes" : ""));
        return;
      }
      break;
    case ChoiceType::kBoolean:
      if (!value.is_boolean()) {
        Error(pointer, name + " must be true or false, not " + Describe(value));
        return;
      }
      break;
    case ChoiceType::kTimestamp: {
      std::optional<Timestamp> timestamp;
      if (value.is_string()) timestamp = ParseTimestamp(value.get_ref<const std::string&>());
      if (!timestamp) {
        Error(pointer,
              name + " must be " + std::string(kTimestampExample) + ", not " + Describe(value));
        return;
      }
      comparison.timestamp = timestamp;
      return;
    }
  }
  comparison.literal = value;
}

}  // namespace

ChoiceRule::ChoiceRule(std::shared_ptr<const Node> root) : root_(std::move(root)) {}

std::optional<ChoiceRule> ChoiceRule::Compile(const json& rule, const std::string& pointer,
                                              bool top_level, Diagnostics& diagnostics) {
  RuleCompiler compiler(diagnostics);
  auto root = compiler.Compile(rule, pointer, top_level);
  if (root == nullptr) return std::nullopt;
  return ChoiceRule(std::move(root));
}

}  // namespace stepwise::dsl
