// Intrinsic calls replayed against results recorded on real AWS Step Functions: the LocalStack
// parity tests in shared/conformance/cases/localstack/jsonpath (validated against AWS) and the
// examples in the States Language specification (shared/conformance/cases/spec). Each row is the
// call, the state's input and the value AWS produced; the source case is named above it.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "stepwise/dsl/eval_scope.h"
#include "stepwise/dsl/intrinsics.h"

namespace stepwise::dsl {
namespace {

using nlohmann::json;

struct RecordedCase {
  std::string_view input;
  std::string_view expected;
};

// One call and the executions recorded with it.
struct RecordedCall {
  std::string_view call;
  std::vector<RecordedCase> cases;
};

::testing::AssertionResult Reproduces(std::string_view call, const json& input, const json& context,
                                      const json& expected) {
  auto parsed = IntrinsicCall::Parse(call);
  if (!parsed.ok()) return ::testing::AssertionFailure() << call << ": " << parsed.status();
  auto value = parsed->Evaluate(EvalScope{input, context, {}});
  if (!value.ok()) return ::testing::AssertionFailure() << call << ": " << value.status();
  // Integers must stay integers (AWS writes 3, not 3.0), which json's == does not check.
  if (*value != expected || value->dump() != expected.dump()) {
    return ::testing::AssertionFailure() << call << " on " << input.dump() << " gave "
                                         << value->dump() << ", AWS gave " << expected.dump();
  }
  return ::testing::AssertionSuccess();
}

TEST(IntrinsicsConformanceTest, ReproducesResultsRecordedOnAws) {
  const std::vector<RecordedCall> calls = {
      // test_array__TestArray__test_array_0
      {R"j(States.Array())j",
       {
           {R"j({"FunctionInput": "HelloWorld"})j", R"j([])j"},
       }},
      // test_array__TestArray__test_array_2
      {R"j(States.Array($.FunctionInput.fst, $.FunctionInput.snd))j",
       {
           {R"j({"FunctionInput": {"fst": "", "snd": ""}})j", R"j(["", ""])j"},
           {R"j({"FunctionInput": {"fst": " ", "snd": " "}})j", R"j([" ", " "])j"},
           {R"j({"FunctionInput": {"fst": "HelloWorld", "snd": "HelloWorld"}})j",
            R"j(["HelloWorld", "HelloWorld"])j"},
           {R"j({"FunctionInput": {"fst": null, "snd": null}})j", R"j([null, null])j"},
           {R"j({"FunctionInput": {"fst": 1, "snd": 1}})j", R"j([1, 1])j"},
           {R"j({"FunctionInput": {"fst": 1.1, "snd": 1.1}})j", R"j([1.1, 1.1])j"},
           {R"j({"FunctionInput": {"fst": "{\"Arg1\": 1, \"Arg2\": []}", "snd": "{\"Ar)j"
            R"j(g1\": 1, \"Arg2\": []}"}})j",
            R"j(["{\"Arg1\": 1, \"Arg2\": []}", "{\"Arg1\": 1, \"Arg2\": []}"])j"},
           {R"j({"FunctionInput": {"fst": {"Arg1": 1, "Arg2": []}, "snd": {"Arg1": 1, )j"
            R"j("Arg2": []}}})j",
            R"j([{"Arg1": 1, "Arg2": []}, {"Arg1": 1, "Arg2": []}])j"},
       }},
      // test_array__TestArray__test_array_contains
      {R"j(States.ArrayContains($.FunctionInput.fst, $.FunctionInput.snd))j",
       {
           {R"j({"FunctionInput": {"fst": [], "snd": null}})j", R"j(false)j"},
           {R"j({"FunctionInput": {"fst": [], "snd": []}})j", R"j(false)j"},
           {R"j({"FunctionInput": {"fst": [], "snd": 1}})j", R"j(false)j"},
           {R"j({"FunctionInput": {"fst": [[1, 2, 3], 2], "snd": null}})j", R"j(false)j"},
           {R"j({"FunctionInput": {"fst": [[1, 2, 3], 2], "snd": [1, 2, 3]}})j", R"j(true)j"},
           {R"j({"FunctionInput": {"fst": [{"1": 2, "2": []}], "snd": []}})j", R"j(false)j"},
           {R"j({"FunctionInput": {"fst": [{"1": 2, "2": []}], "snd": {"1": 2, "2": [])j"
            R"j(}}})j",
            R"j(true)j"},
           {R"j({"FunctionInput": {"fst": [true, false], "snd": true}})j", R"j(true)j"},
           {R"j({"FunctionInput": {"fst": [true, false], "snd": false}})j", R"j(true)j"},
       }},
      // test_array__TestArray__test_array_range
      {R"j(States.ArrayRange($.FunctionInput.fst, $.FunctionInput.snd, $.Function)j"
       R"j(Input.trd))j",
       {
           {R"j({"FunctionInput": {"fst": 0, "snd": 9, "trd": 3}})j", R"j([0, 3, 6, 9])j"},
           {R"j({"FunctionInput": {"fst": 0, "snd": 10, "trd": 3}})j", R"j([0, 3, 6, 9])j"},
           {R"j({"FunctionInput": {"fst": 1, "snd": 9, "trd": 9}})j", R"j([1])j"},
           {R"j({"FunctionInput": {"fst": 1, "snd": 9, "trd": 2}})j", R"j([1, 3, 5, 7, 9])j"},
       }},
      // test_array__TestArray__test_array_unique
      {R"j(States.ArrayLength($.FunctionInput))j",
       {
           {R"j({"FunctionInput": [null, null, true, true, false, false, 1, 1, 1.1, 0,)j"
            R"j( 0, "HelloWorld", "HelloWorld", [], [], [null], [null], {"a": 1, "b": )j"
            R"j(2}, {"a": 1, "b": 2}, {"a": 1, "b": 1}]})j",
            R"j(20)j"},
       }},
      // test_encode_decode__TestEncodeDecode__test_base_64_decode
      {R"j(States.Base64Decode($.FunctionInput))j",
       {
           {R"j({"FunctionInput": ""})j", R"j("")j"},
           {R"j({"FunctionInput": "RGF0YSB0byBlbmNvZGU="})j", R"j("Data to encode")j"},
       }},
      // test_encode_decode__TestEncodeDecode__test_base_64_encode
      {R"j(States.Base64Encode($.FunctionInput))j",
       {
           {R"j({"FunctionInput": ""})j", R"j("")j"},
           {R"j({"FunctionInput": "Data to encode"})j", R"j("RGF0YSB0byBlbmNvZGU=")j"},
       }},
      // test_generic__TestGeneric__test_escape_sequence
      {R"j(States.StringSplit('Hello
World', '
'))j",
       {
           {R"j({"FunctionInput": null})j", R"j(["Hello", "World"])j"},
       }},
      // test_generic__TestGeneric__test_format_1
      {R"j(States.Format('Formatting argument {}.', $.FunctionInput))j",
       {
           {R"j({"FunctionInput": ""})j", R"j("Formatting argument .")j"},
           {R"j({"FunctionInput": " "})j", R"j("Formatting argument  .")j"},
           {R"j({"FunctionInput": "HelloWorld"})j", R"j("Formatting argument HelloWorld.")j"},
           {R"j({"FunctionInput": null})j", R"j("Formatting argument null.")j"},
           {R"j({"FunctionInput": 1})j", R"j("Formatting argument 1.")j"},
           {R"j({"FunctionInput": 1.1})j", R"j("Formatting argument 1.1.")j"},
           {R"j({"FunctionInput": "{\"Arg1\": 1, \"Arg2\": []}"})j",
            R"j("Formatting argument {\"Arg1\": 1, \"Arg2\": []}.")j"},
       }},
      // test_generic__TestGeneric__test_format_2
      {R"j(States.Format('Formatting arguments fst={} and snd={}.', $.FunctionInp)j"
       R"j(ut.fst, $.FunctionInput.snd))j",
       {
           {R"j({"FunctionInput": {"fst": "", "snd": ""}})j",
            R"j("Formatting arguments fst= and snd=.")j"},
           {R"j({"FunctionInput": {"fst": " ", "snd": " "}})j",
            R"j("Formatting arguments fst=  and snd= .")j"},
           {R"j({"FunctionInput": {"fst": "HelloWorld", "snd": "HelloWorld"}})j",
            R"j("Formatting arguments fst=HelloWorld and snd=HelloWorld.")j"},
           {R"j({"FunctionInput": {"fst": null, "snd": null}})j",
            R"j("Formatting arguments fst=null and snd=null.")j"},
           {R"j({"FunctionInput": {"fst": 1, "snd": 1}})j",
            R"j("Formatting arguments fst=1 and snd=1.")j"},
           {R"j({"FunctionInput": {"fst": 1.1, "snd": 1.1}})j",
            R"j("Formatting arguments fst=1.1 and snd=1.1.")j"},
           {R"j({"FunctionInput": {"fst": "{\"Arg1\": 1, \"Arg2\": []}", "snd": "{\"Ar)j"
            R"j(g1\": 1, \"Arg2\": []}"}})j",
            R"j("Formatting arguments fst={\"Arg1\": 1, \"Arg2\": []} and snd={\"Arg1\)j"
            R"j(": 1, \"Arg2\": []}.")j"},
           {R"j({"FunctionInput": {"fst": {"Arg1": 1, "Arg2": []}, "snd": {"Arg1": 1, )j"
            R"j("Arg2": []}}})j",
            R"j("Formatting arguments fst={Arg1=1, Arg2=[]} and snd={Arg1=1, Arg2=[]}.)j"
            R"j(")j"},
       }},
      // test_json_manipulation__TestJsonManipulation__test_string_to_json
      {R"j(States.StringToJson($.FunctionInput))j",
       {
           {R"j({"FunctionInput": ""})j", R"j(null)j"},
           {R"j({"FunctionInput": " "})j", R"j(null)j"},
           {R"j({"FunctionInput": "null"})j", R"j(null)j"},
           {R"j({"FunctionInput": "-0"})j", R"j(0)j"},
           {R"j({"FunctionInput": "1"})j", R"j(1)j"},
           {R"j({"FunctionInput": "1.1"})j", R"j(1.1)j"},
           {R"j({"FunctionInput": "true"})j", R"j(true)j"},
           {R"j({"FunctionInput": "\"HelloWorld\""})j", R"j("HelloWorld")j"},
           {R"j({"FunctionInput": "[1, 2, \"HelloWorld\"]"})j", R"j([1, 2, "HelloWorld"])j"},
           {R"j({"FunctionInput": "{\"Arg1\": 1, \"Arg2\": []}"})j",
            R"j({"Arg1": 1, "Arg2": []})j"},
       }},
      // test_math_operations__TestMathOperations__test_math_add
      {R"j(States.MathAdd($.FunctionInput.fst, $.FunctionInput.snd))j",
       {
           {R"j({"FunctionInput": {"fst": -9, "snd": 3}})j", R"j(-6)j"},
           {R"j({"FunctionInput": {"fst": 1.49, "snd": 1.5}})j", R"j(3)j"},
           {R"j({"FunctionInput": {"fst": -1.5, "snd": 0}})j", R"j(-1)j"},
           {R"j({"FunctionInput": {"fst": -1.51, "snd": 0}})j", R"j(-2)j"},
           {R"j({"FunctionInput": {"fst": 0.5, "snd": 0}})j", R"j(1)j"},
           {R"j({"FunctionInput": {"fst": 1.5, "snd": 0}})j", R"j(2)j"},
           {R"j({"FunctionInput": {"fst": 2.5, "snd": 0}})j", R"j(3)j"},
           {R"j({"FunctionInput": {"fst": 3.5, "snd": 0}})j", R"j(4)j"},
           {R"j({"FunctionInput": {"fst": -0.5, "snd": 0.5}})j", R"j(1)j"},
           {R"j({"FunctionInput": {"fst": -0.5, "snd": 0}})j", R"j(0)j"},
           {R"j({"FunctionInput": {"fst": -1.5, "snd": 0}})j", R"j(-1)j"},
           {R"j({"FunctionInput": {"fst": -2.5, "snd": 0}})j", R"j(-2)j"},
           {R"j({"FunctionInput": {"fst": 1.5, "snd": 1.51}})j", R"j(4)j"},
           {R"j({"FunctionInput": {"fst": -3.5, "snd": 0}})j", R"j(-3)j"},
           {R"j({"FunctionInput": {"fst": -1.49, "snd": -1.5}})j", R"j(-2)j"},
           {R"j({"FunctionInput": {"fst": -1.5, "snd": -1.51}})j", R"j(-3)j"},
           {R"j({"FunctionInput": {"fst": 1.49, "snd": 0}})j", R"j(1)j"},
           {R"j({"FunctionInput": {"fst": 1.49, "snd": -1.49}})j", R"j(0)j"},
           {R"j({"FunctionInput": {"fst": 1.5, "snd": 0}})j", R"j(2)j"},
           {R"j({"FunctionInput": {"fst": 1.51, "snd": 0}})j", R"j(2)j"},
           {R"j({"FunctionInput": {"fst": -1.49, "snd": 0}})j", R"j(-1)j"},
       }},
      // test_string_operations__TestStringOperations__test_string_split
      {R"j(States.StringSplit($.FunctionInput.fst, $.FunctionInput.snd))j",
       {
           {R"j({"FunctionInput": {"fst": " ", "snd": ","}})j", R"j([" "])j"},
           {R"j({"FunctionInput": {"fst": " , ", "snd": ","}})j", R"j([" ", " "])j"},
           {R"j({"FunctionInput": {"fst": ", , ,", "snd": ","}})j", R"j([" ", " "])j"},
           {R"j({"FunctionInput": {"fst": ",,,,", "snd": ","}})j", R"j([])j"},
           {R"j({"FunctionInput": {"fst": "1,2,3,4,5", "snd": ","}})j",
            R"j(["1", "2", "3", "4", "5"])j"},
           {R"j({"FunctionInput": {"fst": "This.is+a,test=string", "snd": ".+,="}})j",
            R"j(["This", "is", "a", "test", "string"])j"},
           {R"j({"FunctionInput": {"fst": "split on T and \nnew line", "snd": "T\n"}})j",
            R"j(["split on ", " and ", "new line"])j"},
       }},
      // spec__intrinsic_array
      {R"j(States.Array('Foo', 2020, $.someJson, null))j",
       {
           {R"j({"someJson": {"random": "abcdefg"}, "zebra": "stripe"})j",
            R"j(["Foo", 2020, {"random": "abcdefg"}, null])j"},
       }},
      // spec__intrinsic_array_partition
      {R"j(States.ArrayPartition($.inputArray,4))j",
       {
           {R"j({"inputArray": [1, 2, 3, 4, 5, 6, 7, 8, 9]})j",
            R"j([[1, 2, 3, 4], [5, 6, 7, 8], [9]])j"},
       }},
      // spec__intrinsic_base64_encode
      {R"j(States.Base64Encode($.input))j",
       {
           {R"j({"input": "Data to encode"})j", R"j("RGF0YSB0byBlbmNvZGU=")j"},
       }},
      // spec__intrinsic_format
      {R"j(States.Format('Your name is {}, we are in the year {}', $.name, 2020))j",
       {
           {R"j({"name": "Foo", "zebra": "stripe"})j",
            R"j("Your name is Foo, we are in the year 2020")j"},
       }},
      // spec__intrinsic_json_merge_shallow
      {R"j(States.JsonMerge($.json1, $.json2, false))j",
       {
           {R"j({"json1": {"a": {"a1": 1, "a2": 2}, "b": 2}, "json2": {"a": {"a3": 1, )j"
            R"j("a4": 2}, "c": 3}})j",
            R"j({"a": {"a3": 1, "a4": 2}, "b": 2, "c": 3})j"},
       }},
      // spec__intrinsic_json_to_string
      {R"j(States.JsonToString($.someJson))j",
       {
           {R"j({"someJson": {"name": "Foo", "year": 2020}, "zebra": "stripe"})j",
            R"j("{\"name\":\"Foo\",\"year\":2020}")j"},
       }},
      // spec__intrinsic_string_split
      {R"j(States.StringSplit($.inputString, $.splitter))j",
       {
           {R"j({"inputString": "1,2,3,4,5", "splitter": ","})j", R"j(["1", "2", "3", "4", "5"])j"},
       }},
      // spec__intrinsic_string_to_json
      {R"j(States.StringToJson($.someString))j",
       {
           {R"j({"someString": "{\"number\": 20}", "zebra": "stripe"})j", R"j({"number": 20})j"},
       }},
  };
  for (const RecordedCall& call : calls) {
    for (const RecordedCase& c : call.cases) {
      EXPECT_TRUE(
          Reproduces(call.call, json::parse(c.input), json::object(), json::parse(c.expected)));
    }
  }
}

// The context object as AWS builds it, with the names the recordings' placeholders stand for.
json Context(const json& input) {
  return {{"Execution", {{"Name", "exec-7f3a"}, {"Input", input}}},
          {"StateMachine",
           {{"Id", "arn:aws:states:us-east-1:111111111111:stateMachine:machine-4c1d"},
            {"Name", "machine-4c1d"}}}};
}

// test_generic__TestGeneric__test_context_json_path: an object argument is written the way
// Java's Map.toString writes it.
TEST(IntrinsicsConformanceTest, FormatsContextObjectsLikeJavaMaps) {
  const json input = {{"FunctionInput", nullptr}};
  EXPECT_TRUE(Reproduces(
      "States.Format('Formatting arguments fst={} and snd={}.', $$.Execution.Name, "
      "$$.StateMachine)",
      input, Context(input),
      "Formatting arguments fst=exec-7f3a and snd={Id=arn:aws:states:us-east-1:111111111111:"
      "stateMachine:machine-4c1d, Name=machine-4c1d}."));
}

// test_generic__TestGeneric__test_nested_calls_1 and _2.
TEST(IntrinsicsConformanceTest, EvaluatesNestedCallsOnTheContextObject) {
  const json input = {{"FunctionInput", nullptr}};
  EXPECT_TRUE(Reproduces("States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), 0)",
                         input, Context(input), "machine"));
  EXPECT_TRUE(Reproduces(
      "States.ArrayGetItem(States.StringSplit($$.StateMachine.Name, '-'), "
      "States.MathAdd(States.ArrayLength(States.StringSplit($$.StateMachine.Name, '-')), -1))",
      input, Context(input), "4c1d"));
}

// test_string_operations__TestStringOperations__test_string_split_context_object.
TEST(IntrinsicsConformanceTest, SplitsTheExecutionInputFromTheContextObject) {
  const json input = {
      {"FunctionInput",
       "Value1,Value2,Value3\nValue4,Value5,Value6\n,,,\ntrue,1,'HelloWorld'\nNull,None,\n   \n"}};
  EXPECT_TRUE(Reproduces("States.StringSplit($$.Execution.Input.FunctionInput, ',')", input,
                         Context(input),
                         {"Value1", "Value2", "Value3\nValue4", "Value5", "Value6\n", "\ntrue", "1",
                          "'HelloWorld'\nNull", "None", "\n   \n"}));
}

// base__test_base__TestSnfBase__test_state_fail_intrinsic: a Fail state's ErrorPath and
// CausePath.
TEST(IntrinsicsConformanceTest, BuildsFailErrorAndCause) {
  const json input = {{"Error", "error string"}, {"Cause", "cause string"}};
  EXPECT_TRUE(Reproduces("States.Format('{}', $.Error)", input, json::object(), "error string"));
  EXPECT_TRUE(Reproduces(
      "States.Format('This is a custom error message for {}, caused by {}.', $.Error, $.Cause)",
      input, json::object(),
      "This is a custom error message for error string, caused by cause string."));
}

// variables/assign__..._BASE_ASSIGN_FROM_INTRINSIC_FUNCTION and
// ..._BASE_REFERENCE_IN_INTRINSIC_FUNCTION, with the variables as input fields.
TEST(IntrinsicsConformanceTest, ReproducesTheRecordedAssignResults) {
  const json input = {{"inputString", "Hash this string"},
                      {"rawString", "Hello World"},
                      {"encodedString", "SGVsbG8gV29ybGQ="},
                      {"json1", {{"a", 1}, {"b", 2}}},
                      {"json2", {{"c", 3}, {"d", 4}}},
                      {"jsonString", "{\"key\":\"value\"}"},
                      {"jsonObject", {{"test", "object"}}},
                      {"value1", 5},
                      {"value2", 3},
                      {"csvString", "a,b,c,d,e"},
                      {"name", "John"},
                      {"place", "LocalStack"}};
  const json none = json::object();
  EXPECT_TRUE(Reproduces("States.Hash($.inputString, 'SHA-256')", input, none,
                         "1cac63f39fd68d8c531f27b807610fb3d50f0fc3f186995767fb6316e7200a3e"));
  EXPECT_TRUE(Reproduces("States.Base64Encode($.rawString)", input, none, "SGVsbG8gV29ybGQ="));
  EXPECT_TRUE(Reproduces("States.Base64Decode($.encodedString)", input, none, "Hello World"));
  EXPECT_TRUE(Reproduces("States.JsonMerge($.json1, $.json2, false)", input, none,
                         {{"a", 1}, {"b", 2}, {"c", 3}, {"d", 4}}));
  EXPECT_TRUE(Reproduces("States.StringToJson($.jsonString)", input, none, {{"key", "value"}}));
  EXPECT_TRUE(
      Reproduces("States.JsonToString($.jsonObject)", input, none, "{\"test\":\"object\"}"));
  EXPECT_TRUE(Reproduces("States.MathAdd($.value1, $.value2)", input, none, 8));
  EXPECT_TRUE(
      Reproduces("States.StringSplit($.csvString, ',')", input, none, {"a", "b", "c", "d", "e"}));
  EXPECT_TRUE(Reproduces("States.Format('Hello {}, welcome to {}!', $.name, $.place)", input, none,
                         "Hello John, welcome to LocalStack!"));
}

}  // namespace
}  // namespace stepwise::dsl
