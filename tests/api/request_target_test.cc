// Taking request targets and query parameters apart: percent-decoding, '+' as a space in the
// query only, empty segments, and the messages that say what to fix.
#include "api/rest/request_target.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "api/rest/query_reader.h"

namespace stepwise::api {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

TEST(RequestTargetTest, SegmentsAreDecodedAndEmptyOnesSkipped) {
  absl::StatusOr<RequestTarget> target = ParseRequestTarget("//v1/executions/a%3Ab+c/?x=1");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_THAT(target->segments, ElementsAre("v1", "executions", "a:b+c"));
  EXPECT_EQ(target->path, "//v1/executions/a%3Ab+c/");
}

TEST(RequestTargetTest, QueryValuesAreDecodedWithPlusAsSpaceAndTheLastOneWins) {
  absl::StatusOr<RequestTarget> target =
      ParseRequestTarget("/v1/x?name=a+b%21&flag&empty=&name=c%20d&&");
  ASSERT_TRUE(target.ok()) << target.status();
  EXPECT_EQ(target->query.at("name"), "c d");
  EXPECT_EQ(target->query.at("flag"), "");
  EXPECT_EQ(target->query.at("empty"), "");
  EXPECT_EQ(target->query.size(), 3u);
}

TEST(RequestTargetTest, ABadEscapeSaysHowToWriteAPercentSign) {
  for (const char* bad : {"/v1/%", "/v1/%4", "/v1/%g0", "/v1?a=%zz"}) {
    absl::StatusOr<RequestTarget> target = ParseRequestTarget(bad);
    ASSERT_FALSE(target.ok()) << bad;
    EXPECT_EQ(target.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(target.status().message(), HasSubstr("percent-encode it as %25")) << bad;
  }
}

TEST(QueryReaderTest, ReadsTypedValuesAndKeepsTheFirstMistake) {
  absl::StatusOr<RequestTarget> target = ParseRequestTarget(
      "/x?n=5&big=5000&yes=true&no=0&at=2026-11-25T10:00:00.5%2B01:00&ms=1234&bad=abc");
  ASSERT_TRUE(target.ok());
  QueryReader query(*target);
  EXPECT_EQ(query.Int("n", 1, 1, 10), 5);
  EXPECT_EQ(query.Int("absent", 7, 1, 10), 7);
  EXPECT_TRUE(query.Bool("yes", false));
  EXPECT_FALSE(query.Bool("no", true));
  EXPECT_EQ(query.Time("at"), 1'795'597'200'500);  // 09:00:00.5 UTC
  EXPECT_EQ(query.Time("ms"), 1234);
  EXPECT_EQ(query.Time("absent"), std::nullopt);
  EXPECT_TRUE(query.Check({"n", "big", "yes", "no", "at", "ms", "bad"}).ok());

  EXPECT_EQ(query.Int("big", 3, 1, 1000), 3);  // out of range: the fallback, and a mistake
  EXPECT_FALSE(query.Bool("bad", false));      // a second mistake: the first is reported
  absl::Status checked = query.Check({"n", "big", "yes", "no", "at", "ms", "bad"});
  EXPECT_EQ(checked.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(checked.message(), "big='5000' is not a whole number from 1 to 1000");
}

TEST(QueryReaderTest, AnUnknownParameterNamesTheKnownOnes) {
  absl::StatusOr<RequestTarget> target = ParseRequestTarget("/x?limt=5");
  ASSERT_TRUE(target.ok());
  absl::Status checked = QueryReader(*target).Check({"limit", "after"});
  EXPECT_EQ(checked.message(), "unknown parameter 'limt'; this resource takes limit, after");
}

}  // namespace
}  // namespace stepwise::api
