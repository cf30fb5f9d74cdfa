// Payload templates (Parameters, ResultSelector, ItemSelector) and `.$` values.
#include "stepwise/dsl/payload_template.h"

#include <gtest/gtest.h>

namespace stepwise::dsl {
namespace {

using nlohmann::json;

Outcome<json> Apply(const json& tmpl, const json& input, const json& context = json::object()) {
  Diagnostics diagnostics;
  auto compiled = PayloadTemplate::Compile(tmpl, "/Parameters", diagnostics);
  EXPECT_TRUE(compiled.has_value());
  if (!compiled) return StatesError{"test", "did not compile"};
  EvalScope scope{input, context, [] { return std::uint64_t{42}; }};
  return compiled->Evaluate(scope);
}

TEST(PayloadTemplate, LiteralTemplatesAreReturnedUnchanged) {
  json tmpl = {{"a", 1}, {"b", {{"c", json::array({1, "x", nullptr})}}}, {"d$", "$.x"}};
  auto out = Apply(tmpl, {{"x", 5}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), tmpl);
}

TEST(PayloadTemplate, DollarKeysTakeTheValueOfTheirPathWithTheSuffixRemoved) {
  auto out = Apply({{"name.$", "$.user.name"}, {"all.$", "$"}, {"fixed", "$.user"}},
                   {{"user", {{"name", "Ada"}}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), json({{"name", "Ada"},
                               {"all", {{"user", {{"name", "Ada"}}}}},
                               {"fixed", "$.user"}}));
}

TEST(PayloadTemplate, NestedObjectsAndArraysAreTemplatedAtAnyDepth) {
  auto out = Apply({{"outer", {{"list", json::array({{{"v.$", "$.a"}}, 7})}}}}, {{"a", true}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), json({{"outer", {{"list", json::array({{{"v", true}}, 7})}}}}));
}

TEST(PayloadTemplate, ContextPathsReadTheContextObject) {
  auto out = Apply({{"id.$", "$$.Execution.Id"}, {"item.$", "$$.Map.Item.Value"}}, json::object(),
                   {{"Execution", {{"Id", "exec-1"}}}, {"Map", {{"Item", {{"Value", 3}}}}}});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out.value(), json({{"id", "exec-1"}, {"item", 3}}));
}

TEST(PayloadTemplate, IntrinsicCallsAreEvaluated) {
  auto out = Apply({{"greeting.$", "States.Format('Hi {}', $.name)"}}, {{"name", "Bo"}});
  ASSERT_TRUE(out.ok()) << out.error().cause;
  EXPECT_EQ(out.value(), json({{"greeting", "Hi Bo"}}));
}

TEST(PayloadTemplate, MissingPathRaisesStatesRuntimeNamingTheField) {
  auto out = Apply({{"x.$", "$.missing"}}, {{"present", 1}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.Runtime");
  EXPECT_NE(out.error().cause.find("'x.$'"), std::string::npos) << out.error().cause;
  EXPECT_NE(out.error().cause.find("$.missing"), std::string::npos) << out.error().cause;
}

TEST(PayloadTemplate, FailingIntrinsicRaisesStatesIntrinsicFailure) {
  auto out = Apply({{"x.$", "States.StringToJson($.text)"}}, {{"text", "{not json"}});
  ASSERT_FALSE(out.ok());
  EXPECT_EQ(out.error().error, "States.IntrinsicFailure");
}

TEST(PayloadTemplate, CompileReportsEveryBadValue) {
  Diagnostics diagnostics;
  auto compiled = PayloadTemplate::Compile(
      {{"a.$", 1}, {"b.$", "nope"}, {"c", {{"d.$", "$..["}}}}, "/P", diagnostics);
  EXPECT_FALSE(compiled.has_value());
  ASSERT_EQ(diagnostics.error_count(), 3);
  EXPECT_EQ(diagnostics.all()[0].pointer, "/P/a.$");
  EXPECT_EQ(diagnostics.all()[1].pointer, "/P/b.$");
  EXPECT_EQ(diagnostics.all()[2].pointer, "/P/c/d.$");
}

TEST(DynamicValue, TellsPathsFromIntrinsicCalls) {
  EXPECT_TRUE(DynamicValue::Parse("$.a").ok());
  EXPECT_TRUE(DynamicValue::Parse("States.UUID()").ok());
  auto bad = DynamicValue::Parse("a.b");
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(bad.status().message().find("must be a path starting with '$'"), std::string::npos);
}

}  // namespace
}  // namespace stepwise::dsl
