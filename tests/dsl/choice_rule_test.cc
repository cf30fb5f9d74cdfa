// ChoiceRule: every operator and its Path form, nesting, the compile diagnostics, and the
// StringMatches wildcard rules. What AWS does is pinned by choice_conformance_test.cc; these
// tests cover the cases those recordings do not.
#include "stepwise/dsl/choice_rule.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl {
namespace {

using nlohmann::json;

constexpr std::string_view kPointer = "/States/C/Choices/0";

std::string At(std::string_view suffix) { return std::string(kPointer) + std::string(suffix); }

std::string Describe(const Diagnostics& diagnostics) {
  std::string out;
  for (const auto& d : diagnostics.all()) out += "  " + FormatDiagnostic(d) + "\n";
  return out.empty() ? "  (no diagnostics)\n" : out;
}

bool Has(const Diagnostics& diagnostics, std::string_view pointer, std::string_view fragment,
         Severity severity = Severity::kError) {
  for (const auto& d : diagnostics.all()) {
    if (d.severity == severity && d.pointer == pointer &&
        d.message.find(fragment) != std::string::npos) {
      return true;
    }
  }
  return false;
}

#define EXPECT_ERROR(diagnostics, pointer, fragment)                                          \
  EXPECT_TRUE(Has(diagnostics, pointer, fragment))                                            \
      << "expected an error at " << (pointer) << " mentioning '" << (fragment) << "'; got:\n" \
      << Describe(diagnostics)

// Compiles a nested rule (top_level=false, so no Next) that must be valid.
std::optional<ChoiceRule> Rule(std::string_view text) {
  Diagnostics diagnostics;
  auto rule = ChoiceRule::Compile(json::parse(text), std::string(kPointer), false, diagnostics);
  EXPECT_TRUE(rule.has_value()) << text << "\n" << Describe(diagnostics);
  EXPECT_FALSE(diagnostics.has_errors()) << Describe(diagnostics);
  return rule;
}

// The diagnostics of compiling `text` as a rule that must be invalid.
Diagnostics Errors(std::string_view text, bool top_level = false) {
  Diagnostics diagnostics;
  auto rule = ChoiceRule::Compile(json::parse(text), std::string(kPointer), top_level, diagnostics);
  EXPECT_FALSE(rule.has_value()) << text;
  EXPECT_TRUE(diagnostics.has_errors()) << text;
  return diagnostics;
}

absl::StatusOr<bool> Evaluate(std::string_view rule, const json& input,
                              const json& context = json::object()) {
  auto compiled = Rule(rule);
  if (!compiled) return absl::InternalError("the rule did not compile");
  return compiled->Evaluate(EvalScope{input, context, {}});
}

// Whether `rule` matches `input`; the evaluation must not fail.
bool Matches(std::string_view rule, const json& input) {
  auto result = Evaluate(rule, input);
  EXPECT_TRUE(result.ok()) << rule << " on " << input.dump() << ": " << result.status();
  return result.ok() && *result;
}

// {"Variable": "$.v", "<op>": <operand>} against {"v": <value>}.
bool Check(std::string_view op, const json& operand, const json& value) {
  json rule = {{"Variable", "$.v"}, {std::string(op), operand}};
  return Matches(rule.dump(), json{{"v", value}});
}

// The Path form: {"Variable": "$.v", "<op>Path": "$.o"} against {"v": value, "o": operand}.
bool CheckPath(std::string_view op, const json& operand, const json& value) {
  json rule = {{"Variable", "$.v"}, {std::string(op) + "Path", "$.o"}};
  return Matches(rule.dump(), json{{"v", value}, {"o", operand}});
}

// ---------------------------------------------------------------------------------------------
// String operators

TEST(ChoiceRuleString, Equals) {
  EXPECT_TRUE(Check("StringEquals", "abc", "abc"));
  EXPECT_FALSE(Check("StringEquals", "abc", "abd"));
  EXPECT_FALSE(Check("StringEquals", "abc", "ABC"));
  EXPECT_FALSE(Check("StringEquals", "1", 1));  // no coercion
  EXPECT_FALSE(Check("StringEquals", "", nullptr));
}

TEST(ChoiceRuleString, OrderingIsByCodePoint) {
  EXPECT_TRUE(Check("StringLessThan", "b", "a"));
  EXPECT_FALSE(Check("StringLessThan", "a", "b"));
  EXPECT_FALSE(Check("StringLessThan", "a", "a"));
  EXPECT_TRUE(Check("StringLessThan", "abc", "ab"));                // a prefix sorts first
  EXPECT_TRUE(Check("StringLessThan", "a", "Z"));                   // upper case before lower case
  EXPECT_TRUE(Check("StringGreaterThan", "z", "\u00e9"));           // é (U+00E9) after z
  EXPECT_TRUE(Check("StringGreaterThan", "\uffff", "\U0001F600"));  // by code point, not UTF-16
  EXPECT_FALSE(Check("StringGreaterThan", "b", "a"));
  EXPECT_TRUE(Check("StringLessThanEquals", "a", "a"));
  EXPECT_FALSE(Check("StringLessThanEquals", "a", "b"));
  EXPECT_TRUE(Check("StringGreaterThanEquals", "a", "a"));
  EXPECT_FALSE(Check("StringGreaterThanEquals", "b", "a"));
  EXPECT_FALSE(Check("StringGreaterThan", "a", 5));  // a number is not a string
}

TEST(ChoiceRuleString, PathForms) {
  EXPECT_TRUE(CheckPath("StringEquals", "x", "x"));
  EXPECT_FALSE(CheckPath("StringEquals", "x", "y"));
  EXPECT_TRUE(CheckPath("StringLessThan", "b", "a"));
  EXPECT_FALSE(CheckPath("StringLessThan", "a", "b"));
  EXPECT_TRUE(CheckPath("StringGreaterThan", "a", "b"));
  EXPECT_FALSE(CheckPath("StringGreaterThan", "b", "a"));
  EXPECT_TRUE(CheckPath("StringLessThanEquals", "a", "a"));
  EXPECT_FALSE(CheckPath("StringLessThanEquals", "a", "b"));
  EXPECT_TRUE(CheckPath("StringGreaterThanEquals", "b", "b"));
  EXPECT_FALSE(CheckPath("StringGreaterThanEquals", "b", "a"));
}

// ---------------------------------------------------------------------------------------------
// Numeric operators

TEST(ChoiceRuleNumeric, EqualsComparesValuesNotRepresentations) {
  EXPECT_TRUE(Check("NumericEquals", 1, 1));
  EXPECT_TRUE(Check("NumericEquals", 1, 1.0));
  EXPECT_TRUE(Check("NumericEquals", 1.0, 1));
  EXPECT_TRUE(Check("NumericEquals", -3, -3.0));
  EXPECT_FALSE(Check("NumericEquals", 1, 1.1));
  EXPECT_FALSE(Check("NumericEquals", 1, "1"));   // a numeric string is a string
  EXPECT_FALSE(Check("NumericEquals", 1, true));  // a boolean is not a number
  EXPECT_FALSE(Check("NumericEquals", 0, false));
  EXPECT_FALSE(Check("NumericEquals", 0, nullptr));
  EXPECT_FALSE(Check("NumericEquals", 0, json::array()));
}

TEST(ChoiceRuleNumeric, IntegersBeyondDoublePrecisionStayExact) {
  // 2^53 + 1 has no double; converting it would make it equal to 2^53.
  EXPECT_FALSE(Check("NumericEquals", 9007199254740992.0, 9007199254740993LL));
  EXPECT_TRUE(Check("NumericGreaterThan", 9007199254740992.0, 9007199254740993LL));
  EXPECT_TRUE(Check("NumericLessThan", 18446744073709551615.0, 18446744073709551615ULL));
  EXPECT_TRUE(Check("NumericLessThan", 0, -9223372036854775807LL - 1));
  EXPECT_TRUE(Check("NumericGreaterThan", -1, 18446744073709551615ULL));
}

TEST(ChoiceRuleNumeric, Ordering) {
  EXPECT_TRUE(Check("NumericLessThan", 0, -1));
  EXPECT_FALSE(Check("NumericLessThan", 0, 0));
  EXPECT_TRUE(Check("NumericLessThan", 1, 0.5));
  EXPECT_TRUE(Check("NumericGreaterThan", 0, 0.001));
  EXPECT_FALSE(Check("NumericGreaterThan", 1, 1.0));
  EXPECT_TRUE(Check("NumericLessThanEquals", 1, 1.0));
  EXPECT_FALSE(Check("NumericLessThanEquals", 1, 1.5));
  EXPECT_TRUE(Check("NumericGreaterThanEquals", 1.5, 2));
  EXPECT_FALSE(Check("NumericGreaterThanEquals", 2, 1.5));
  EXPECT_FALSE(Check("NumericGreaterThan", 0, "5"));
}

TEST(ChoiceRuleNumeric, PathForms) {
  EXPECT_TRUE(CheckPath("NumericEquals", 2.0, 2));
  EXPECT_FALSE(CheckPath("NumericEquals", 2, 3));
  EXPECT_TRUE(CheckPath("NumericLessThan", 3, 2));
  EXPECT_FALSE(CheckPath("NumericLessThan", 2, 2));
  EXPECT_TRUE(CheckPath("NumericGreaterThan", 2, 3));
  EXPECT_FALSE(CheckPath("NumericGreaterThan", 3, 3));
  EXPECT_TRUE(CheckPath("NumericLessThanEquals", 2, 2));
  EXPECT_FALSE(CheckPath("NumericLessThanEquals", 2, 3));
  EXPECT_TRUE(CheckPath("NumericGreaterThanEquals", 3, 3));
  EXPECT_FALSE(CheckPath("NumericGreaterThanEquals", 3, 2));
}

// ---------------------------------------------------------------------------------------------
// Boolean

TEST(ChoiceRuleBoolean, Equals) {
  EXPECT_TRUE(Check("BooleanEquals", true, true));
  EXPECT_TRUE(Check("BooleanEquals", false, false));
  EXPECT_FALSE(Check("BooleanEquals", true, false));
  EXPECT_FALSE(Check("BooleanEquals", true, 1));
  EXPECT_FALSE(Check("BooleanEquals", true, "true"));
  EXPECT_FALSE(Check("BooleanEquals", false, nullptr));
  EXPECT_TRUE(CheckPath("BooleanEquals", false, false));
  EXPECT_FALSE(CheckPath("BooleanEquals", false, true));
  EXPECT_FALSE(CheckPath("BooleanEquals", true, 1));
}

// ---------------------------------------------------------------------------------------------
// Timestamps

TEST(ChoiceRuleTimestamp, ComparesInstantsAcrossOffsets) {
  EXPECT_TRUE(Check("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00Z"));
  EXPECT_TRUE(Check("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T03:59:00+02:00"));
  EXPECT_TRUE(Check("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00.000Z"));
  EXPECT_FALSE(Check("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00+02:00"));
  EXPECT_FALSE(Check("TimestampEquals", "2016-03-14T01:59:00Z", "2016-03-14T01:59:00"));
  EXPECT_FALSE(Check("TimestampEquals", "2016-03-14T01:59:00Z", 1457920740));
}

TEST(ChoiceRuleTimestamp, Ordering) {
  const std::string t = "2016-03-14T01:59:00Z";
  EXPECT_TRUE(Check("TimestampLessThan", t, "2016-03-14T01:58:59.999Z"));
  EXPECT_FALSE(Check("TimestampLessThan", t, t));
  EXPECT_TRUE(Check("TimestampGreaterThan", t, "2016-03-14T02:59:00+00:59"));  // 1 s later
  EXPECT_FALSE(Check("TimestampGreaterThan", t, t));
  EXPECT_TRUE(Check("TimestampLessThanEquals", t, t));
  EXPECT_FALSE(Check("TimestampLessThanEquals", t, "2016-03-14T01:59:00.1Z"));
  EXPECT_TRUE(Check("TimestampGreaterThanEquals", t, "2016-03-14T01:59:00.1Z"));
  EXPECT_FALSE(Check("TimestampGreaterThanEquals", t, "2015-03-14T01:59:00Z"));
  EXPECT_FALSE(Check("TimestampGreaterThan", t, "not a timestamp"));
}

TEST(ChoiceRuleTimestamp, PathForms) {
  const std::string early = "2012-10-09T19:00:55Z";
  const std::string late = "2012-10-09T19:00:56Z";
  EXPECT_TRUE(CheckPath("TimestampEquals", early, "2012-10-09T20:00:55+01:00"));
  EXPECT_FALSE(CheckPath("TimestampEquals", early, late));
  EXPECT_TRUE(CheckPath("TimestampLessThan", late, early));
  EXPECT_FALSE(CheckPath("TimestampLessThan", early, late));
  EXPECT_TRUE(CheckPath("TimestampGreaterThan", early, late));
  EXPECT_FALSE(CheckPath("TimestampGreaterThan", late, early));
  EXPECT_TRUE(CheckPath("TimestampLessThanEquals", early, early));
  EXPECT_FALSE(CheckPath("TimestampLessThanEquals", early, late));
  EXPECT_TRUE(CheckPath("TimestampGreaterThanEquals", early, early));
  EXPECT_FALSE(CheckPath("TimestampGreaterThanEquals", late, early));
}

// ---------------------------------------------------------------------------------------------
// Type tests

TEST(ChoiceRuleIs, Null) {
  EXPECT_TRUE(Check("IsNull", true, nullptr));
  EXPECT_FALSE(Check("IsNull", true, 0));
  EXPECT_FALSE(Check("IsNull", true, ""));
  EXPECT_TRUE(Check("IsNull", false, ""));
  EXPECT_FALSE(Check("IsNull", false, nullptr));
}

TEST(ChoiceRuleIs, Present) {
  EXPECT_TRUE(Check("IsPresent", true, nullptr));  // a null is present
  EXPECT_FALSE(Check("IsPresent", false, nullptr));
  EXPECT_FALSE(Matches(R"({"Variable": "$.missing", "IsPresent": true})", json{{"v", 1}}));
  EXPECT_TRUE(Matches(R"({"Variable": "$.missing", "IsPresent": false})", json{{"v", 1}}));
  EXPECT_FALSE(Matches(R"({"Variable": "$.v.deeper", "IsPresent": true})", json{{"v", 1}}));
  EXPECT_FALSE(Matches(R"({"Variable": "$.a[3]", "IsPresent": true})", json{{"a", {1, 2}}}));
  EXPECT_TRUE(Matches(R"({"Variable": "$.a[1]", "IsPresent": true})", json{{"a", {1, 2}}}));
}

TEST(ChoiceRuleIs, Numeric) {
  EXPECT_TRUE(Check("IsNumeric", true, 0));
  EXPECT_TRUE(Check("IsNumeric", true, -1.5));
  EXPECT_FALSE(Check("IsNumeric", true, "1"));  // AWS: a numeric string is not numeric
  EXPECT_FALSE(Check("IsNumeric", true, true));
  EXPECT_TRUE(Check("IsNumeric", false, "1"));
  EXPECT_FALSE(Check("IsNumeric", false, 2));
}

TEST(ChoiceRuleIs, String) {
  EXPECT_TRUE(Check("IsString", true, ""));
  EXPECT_FALSE(Check("IsString", true, 0));
  EXPECT_FALSE(Check("IsString", true, json::array({""})));
  EXPECT_TRUE(Check("IsString", false, nullptr));
  EXPECT_FALSE(Check("IsString", false, "x"));
}

TEST(ChoiceRuleIs, Boolean) {
  EXPECT_TRUE(Check("IsBoolean", true, false));
  EXPECT_FALSE(Check("IsBoolean", true, "true"));
  EXPECT_FALSE(Check("IsBoolean", true, 0));
  EXPECT_TRUE(Check("IsBoolean", false, 0));
  EXPECT_FALSE(Check("IsBoolean", false, true));
}

TEST(ChoiceRuleIs, Timestamp) {
  EXPECT_TRUE(Check("IsTimestamp", true, "2016-03-14T01:59:00Z"));
  EXPECT_TRUE(Check("IsTimestamp", true, "2016-03-14T01:59:00.123456-07:00"));
  EXPECT_FALSE(Check("IsTimestamp", true, "2016-03-14T01:59:00"));  // no zone
  EXPECT_FALSE(Check("IsTimestamp", true, "2016-02-30T01:59:00Z"));
  EXPECT_FALSE(Check("IsTimestamp", true, 1457920740));
  EXPECT_FALSE(Check("IsTimestamp", true, nullptr));
  EXPECT_TRUE(Check("IsTimestamp", false, "2023-02-24"));
  EXPECT_FALSE(Check("IsTimestamp", false, "2016-03-14T01:59:00Z"));
}

// ---------------------------------------------------------------------------------------------
// StringMatches

bool Glob(std::string_view pattern, std::string_view text) {
  return Check("StringMatches", std::string(pattern), std::string(text));
}

TEST(ChoiceRuleStringMatches, Wildcards) {
  EXPECT_TRUE(Glob("log-*.txt", "log-2024.txt"));
  EXPECT_TRUE(Glob("log-*.txt", "log-.txt"));  // '*' matches nothing too
  EXPECT_FALSE(Glob("log-*.txt", "log-2024.txt.gz"));
  EXPECT_FALSE(Glob("log-*.txt", "xlog-1.txt"));
  EXPECT_TRUE(Glob("*", ""));
  EXPECT_TRUE(Glob("*", "anything at all"));
  EXPECT_TRUE(Glob("**", "x"));
  EXPECT_TRUE(Glob("a*b*c", "abc"));
  EXPECT_TRUE(Glob("a*b*c", "a-b-b-c"));
  EXPECT_FALSE(Glob("a*b*c", "acb"));
  EXPECT_TRUE(Glob("*ab*ab*", "abab"));
  EXPECT_FALSE(Glob("*ab*ab*", "aba"));
  EXPECT_FALSE(Glob("a*a", "a"));  // the anchored ends cannot share a character
  EXPECT_TRUE(Glob("a*a", "aa"));
  EXPECT_TRUE(Glob("\u00e9t*", "\u00e9t\u00e9"));
  EXPECT_FALSE(Glob("abc", "ABC"));
}

TEST(ChoiceRuleStringMatches, EmptyPatternMatchesOnlyTheEmptyString) {
  EXPECT_TRUE(Glob("", ""));
  EXPECT_FALSE(Glob("", "a"));
}

TEST(ChoiceRuleStringMatches, EscapedStarsAndBackslashes) {
  EXPECT_TRUE(Glob(R"(\*)", "*"));
  EXPECT_FALSE(Glob(R"(\*)", "x"));
  EXPECT_FALSE(Glob(R"(\*)", ""));
  EXPECT_TRUE(Glob(R"(a\*b*)", "a*b and more"));
  EXPECT_FALSE(Glob(R"(a\*b*)", "axb"));
  EXPECT_TRUE(Glob(R"(a\\b)", R"(a\b)"));
  EXPECT_FALSE(Glob(R"(a\\b)", R"(a\\b)"));
  EXPECT_TRUE(Glob(R"(a\\*)", R"(a\xyz)"));  // an escaped backslash, then a real wildcard
  EXPECT_FALSE(Glob(R"(a\\*)", "axyz"));
  EXPECT_TRUE(Glob(R"(\\\*)", R"(\*)"));
}

TEST(ChoiceRuleStringMatches, StrayBackslashIsLiteralWithAWarning) {
  for (std::string_view pattern : {R"(abc\)", R"(a\b)"}) {
    Diagnostics diagnostics;
    json rule = {{"Variable", "$.v"}, {"StringMatches", pattern}};
    auto compiled = ChoiceRule::Compile(rule, std::string(kPointer), false, diagnostics);
    ASSERT_TRUE(compiled.has_value()) << Describe(diagnostics);
    EXPECT_TRUE(Has(diagnostics, At("/StringMatches"), "backslash", Severity::kWarning))
        << Describe(diagnostics);
  }
  EXPECT_TRUE(Glob(R"(abc\)", R"(abc\)"));
  EXPECT_FALSE(Glob(R"(abc\)", "abc"));
  EXPECT_TRUE(Glob(R"(a\b)", R"(a\b)"));
}

TEST(ChoiceRuleStringMatches, NonStringsNeverMatch) {
  EXPECT_FALSE(Check("StringMatches", "*", 1));
  EXPECT_FALSE(Check("StringMatches", "*", nullptr));
  EXPECT_FALSE(Check("StringMatches", "*", json::array()));
}

TEST(ChoiceRuleStringMatches, PathologicalPatternsStayFast) {
  // A backtracking regex would take exponential time here; the glob matcher is one pass.
  std::string pattern;
  for (int i = 0; i < 30; ++i) pattern += "*a";
  pattern += "*b";
  EXPECT_FALSE(Glob(pattern, std::string(20000, 'a')));
  EXPECT_TRUE(Glob(pattern, std::string(20000, 'a') + "b"));
}

// ---------------------------------------------------------------------------------------------
// Paths into the input and the context object; runtime errors

TEST(ChoiceRuleRuntime, VariableAndOperandCanReadTheContextObject) {
  json context = {{"Execution", {{"Input", {{"limit", 10}}}, {"Name", "run-1"}}}};
  auto result = Evaluate(R"({"Variable": "$$.Execution.Name", "StringEquals": "run-1"})",
                         json::object(), context);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(*result);
  result = Evaluate(R"({"Variable": "$.n", "NumericLessThanPath": "$$.Execution.Input.limit"})",
                    json{{"n", 3}}, context);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_TRUE(*result);
}

TEST(ChoiceRuleRuntime, WholeInputAsVariable) {
  EXPECT_TRUE(Matches(R"({"Variable": "$", "NumericEquals": 3})", json(3)));
  EXPECT_TRUE(Matches(R"({"Variable": "$", "StringEquals": "No messages"})", json("No messages")));
}

TEST(ChoiceRuleRuntime, MissingVariableFailsEveryOperatorButIsPresent) {
  for (std::string_view rule :
       {R"({"Variable": "$.x", "StringEquals": "a"})",
        R"({"Variable": "$.x", "NumericGreaterThan": 1})",
        R"({"Variable": "$.x", "BooleanEquals": true})",
        R"({"Variable": "$.x", "TimestampEquals": "2016-03-14T01:59:00Z"})",
        R"({"Variable": "$.x", "StringMatches": "*"})", R"({"Variable": "$.x", "IsNull": false})",
        R"({"Variable": "$.x", "IsString": false})",
        R"({"Variable": "$.x", "StringEqualsPath": "$.y"})"}) {
    auto result = Evaluate(rule, json{{"y", "a"}});
    ASSERT_FALSE(result.ok()) << rule;
    EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
    EXPECT_EQ(result.status().message(),
              "Invalid path '$.x': The choice state's condition path references an invalid "
              "value.");
  }
}

TEST(ChoiceRuleRuntime, MissingPathOperandFails) {
  auto result =
      Evaluate(R"({"Variable": "$.x", "NumericEqualsPath": "$.missing"})", json{{"x", 1}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(result.status().message(),
            "Invalid path '$.missing': The choice state's condition path references an invalid "
            "value.");
}

TEST(ChoiceRuleRuntime, PathOperandOfTheWrongType) {
  // Equality with another type is just false...
  EXPECT_FALSE(CheckPath("NumericEquals", "1", 1));
  EXPECT_FALSE(CheckPath("StringEquals", 1, 1));
  EXPECT_FALSE(CheckPath("TimestampEquals", "yesterday", "2016-03-14T01:59:00Z"));
  // ...but an ordering has nothing to order by.
  auto result =
      Evaluate(R"({"Variable": "$.x", "StringGreaterThanPath": "$.y"})", json{{"x", 1}, {"y", 2}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(result.status().message().find("Invalid value provided at path '$.y'"), 0u)
      << result.status();
  result = Evaluate(R"({"Variable": "$.x", "TimestampLessThanPath": "$.y"})",
                    json{{"x", "2016-03-14T01:59:00Z"}, {"y", "2016-03-14"}});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  // A Variable of the wrong type with a good operand is false, as with literals.
  EXPECT_FALSE(CheckPath("StringGreaterThan", "a", 1));
}

// ---------------------------------------------------------------------------------------------
// And, Or, Not

TEST(ChoiceRuleNesting, AndOrNot) {
  const json input = {{"type", "Private"}, {"value", 22}};
  EXPECT_TRUE(Matches(R"({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                  {"Variable": "$.value", "NumericLessThan": 30}]})",
                      input));
  EXPECT_FALSE(Matches(R"({"And": [{"Variable": "$.value", "NumericGreaterThanEquals": 20},
                                   {"Variable": "$.value", "NumericLessThan": 21}]})",
                       input));
  EXPECT_TRUE(Matches(R"({"Or": [{"Variable": "$.value", "NumericEquals": 0},
                                 {"Variable": "$.type", "StringEquals": "Private"}]})",
                      input));
  EXPECT_FALSE(Matches(R"({"Or": [{"Variable": "$.value", "NumericEquals": 0},
                                  {"Variable": "$.type", "StringEquals": "Public"}]})",
                       input));
  EXPECT_FALSE(Matches(R"({"Not": {"Variable": "$.type", "StringEquals": "Private"}})", input));
  EXPECT_TRUE(Matches(R"({"Not": {"Variable": "$.type", "StringEquals": "Public"}})", input));
  EXPECT_TRUE(Matches(R"({"And": [{"Variable": "$.type", "StringEquals": "Private"}]})", input));
}

TEST(ChoiceRuleNesting, DeepNesting) {
  json rule = {{"Variable", "$.v"}, {"BooleanEquals", true}};
  const json is_boolean = {{"Variable", "$.v"}, {"IsBoolean", true}};
  for (int i = 0; i < 101; ++i) {  // 101 Nots, through And and Or of one rule: a negation
    json inner = rule;
    if (i % 3 == 1) inner = json::object({{"And", json::array({rule, is_boolean})}});
    if (i % 3 == 2) inner = json::object({{"Or", json::array({rule})}});
    rule = json::object({{"Not", inner}});
  }
  EXPECT_FALSE(Matches(rule.dump(), json{{"v", true}}));
  EXPECT_TRUE(Matches(rule.dump(), json{{"v", false}}));
}

TEST(ChoiceRuleNesting, AndStopsBeforeAMissingVariable) {
  // The safe idiom: guard the comparison with IsPresent.
  const std::string guarded = R"({"And": [{"Variable": "$.x", "IsPresent": true},
                                          {"Variable": "$.x", "NumericEquals": 3}]})";
  EXPECT_FALSE(Matches(guarded, json::object()));
  EXPECT_TRUE(Matches(guarded, json{{"x", 3}}));
  EXPECT_TRUE(Matches(R"({"Or": [{"Variable": "$.a", "IsNull": true},
                                 {"Variable": "$.missing", "IsNull": true}]})",
                      json{{"a", nullptr}}));
  // Once reached, the error stops evaluation and surfaces, also through Not.
  auto result = Evaluate(R"({"Not": {"Or": [{"Variable": "$.a", "IsNull": false},
                                            {"Variable": "$.missing", "IsNull": true}]}})",
                         json{{"a", nullptr}});
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find("'$.missing'"), std::string_view::npos);
}

TEST(ChoiceRuleNesting, CopiesShareTheCompiledRule) {
  auto a = Rule(R"({"Variable": "$.v", "StringEquals": "x"})");
  ASSERT_TRUE(a.has_value());
  ChoiceRule b = *a;
  json input = {{"v", "x"}};
  json context = json::object();
  EXPECT_TRUE(*b.Evaluate(EvalScope{input, context, {}}));
}

TEST(ChoiceRuleNesting, RecordedMapBreakCondition) {
  // scenarios/test_map_state_break_condition: AWS broke out of the Map at the item 3, after
  // passing 1, "Hello", {} and 3.3 through the same rule without an error.
  const std::string rule = R"({"And": [{"IsPresent": true, "Variable": "$"},
      {"And": [{"IsNumeric": true, "Variable": "$"}, {"NumericEquals": 3, "Variable": "$"}]}]})";
  for (const json& item : json::array({1, "Hello", json::object(), 3.3})) {
    EXPECT_FALSE(Matches(rule, item)) << item.dump();
  }
  EXPECT_TRUE(Matches(rule, json(3)));
}

TEST(ChoiceRuleNesting, RecordedAssignInChoiceIncorrect) {
  // variables/test_assign_in_choice_state[INCORRECT]: with {"input_value": "0"} neither rule
  // matched, so AWS took the Default.
  const json input = {{"input_value", "0"}};
  EXPECT_FALSE(Matches(R"({"Variable": "$.input_value", "IsPresent": false})", input));
  EXPECT_FALSE(Matches(R"({"Variable": "$.input_value", "NumericEquals": 42})", input));
}

// ---------------------------------------------------------------------------------------------
// Compile diagnostics

TEST(ChoiceRuleCompile, AcceptsAValidTopLevelRuleWithComments) {
  Diagnostics diagnostics;
  auto rule = ChoiceRule::Compile(json::parse(R"({
      "Comment": "large orders", "Variable": "$.total", "NumericGreaterThan": 100,
      "Next": "Review"})"),
                                  std::string(kPointer), true, diagnostics);
  EXPECT_TRUE(rule.has_value()) << Describe(diagnostics);
  rule = ChoiceRule::Compile(json::parse(R"({"And": [{"Variable": "$.a", "IsPresent": true,
      "Comment": "nested comments are fine"}], "Next": "X", "Comment": "top"})"),
                             std::string(kPointer), true, diagnostics);
  EXPECT_TRUE(rule.has_value()) << Describe(diagnostics);
  EXPECT_TRUE(diagnostics.all().empty()) << Describe(diagnostics);
}

TEST(ChoiceRuleCompile, RuleMustBeAnObject) {
  auto d = Errors(R"(["Variable"])");
  EXPECT_ERROR(d, At(""), "must be a JSON object, not an array");
}

TEST(ChoiceRuleCompile, MissingVariable) {
  auto d = Errors(R"({"StringEquals": "a"})");
  EXPECT_ERROR(d, At(""), "missing required field 'Variable'");
}

TEST(ChoiceRuleCompile, VariableMustBeAReferencePath) {
  auto d = Errors(R"({"Variable": 5, "StringEquals": "a"})");
  EXPECT_ERROR(d, At("/Variable"), "must be a path string");
  d = Errors(R"({"Variable": "status", "StringEquals": "a"})");
  EXPECT_ERROR(d, At("/Variable"), "must be a Reference Path");
  d = Errors(R"({"Variable": "$.items[*].id", "StringEquals": "a"})");
  EXPECT_ERROR(d, At("/Variable"), "must be a Reference Path");
}

TEST(ChoiceRuleCompile, NoOperator) {
  auto d = Errors(R"({"Variable": "$.x"})");
  EXPECT_ERROR(d, At(""), "needs an operator");
  d = Errors(R"({})");
  EXPECT_ERROR(d, At(""), "needs a comparison");
  d = Errors(R"({"Comment": "only a comment"})");
  EXPECT_ERROR(d, At(""), "one of 'And', 'Or', 'Not'");
}

TEST(ChoiceRuleCompile, MoreThanOneOperator) {
  auto d = Errors(R"({"Variable": "$.x", "StringEquals": "a", "NumericEquals": 1})");
  EXPECT_ERROR(d, At(""), "exactly one operator");
  EXPECT_ERROR(d, At(""), "'StringEquals'");
  EXPECT_ERROR(d, At(""), "'NumericEquals'");
  d = Errors(R"({"And": [{"Variable": "$.x", "IsNull": true}], "Variable": "$.x",
                 "IsNull": true})");
  EXPECT_ERROR(d, At(""), "exactly one operator");
  d = Errors(R"({"Not": {"Variable": "$.x", "IsNull": true},
                 "Or": [{"Variable": "$.x", "IsNull": true}]})");
  EXPECT_ERROR(d, At(""), "exactly one operator");
}

TEST(ChoiceRuleCompile, ExtraOperatorsAreStillChecked) {
  auto d = Errors(R"({"Variable": "$.x", "StringEquals": "a", "NumericEquals": "1"})");
  EXPECT_ERROR(d, At(""), "exactly one operator");
  EXPECT_ERROR(d, At("/NumericEquals"), "must be a number");
}

TEST(ChoiceRuleCompile, UnknownFieldSuggestsTheClosest) {
  auto d = Errors(R"({"Variable": "$.x", "StringEqual": "a"})");
  EXPECT_ERROR(d, At("/StringEqual"), "unknown field 'StringEqual'");
  EXPECT_ERROR(d, At("/StringEqual"), "did you mean 'StringEquals'?");
  EXPECT_EQ(d.error_count(), 1) << "the typo is the one problem:\n" << Describe(d);
  d = Errors(R"({"Variable": "$.x", "NumericEquals": 1, "next": "A"})", true);
  EXPECT_ERROR(d, At("/next"), "did you mean 'Next'?");
}

TEST(ChoiceRuleCompile, UnknownFieldListsTheValidOnes) {
  auto d = Errors(R"({"Variable": "$.x", "NumericEquals": 1, "Quantity/Limit": 3})");
  EXPECT_ERROR(d, At("/Quantity~1Limit"), "unknown field 'Quantity/Limit'");
  EXPECT_ERROR(d, At("/Quantity~1Limit"), "IsTimestamp");
  EXPECT_ERROR(d, At("/Quantity~1Limit"), "'And', 'Or'");
}

TEST(ChoiceRuleCompile, NotYetSupportedAndNonexistentFields) {
  auto d = Errors(R"({"Variable": "$.x", "IsNull": true, "Assign": {"a": 1}, "Next": "A"})", true);
  EXPECT_ERROR(d, At("/Assign"), "not supported yet");
  d = Errors(R"({"Variable": "$.x", "StringMatchesPath": "$.p"})");
  EXPECT_ERROR(d, At("/StringMatchesPath"), "there is no 'StringMatchesPath'");
  EXPECT_EQ(d.error_count(), 1) << Describe(d);
}

TEST(ChoiceRuleCompile, WrongLiteralTypes) {
  auto d = Errors(R"({"Variable": "$.x", "NumericEquals": "5"})");
  EXPECT_ERROR(d, At("/NumericEquals"), "'NumericEquals' must be a number, not \"5\"");
  d = Errors(R"({"Variable": "$.x", "NumericLessThan": true})");
  EXPECT_ERROR(d, At("/NumericLessThan"), "must be a number, not a boolean");
  d = Errors(R"({"Variable": "$.x", "BooleanEquals": 1})");
  EXPECT_ERROR(d, At("/BooleanEquals"), "'BooleanEquals' must be true or false, not an integer");
  d = Errors(R"({"Variable": "$.x", "BooleanEquals": "true"})");
  EXPECT_ERROR(d, At("/BooleanEquals"), "must be true or false");
  d = Errors(R"({"Variable": "$.x", "StringLessThan": 5})");
  EXPECT_ERROR(d, At("/StringLessThan"), "must be a string, not an integer");
  EXPECT_ERROR(d, At("/StringLessThan"), "use 'NumericLessThan'");
  d = Errors(R"({"Variable": "$.x", "TimestampEquals": "2016-03-14"})");
  EXPECT_ERROR(d, At("/TimestampEquals"), "must be a timestamp such as");
  EXPECT_ERROR(d, At("/TimestampEquals"), "not \"2016-03-14\"");
  d = Errors(R"({"Variable": "$.x", "TimestampGreaterThan": 1457920740})");
  EXPECT_ERROR(d, At("/TimestampGreaterThan"), "not an integer");
  d = Errors(R"({"Variable": "$.x", "StringMatches": ["*"]})");
  EXPECT_ERROR(d, At("/StringMatches"), "must be a string pattern");
  for (std::string_view op :
       {"IsNull", "IsPresent", "IsNumeric", "IsString", "IsBoolean", "IsTimestamp"}) {
    d = Errors(json{{"Variable", "$.x"}, {std::string(op), "true"}}.dump());
    EXPECT_ERROR(d, At("/" + std::string(op)), "must be true or false");
  }
}

TEST(ChoiceRuleCompile, PathOperandMustBeAReferencePath) {
  auto d = Errors(R"({"Variable": "$.x", "NumericEqualsPath": 5})");
  EXPECT_ERROR(d, At("/NumericEqualsPath"), "'NumericEqualsPath' must be a path string");
  d = Errors(R"({"Variable": "$.x", "StringEqualsPath": "other"})");
  EXPECT_ERROR(d, At("/StringEqualsPath"), "must be a Reference Path");
  d = Errors(R"({"Variable": "$.x", "TimestampLessThanPath": "$..t"})");
  EXPECT_ERROR(d, At("/TimestampLessThanPath"), "must be a Reference Path");
}

TEST(ChoiceRuleCompile, AndOrMustBeNonEmptyArrays) {
  auto d = Errors(R"({"And": []})");
  EXPECT_ERROR(d, At("/And"), "'And' must be a non-empty array of Choice Rules, not an empty");
  d = Errors(R"({"Or": {"Variable": "$.x", "IsNull": true}})");
  EXPECT_ERROR(d, At("/Or"), "'Or' must be a non-empty array of Choice Rules, not an object");
  d = Errors(R"({"And": [5]})");
  EXPECT_ERROR(d, At("/And/0"), "must be a JSON object, not an integer");
}

TEST(ChoiceRuleCompile, NotTakesOneRule) {
  auto d = Errors(R"({"Not": [{"Variable": "$.x", "IsNull": true}]})");
  EXPECT_ERROR(d, At("/Not"), "'Not' must be one Choice Rule (a JSON object), not an array");
  d = Errors(R"({"Not": "$.x"})");
  EXPECT_ERROR(d, At("/Not"), "not a string");
}

TEST(ChoiceRuleCompile, VariableDoesNotBelongOnACombinator) {
  auto d = Errors(R"({"Variable": "$.x", "And": [{"Variable": "$.x", "IsNull": true}]})");
  EXPECT_ERROR(d, At("/Variable"), "'Variable' belongs to a comparison");
}

TEST(ChoiceRuleCompile, NestedErrorsPointIntoTheTree) {
  auto d = Errors(R"({"Or": [{"Variable": "$.a", "IsNull": true},
                             {"Not": {"And": [{"Variable": "$.b", "NumericEquals": "1"}]}}]})");
  EXPECT_ERROR(d, At("/Or/1/Not/And/0/NumericEquals"), "must be a number");
}

TEST(ChoiceRuleCompile, TopLevelRuleNeedsNext) {
  auto d = Errors(R"({"Variable": "$.x", "IsNull": true})", true);
  EXPECT_ERROR(d, At(""), "missing required field 'Next'");
  d = Errors(R"({"Variable": "$.x", "IsNull": true, "Next": 3})", true);
  EXPECT_ERROR(d, At("/Next"), "'Next' must be the name of a state (a string), not an integer");
  d = Errors(R"({"Variable": "$.x", "IsNull": true, "Next": ""})", true);
  EXPECT_ERROR(d, At("/Next"), "empty");
}

TEST(ChoiceRuleCompile, NestedRuleMustNotHaveNext) {
  auto d =
      Errors(R"({"And": [{"Variable": "$.x", "IsNull": true, "Next": "A"}], "Next": "B"})", true);
  EXPECT_ERROR(d, At("/And/0/Next"), "top-level Choice Rule");
  EXPECT_EQ(d.error_count(), 1) << Describe(d);
}

TEST(ChoiceRuleCompile, CommentMustBeAString) {
  auto d = Errors(R"({"Variable": "$.x", "IsNull": true, "Comment": 1})");
  EXPECT_ERROR(d, At("/Comment"), "must be a string");
}

TEST(ChoiceRuleCompile, ReportsEveryProblemAtOnce) {
  auto d = Errors(R"({"And": [{"Variable": "x", "NumericEquals": "1"},
                              {"StringEquals": 2, "Next": "A"},
                              {"Not": []}],
                      "Nxet": "B"})",
                  true);
  EXPECT_ERROR(d, At("/And/0/Variable"), "Reference Path");
  EXPECT_ERROR(d, At("/And/0/NumericEquals"), "must be a number");
  EXPECT_ERROR(d, At("/And/1"), "missing required field 'Variable'");
  EXPECT_ERROR(d, At("/And/1/StringEquals"), "must be a string");
  EXPECT_ERROR(d, At("/And/1/Next"), "top-level");
  EXPECT_ERROR(d, At("/And/2/Not"), "one Choice Rule");
  EXPECT_ERROR(d, At("/Nxet"), "did you mean 'Next'?");
  EXPECT_ERROR(d, At(""), "missing required field 'Next'");
}

}  // namespace
}  // namespace stepwise::dsl
