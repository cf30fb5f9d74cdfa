// The conformance runner's comparison rules (../shared/conformance/README.md).
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "conformance/case_compare.h"

namespace stepwise::conformance {
namespace {

using nlohmann::json;

TEST(Placeholders, EachStandsForAnyTextEverythingElseIsExact) {
  EXPECT_TRUE(MatchesWithPlaceholders("<uuid:1>", "0b1c-22"));
  EXPECT_TRUE(MatchesWithPlaceholders("<uuid:1>", ""));
  EXPECT_TRUE(MatchesWithPlaceholders("arn:<partition>:states:<region>:1:execution:<ArnPart_0idx>",
                                      "arn:aws:states:us-east-1:1:execution:m:run"));
  EXPECT_FALSE(MatchesWithPlaceholders("arn:<partition>:states:<region>:1:x",
                                       "arn:aws:states:us-east-1:2:x"));
  EXPECT_FALSE(MatchesWithPlaceholders("id <uuid:1>!", "id 42"));
  EXPECT_TRUE(MatchesWithPlaceholders("a<x>b<y>c", "a-b-b-c"));
  EXPECT_FALSE(MatchesWithPlaceholders("a<x>bc<y>c", "abc"));
  EXPECT_TRUE(MatchesWithPlaceholders("<json-input:1> and <start-time>", "{} and 2024"));
}

TEST(Placeholders, TextThatOnlyLooksLikeOneIsLiteral) {
  EXPECT_FALSE(MatchesWithPlaceholders("a <= b", "a < b"));
  EXPECT_TRUE(MatchesWithPlaceholders("a < b > c", "a < b > c"));
  EXPECT_FALSE(MatchesWithPlaceholders("a < b > c", "a x c"));
  EXPECT_FALSE(MatchesWithPlaceholders("<>", "x"));
}

TEST(JsonDifference, NumbersAreComparedByValue) {
  EXPECT_FALSE(JsonDifference(json::parse("1"), json::parse("1.0"), {}));
  EXPECT_FALSE(JsonDifference(json::parse("[2.50]"), json::parse("[2.5]"), {}));
  EXPECT_FALSE(JsonDifference(json(3u), json(3), {}));
  EXPECT_TRUE(JsonDifference(json(-1), json(18446744073709551615u), {}));
  EXPECT_TRUE(JsonDifference(json::parse("1"), json::parse("1.5"), {}));
  EXPECT_TRUE(JsonDifference(json::parse("1"), json::parse("\"1\""), {}));
}

TEST(JsonDifference, KeyOrderIsIgnoredAndTheFirstDifferenceIsLocated) {
  EXPECT_FALSE(JsonDifference(json::parse(R"({"a":1,"b":[true,null]})"),
                              json::parse(R"({"b":[true,null],"a":1})"), {}));
  auto d =
      JsonDifference(json::parse(R"({"a":{"b":[1,2]}})"), json::parse(R"({"a":{"b":[1,3]}})"), {});
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "/a/b/1: expected 2, got 3");
  d = JsonDifference(json::parse(R"({"a":1})"), json::parse(R"({"a":1,"z":0})"), {});
  ASSERT_TRUE(d);
  EXPECT_EQ(*d, "/z: not expected, got 0");
}

TEST(JsonDifference, IgnoredKeysAreRemovedAtAnyDepthFromBothSides) {
  JsonCompareOptions options{{"SdkHttpMetadata", "SdkResponseMetadata"}, false};
  json expected = json::parse(R"({"Payload": {"x": 1}, "SdkHttpMetadata": {"a": 1},
      "nested": [{"SdkResponseMetadata": {"RequestId": "r"}, "k": 2}]})");
  json actual = json::parse(R"({"Payload": {"x": 1}, "SdkHttpMetadata": {"other": true},
      "nested": [{"k": 2}]})");
  EXPECT_FALSE(JsonDifference(expected, actual, options));
  EXPECT_TRUE(JsonDifference(expected, actual, {}));
}

TEST(JsonDifference, PlaceholdersApplyToStringsOnlyWhenAsked) {
  json expected = json::parse(R"({"id": "<uuid:1>"})");
  json actual = json::parse(R"({"id": "3f2a"})");
  EXPECT_TRUE(JsonDifference(expected, actual, {}));
  EXPECT_FALSE(JsonDifference(expected, actual, {{}, true}));
}

json Case(const char* expect, const char* extra = "") {
  return json::parse(std::string(R"({"expect": )") + expect + extra + "}");
}

TEST(Compare, StatusMustMatch) {
  Verdict v = Compare(Case(R"({"status": "SUCCEEDED", "output": 1})"),
                      {"FAILED", nullptr, "States.Runtime", "boom"});
  EXPECT_FALSE(v.passed);
  EXPECT_EQ(v.difference, "status: expected SUCCEEDED, got FAILED (States.Runtime: boom)");
}

TEST(Compare, ErrorNameAndCauseMismatchesAreToldApart) {
  json c = Case(R"({"status": "FAILED", "error": "E", "cause": "it broke at <uuid:1>"})",
                R"(, "expect_match": "structure")");
  EXPECT_TRUE(Compare(c, {"FAILED", nullptr, "E", "it broke at 42"}).passed);
  Verdict name = Compare(c, {"FAILED", nullptr, "F", "it broke at 42"});
  EXPECT_FALSE(name.passed);
  EXPECT_FALSE(name.cause_only);
  EXPECT_EQ(name.difference.rfind("error name:", 0), 0u) << name.difference;
  Verdict cause = Compare(c, {"FAILED", nullptr, "E", "it bent"});
  EXPECT_FALSE(cause.passed);
  EXPECT_TRUE(cause.cause_only);
  EXPECT_EQ(cause.difference.rfind("cause only:", 0), 0u) << cause.difference;
}

TEST(Compare, CauseIsExactWithoutStructureMatching) {
  json c = Case(R"({"status": "FAILED", "error": "E", "cause": "<uuid:1>"})");
  EXPECT_FALSE(Compare(c, {"FAILED", nullptr, "E", "abc"}).passed);
  EXPECT_TRUE(Compare(c, {"FAILED", nullptr, "E", "<uuid:1>"}).passed);
}

TEST(Compare, UnrecordedCauseIsNotCompared) {
  EXPECT_TRUE(
      Compare(Case(R"({"status": "FAILED", "error": "E"})"), {"FAILED", nullptr, "E", "x"}).passed);
}

TEST(Compare, NullErrorMeansNoErrorName) {
  json c = Case(R"({"status": "FAILED", "error": null})");
  EXPECT_TRUE(Compare(c, {"FAILED", nullptr, "", ""}).passed);
  EXPECT_FALSE(Compare(c, {"FAILED", nullptr, "E", ""}).passed);
}

TEST(Compare, LongCausesShowWhereTheyDiverge) {
  std::string prefix(200, 'x');
  json c = json{{"expect", {{"status", "FAILED"}, {"error", "E"}, {"cause", prefix + "AAA"}}}};
  Verdict v = Compare(c, {"FAILED", nullptr, "E", prefix + "BBB"});
  EXPECT_LT(v.difference.size(), 400u);
  EXPECT_NE(v.difference.find("AAA"), std::string::npos) << v.difference;
  EXPECT_NE(v.difference.find("BBB"), std::string::npos) << v.difference;
}

TEST(Truncate, CutsOnACharacterBoundary) {
  EXPECT_EQ(Truncate("abc", 5), "abc");
  EXPECT_EQ(Truncate("abcdef", 3), "abc...");
  EXPECT_EQ(Truncate("a\xC3\xA9z", 2), "a...");
}

}  // namespace
}  // namespace stepwise::conformance
