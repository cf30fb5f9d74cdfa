#include "choice_operator.h"

#include <algorithm>

namespace stepwise::dsl::internal {
namespace {

std::vector<ChoiceOperator> BuildTable() {
  std::vector<ChoiceOperator> table;
  const std::pair<const char*, ChoiceType> types[] = {{"String", ChoiceType::kString},
                                                      {"Numeric", ChoiceType::kNumeric},
                                                      {"Timestamp", ChoiceType::kTimestamp}};
  const std::pair<const char*, ChoiceRelation> relations[] = {
      {"Equals", ChoiceRelation::kEquals},
      {"LessThan", ChoiceRelation::kLessThan},
      {"GreaterThan", ChoiceRelation::kGreaterThan},
      {"LessThanEquals", ChoiceRelation::kLessThanEquals},
      {"GreaterThanEquals", ChoiceRelation::kGreaterThanEquals}};
  for (const auto& [type_name, type] : types) {
    for (const auto& [relation_name, relation] : relations) {
      std::string name = std::string(type_name) + relation_name;
      table.push_back({name, ChoiceOperatorKind::kCompare, type, relation, false});
      table.push_back({name + "Path", ChoiceOperatorKind::kCompare, type, relation, true});
    }
  }
  table.push_back({"BooleanEquals", ChoiceOperatorKind::kCompare, ChoiceType::kBoolean,
                   ChoiceRelation::kEquals, false});
  table.push_back({"BooleanEqualsPath", ChoiceOperatorKind::kCompare, ChoiceType::kBoolean,
                   ChoiceRelation::kEquals, true});
  // StringMatches has no Path form in the States Language: the pattern is always literal.
  table.push_back({"StringMatches", ChoiceOperatorKind::kStringMatches, ChoiceType::kString,
                   ChoiceRelation::kEquals, false});
  const std::pair<const char*, ChoiceOperatorKind> tests[] = {
      {"IsNull", ChoiceOperatorKind::kIsNull},
      {"IsPresent", ChoiceOperatorKind::kIsPresent},
      {"IsNumeric", ChoiceOperatorKind::kIsNumeric},
      {"IsString", ChoiceOperatorKind::kIsString},
      {"IsBoolean", ChoiceOperatorKind::kIsBoolean},
      {"IsTimestamp", ChoiceOperatorKind::kIsTimestamp}};
  for (const auto& [name, kind] : tests) {
    table.push_back({name, kind, ChoiceType::kBoolean, ChoiceRelation::kEquals, false});
  }
  return table;
}

const std::vector<ChoiceOperator>& Table() {
  static const auto* const table = new std::vector<ChoiceOperator>(BuildTable());
  return *table;
}

}  // namespace

const ChoiceOperator* FindChoiceOperator(std::string_view name) {
  const auto& table = Table();
  auto it = std::find_if(table.begin(), table.end(),
                         [&](const ChoiceOperator& op) { return op.name == name; });
  return it == table.end() ? nullptr : &*it;
}

const std::vector<std::string_view>& ChoiceOperatorNames() {
  static const auto* const names = [] {
    auto* out = new std::vector<std::string_view>;
    for (const auto& op : Table()) out->push_back(op.name);
    return out;
  }();
  return *names;
}

std::string_view DescribeChoiceType(ChoiceType type) {
  switch (type) {
    case ChoiceType::kString:
      return "a string";
    case ChoiceType::kNumeric:
      return "a number";
    case ChoiceType::kBoolean:
      return "true or false";
    case ChoiceType::kTimestamp:
      return "a timestamp string";
  }
  return "a value";
}

}  // namespace stepwise::dsl::internal
