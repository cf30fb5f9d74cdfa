// IntrinsicCall: parsing (with the errors a user sees when compiling a state machine) and the
// behaviour of every States.* function. Results recorded on AWS are replayed in
// intrinsics_conformance_test.cc.

#include "stepwise/dsl/intrinsics.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <functional>
#include <nlohmann/json.hpp>
#include <regex>
#include <string>
#include <string_view>
#include <vector>

#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl {
namespace {

using nlohmann::json;

absl::StatusOr<json> Compute(std::string_view text, const json& input = json::object(),
                             const json& context = json::object(),
                             std::function<uint64_t()> random = nullptr) {
  auto call = IntrinsicCall::Parse(text);
  if (!call.ok()) return call.status();
  return call->Evaluate(EvalScope{input, context, std::move(random)});
}

// `text` parses and evaluates on `input` to `expected`, with the same JSON types (an integer
// result must not be a float that compares equal).
::testing::AssertionResult Yields(std::string_view text, const json& expected,
                                  const json& input = json::object()) {
  auto value = Compute(text, input);
  if (!value.ok()) return ::testing::AssertionFailure() << text << " failed: " << value.status();
  if (*value != expected || value->dump() != expected.dump()) {
    return ::testing::AssertionFailure()
           << text << " gave " << value->dump() << ", expected " << expected.dump();
  }
  return ::testing::AssertionSuccess();
}

::testing::AssertionResult Mentions(const absl::Status& status, std::string_view fragment) {
  if (std::string(status.message()).find(fragment) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << status << " does not mention '" << fragment << "'";
}

// Parse rejects `text` with INVALID_ARGUMENT and a message containing `fragment`.
::testing::AssertionResult ParseFails(std::string_view text, std::string_view fragment) {
  auto call = IntrinsicCall::Parse(text);
  if (call.ok()) return ::testing::AssertionFailure() << text << " parsed";
  if (call.status().code() != absl::StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << text << ": " << call.status();
  }
  return Mentions(call.status(), fragment) << " (parsing " << text << ")";
}

// `text` parses, but evaluating it on `input` fails with `code` and a message containing
// `fragment`.
::testing::AssertionResult EvaluationFails(
    std::string_view text, const json& input, std::string_view fragment,
    absl::StatusCode code = absl::StatusCode::kInvalidArgument) {
  auto call = IntrinsicCall::Parse(text);
  if (!call.ok()) return ::testing::AssertionFailure() << text << ": " << call.status();
  const json context = json::object();
  auto value = call->Evaluate(EvalScope{input, context, {}});
  if (value.ok()) {
    return ::testing::AssertionFailure() << text << " gave " << value->dump();
  }
  if (value.status().code() != code) {
    return ::testing::AssertionFailure() << text << ": unexpected code: " << value.status();
  }
  return Mentions(value.status(), fragment) << " (evaluating " << text << ")";
}

// ---- Recognising and parsing calls ----------------------------------------------------------

TEST(IntrinsicCallTest, LooksLikeCallOnlyForTextStartingWithStates) {
  EXPECT_TRUE(IntrinsicCall::LooksLikeCall("States.Format('x')"));
  EXPECT_TRUE(IntrinsicCall::LooksLikeCall("States.Nonsense"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall("$.States.Format"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall(" States.Format('x')"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall("states.Format('x')"));
  EXPECT_FALSE(IntrinsicCall::LooksLikeCall(""));
}

TEST(IntrinsicCallTest, ParsesLiteralArgumentsOfEveryKind) {
  EXPECT_TRUE(Yields("States.Array('text', 42, -7, 1.5, 2e3, true, false, null)",
                     json::parse(R"(["text", 42, -7, 1.5, 2000.0, true, false, null])")));
}

TEST(IntrinsicCallTest, KeepsIntegerLiteralsIntegral) {
  auto value = Compute("States.Array(3, -3, 0, 9223372036854775807, 18446744073709551615)");
  ASSERT_TRUE(value.ok()) << value.status();
  for (const json& item : *value) EXPECT_TRUE(item.is_number_integer()) << item;
  EXPECT_EQ((*value)[3].get<int64_t>(), INT64_MAX);
  EXPECT_EQ((*value)[4].get<uint64_t>(), UINT64_MAX);
}

TEST(IntrinsicCallTest, AllowsWhitespaceAroundArgumentsAndAfterTheCall) {
  EXPECT_TRUE(
      Yields("States.Array(  1 ,\t'a'\n,  States.Array( ) )  ", json::parse(R"([1,"a",[]])")));
  EXPECT_TRUE(Yields("States.Array ()", json::array()));
}

TEST(IntrinsicCallTest, ResolvesTheFourEscapesInStrings) {
  EXPECT_TRUE(Yields(R"(States.Array('it\'s', '\{\}', 'back\\slash'))",
                     json::array({"it's", "{}", "back\\slash"})));
}

TEST(IntrinsicCallTest, KeepsOtherCharactersInStringsVerbatim) {
  // A raw newline (as JSON's "\n" puts in the definition) and characters reserved elsewhere.
  EXPECT_TRUE(Yields("States.Array('a\nb', '$.x', 'States.Array()', ',)(', '\"', 'é😀')",
                     json::array({"a\nb", "$.x", "States.Array()", ",)(", "\"", "é😀"})));
}

TEST(IntrinsicCallTest, IsACheapImmutableValueThatEvaluatesRepeatedly) {
  auto call = IntrinsicCall::Parse("States.Format('{}-{}', $.a, States.MathAdd($.a, 1))");
  ASSERT_TRUE(call.ok()) << call.status();
  const IntrinsicCall copy = *call;
  const json context = json::object();
  for (int a = 0; a < 3; ++a) {
    const json input = {{"a", a}};
    auto first = call->Evaluate(EvalScope{input, context, {}});
    auto second = copy.Evaluate(EvalScope{input, context, {}});
    ASSERT_TRUE(first.ok()) << first.status();
    ASSERT_TRUE(second.ok()) << second.status();
    EXPECT_EQ(*first, std::to_string(a) + "-" + std::to_string(a + 1));
    EXPECT_EQ(*first, *second);
  }
}

// ---- Parse errors ----------------------------------------------------------------------------

TEST(IntrinsicParseErrorTest, UnknownFunctionSuggestsTheClosestName) {
  EXPECT_TRUE(ParseFails("States.Fromat('x')", "unknown intrinsic function 'States.Fromat'"));
  EXPECT_TRUE(ParseFails("States.Fromat('x')", "did you mean 'States.Format'?"));
  EXPECT_TRUE(ParseFails("States.arraylength($.a)", "did you mean 'States.ArrayLength'?"));
  EXPECT_TRUE(ParseFails("States.Uuid()", "did you mean 'States.UUID'?"));
  auto far = IntrinsicCall::Parse("States.Teleport()");
  ASSERT_FALSE(far.ok());
  EXPECT_TRUE(Mentions(far.status(), "unknown intrinsic function 'States.Teleport'"));
  EXPECT_FALSE(Mentions(far.status(), "did you mean"));
}

TEST(IntrinsicParseErrorTest, WrongArgumentCountSaysWhatTheFunctionTakes) {
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 2)", "States.ArrayRange takes 3 arguments, got 2"));
  EXPECT_TRUE(ParseFails("States.ArrayLength()", "States.ArrayLength takes 1 argument, got 0"));
  EXPECT_TRUE(ParseFails("States.UUID(1)", "States.UUID takes no arguments, got 1"));
  EXPECT_TRUE(
      ParseFails("States.MathRandom(1)", "States.MathRandom takes 2 or 3 arguments, got 1"));
  EXPECT_TRUE(ParseFails("States.MathRandom(1, 2, 3, 4)",
                         "States.MathRandom takes 2 or 3 arguments, got 4"));
  EXPECT_TRUE(ParseFails("States.Format()", "States.Format takes at least 1 argument, got 0"));
  EXPECT_TRUE(
      ParseFails("States.JsonMerge($.a, $.b)", "States.JsonMerge takes 3 arguments, got 2"));
}

TEST(IntrinsicParseErrorTest, LiteralOfTheWrongTypeNamesTheArgument) {
  EXPECT_TRUE(ParseFails("States.ArrayGetItem($.a, 'x')",
                         "argument 2 of States.ArrayGetItem must be a number"));
  EXPECT_TRUE(
      ParseFails("States.ArrayLength('abc')", "argument 1 of States.ArrayLength must be an array"));
  EXPECT_TRUE(ParseFails("States.Format(1, 2)", "argument 1 of States.Format must be a string"));
  EXPECT_TRUE(ParseFails("States.StringSplit('a,b', 1)",
                         "argument 2 of States.StringSplit must be a string"));
  EXPECT_TRUE(ParseFails("States.JsonMerge(null, $.b, false)",
                         "argument 1 of States.JsonMerge must be an object"));
  EXPECT_TRUE(
      ParseFails("States.MathAdd(true, 1)", "argument 1 of States.MathAdd must be a number"));
  EXPECT_TRUE(
      ParseFails("States.Base64Encode(12)", "argument 1 of States.Base64Encode must be a string"));
}

TEST(IntrinsicParseErrorTest, ArgumentErrorsShowTheRoleAndTheValue) {
  EXPECT_TRUE(ParseFails("States.ArrayGetItem($.a, 'x')", "(the index), got \"x\""));
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 9, 0)",
                         "argument 3 of States.ArrayRange must not be 0 (the step), got 0"));
}

TEST(IntrinsicParseErrorTest, UnterminatedStringGivesWhereItStarts) {
  EXPECT_TRUE(ParseFails("States.Format('abc", "unterminated string"));
  EXPECT_TRUE(ParseFails("States.Format('abc", "offset 14"));
  EXPECT_TRUE(ParseFails("States.Format('abc\\')", "unterminated string"));
  EXPECT_TRUE(ParseFails("States.Format('abc\\", "unterminated string"));
}

TEST(IntrinsicParseErrorTest, TrailingTextAfterTheCallIsRejected) {
  EXPECT_TRUE(ParseFails("States.Array(1) x", "unexpected text after the end of the call: 'x'"));
  EXPECT_TRUE(ParseFails("States.Array(1))", "unexpected text after the end of the call"));
  EXPECT_TRUE(ParseFails("States.Array(1), States.Array(2)", "offset 15"));
}

TEST(IntrinsicParseErrorTest, MissingParenthesesAndSeparatorsAreNamed) {
  EXPECT_TRUE(ParseFails("States.Array", "expected '(' after States.Array"));
  EXPECT_TRUE(ParseFails("States.Array[1]", "expected '(' after States.Array, found '[1]'"));
  EXPECT_TRUE(
      ParseFails("States.Array(1, 2", "the '(' of States.Array at offset 12 is never closed"));
  EXPECT_TRUE(ParseFails("States.Array(", "is never closed"));
  EXPECT_TRUE(
      ParseFails("States.Array(1 2)", "expected ',' or ')' after argument 1 of States.Array"));
  EXPECT_TRUE(ParseFails("States.Array(1,)", "expected an argument after ','"));
  EXPECT_TRUE(ParseFails("States.Array(,1)", "unexpected ',1)' where an argument belongs"));
  EXPECT_TRUE(ParseFails("States.(1)", "expected a function name after 'States.'"));
}

TEST(IntrinsicParseErrorTest, OnlyTheFourEscapesAreAllowed) {
  EXPECT_TRUE(ParseFails(R"(States.Format('a\nb'))", "invalid escape '\\n'"));
  EXPECT_TRUE(ParseFails(R"(States.Format('a\"b'))", "only \\', \\{, \\} and \\\\ are escapes"));
  EXPECT_TRUE(ParseFails("States.Format('a\\\xc3\xa9')", "invalid escape '\\\xc3\xa9'"));
}

TEST(IntrinsicParseErrorTest, BadLiteralsAreExplained) {
  EXPECT_TRUE(ParseFails("States.Array(\"a\")", "single quotes, not double quotes"));
  EXPECT_TRUE(ParseFails("States.Array(yes)", "'yes' is not an argument"));
  EXPECT_TRUE(ParseFails("States.Array(True)", "'True' is not an argument"));
  EXPECT_TRUE(ParseFails("States.Array(nullx)", "'nullx' is not an argument"));
  EXPECT_TRUE(ParseFails("States.Array(-)", "expected a digit after '-'"));
  EXPECT_TRUE(ParseFails("States.Array(1.)", "expected a digit after '.'"));
  EXPECT_TRUE(ParseFails("States.Array(1e)", "expected a digit in the exponent"));
  EXPECT_TRUE(ParseFails("States.Array(007)", "numbers do not start with 0"));
  EXPECT_TRUE(ParseFails("States.Array(1e999)", "the number 1e999 is out of range"));
  EXPECT_TRUE(ParseFails("States.Array(12abc)", "expected ',' or ')'"));
  EXPECT_TRUE(ParseFails("States.Array(#)", "unexpected '#)' where an argument belongs"));
}

TEST(IntrinsicParseErrorTest, TextThatIsNotACallIsRejected) {
  EXPECT_TRUE(ParseFails("", "an intrinsic call starts with 'States.'"));
  EXPECT_TRUE(ParseFails("$.a", "an intrinsic call starts with 'States.'"));
  EXPECT_TRUE(ParseFails("Format('x')", "an intrinsic call starts with 'States.'"));
}

TEST(IntrinsicParseErrorTest, InvalidUtf8IsRejected) {
  EXPECT_TRUE(ParseFails("States.Array('\xff')", "not valid UTF-8 (at offset 14)"));
  EXPECT_TRUE(ParseFails("States.Array('\xed\xa0\x80')", "not valid UTF-8"));  // a surrogate
}

TEST(IntrinsicParseErrorTest, NestingIsLimitedToTenCalls) {
  std::string ten = "1";
  for (int i = 0; i < 10; ++i) ten = "States.Array(" + ten + ")";
  EXPECT_TRUE(IntrinsicCall::Parse(ten).ok());
  EXPECT_TRUE(ParseFails("States.Array(" + ten + ")", "intrinsic calls nest at most 10 deep"));
  // Deep brackets are counted, not recursed into.
  EXPECT_TRUE(
      ParseFails("States.Array($" + std::string(1000, '[') + ")", "argument 1 of States.Array: "));
  EXPECT_TRUE(ParseFails("States.Array(" + std::string(100000, '(') + ")", "where an argument"));
}

TEST(IntrinsicParseErrorTest, BadPathsAreReportedWithTheArgument) {
  EXPECT_TRUE(ParseFails("States.Format('{}', $.a[)", "argument 2 of States.Format: "));
  EXPECT_TRUE(ParseFails("States.Array($['a)", "unterminated quote in a path"));
}

TEST(IntrinsicParseErrorTest, CallsOnLiteralsAreCheckedWhenParsed) {
  // Computed at parse time, so a definition that can only fail is refused when compiled.
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 5000, 1)", "at most 1000"));
  EXPECT_TRUE(ParseFails("States.ArrayGetItem(States.Array(1, 2), 2)", "the last index"));
  EXPECT_TRUE(ParseFails("States.StringToJson('{')", "is not valid JSON"));
  EXPECT_TRUE(ParseFails("States.Format('{}', States.ArrayLength(States.StringSplit(1, ',')))",
                         "argument 1 of States.StringSplit must be a string"));
}

TEST(IntrinsicParseErrorTest, NeverCrashesOnArbitraryText) {
  // A deterministic stream of mutations of valid calls and random bytes: every one must come
  // back as a value or an error.
  const std::vector<std::string> seeds = {
      "States.Format('{} and {}', $.a, States.ArrayLength($.b))",
      "States.ArrayRange(1, 9, 2)",
      R"(States.Array('a\'b\{\}\\', -1.5e3, true, null, $['x y'][0], $$.Execution.Id))",
      "States.Hash('x', 'SHA-256')",
      "States.JsonMerge(States.StringToJson('{}'), $.o, false)",
  };
  uint64_t state = 42;
  auto next = [&state] {
    state = state * 6364136223846793005ULL + 1442695040888963407ULL;
    return state >> 33;
  };
  const std::string alphabet = "States.()',$[]{}\\ 0123456789-+.eE\"truefalsenul@?*:\xff\xc3";
  const json input = {{"a", "x"}, {"b", json::array({1, 2})}, {"o", json::object()}};
  const json context = json::object();
  for (int i = 0; i < 20000; ++i) {
    std::string text = seeds[next() % seeds.size()];
    const int edits = 1 + static_cast<int>(next() % 4);
    for (int e = 0; e < edits && !text.empty(); ++e) {
      const size_t at = next() % (text.size() + 1);
      switch (next() % 3) {
        case 0:
          text.insert(at, 1, alphabet[next() % alphabet.size()]);
          break;
        case 1:
          if (at < text.size()) text.erase(at, 1);
          break;
        default:
          text = text.substr(0, at);
          break;
      }
    }
    auto call = IntrinsicCall::Parse(text);
    if (call.ok()) (void)call->Evaluate(EvalScope{input, context, [&next] { return next(); }});
  }
}

// ---- States.Format ---------------------------------------------------------------------------

TEST(FormatTest, SubstitutesPlaceholdersInOrder) {
  EXPECT_TRUE(Yields("States.Format('{} + {} = {}', 1, 2, 'three')", "1 + 2 = three"));
  EXPECT_TRUE(Yields("States.Format('no placeholders')", "no placeholders"));
  EXPECT_TRUE(Yields("States.Format('{}{}', '', '')", ""));
  EXPECT_TRUE(Yields("States.Format('Hello, my name is {}.', $.name)", "Hello, my name is Arnav.",
                     {{"name", "Arnav"}}));
}

TEST(FormatTest, InsertsStringsRawAndOtherValuesAsJavaWritesThem) {
  EXPECT_TRUE(Yields("States.Format('[{}]', $.v)", "[a \"quoted\" {} string]",
                     {{"v", "a \"quoted\" {} string"}}));
  EXPECT_TRUE(Yields("States.Format('{} {} {}', null, true, false)", "null true false"));
  EXPECT_TRUE(Yields("States.Format('{}', -42)", "-42"));
  EXPECT_TRUE(Yields("States.Format('{}', 1.1)", "1.1"));
  EXPECT_TRUE(Yields("States.Format('{}', 100.0)", "100.0"));
  EXPECT_TRUE(Yields("States.Format('{}', 0.001)", "0.001"));
  EXPECT_TRUE(Yields("States.Format('{}', 0.0001)", "1.0E-4"));
  EXPECT_TRUE(Yields("States.Format('{}', 1e7)", "1.0E7"));
  EXPECT_TRUE(Yields("States.Format('{}', 1234567.5)", "1234567.5"));
  EXPECT_TRUE(Yields("States.Format('{}', -2.5e-10)", "-2.5E-10"));
  EXPECT_TRUE(
      Yields("States.Format('{}', $.v)", "{Arg1=1, Arg2=[], Arg3={x=a b, y=null}}",
             {{"v", json::parse(R"({"Arg1": 1, "Arg2": [], "Arg3": {"x": "a b", "y": null}})")}}));
  EXPECT_TRUE(Yields("States.Format('{}', $.v)", "[1, two, [3.5], {}]",
                     {{"v", json::parse(R"([1, "two", [3.5], {}])")}}));
}

TEST(FormatTest, EscapedBracesAreNotPlaceholders) {
  EXPECT_TRUE(Yields(R"(States.Format('\{} is literal, {} is not', 'this'))",
                     "{} is literal, this is not"));
  EXPECT_TRUE(Yields(R"(States.Format('{\}'))", "{}"));
  EXPECT_TRUE(Yields(R"(States.Format('\{\}'))", "{}"));
  EXPECT_TRUE(Yields(R"(States.Format('\\{}', 1))", "\\1"));  // an escaped backslash, then {}
}

TEST(FormatTest, LoneBracesAreOrdinaryCharacters) {
  EXPECT_TRUE(Yields("States.Format('{ } {x} }{')", "{ } {x} }{"));
  EXPECT_TRUE(Yields("States.Format('{{}}', 1)", "{1}"));
}

TEST(FormatTest, InsertedValuesAreNotScannedForPlaceholders) {
  EXPECT_TRUE(Yields("States.Format('{}{}', '{}', 'x')", "{}x"));
}

TEST(FormatTest, LiteralTemplateMustMatchTheArgumentCountWhenParsed) {
  EXPECT_TRUE(
      ParseFails("States.Format('{} and {}', 1)",
                 "the template of States.Format has 2 placeholders {} but 1 value follows it"));
  EXPECT_TRUE(
      ParseFails("States.Format('{}', 1, 2)", "has 1 placeholder {} but 2 values follow it"));
  EXPECT_TRUE(ParseFails(R"(States.Format('\{}', 1))", "has 0 placeholders {} but 1 value"));
}

TEST(FormatTest, TemplateFromAPathIsCheckedWhenEvaluated) {
  EXPECT_TRUE(Yields("States.Format($.t, $.name)", "Hello, my name is Arnav.",
                     {{"t", "Hello, my name is {}."}, {"name", "Arnav"}}));
  EXPECT_TRUE(EvaluationFails("States.Format($.t, 1)", {{"t", "{} {}"}},
                              "has 2 placeholders {} but 1 value follows it"));
  EXPECT_TRUE(EvaluationFails("States.Format($.t)", {{"t", 5}},
                              "argument 1 of States.Format must be a string"));
  // A template from the input has no escapes: the backslash is text and {} is a placeholder.
  EXPECT_TRUE(Yields("States.Format($.t, 1)", "\\1", {{"t", "\\{}"}}));
}

TEST(FormatTest, NestedCallsProvideValues) {
  EXPECT_TRUE(
      Yields("States.Format('{} items', States.ArrayLength($.a))", "3 items", {{"a", {1, 2, 3}}}));
  EXPECT_TRUE(Yields("States.Format(States.Format('{}{}', '{', '}'), 'x')", "x"));
}

// ---- States.StringToJson and States.JsonToString ----------------------------------------------

TEST(JsonConversionTest, StringToJsonParsesAnyJsonText) {
  EXPECT_TRUE(Yields("States.StringToJson($.s)", {{"foo", "bar"}}, {{"s", R"({"foo": "bar"})"}}));
  EXPECT_TRUE(Yields("States.StringToJson('[1, 2.5, \"x\"]')", json::parse(R"([1, 2.5, "x"])")));
  EXPECT_TRUE(Yields("States.StringToJson('\"text\"')", "text"));
  EXPECT_TRUE(Yields("States.StringToJson('-0')", 0));
  EXPECT_TRUE(Yields("States.StringToJson(' true ')", true));
}

TEST(JsonConversionTest, StringToJsonOfABlankStringIsNull) {
  EXPECT_TRUE(Yields("States.StringToJson('')", nullptr));
  EXPECT_TRUE(Yields("States.StringToJson(' \n\t')", nullptr));
}

TEST(JsonConversionTest, StringToJsonRejectsInvalidJsonAndNonStrings) {
  EXPECT_TRUE(EvaluationFails("States.StringToJson($.s)", {{"s", "{'a': 1}"}},
                              "argument 1 of States.StringToJson is not valid JSON: "));
  EXPECT_TRUE(EvaluationFails("States.StringToJson($.s)", {{"s", "[1] [2]"}}, "is not valid JSON"));
  EXPECT_TRUE(EvaluationFails("States.StringToJson($.s)", {{"s", {{"a", 1}}}},
                              "argument 1 of States.StringToJson must be a string"));
  EXPECT_TRUE(ParseFails("States.StringToJson(1)", "must be a string"));
}

TEST(JsonConversionTest, JsonToStringIsCompact) {
  EXPECT_TRUE(Yields("States.JsonToString($.v)", R"({"name":"Foo","year":2020})",
                     {{"v", {{"name", "Foo"}, {"year", 2020}}}}));
  EXPECT_TRUE(Yields("States.JsonToString($.v)", R"([1,2.5,null,"a\"b",{}])",
                     {{"v", json::parse(R"([1, 2.5, null, "a\"b", {}])")}}));
  EXPECT_TRUE(Yields("States.JsonToString('x')", "\"x\""));
  EXPECT_TRUE(Yields("States.JsonToString(12)", "12"));
  EXPECT_TRUE(Yields("States.JsonToString(null)", "null"));
}

TEST(JsonConversionTest, StringToJsonAndJsonToStringRoundTrip) {
  const json value = json::parse(R"({"a": [1, -2, 3.25, "é😀", {"b": null}], "c": true})");
  EXPECT_TRUE(Yields("States.StringToJson(States.JsonToString($.v))", value, {{"v", value}}));
  const std::string text = R"({"a":[1,{"b":false}],"c":"x"})";
  EXPECT_TRUE(Yields("States.JsonToString(States.StringToJson($.t))", text, {{"t", text}}));
}

// ---- States.JsonMerge -------------------------------------------------------------------------

TEST(JsonMergeTest, MergesShallowlyWithTheSecondObjectWinning) {
  const json input = json::parse(R"({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2},
                                     "json2": {"a": {"a3": 1, "a4": 2}, "c": 3}})");
  EXPECT_TRUE(Yields("States.JsonMerge($.json1, $.json2, false)",
                     json::parse(R"({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})"), input));
  EXPECT_TRUE(
      Yields("States.JsonMerge($.json1, States.StringToJson('{}'), false)", input["json1"], input));
}

TEST(JsonMergeTest, RefusesDeepMerge) {
  EXPECT_TRUE(ParseFails("States.JsonMerge($.a, $.b, true)",
                         "argument 3 of States.JsonMerge must be false (the deep-merge flag)"));
  EXPECT_TRUE(ParseFails("States.JsonMerge($.a, $.b, 'false')",
                         "argument 3 of States.JsonMerge must be false"));
  EXPECT_TRUE(EvaluationFails("States.JsonMerge($.a, $.a, $.deep)",
                              {{"a", json::object()}, {"deep", true}}, "only merges shallowly"));
}

TEST(JsonMergeTest, BothInputsMustBeObjects) {
  EXPECT_TRUE(EvaluationFails("States.JsonMerge($.a, $.b, false)",
                              {{"a", json::object()}, {"b", {1, 2}}},
                              "argument 2 of States.JsonMerge must be an object"));
  EXPECT_TRUE(ParseFails("States.JsonMerge('x', $.b, false)",
                         "argument 1 of States.JsonMerge must be an object"));
}

// ---- Array functions --------------------------------------------------------------------------

TEST(ArrayTest, BuildsAnArrayOfItsArguments) {
  EXPECT_TRUE(Yields("States.Array()", json::array()));
  EXPECT_TRUE(Yields("States.Array($.Id)", {123456}, {{"Id", 123456}}));
  EXPECT_TRUE(Yields("States.Array('Foo', 2020, $.someJson, null)",
                     json::parse(R"(["Foo", 2020, {"random": "abcdefg"}, null])"),
                     {{"someJson", {{"random", "abcdefg"}}}}));
}

TEST(ArrayPartitionTest, SplitsIntoChunksWithAShorterLastOne) {
  const json input = {{"a", {1, 2, 3, 4, 5, 6, 7, 8, 9}}};
  EXPECT_TRUE(
      Yields("States.ArrayPartition($.a, 4)", json::parse("[[1,2,3,4],[5,6,7,8],[9]]"), input));
  EXPECT_TRUE(
      Yields("States.ArrayPartition($.a, 3)", json::parse("[[1,2,3],[4,5,6],[7,8,9]]"), input));
  EXPECT_TRUE(
      Yields("States.ArrayPartition($.a, 100)", json::parse("[[1,2,3,4,5,6,7,8,9]]"), input));
  EXPECT_TRUE(Yields("States.ArrayPartition($.a, 9223372036854775807)",
                     json::parse("[[1,2,3,4,5,6,7,8,9]]"), input));
  EXPECT_TRUE(Yields("States.ArrayPartition(States.Array(), 2)", json::array()));
}

TEST(ArrayPartitionTest, RoundsTheChunkSizeAndRequiresItPositive) {
  const json input = {{"a", {1, 2, 3, 4, 5}}};
  EXPECT_TRUE(Yields("States.ArrayPartition($.a, 1.5)", json::parse("[[1,2],[3,4],[5]]"), input));
  EXPECT_TRUE(
      ParseFails("States.ArrayPartition($.a, 0)",
                 "argument 2 of States.ArrayPartition must be a positive integer (the chunk "
                 "size), got 0"));
  EXPECT_TRUE(ParseFails("States.ArrayPartition($.a, -3)", "must be a positive integer"));
  EXPECT_TRUE(ParseFails("States.ArrayPartition($.a, 0.4)", "must be a positive integer"));
  EXPECT_TRUE(EvaluationFails("States.ArrayPartition($.a, 2)", {{"a", "abc"}},
                              "argument 1 of States.ArrayPartition must be an array"));
}

TEST(ArrayContainsTest, ComparesWholeValues) {
  const json input = json::parse(R"({"a": [1, "two", [3], {"four": 4}, null, 5.0]})");
  EXPECT_TRUE(Yields("States.ArrayContains($.a, 1)", true, input));
  EXPECT_TRUE(Yields("States.ArrayContains($.a, 'two')", true, input));
  EXPECT_TRUE(Yields("States.ArrayContains($.a, States.Array(3))", true, input));
  EXPECT_TRUE(
      Yields("States.ArrayContains($.a, States.StringToJson('{\"four\":4}'))", true, input));
  EXPECT_TRUE(Yields("States.ArrayContains($.a, null)", true, input));
  EXPECT_TRUE(Yields("States.ArrayContains($.a, 5)", true, input));  // numbers compare by value
  EXPECT_TRUE(Yields("States.ArrayContains($.a, 3)", false, input));
  EXPECT_TRUE(Yields("States.ArrayContains($.a, '1')", false, input));
  EXPECT_TRUE(Yields("States.ArrayContains(States.Array(), null)", false));
}

TEST(ArrayRangeTest, IncludesBothEnds) {
  EXPECT_TRUE(Yields("States.ArrayRange(1, 9, 2)", {1, 3, 5, 7, 9}));
  EXPECT_TRUE(Yields("States.ArrayRange(0, 10, 3)", {0, 3, 6, 9}));
  EXPECT_TRUE(Yields("States.ArrayRange(5, 5, 7)", {5}));
}

TEST(ArrayRangeTest, CountsDownWithANegativeStep) {
  EXPECT_TRUE(Yields("States.ArrayRange(10, 1, -3)", {10, 7, 4, 1}));
  EXPECT_TRUE(Yields("States.ArrayRange(-1, -3, -1)", {-1, -2, -3}));
}

TEST(ArrayRangeTest, IsEmptyWhenTheStepPointsAway) {
  EXPECT_TRUE(Yields("States.ArrayRange(1, 9, -1)", json::array()));
  EXPECT_TRUE(Yields("States.ArrayRange(9, 1, 1)", json::array()));
}

TEST(ArrayRangeTest, RoundsFractionalArgumentsAndYieldsIntegers) {
  EXPECT_TRUE(Yields("States.ArrayRange(0.5, 3.4, 0.6)", {1, 2, 3}));
  EXPECT_TRUE(Yields("States.ArrayRange($.a, $.b, $.c)", {-1, 0, 1},
                     {{"a", -1.5}, {"b", 1.0}, {"c", 1.0}}));
}

TEST(ArrayRangeTest, AllowsAtMostAThousandElements) {
  auto thousand = Compute("States.ArrayRange(1, 1000, 1)");
  ASSERT_TRUE(thousand.ok()) << thousand.status();
  EXPECT_EQ(thousand->size(), 1000u);
  EXPECT_EQ(thousand->back(), 1000);
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 1001, 1)",
                         "States.ArrayRange(1, 1001, 1) would have 1001 elements; at most 1000"));
  EXPECT_TRUE(EvaluationFails("States.ArrayRange(0, $.n, 1)", {{"n", 5000}}, "at most 1000"));
  EXPECT_TRUE(ParseFails("States.ArrayRange(-9223372036854775807, 9223372036854775807, 1)",
                         "more than 2^63 elements"));
}

TEST(ArrayRangeTest, RejectsAZeroStepAndNonNumbers) {
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 9, 0)", "must not be 0 (the step)"));
  EXPECT_TRUE(ParseFails("States.ArrayRange(1, 9, 0.2)", "must not be 0 (the step)"));
  EXPECT_TRUE(
      EvaluationFails("States.ArrayRange($.a, 9, 1)", {{"a", "1"}},
                      "argument 1 of States.ArrayRange must be a number (the first element)"));
  EXPECT_TRUE(
      ParseFails("States.ArrayRange(1e300, 9, 1)", "must be an integer within the 64-bit range"));
}

TEST(ArrayGetItemTest, ReturnsTheItemAtTheIndex) {
  const json input = {{"a", {1, 2, 3, 4, 5, 6, 7, 8, 9}}, {"i", 5}};
  EXPECT_TRUE(Yields("States.ArrayGetItem($.a, $.i)", 6, input));
  EXPECT_TRUE(Yields("States.ArrayGetItem($.a, 0)", 1, input));
  EXPECT_TRUE(Yields("States.ArrayGetItem($.a, 8.0)", 9, input));
}

TEST(ArrayGetItemTest, RejectsIndexesOutsideTheArray) {
  const json input = {{"a", {1, 2, 3}}, {"empty", json::array()}};
  EXPECT_TRUE(EvaluationFails("States.ArrayGetItem($.a, 3)", input,
                              "argument 2 of States.ArrayGetItem (the index) is 3, but the last "
                              "index of the array is 2"));
  EXPECT_TRUE(EvaluationFails("States.ArrayGetItem($.empty, 0)", input, "the array is empty"));
  EXPECT_TRUE(EvaluationFails("States.ArrayGetItem($.a, 18446744073709551615)", input,
                              "the last index of the array is 2"));
  EXPECT_TRUE(ParseFails("States.ArrayGetItem($.a, -1)", "must not be negative (the index)"));
  EXPECT_TRUE(ParseFails("States.ArrayGetItem($.a, 1.5)", "must be a whole number (the index)"));
  EXPECT_TRUE(EvaluationFails("States.ArrayGetItem($.a, 0)", {{"a", {{"k", 1}}}},
                              "argument 1 of States.ArrayGetItem must be an array"));
}

TEST(ArrayLengthTest, CountsTopLevelItems) {
  EXPECT_TRUE(Yields("States.ArrayLength($.a)", 9, {{"a", {1, 2, 3, 4, 5, 6, 7, 8, 9}}}));
  EXPECT_TRUE(Yields("States.ArrayLength(States.Array())", 0));
  EXPECT_TRUE(Yields("States.ArrayLength(States.Array(States.Array(1, 2), 3))", 2));
  EXPECT_TRUE(EvaluationFails("States.ArrayLength($.a)", {{"a", "abc"}},
                              "argument 1 of States.ArrayLength must be an array"));
}

TEST(ArrayUniqueTest, KeepsTheFirstOccurrenceInOrder) {
  EXPECT_TRUE(
      Yields("States.ArrayUnique($.a)", {1, 2, 3, 4}, {{"a", {1, 2, 3, 3, 3, 3, 3, 3, 4}}}));
  EXPECT_TRUE(Yields("States.ArrayUnique($.a)", {3, 1, 2}, {{"a", {3, 1, 3, 2, 1}}}));
  EXPECT_TRUE(Yields("States.ArrayUnique(States.Array())", json::array()));
}

TEST(ArrayUniqueTest, ComparesNestedValuesAndNumbersByValue) {
  const json input = json::parse(R"({"a": [null, null, true, true, false, 1, 1.0, 1.5, "1",
      [], [], [null], [null], {"a": 1, "b": 2}, {"b": 2, "a": 1}, {"a": 1, "b": 1}]})");
  EXPECT_TRUE(Yields("States.ArrayUnique($.a)",
                     json::parse(R"([null, true, false, 1, 1.5, "1", [], [null],
                                     {"a": 1, "b": 2}, {"a": 1, "b": 1}])"),
                     input));
}

// ---- Encoding and hashing ---------------------------------------------------------------------

TEST(Base64FunctionTest, EncodesAndDecodesUtf8Text) {
  EXPECT_TRUE(Yields("States.Base64Encode('Data to encode')", "RGF0YSB0byBlbmNvZGU="));
  EXPECT_TRUE(Yields("States.Base64Decode('RGF0YSB0byBlbmNvZGU=')", "Data to encode"));
  EXPECT_TRUE(Yields("States.Base64Encode('é😀')", "w6nwn5iA"));
  EXPECT_TRUE(Yields("States.Base64Decode('w6nwn5iA')", "é😀"));
  EXPECT_TRUE(Yields("States.Base64Encode('')", ""));
  EXPECT_TRUE(Yields("States.Base64Decode('')", ""));
}

TEST(Base64FunctionTest, RoundTrips) {
  const std::vector<std::string> texts = {"",         "a",        "ab", "abc", "line\nbreak",
                                          "\x01\x7f", "ünïcödé ✓"};
  for (const std::string& text : texts) {
    const json input = {{"t", text}};
    EXPECT_TRUE(Yields("States.Base64Decode(States.Base64Encode($.t))", text, input));
  }
}

TEST(Base64FunctionTest, RejectsInvalidBase64) {
  EXPECT_TRUE(
      EvaluationFails("States.Base64Decode($.b)", {{"b", "abc$"}},
                      "argument 1 of States.Base64Decode is not valid Base64: '$' at offset "
                      "3 is not a Base64 character"));
  EXPECT_TRUE(ParseFails("States.Base64Decode('abcde')", "is not valid Base64"));
}

TEST(Base64FunctionTest, RejectsBytesThatAreNotText) {
  EXPECT_TRUE(
      ParseFails("States.Base64Decode('/w==')", "decodes to bytes that are not UTF-8 text"));
}

TEST(Base64FunctionTest, LimitsInputsToTenThousandCharacters) {
  const std::string limit(10000, 'a');
  EXPECT_TRUE(Compute("States.Base64Encode($.t)", {{"t", limit}}).ok());
  EXPECT_TRUE(EvaluationFails("States.Base64Encode($.t)", {{"t", limit + "a"}},
                              "argument 1 of States.Base64Encode must be at most 10000 characters "
                              "long (the text to encode), got 10001 characters"));
  // Characters are counted as Java counts them: one per UTF-16 unit, two for an emoji.
  EXPECT_TRUE(Compute("States.Base64Encode($.t)", {{"t", std::string(9998, 'a') + "😀"}}).ok());
  EXPECT_TRUE(EvaluationFails("States.Base64Encode($.t)", {{"t", std::string(9999, 'a') + "😀"}},
                              "got 10001 characters"));
  EXPECT_TRUE(EvaluationFails("States.Base64Decode($.t)", {{"t", std::string(10004, 'A')}},
                              "must be at most 10000 characters"));
}

TEST(HashFunctionTest, ComputesEveryAlgorithmInLowercaseHex) {
  EXPECT_TRUE(Yields("States.Hash('input data', 'MD5')", "812f45842bc6d66ee14572ce20db8e86"));
  EXPECT_TRUE(
      Yields("States.Hash('input data', 'SHA-1')", "aaff4a450a104cd177d28d18d74485e8cae074b7"));
  EXPECT_TRUE(Yields("States.Hash($.d, $.alg)",
                     "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e",
                     {{"d", "Hash this string"}, {"alg", "SHA-256"}}));
  EXPECT_TRUE(Yields("States.Hash('', 'SHA-384')",
                     "38b060a751ac96384cd9327eb1b1e36a21fdb71114be07434c0cc7bf63f6e1da274edebfe76"
                     "f65fbd51ad2f14898b95b"));
  EXPECT_TRUE(Yields("States.Hash('abc', 'SHA-512')",
                     "ddaf35a193617abacc417349ae20413112e6fa4e89a97ea20a9eeee64b55d39a2192992a274f"
                     "c1a836ba3c23a3feebbd454d4423643ce80e2a9ac94fa54ca49f"));
}

TEST(HashFunctionTest, HashesTheUtf8Bytes) {
  EXPECT_TRUE(Yields("States.Hash('héllo wörld €😀', 'SHA-256')",
                     "0a911cd5723335bafcad3516f617f1a77a27389ea038ded5c3e62c4fde9c72d8"));
}

TEST(HashFunctionTest, RejectsUnknownAlgorithmsWithASuggestion) {
  EXPECT_TRUE(ParseFails("States.Hash('x', 'SHA256')",
                         "argument 2 of States.Hash must be one of MD5, SHA-1, SHA-256, SHA-384, "
                         "SHA-512 (the algorithm), got \"SHA256\" (did you mean 'SHA-256'?)"));
  EXPECT_TRUE(
      EvaluationFails("States.Hash('x', $.alg)", {{"alg", "CRC32"}}, "must be one of MD5, SHA-1"));
}

TEST(HashFunctionTest, RequiresAStringOfAtMostTenThousandCharacters) {
  EXPECT_TRUE(ParseFails("States.Hash(1, 'MD5')", "argument 1 of States.Hash must be a string"));
  EXPECT_TRUE(EvaluationFails("States.Hash($.d, 'MD5')", {{"d", std::string(10001, 'x')}},
                              "must be at most 10000 characters long (the data to hash)"));
}

// ---- Math -------------------------------------------------------------------------------------

TEST(MathAddTest, AddsIntegers) {
  EXPECT_TRUE(Yields("States.MathAdd($.value1, $.step)", 110, {{"value1", 111}, {"step", -1}}));
  EXPECT_TRUE(Yields("States.MathAdd(-9, 3)", -6));
}

TEST(MathAddTest, RoundsEachArgumentHalfUpLikeAws) {
  // Recorded on AWS: Java's Math.round on each argument, halves towards positive infinity.
  struct Case {
    double a, b;
    int64_t sum;
  };
  const std::vector<Case> cases = {
      {1.49, 1.5, 3}, {-1.49, -1.5, -2}, {-1.5, -1.51, -3}, {1.49, -1.49, 0},
      {0.5, 0, 1},    {1.5, 0, 2},       {2.5, 0, 3},       {3.5, 0, 4},
      {-0.5, 0.5, 1}, {-0.5, 0, 0},      {-1.5, 0, -1},     {-2.5, 0, -2},
      {-3.5, 0, -3},  {-1.51, 0, -2},    {1.5, 1.51, 4},    {0.49999999999999994, 0, 0},
  };
  for (const Case& c : cases) {
    EXPECT_TRUE(Yields("States.MathAdd($.a, $.b)", c.sum, {{"a", c.a}, {"b", c.b}}))
        << c.a << " + " << c.b;
  }
}

TEST(MathAddTest, RejectsNonNumbersAndOverflow) {
  EXPECT_TRUE(EvaluationFails("States.MathAdd($.a, 1)", {{"a", "1"}},
                              "argument 1 of States.MathAdd must be a number (the first number), "
                              "got \"1\""));
  EXPECT_TRUE(ParseFails("States.MathAdd(9223372036854775807, 1)",
                         "States.MathAdd(9223372036854775807, 1) is outside the 64-bit range"));
  EXPECT_TRUE(ParseFails("States.MathAdd(18446744073709551615, 0)",
                         "must be an integer within the 64-bit range"));
}

TEST(MathRandomTest, DrawsFromStartIncludedToEndExcluded) {
  const json input = json::object();
  const json context = json::object();
  auto call = IntrinsicCall::Parse("States.MathRandom(1, 999)");
  ASSERT_TRUE(call.ok()) << call.status();
  auto with = [&](uint64_t r) {
    return call->Evaluate(EvalScope{input, context, [r] { return r; }});
  };
  EXPECT_EQ(with(0).value(), 1);
  EXPECT_EQ(with(UINT64_MAX).value(), 998);
  EXPECT_EQ(with(uint64_t{1} << 63).value(), 500);
  uint64_t state = 7;
  for (int i = 0; i < 1000; ++i) {
    auto value = call->Evaluate(EvalScope{input, context, [&state] {
                                            state = state * 6364136223846793005ULL + 1;
                                            return state;
                                          }});
    ASSERT_TRUE(value.ok()) << value.status();
    EXPECT_TRUE(value->is_number_integer());
    EXPECT_GE(*value, 1);
    EXPECT_LT(*value, 999);
  }
}

TEST(MathRandomTest, SameSeedGivesTheSameNumberWithoutTheScopesRandomness) {
  auto a = Compute("States.MathRandom(0, 1000000, 7)");
  auto b = Compute("States.MathRandom($.s, $.e, $.seed)", {{"s", 0}, {"e", 1000000}, {"seed", 7}});
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  EXPECT_EQ(*a, *b);
  auto other = Compute("States.MathRandom(0, 1000000, 8)");
  ASSERT_TRUE(other.ok()) << other.status();
  EXPECT_NE(*a, *other);
}

TEST(MathRandomTest, CoversTheWholeIntegerRange) {
  const json input = json::object();
  const json context = json::object();
  auto call = IntrinsicCall::Parse("States.MathRandom(-9223372036854775807, 9223372036854775807)");
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->Evaluate(EvalScope{input, context, [] { return uint64_t{0}; }}).value(),
            -INT64_MAX);
  EXPECT_EQ(call->Evaluate(EvalScope{input, context, [] { return UINT64_MAX; }}).value(),
            INT64_MAX - 1);
}

TEST(MathRandomTest, RequiresEndAboveStart) {
  EXPECT_TRUE(
      EvaluationFails("States.MathRandom(5, 5, 1)", json::object(),
                      "argument 2 of States.MathRandom (the end, excluded) is 5 but must be "
                      "greater than argument 1 of States.MathRandom (the start), 5"));
  EXPECT_TRUE(ParseFails("States.MathRandom($.a, 'x')",
                         "argument 2 of States.MathRandom must be a number (the end)"));
}

TEST(MathRandomTest, RoundsFractionalArguments) {
  const json input = json::object();
  const json context = json::object();
  auto call = IntrinsicCall::Parse("States.MathRandom(0.5, 1.5)");  // i.e. (1, 2): always 1
  ASSERT_TRUE(call.ok()) << call.status();
  EXPECT_EQ(call->Evaluate(EvalScope{input, context, [] { return UINT64_MAX; }}).value(), 1);
}

TEST(MathRandomTest, FailsCleanlyWithoutASourceOfRandomness) {
  EXPECT_TRUE(EvaluationFails("States.MathRandom(1, 10)", json::object(),
                              "States.MathRandom needs randomness",
                              absl::StatusCode::kFailedPrecondition));
}

// ---- States.StringSplit -----------------------------------------------------------------------

TEST(StringSplitTest, SplitsAtEveryDelimiterCharacterAndDropsEmptyParts) {
  EXPECT_TRUE(Yields("States.StringSplit('1,2,3,4,5', ',')", {"1", "2", "3", "4", "5"}));
  EXPECT_TRUE(Yields("States.StringSplit('This.is+a,test=string', '.+,=')",
                     {"This", "is", "a", "test", "string"}));
  EXPECT_TRUE(Yields("States.StringSplit(',,a,,b,', ',')", {"a", "b"}));
  EXPECT_TRUE(Yields("States.StringSplit(',,,,', ',')", json::array()));
  EXPECT_TRUE(Yields("States.StringSplit('', ',')", json::array()));
  EXPECT_TRUE(Yields("States.StringSplit(' , ', ',')", {" ", " "}));
  EXPECT_TRUE(Yields("States.StringSplit('abc', '')", {"abc"}));
}

TEST(StringSplitTest, TreatsMultiByteCharactersAsSingleDelimiters) {
  EXPECT_TRUE(Yields("States.StringSplit('aéb😀cé', 'é😀')", {"a", "b", "c"}));
  // 'é' and 'è' share their first byte; only whole characters split.
  EXPECT_TRUE(Yields("States.StringSplit('aèb', 'é')", {"aèb"}));
}

TEST(StringSplitTest, RequiresStrings) {
  EXPECT_TRUE(EvaluationFails("States.StringSplit($.s, ',')", {{"s", 12}},
                              "argument 1 of States.StringSplit must be a string"));
}

// ---- States.UUID ------------------------------------------------------------------------------

TEST(UuidTest, IsAVersion4UuidBuiltFromTheScopesRandomness) {
  const json input = json::object();
  const json context = json::object();
  auto call = IntrinsicCall::Parse("States.UUID()");
  ASSERT_TRUE(call.ok()) << call.status();
  uint64_t counter = 0;
  auto random = [&counter] { return 0x0123456789abcdefULL * ++counter; };
  auto uuid = call->Evaluate(EvalScope{input, context, random});
  ASSERT_TRUE(uuid.ok()) << uuid.status();
  const std::regex v4("[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}");
  EXPECT_TRUE(std::regex_match(uuid->get<std::string>(), v4)) << *uuid;
  counter = 0;
  EXPECT_EQ(call->Evaluate(EvalScope{input, context, random}).value(), *uuid);  // replayable
  auto zero = call->Evaluate(EvalScope{input, context, [] { return uint64_t{0}; }});
  EXPECT_EQ(zero.value(), "00000000-0000-4000-8000-000000000000");
  auto ones = call->Evaluate(EvalScope{input, context, [] { return UINT64_MAX; }});
  EXPECT_EQ(ones.value(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
}

TEST(UuidTest, FailsCleanlyWithoutASourceOfRandomness) {
  EXPECT_TRUE(EvaluationFails("States.UUID()", json::object(), "States.UUID needs randomness",
                              absl::StatusCode::kFailedPrecondition));
}

// ---- Paths and nesting ------------------------------------------------------------------------

TEST(IntrinsicPathTest, ReadsTheInputAndTheContextObject) {
  const json input = {{"a", "from input"}};
  const json context = {{"Execution", {{"Id", "arn:exec"}}}};
  auto value = Compute("States.Array($.a, $$.Execution.Id, $)", input, context);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, json::array({"from input", "arn:exec", input}));
}

TEST(IntrinsicPathTest, PathsMayContainCommasParenthesesAndQuotes) {
  const json input = json::parse(R"({"a,b": 1, "c)d": 2, "e f": 3})");
  EXPECT_TRUE(Yields(R"(States.Array($['a,b'], $['c)d'] , $['e f']))", {1, 2, 3}, input));
}

TEST(IntrinsicPathTest, APathThatMatchesNothingIsNotFound) {
  EXPECT_TRUE(
      EvaluationFails("States.Format('{}', $.missing)", {{"a", 1}},
                      "argument 2 of States.Format ($.missing): ", absl::StatusCode::kNotFound));
  EXPECT_TRUE(EvaluationFails("States.ArrayLength(States.Array($.a.b))", {{"a", 1}}, "$.a.b",
                              absl::StatusCode::kNotFound));
}

TEST(IntrinsicPathTest, NineNestedCallsFromTheAwsDocumentationWork) {
  // The documentation's example (whose template has one placeholder too many) corrected.
  const json input = {
      {"ImageRecipe",
       {{"Arn", "arn:aws:imagebuilder:us-east-1:123456789012:image-recipe/my-recipe.v2/1.0.3"}}}};
  EXPECT_TRUE(Yields(
      "States.Format('{}.{}', States.ArrayGetItem(States.StringSplit(States.ArrayGetItem("
      "States.StringSplit($.ImageRecipe.Arn, '/'), 2), '.'), 0), States.ArrayGetItem("
      "States.StringSplit(States.ArrayGetItem(States.StringSplit($.ImageRecipe.Arn, '/'), 2), "
      "'.'), 1))",
      "1.0", input));
}

}  // namespace
}  // namespace stepwise::dsl
