// JsonPath: the JSONPath dialect of the States Language, which AWS evaluates with Jayway
// JsonPath. Expected results follow Jayway unless a test says otherwise.
#include "stepwise/dsl/json_path.h"

#include <gtest/gtest.h>

#include <string>
#include <utility>

namespace stepwise::dsl {
namespace {

using nlohmann::json;

// Whether `text` (a std::string or an absl::string_view) contains `part`.
template <typename Text>
::testing::AssertionResult HasText(const Text& text, std::string_view part) {
  const std::string_view view(text.data(), text.size());
  if (view.find(part) != std::string_view::npos) return ::testing::AssertionSuccess();
  return ::testing::AssertionFailure() << "\"" << view << "\" does not contain \"" << part << "\"";
}

const json& Store() {
  static const json* const store = new json(json::parse(R"({
    "store": {
      "book": [
        {"category": "reference", "author": "Rees", "title": "Sayings", "price": 8.95},
        {"category": "fiction", "author": "Waugh", "title": "Sword", "price": 12.99},
        {"category": "fiction", "author": "Melville", "title": "Moby Dick",
         "isbn": "0-553-21311-3", "price": 8.99},
        {"category": "fiction", "author": "Tolkien", "title": "The Lord of the Rings",
         "isbn": "0-395-19395-8", "price": 22.99}
      ],
      "bicycle": {"color": "red", "price": 19.95}
    },
    "expensive": 10
  })"));
  return *store;
}

JsonPath MustParse(std::string_view text, JsonPath::Kind kind = JsonPath::Kind::kPath) {
  auto path = JsonPath::Parse(text, kind);
  EXPECT_TRUE(path.ok()) << text << ": " << path.status();
  if (!path.ok()) return *JsonPath::Parse("$");
  return *std::move(path);
}

// The value of `text` in `document`; a failure to parse or evaluate fails the test.
json Eval(std::string_view text, const json& document) {
  auto value = MustParse(text).Evaluate(document);
  EXPECT_TRUE(value.ok()) << text << ": " << value.status();
  return value.ok() ? *std::move(value) : json("<error>");
}

// The message of the error `text` fails to parse with.
std::string ParseError(std::string_view text, JsonPath::Kind kind = JsonPath::Kind::kPath) {
  auto path = JsonPath::Parse(text, kind);
  EXPECT_FALSE(path.ok()) << text << " parsed";
  if (path.ok()) return "";
  EXPECT_EQ(path.status().code(), absl::StatusCode::kInvalidArgument) << path.status();
  return std::string(path.status().message());
}

// The error evaluating `text` fails with; the test fails if it succeeds.
absl::Status EvalError(std::string_view text, const json& document) {
  auto value = MustParse(text).Evaluate(document);
  EXPECT_FALSE(value.ok()) << text << " gave " << (value.ok() ? value->dump() : "");
  return value.ok() ? absl::OkStatus() : value.status();
}

// ---------------------------------------------------------------------------------------------
// Roots and properties of the parsed path

TEST(JsonPath, DollarAloneSelectsTheWholeDocument) {
  EXPECT_EQ(Eval("$", Store()), Store());
  EXPECT_TRUE(MustParse("$").is_definite());
  EXPECT_FALSE(MustParse("$").is_context());
}

TEST(JsonPath, DoubleDollarMarksAContextPath) {
  const JsonPath path = MustParse("$$.Execution.Id");
  EXPECT_TRUE(path.is_context());
  EXPECT_TRUE(path.is_definite());
  EXPECT_EQ(*path.Evaluate({{"Execution", {{"Id", "arn:1"}}}}), "arn:1");
  EXPECT_TRUE(MustParse("$$").is_context());
  EXPECT_EQ(Eval("$$", json{{"a", 1}}), json({{"a", 1}}));
}

TEST(JsonPath, TextIsTheSourceAsWritten) {
  EXPECT_EQ(MustParse("$.store['book'][0]").text(), "$.store['book'][0]");
}

TEST(JsonPath, DefinitenessDependsOnEveryStep) {
  for (const char* definite : {"$", "$.a", "$['a'].b[0]", "$.a[-1]", "$$.Map.Item.Index"}) {
    EXPECT_TRUE(MustParse(definite).is_definite()) << definite;
  }
  for (const char* indefinite :
       {"$.*", "$[*]", "$..a", "$[0,1]", "$['a','b']", "$[1:]", "$[?(@.a)]", "$.a.*.b"}) {
    EXPECT_FALSE(MustParse(indefinite).is_definite()) << indefinite;
  }
}

TEST(JsonPath, CopiesAndMovesShareTheParsedPath) {
  JsonPath original = MustParse("$.a.b");
  JsonPath copy = original;
  JsonPath moved = std::move(original);
  EXPECT_EQ(copy.text(), "$.a.b");
  EXPECT_EQ(moved.text(), "$.a.b");
  const json document = {{"a", {{"b", 7}}}};
  EXPECT_EQ(*copy.Evaluate(document), 7);
  EXPECT_EQ(*moved.Evaluate(document), 7);
  copy = MustParse("$.a");
  EXPECT_EQ(*copy.Evaluate(document), json({{"b", 7}}));
}

// ---------------------------------------------------------------------------------------------
// Member access

TEST(JsonPath, DotNotationWalksObjectMembers) {
  EXPECT_EQ(Eval("$.store.bicycle.color", Store()), "red");
  EXPECT_EQ(Eval("$.expensive", Store()), 10);
}

TEST(JsonPath, BracketNotationAcceptsSingleAndDoubleQuotes) {
  EXPECT_EQ(Eval("$['store']['bicycle']['color']", Store()), "red");
  EXPECT_EQ(Eval("$[\"store\"][\"bicycle\"].color", Store()), "red");
  EXPECT_EQ(Eval("$[ 'store' ][ \"bicycle\" ]['color']", Store()), "red");
}

TEST(JsonPath, BracketNamesMayContainAnyCharacter) {
  const json document = {{"a b", 1}, {"x.y", 2},  {"[0]", 3},        {"*", 4},
                         {"", 5},    {"it's", 6}, {"say \"hi\"", 7}, {"back\\slash", 8}};
  EXPECT_EQ(Eval("$['a b']", document), 1);
  EXPECT_EQ(Eval("$['x.y']", document), 2);
  EXPECT_EQ(Eval("$['[0]']", document), 3);
  EXPECT_EQ(Eval("$['*']", document), 4);
  EXPECT_EQ(Eval("$['']", document), 5);
  EXPECT_EQ(Eval("$['it\\'s']", document), 6);
  EXPECT_EQ(Eval("$[\"it's\"]", document), 6);
  EXPECT_EQ(Eval("$[\"say \\\"hi\\\"\"]", document), 7);
  EXPECT_EQ(Eval("$['say \"hi\"']", document), 7);
  EXPECT_EQ(Eval("$['back\\\\slash']", document), 8);
}

TEST(JsonPath, BracketNamesUnderstandJsonEscapes) {
  const json document = {{"tab\there", 1}, {"é", 2}, {"😀", 3}, {"a/b", 4}};
  EXPECT_EQ(Eval("$['tab\\there']", document), 1);
  EXPECT_EQ(Eval("$['\\u00e9']", document), 2);
  EXPECT_EQ(Eval("$['\\u00E9']", document), 2);
  EXPECT_EQ(Eval("$['\\ud83d\\ude00']", document), 3);
  EXPECT_EQ(Eval("$['a\\/b']", document), 4);
}

TEST(JsonPath, DotNamesArePermissiveAboutPunctuationAndUnicode) {
  const json document = {{"foo-bar", 1}, {"a_b", 2}, {"Étoile", 3}, {"日本", 4}, {"a:b", 5},
                         {"a$b", 6},     {"a*", 7},  {"@x", 8},     {"1", 9},    {"a'b", 10}};
  EXPECT_EQ(Eval("$.foo-bar", document), 1);
  EXPECT_EQ(Eval("$.a_b", document), 2);
  EXPECT_EQ(Eval("$.Étoile", document), 3);
  EXPECT_EQ(Eval("$.日本", document), 4);
  EXPECT_EQ(Eval("$.a:b", document), 5);
  EXPECT_EQ(Eval("$.a$b", document), 6);
  EXPECT_EQ(Eval("$.a*", document), 7);
  EXPECT_EQ(Eval("$.@x", document), 8);
  EXPECT_EQ(Eval("$.1", document), 9);
  EXPECT_EQ(Eval("$.a'b", document), 10);
}

TEST(JsonPath, DotBeforeABracketIsAllowedAsInJayway) {
  EXPECT_EQ(Eval("$.['store'].bicycle.color", Store()), "red");
  EXPECT_EQ(Eval("$.store.book.[1].author", Store()), "Waugh");
}

TEST(JsonPath, MissingMemberOnADefinitePathIsNotFoundWithTheJaywayMessage) {
  const absl::Status status = EvalError("$.no", Store());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(), "Missing property in path $['no']");
  EXPECT_EQ(EvalError("$.store.bicycle.size", Store()).message(),
            "Missing property in path $['store']['bicycle']['size']");
  EXPECT_EQ(EvalError("$.store.nothing.deeper", Store()).message(),
            "Missing property in path $['store']['nothing']");
}

TEST(JsonPath, ContextPathMessagesShowTheDoubleDollarRoot) {
  EXPECT_EQ(EvalError("$$.Execution.Nope", json{{"Execution", json::object()}}).message(),
            "Missing property in path $$['Execution']['Nope']");
}

TEST(JsonPath, MissingMemberMessageEscapesQuotesInTheName) {
  EXPECT_EQ(EvalError("$[\"it's\"]", json::object()).message(),
            "Missing property in path $['it\\'s']");
}

TEST(JsonPath, MemberOfANonObjectOnADefinitePathIsNotFound) {
  const absl::Status status = EvalError("$.expensive.amount", Store());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "Expected to find an object with property ['amount'] in path $['expensive'] but "
            "found a number");
  EXPECT_TRUE(HasText(EvalError("$.a", json::array()).message(), "in path $ but found an array"));
  EXPECT_TRUE(HasText(EvalError("$.a.b", json{{"a", nullptr}}).message(), "but found null"));
  EXPECT_TRUE(HasText(EvalError("$.a", json("text")).message(), "but found a string"));
}

TEST(JsonPath, NullAndFalseMembersAreFoundNotMissing) {
  const json document = {{"n", nullptr}, {"f", false}};
  EXPECT_EQ(Eval("$.n", document), nullptr);
  EXPECT_EQ(Eval("$.f", document), false);
}

// ---------------------------------------------------------------------------------------------
// Array indexes

TEST(JsonPath, IndexesCountFromZero) {
  EXPECT_EQ(Eval("$.store.book[0].author", Store()), "Rees");
  EXPECT_EQ(Eval("$.store.book[3].author", Store()), "Tolkien");
  EXPECT_EQ(Eval("$[ 1 ]", json{10, 20}), 20);
}

TEST(JsonPath, NegativeIndexesCountFromTheEnd) {
  EXPECT_EQ(Eval("$.store.book[-1].author", Store()), "Tolkien");
  EXPECT_EQ(Eval("$.store.book[-4].author", Store()), "Rees");
}

TEST(JsonPath, NestedArraysAreIndexedStepByStep) {
  EXPECT_EQ(Eval("$[1][0][1]", json::parse("[[1], [[2, 3]]]")), 3);
}

TEST(JsonPath, IndexOutOfRangeOnADefinitePathIsNotFound) {
  for (const char* text : {"$.store.book[4]", "$.store.book[-5]", "$.store.book[4].title",
                           "$.store.book[-9223372036854775808]"}) {
    const absl::Status status = EvalError(text, Store());
    EXPECT_EQ(status.code(), absl::StatusCode::kNotFound) << text;
    EXPECT_TRUE(HasText(status.message(), "Array index out of range in path $['store']['book']["))
        << text;
    EXPECT_TRUE(HasText(status.message(), "the array has 4 elements")) << text;
  }
  EXPECT_TRUE(HasText(EvalError("$[0]", json::array()).message(), "the array has 0 elements"));
}

TEST(JsonPath, IndexIntoANonArrayOnADefinitePathIsNotFound) {
  const absl::Status status = EvalError("$.store[0]", Store());
  EXPECT_EQ(status.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(status.message(),
            "Expected to find an array with index [0] in path $['store'] but found an object");
}

// ---------------------------------------------------------------------------------------------
// Slices

TEST(JsonPath, SlicesSelectAHalfOpenRange) {
  const json digits = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(Eval("$[2:5]", digits), json({2, 3, 4}));
  EXPECT_EQ(Eval("$[:3]", digits), json({0, 1, 2}));
  EXPECT_EQ(Eval("$[7:]", digits), json({7, 8, 9}));
  EXPECT_EQ(Eval("$[:]", digits), digits);
  EXPECT_EQ(Eval("$[ 2 : 4 ]", digits), json({2, 3}));
}

TEST(JsonPath, SliceBoundsMayBeNegativeAndAreClamped) {
  const json digits = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(Eval("$[-2:]", digits), json({8, 9}));
  EXPECT_EQ(Eval("$[:-8]", digits), json({0, 1}));
  EXPECT_EQ(Eval("$[-100:2]", digits), json({0, 1}));
  EXPECT_EQ(Eval("$[8:100]", digits), json({8, 9}));
  EXPECT_EQ(Eval("$[5:2]", digits), json::array());
  EXPECT_EQ(Eval("$[10:]", digits), json::array());
}

TEST(JsonPath, SliceStepsSkipElements) {
  const json digits = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(Eval("$[::3]", digits), json({0, 3, 6, 9}));
  EXPECT_EQ(Eval("$[1:8:2]", digits), json({1, 3, 5, 7}));
  EXPECT_EQ(Eval("$[1::9223372036854775807]", digits), json({1}));
}

TEST(JsonPath, NegativeSliceStepsWalkBackwards) {
  const json digits = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9};
  EXPECT_EQ(Eval("$[::-1]", digits), json({9, 8, 7, 6, 5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(Eval("$[7:2:-2]", digits), json({7, 5, 3}));
  EXPECT_EQ(Eval("$[-1:-4:-1]", digits), json({9, 8, 7}));
  EXPECT_EQ(Eval("$[2:7:-1]", digits), json::array());
  EXPECT_EQ(Eval("$[100::-4]", digits), json({9, 5, 1}));
  EXPECT_EQ(Eval("$[::-9223372036854775808]", digits), json({9}));
}

TEST(JsonPath, SlicesOfEmptyArraysAreEmpty) {
  EXPECT_EQ(Eval("$[:]", json::array()), json::array());
  EXPECT_EQ(Eval("$[::-1]", json::array()), json::array());
  EXPECT_EQ(Eval("$[-1:]", json::array()), json::array());
}

TEST(JsonPath, SliceOfANonArrayIsEmpty) {
  EXPECT_EQ(Eval("$.store[0:1]", Store()), json::array());
  EXPECT_EQ(Eval("$.expensive[:]", Store()), json::array());
}

// ---------------------------------------------------------------------------------------------
// Unions

TEST(JsonPath, IndexUnionsKeepTheirWrittenOrder) {
  const json letters = {"a", "b", "c", "d"};
  EXPECT_EQ(Eval("$[0,2]", letters), json({"a", "c"}));
  EXPECT_EQ(Eval("$[3, 0, -1]", letters), json({"d", "a", "d"}));
}

TEST(JsonPath, IndexUnionsSkipIndexesOutOfRange) {
  EXPECT_EQ(Eval("$[0,7,1]", json{"a", "b"}), json({"a", "b"}));
}

TEST(JsonPath, NameUnionsSelectEachPresentMember) {
  const json document = {{"a", 1}, {"b", 2}, {"c", 3}};
  // Jayway merges a trailing name union into one object; here, as in every other indefinite
  // step, the result is the array of matches.
  EXPECT_EQ(Eval("$['c','a']", document), json({3, 1}));
  EXPECT_EQ(Eval("$['a', \"missing\", 'b']", document), json({1, 2}));
}

TEST(JsonPath, StepsAfterAUnionApplyToEveryMatch) {
  EXPECT_EQ(Eval("$.store.book[0,2].author", Store()), json({"Rees", "Melville"}));
  EXPECT_EQ(Eval("$.store['book','bicycle'].price", Store()), json({19.95}))
      << "the book array has no price member, so only the bicycle's is found";
}

// ---------------------------------------------------------------------------------------------
// Wildcards

TEST(JsonPath, WildcardSelectsEveryArrayElement) {
  EXPECT_EQ(Eval("$.store.book[*].author", Store()),
            json({"Rees", "Waugh", "Melville", "Tolkien"}));
  EXPECT_EQ(Eval("$.store.book.*.author", Store()), json({"Rees", "Waugh", "Melville", "Tolkien"}));
}

TEST(JsonPath, WildcardSelectsEveryObjectMemberValue) {
  // nlohmann::json keeps object members sorted by name, so that is the order here.
  EXPECT_EQ(Eval("$.store.bicycle.*", Store()), json({"red", 19.95}));
  EXPECT_EQ(Eval("$['store'][*].color", Store()), json({"red"}));
}

TEST(JsonPath, IndefinitePathsAlwaysYieldAnArrayEvenForOneOrNoMatch) {
  EXPECT_EQ(Eval("$.store.bicycle[?(@.color)]", Store()),
            json::array({Store()["store"]["bicycle"]}));
  EXPECT_EQ(Eval("$..nothing", Store()), json::array());
  EXPECT_EQ(Eval("$[0:1]", json{json::array()}), json::array({json::array()}));
}

TEST(JsonPath, WildcardOnAScalarOrAnEmptyContainerSelectsNothing) {
  EXPECT_EQ(Eval("$.expensive.*", Store()), json::array());
  EXPECT_EQ(Eval("$[*]", json::array()), json::array());
  EXPECT_EQ(Eval("$.*", json::object()), json::array());
}

TEST(JsonPath, IndefinitePathsSkipNodesOfTheWrongTypeSilently) {
  const json document = json::parse(R"([{"a": 1}, 5, "s", null, [1], {"a": {"b": 2}}, {}])");
  EXPECT_EQ(Eval("$[*].a", document), json({1, {{"b", 2}}}));
  EXPECT_EQ(Eval("$[*].a.b", document), json({2}));
  EXPECT_EQ(Eval("$[*][0]", document), json({1}));
  EXPECT_EQ(Eval("$[*][0:1]", document), json({1}));
  EXPECT_EQ(Eval("$[*].missing", document), json::array());
}

TEST(JsonPath, IndefinitePathsNeverFailEvenWhenTheirDefinitePartIsMissing) {
  // Recorded on AWS: {"item.$": "$.items[*]"} on {} gives {"item": []}. (Plain Jayway would
  // report the missing member.)
  EXPECT_EQ(Eval("$.items[*]", json::object()), json::array());
  EXPECT_EQ(Eval("$.item.items[1:5].itemValue", json::object()), json::array());
  EXPECT_EQ(Eval("$.expensive.x[*]", Store()), json::array());
  EXPECT_EQ(Eval("$.store.book[9][*]", Store()), json::array());
  EXPECT_EQ(Eval("$[*]", json::object()), json::array());
}

// ---------------------------------------------------------------------------------------------
// Recursive descent

TEST(JsonPath, RecursiveDescentFindsAMemberAtEveryDepth) {
  EXPECT_EQ(Eval("$..author", Store()), json({"Rees", "Waugh", "Melville", "Tolkien"}));
  // Members are visited in nlohmann::json's order (sorted by name): "bicycle" before "book".
  EXPECT_EQ(Eval("$.store..price", Store()), json({19.95, 8.95, 12.99, 8.99, 22.99}));
}

TEST(JsonPath, RecursiveDescentVisitsAParentBeforeItsDescendants) {
  const json document = json::parse(R"({"a": {"a": {"a": 1}}, "b": [{"a": 2}]})");
  EXPECT_EQ(Eval("$..a", document), json::parse(R"([{"a": {"a": 1}}, {"a": 1}, 1, 2])"));
}

TEST(JsonPath, RecursiveWildcardListsEachNodesChildrenBeforeDescending) {
  // Jayway's order: at each node, all its children, then the same for each child in turn.
  const json document = json::parse(R"({"a": {"b": 1, "c": [2, 3]}, "d": 4})");
  EXPECT_EQ(Eval("$..*", document), json::parse(R"([{"b": 1, "c": [2, 3]}, 4, 1, [2, 3], 2, 3])"));
  EXPECT_EQ(Eval("$..[*]", document), Eval("$..*", document));
}

TEST(JsonPath, RecursiveIndexSelectsFromEveryArray) {
  const json document = json::parse(R"({"x": [[1, 2], [3]], "y": {"z": [4, 5]}})");
  EXPECT_EQ(Eval("$..[0]", document), json::parse("[[1, 2], 1, 3, 4]"));
  EXPECT_EQ(Eval("$..[-1]", document), json::parse("[[3], 2, 3, 5]"));
  EXPECT_EQ(Eval("$..['z','x'][0]", document), json::parse("[[1, 2], 4]"));
}

TEST(JsonPath, RecursiveDescentContinuesWithLaterSteps) {
  EXPECT_EQ(Eval("$..book[2].title", Store()), json({"Moby Dick"}));
  EXPECT_EQ(Eval("$..book[-1:].author", Store()), json({"Tolkien"}));
  EXPECT_EQ(Eval("$.store..book..isbn", Store()), json({"0-553-21311-3", "0-395-19395-8"}));
}

TEST(JsonPath, RecursiveDescentOfAScalarOrEmptyDocumentFindsNothing) {
  EXPECT_EQ(Eval("$..a", json(5)), json::array());
  EXPECT_EQ(Eval("$..*", json::object()), json::array());
  EXPECT_EQ(Eval("$..*", json::array()), json::array());
}

TEST(JsonPath, RecursiveDescentHandlesDocumentsDeeperThanTheStack) {
  json document = {{"leaf", true}};
  for (int i = 0; i < 100000; ++i) document = json::array({std::move(document)});
  EXPECT_EQ(Eval("$..leaf", document), json({true}));
  // nlohmann destroys nested values recursively; unwind by hand to keep this test about us.
  while (document.is_array()) document = json(std::move(document[0]));
}

TEST(JsonPath, RecursiveFilterTestsArrayElementsAndObjectsLikeJayway) {
  // Jayway applies the filter at every node: to each element of an array, and to each object
  // itself. An object inside an array therefore matches twice.
  const json document = json::parse(R"({"items": [{"x": 1}, {"y": 2}], "z": {"x": 3}})");
  EXPECT_EQ(Eval("$..[?(@.x)]", document), json::parse(R"([{"x": 1}, {"x": 1}, {"x": 3}])"));
}

// ---------------------------------------------------------------------------------------------
// Filters

TEST(JsonPath, FilterComparesNumbersByValue) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10)].title", Store()), json({"Sayings", "Moby Dick"}));
  EXPECT_EQ(Eval("$.store.book[?(@.price <= 8.99)].title", Store()),
            json({"Sayings", "Moby Dick"}));
  EXPECT_EQ(Eval("$.store.book[?(@.price > 20)].title", Store()), json({"The Lord of the Rings"}));
  EXPECT_EQ(Eval("$.store.book[?(@.price >= 22.99)].title", Store()),
            json({"The Lord of the Rings"}));
  EXPECT_EQ(Eval("$[?(@.n == 1)]", json::parse(R"([{"n": 1.0}, {"n": 1}, {"n": 2}])")),
            json::parse(R"([{"n": 1.0}, {"n": 1}])"));
  EXPECT_EQ(Eval("$[?(@ > -1.5e0)]", json{-2, -1, 3}), json({-1, 3}));
  EXPECT_EQ(Eval("$[?(@ == 9007199254740993)]", json{9007199254740992.0, 9007199254740993}),
            json({9007199254740993}));
}

TEST(JsonPath, FilterComparesStringsWithEitherQuote) {
  EXPECT_EQ(Eval("$.store.book[?(@.category == 'reference')].author", Store()), json({"Rees"}));
  EXPECT_EQ(Eval("$.store.book[?(@.category != \"fiction\")].author", Store()), json({"Rees"}));
  EXPECT_EQ(Eval("$[?(@.s == 'it\\'s')]", json::parse(R"([{"s": "it's"}, {"s": "its"}])")),
            json::parse(R"([{"s": "it's"}])"));
}

TEST(JsonPath, FilterOrdersStringsLikeJava) {
  EXPECT_EQ(Eval("$[?(@ < 'b')]", json{"a", "b", "ab", "B", "c"}), json({"a", "ab", "B"}));
  // UTF-16 order puts U+1F600 (a surrogate pair) before U+FF5E, unlike code point order.
  EXPECT_EQ(Eval("$[?(@ < '～')]", json{"😀", "～", "a"}), json({"😀", "a"}));
}

TEST(JsonPath, FilterOrderingNeedsTwoNumbersOrTwoStrings) {
  const json values = {1, "1", true, nullptr, json::array(), json::object()};
  EXPECT_EQ(Eval("$[?(@ >= 1)]", values), json({1}));
  EXPECT_EQ(Eval("$[?(@ <= '1')]", values), json({"1"}));
  EXPECT_EQ(Eval("$[?(@ < true)]", values), json::array());
}

TEST(JsonPath, FilterEqualityNeedsTheSameType) {
  const json values = {1, "1", true, nullptr, false, 0};
  EXPECT_EQ(Eval("$[?(@ == 1)]", values), json({1}));
  EXPECT_EQ(Eval("$[?(@ == '1')]", values), json({"1"}));
  EXPECT_EQ(Eval("$[?(@ == true)]", values), json({true}));
  EXPECT_EQ(Eval("$[?(@ == false)]", values), json({false}));
  EXPECT_EQ(Eval("$[?(@ == null)]", values), json({nullptr}));
  EXPECT_EQ(Eval("$[?(@ != null)]", values), json({1, "1", true, false, 0}));
}

TEST(JsonPath, FilterComparesArraysAndObjectsByContent) {
  const json document = json::parse(R"([{"a": [1, 2], "b": [1, 2]}, {"a": [1], "b": [2]},
                                        {"a": {"k": 1}, "b": {"k": 1.0}}])");
  EXPECT_EQ(Eval("$[?(@.a == @.b)]", document),
            json::parse(R"([{"a": [1, 2], "b": [1, 2]}, {"a": {"k": 1}, "b": {"k": 1.0}}])"));
}

TEST(JsonPath, FilterPathAloneTestsExistenceEvenOfNullAndFalse) {
  const json document = json::parse(R"([{"t": null}, {"t": false}, {"u": 1}, {"t": []}])");
  EXPECT_EQ(Eval("$[?(@.t)]", document), json::parse(R"([{"t": null}, {"t": false}, {"t": []}])"));
  EXPECT_EQ(Eval("$.store.book[?(@.isbn)].author", Store()), json({"Melville", "Tolkien"}));
}

TEST(JsonPath, FilterNegationInvertsExistenceAndConditions) {
  EXPECT_EQ(Eval("$.store.book[?(!@.isbn)].author", Store()), json({"Rees", "Waugh"}));
  EXPECT_EQ(Eval("$.store.book[?(!(@.price < 10))].author", Store()), json({"Waugh", "Tolkien"}));
  EXPECT_EQ(Eval("$.store.book[?(!!@.isbn)].author", Store()), json({"Melville", "Tolkien"}));
}

TEST(JsonPath, FilterMissingOperandsAreNeitherEqualNorOrdered) {
  const json document = json::parse(R"([{"a": 1}, {"b": 1}])");
  EXPECT_EQ(Eval("$[?(@.a == 1)]", document), json::parse(R"([{"a": 1}])"));
  EXPECT_EQ(Eval("$[?(@.a != 1)]", document), json::parse(R"([{"b": 1}])"));
  EXPECT_EQ(Eval("$[?(@.a < 5)]", document), json::parse(R"([{"a": 1}])"));
  EXPECT_EQ(Eval("$[?(@.a >= 0 || @.a < 0)]", document), json::parse(R"([{"a": 1}])"));
  EXPECT_EQ(Eval("$[?(@.x == @.y)]", document), document) << "nothing equals nothing";
}

TEST(JsonPath, FilterAndBindsTighterThanOr) {
  const json document = json::parse(R"([{"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 1},
                                        {"a": 0, "b": 1, "c": 0}])");
  EXPECT_EQ(Eval("$[?(@.a == 1 || @.b == 1 && @.c == 1)]", document),
            json::parse(R"([{"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 1}])"));
  EXPECT_EQ(Eval("$[?((@.a == 1 || @.b == 1) && @.c == 0)]", document),
            json::parse(R"([{"a": 1, "b": 0, "c": 0}, {"a": 0, "b": 1, "c": 0}])"));
}

TEST(JsonPath, FilterCombinesConditionsWithAndAndOr) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < 10 && @.isbn)].author", Store()), json({"Melville"}));
  EXPECT_EQ(Eval("$.store.book[?(@.price > 20 || @.category == 'reference')].author", Store()),
            json({"Rees", "Tolkien"}));
  EXPECT_EQ(Eval("$.store.book[?(@.price>20||@.author=='Waugh'&&@.price>0)].author", Store()),
            json({"Waugh", "Tolkien"}));
}

TEST(JsonPath, FilterMayBeWrittenWithoutParentheses) {
  EXPECT_EQ(Eval("$.store.book[? @.price > 20].author", Store()), json({"Tolkien"}));
}

TEST(JsonPath, FilterPathsMayUseEveryKindOfStep) {
  const json document = json::parse(R"([{"tags": ["a", "b"], "m": {"k v": 1}},
                                        {"tags": [], "m": {"k v": 2}}, {"tags": ["c"]}])");
  EXPECT_EQ(Eval("$[?(@.tags[0] == 'c')].tags", document), json::parse(R"([["c"]])"));
  EXPECT_EQ(Eval("$[?(@.tags[-1] == 'b')].m", document), json::parse(R"([{"k v": 1}])"));
  EXPECT_EQ(Eval("$[?(@.m['k v'] == 2)].tags", document), json::parse(R"([[]])"));
  EXPECT_EQ(Eval("$[?(@.tags[*])].tags", document), json::parse(R"([["a", "b"], ["c"]])"))
      << "an indefinite path exists when it selects at least one node";
}

TEST(JsonPath, FilterMayReferToTheDocumentRoot) {
  EXPECT_EQ(Eval("$.store.book[?(@.price < $.expensive)].author", Store()),
            json({"Rees", "Melville"}));
}

TEST(JsonPath, FiltersNest) {
  const json document = json::parse(R"({"orders": [
    {"id": 1, "lines": [{"sku": "a", "qty": 1}, {"sku": "b", "qty": 5}]},
    {"id": 2, "lines": [{"sku": "a", "qty": 2}]},
    {"id": 3, "lines": []}]})");
  EXPECT_EQ(Eval("$.orders[?(@.lines[?(@.qty > 3)])].id", document), json({1}));
  EXPECT_EQ(Eval("$.orders[?(@.lines[?(@.sku == 'a' && @.qty > 1)] || @.id == 3)].id", document),
            json({2, 3}));
}

TEST(JsonPath, FilterOnAnObjectTestsTheObjectItselfLikeJayway) {
  EXPECT_EQ(Eval("$.store.bicycle[?(@.color == 'red')].price", Store()), json({19.95}));
  EXPECT_EQ(Eval("$.store.bicycle[?(@.color == 'blue')]", Store()), json::array());
}

TEST(JsonPath, FilterOnAScalarIsEmpty) {
  EXPECT_EQ(Eval("$.expensive[?(@ > 1)]", Store()), json::array());
  EXPECT_EQ(Eval("$.*[?(@ > 1)]", Store()), json::array());
}

TEST(JsonPath, FilterOverAnEmptyArrayIsEmpty) {
  EXPECT_EQ(Eval("$[?(@.a)]", json::array()), json::array());
}

TEST(JsonPath, FilterLiteralsMayBeCompared) {
  EXPECT_EQ(Eval("$[?(1 == 1)]", json{1, 2}), json({1, 2}));
  EXPECT_EQ(Eval("$[?('a' == @)]", json{"a", "b"}), json({"a"}));
  EXPECT_EQ(Eval("$[?(@ == 1e2)]", json{100, 10}), json({100}));
  EXPECT_EQ(Eval("$[?(@ < 99999999999999999999)]", json{1}), json({1}));
}

// ---------------------------------------------------------------------------------------------
// Deep nesting

TEST(JsonPath, LongPathsEvaluate) {
  std::string text = "$";
  json document = 42;
  for (int i = 0; i < 500; ++i) {
    text += ".k";
    document = json{{"k", std::move(document)}};
  }
  EXPECT_EQ(Eval(text, document), 42);
  EXPECT_EQ(Eval(text.substr(0, 7) + "..k", document).size(), 497u);  // below $.k.k.k
}

TEST(JsonPath, FiltersNestUpToALimit) {
  std::string text = "$[?(" + std::string(30, '(') + "@.a" + std::string(30, ')') + ")]";
  EXPECT_EQ(Eval(text, json::parse(R"([{"a": 1}, {}])")), json::parse(R"([{"a": 1}])"));
  EXPECT_TRUE(
      HasText(ParseError("$[?(" + std::string(40, '(') + "@.a" + std::string(40, ')') + ")]"),
              "filter nested too deeply"));
  EXPECT_TRUE(
      HasText(ParseError("$[?(" + std::string(100000, '!') + "@.a)]"), "filter nested too deeply"));
  std::string nested = "@.a";
  for (int i = 0; i < 40; ++i) nested = "@[?(" + nested + ")]";
  EXPECT_TRUE(HasText(ParseError("$[?(" + nested + ")]"), "filter nested too deeply"));
}

// ---------------------------------------------------------------------------------------------
// Parse errors

TEST(JsonPath, ParseErrorsSayWhatIsWrongAndWhere) {
  EXPECT_TRUE(HasText(ParseError("$.a[]"), "unexpected ']' at offset 4 in '$.a[]'"));
}

TEST(JsonPath, PathsMustStartWithDollar) {
  EXPECT_EQ(ParseError(""), "the path is empty: a path must start with '$'");
  EXPECT_EQ(ParseError("a.b"), "unexpected 'a' at offset 0 in 'a.b': a path must start with '$'");
  EXPECT_TRUE(HasText(ParseError(" $.a"), "unexpected whitespace at offset 0"));
  EXPECT_TRUE(HasText(ParseError("@.a"), "a path must start with '$'"));
  EXPECT_TRUE(HasText(ParseError("$a"),
                      "unexpected 'a' at offset 1 in '$a': expected '.', "
                      "'..' or '['"));
  EXPECT_TRUE(HasText(ParseError("$$$"), "unexpected '$' at offset 2"));
}

TEST(JsonPath, WhitespaceOutsideBracketsIsAnError) {
  EXPECT_EQ(ParseError("$.a "), "trailing whitespace at offset 3 in '$.a '");
  EXPECT_TRUE(HasText(ParseError("$\n"), "trailing whitespace at offset 1"));
  EXPECT_TRUE(HasText(ParseError("$.a b"),
                      "unexpected whitespace at offset 3 in '$.a b': use "
                      "bracket notation such as ['a b']"));
  EXPECT_TRUE(HasText(ParseError("$.a\t.b"), "unexpected whitespace at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$. a"), "unexpected whitespace at offset 2"));
}

TEST(JsonPath, DotsMustBeFollowedByAName) {
  EXPECT_TRUE(HasText(ParseError("$."), "'.' at the end of the path at offset 1 in '$.'"));
  EXPECT_TRUE(HasText(ParseError("$.a."), "'.' at the end of the path at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$.."), "'..' at the end of the path at offset 1"));
  EXPECT_TRUE(HasText(ParseError("$...a"), "unexpected '.' at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$.]"), "unexpected ']' at offset 2"));
  EXPECT_TRUE(HasText(ParseError("$.a)"), "unexpected ')' at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$.*a"), "unexpected 'a' at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$.a\x01"), "unexpected control character U+0001 at offset 3"));
}

TEST(JsonPath, FunctionCallsAreRejectedWithAReason) {
  EXPECT_TRUE(HasText(ParseError("$.a.length()"),
                      "unsupported function call 'length()' at offset 4 in '$.a.length()': "
                      "JSONPath functions such as length() are not supported"));
}

TEST(JsonPath, MalformedBracketsAreErrors) {
  EXPECT_TRUE(HasText(ParseError("$["), "unclosed '[' at offset 1 in '$['"));
  EXPECT_TRUE(HasText(ParseError("$['a'"), "unclosed '[' at offset 1"));
  EXPECT_TRUE(HasText(ParseError("$[0"), "unclosed '[' at offset 1"));
  EXPECT_TRUE(HasText(ParseError("$['a' 'b']"), "unexpected \"'\" at offset 6"));
  EXPECT_TRUE(HasText(ParseError("$[a]"),
                      "unexpected 'a' at offset 2 in '$[a]': expected a "
                      "quoted member name, an index, a slice, '*' or a "
                      "filter"));
  EXPECT_TRUE(HasText(ParseError("$[*a]"), "unexpected 'a' at offset 3"));
  EXPECT_TRUE(HasText(ParseError("$[0,'a']"), "unexpected \"'\" at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$['a',0]"), "unexpected '0' at offset 6"));
  EXPECT_TRUE(HasText(ParseError("$[0,]"), "unexpected ']' at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$[-]"),
                      "unexpected ']' at offset 3 in '$[-]': expected a "
                      "digit"));
  EXPECT_TRUE(HasText(ParseError("$[1.5]"), "unexpected '.' at offset 3"));
}

TEST(JsonPath, MalformedQuotedNamesAreErrors) {
  EXPECT_TRUE(HasText(ParseError("$['abc]"), "unterminated string at offset 2"));
  EXPECT_TRUE(HasText(ParseError("$[\"abc']"), "unterminated string at offset 2"));
  EXPECT_TRUE(HasText(ParseError("$['a\\q']"),
                      "unknown escape sequence: 'q' after '\\' at "
                      "offset 4"));
  EXPECT_TRUE(HasText(ParseError("$['a\\"), "unterminated escape sequence at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$['\\u12']"), "expected 4 hexadecimal digits"));
  EXPECT_TRUE(HasText(ParseError("$['\\ud83d']"), "unpaired surrogate"));
  EXPECT_TRUE(HasText(ParseError("$['\\ude00']"), "unpaired surrogate"));
  EXPECT_TRUE(HasText(ParseError("$['\\ud83d\\u0041']"), "unpaired surrogate"));
}

TEST(JsonPath, NumbersOutOfRangeAreErrors) {
  EXPECT_TRUE(HasText(ParseError("$[9223372036854775808]"),
                      "index 9223372036854775808 is too large at offset 2"));
  EXPECT_TRUE(HasText(ParseError("$[?(@ == 1e999)]"), "number 1e999 is out of range"));
}

TEST(JsonPath, SliceStepZeroIsAnError) {
  EXPECT_TRUE(HasText(ParseError("$[::0]"),
                      "slice step 0 at offset 4 in '$[::0]': the step must not be 0"));
  EXPECT_TRUE(HasText(ParseError("$[1:2:3:4]"), "unexpected ':' at offset 7"));
}

TEST(JsonPath, MalformedFiltersAreErrors) {
  EXPECT_TRUE(HasText(ParseError("$[?(@.a)"), "unclosed '[' at offset 1"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a]"), "unexpected ']' at offset 7"));
  EXPECT_TRUE(HasText(ParseError("$[?()]"),
                      "unexpected ')' at offset 4 in '$[?()]': expected "
                      "a path starting with '@' or '$'"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a = 1)]"), "single '=' at offset 8"));
  EXPECT_TRUE(
      HasText(ParseError("$[?(@.a =~ /x/)]"), "regular expression filters are not supported"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a in [1])]"), "unsupported operator 'in' at offset 8"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a & @.b)]"), "single '&' at offset 8"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a | @.b)]"), "single '|' at offset 8"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a ==)]"), "unexpected ')' at offset 10"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a == 1 @.b)]"),
                      "unexpected '@' at offset 13 in '$[?(@.a == 1 @.b)]': expected a "
                      "comparison (==, !=, <, <=, >, >=), '&&', '||' or ')'"));
  EXPECT_TRUE(HasText(ParseError("$[?(1)]"), "a literal alone is not a condition at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$[?(yes)]"), "unknown word 'yes' at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$[?($$.a)]"), "'$$' inside a filter at offset 4"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a == 'x)]"), "unterminated string at offset 11"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a == -)]"), "unexpected ')' at offset 12"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a == 1.)]"), "expected a digit"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.)]"), "unexpected ')' at offset 6"));
  EXPECT_TRUE(HasText(ParseError("$[?(@.a.length() > 1)]"), "unsupported function call"));
}

TEST(JsonPath, InvalidUtf8IsAnErrorWithoutQuotingTheText) {
  EXPECT_EQ(ParseError("$.a\xff"), "invalid UTF-8 at offset 3 in the path");
  EXPECT_EQ(ParseError("$['\xc3']"), "invalid UTF-8 at offset 3 in the path");
}

TEST(JsonPath, UnexpectedMultibyteCharactersAreShownWhole) {
  EXPECT_TRUE(HasText(ParseError("$é"), "unexpected 'é' at offset 1"));
}

// ---------------------------------------------------------------------------------------------
// Reference paths

TEST(JsonPath, ReferencePathsAcceptNamesAndIndexes) {
  for (const char* text : {"$", "$.a", "$.a.b[0]", "$['a b'][3].c", "$[\"x\"]", "$$.Execution.Id",
                           "$.foo-bar.Étoile"}) {
    auto path = JsonPath::Parse(text, JsonPath::Kind::kReferencePath);
    EXPECT_TRUE(path.ok()) << text << ": " << path.status();
  }
}

TEST(JsonPath, ReferencePathsRejectEverythingThatSelectsSeveralNodes) {
  constexpr const char* kRule =
      "ResultPath-style reference paths may only use member names and array indexes";
  const struct {
    const char* text;
    const char* what;
  } cases[] = {
      {"$.a.*", "'.*' is not allowed at offset 3 in '$.a.*'"},
      {"$.a[*]", "'[*]' is not allowed at offset 3 in '$.a[*]'"},
      {"$..a", "'..' is not allowed at offset 1 in '$..a'"},
      {"$[0,1]", "'[0,1]' is not allowed at offset 1"},
      {"$['a','b']", "'['a','b']' is not allowed at offset 1"},
      {"$.a[1:2]", "'[1:2]' is not allowed at offset 3"},
      {"$.a[?(@.b)]", "'[?(@.b)]' is not allowed at offset 3"},
  };
  for (const auto& c : cases) {
    const std::string message = ParseError(c.text, JsonPath::Kind::kReferencePath);
    EXPECT_TRUE(HasText(message, c.what)) << c.text;
    EXPECT_TRUE(HasText(message, kRule)) << c.text;
    EXPECT_TRUE(JsonPath::Parse(c.text).ok()) << c.text << " is a valid path otherwise";
  }
}

TEST(JsonPath, ReferencePathsRejectNegativeIndexes) {
  EXPECT_TRUE(HasText(ParseError("$.a[-1]", JsonPath::Kind::kReferencePath),
                      "'[-1]' is not allowed at offset 3 in '$.a[-1]': ResultPath-style "
                      "reference paths may only use member names and array indexes, and "
                      "indexes count from 0"));
}

TEST(JsonPath, ReferencePathsStillReportSyntaxErrors) {
  EXPECT_TRUE(
      HasText(ParseError("$.a[]", JsonPath::Kind::kReferencePath), "unexpected ']' at offset 4"));
}

// ---------------------------------------------------------------------------------------------
// Assign

absl::Status AssignTo(std::string_view text, json& target, json value) {
  return MustParse(text, JsonPath::Kind::kReferencePath).Assign(target, std::move(value));
}

TEST(JsonPathAssign, DollarReplacesTheTarget) {
  json target = {{"a", 1}};
  ASSERT_TRUE(AssignTo("$", target, "new").ok());
  EXPECT_EQ(target, "new");
  json scalar = 5;
  ASSERT_TRUE(AssignTo("$", scalar, {{"x", 1}}).ok());
  EXPECT_EQ(scalar, json({{"x", 1}}));
}

TEST(JsonPathAssign, SetsAnExistingOrNewMember) {
  json target = {{"a", 1}, {"b", 2}};
  ASSERT_TRUE(AssignTo("$.a", target, json::array({1, 2})).ok());
  ASSERT_TRUE(AssignTo("$['c d']", target, nullptr).ok());
  EXPECT_EQ(target, json({{"a", {1, 2}}, {"b", 2}, {"c d", nullptr}}));
}

TEST(JsonPathAssign, CreatesMissingMembersAsObjects) {
  json target = {{"input", true}};
  ASSERT_TRUE(AssignTo("$.result.detail.code", target, 42).ok());
  EXPECT_EQ(target, json({{"input", true}, {"result", {{"detail", {{"code", 42}}}}}}));
  ASSERT_TRUE(AssignTo("$.result.other", target, "x").ok());
  EXPECT_EQ(target["result"], json({{"detail", {{"code", 42}}}, {"other", "x"}}));
}

TEST(JsonPathAssign, WritesIntoExistingArrayElements) {
  json target = json::parse(R"({"list": [{"v": 1}, {"v": 2}]})");
  ASSERT_TRUE(AssignTo("$.list[1].v", target, 20).ok());
  ASSERT_TRUE(AssignTo("$.list[0].w.x", target, 10).ok());
  ASSERT_TRUE(AssignTo("$.list[0].v", target, json::object()).ok());
  EXPECT_EQ(target, json::parse(R"({"list": [{"v": {}, "w": {"x": 10}}, {"v": 20}]})"));
  json array = {1, 2, 3};
  ASSERT_TRUE(AssignTo("$[2]", array, "three").ok());
  EXPECT_EQ(array, json({1, 2, "three"}));
}

TEST(JsonPathAssign, WorksWithAPathParsedAsAPlainPath) {
  // Compilers hand out `$` parsed as kPath for an omitted ResultPath.
  json target = {{"a", 1}};
  ASSERT_TRUE(MustParse("$.b").Assign(target, 2).ok());
  EXPECT_EQ(target, json({{"a", 1}, {"b", 2}}));
}

TEST(JsonPathAssign, IntoANonObjectTargetFailsNamingThePathAndType) {
  json target = "just a string";
  const absl::Status status = AssignTo("$.result", target, 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "Unable to apply ReferencePath $.result: expected an object at $ but found a string");
  EXPECT_EQ(target, "just a string");
  json null_target = nullptr;
  EXPECT_TRUE(HasText(AssignTo("$.a", null_target, 1).message(), "but found null"));
  EXPECT_EQ(null_target, nullptr);
}

TEST(JsonPathAssign, ThroughAScalarMemberFailsNamingWhereItStopped) {
  json target = {{"a", 5}};
  const absl::Status status = AssignTo("$.a.b", target, 1);
  EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(status.message(),
            "Unable to apply ReferencePath $.a.b: expected an object at $['a'] but found a number");
  EXPECT_EQ(target, json({{"a", 5}}));
  json list = {{"a", json::array()}};
  EXPECT_TRUE(HasText(AssignTo("$.a.b", list, 1).message(),
                      "expected an object at $['a'] but found an array"));
}

TEST(JsonPathAssign, IndexesMustExist) {
  json target = json::parse(R"({"a": [1, 2], "o": {}})");
  const json before = target;
  EXPECT_EQ(AssignTo("$.a[2]", target, 3).message(),
            "Unable to apply ReferencePath $.a[2]: index [2] is out of range at $['a'], an array "
            "of 2 elements");
  EXPECT_EQ(AssignTo("$.o[0]", target, 3).message(),
            "Unable to apply ReferencePath $.o[0]: expected an array at $['o'] but found an "
            "object");
  EXPECT_EQ(AssignTo("$.new.deeper[0]", target, 3).message(),
            "Unable to apply ReferencePath $.new.deeper[0]: expected an array at "
            "$['new']['deeper'] but it does not exist");
  EXPECT_EQ(target, before) << "a failed assignment changes nothing";
}

TEST(JsonPathAssign, NonReferencePathsFail) {
  json target = {{"a", {1, 2}}};
  for (const char* text : {"$.a[*]", "$..a", "$.a[-1]", "$.a[0,1]", "$.a[?(@ > 1)]"}) {
    const absl::Status status = MustParse(text).Assign(target, 0);
    EXPECT_EQ(status.code(), absl::StatusCode::kFailedPrecondition) << text;
    EXPECT_TRUE(HasText(status.message(), "is not a reference path")) << text;
  }
  EXPECT_EQ(target, json({{"a", {1, 2}}}));
}

}  // namespace
}  // namespace stepwise::dsl
