// ParseTimestamp: the RFC 3339 profile the States Language uses for Wait and the Timestamp*
// Choice operators.
#include "stepwise/dsl/timestamp.h"

#include <gtest/gtest.h>

#include <optional>
#include <string_view>

namespace stepwise::dsl {
namespace {

std::int64_t Seconds(std::string_view text) {
  auto parsed = ParseTimestamp(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? parsed->epoch_seconds : 0;
}

std::int32_t Nanos(std::string_view text) {
  auto parsed = ParseTimestamp(text);
  EXPECT_TRUE(parsed.has_value()) << text;
  return parsed ? parsed->nanos : -1;
}

TEST(ParseTimestamp, UtcWithZ) {
  EXPECT_EQ(Seconds("1970-01-01T00:00:00Z"), 0);
  EXPECT_EQ(Seconds("2016-03-14T01:59:00Z"), 1457920740);
  EXPECT_EQ(Nanos("2016-03-14T01:59:00Z"), 0);
}

TEST(ParseTimestamp, OffsetsNameTheSameInstant) {
  EXPECT_EQ(Seconds("2016-03-14T03:59:00+02:00"), 1457920740);
  EXPECT_EQ(Seconds("2016-03-13T20:29:00-05:30"), 1457920740);
  EXPECT_EQ(Seconds("2016-03-14T01:59:00+00:00"), 1457920740);
  EXPECT_EQ(Seconds("2016-03-14T01:59:00-00:00"), 1457920740);
  EXPECT_EQ(ParseTimestamp("2016-03-14T03:59:00+02:00"), ParseTimestamp("2016-03-14T01:59:00Z"));
}

TEST(ParseTimestamp, OffsetCanCrossTheDateLine) {
  EXPECT_EQ(Seconds("2016-03-15T00:59:00+23:00"), 1457920740);
  EXPECT_EQ(Seconds("2016-01-01T00:30:00+01:00"), Seconds("2015-12-31T23:30:00Z"));
}

TEST(ParseTimestamp, FractionOfAnyLength) {
  EXPECT_EQ(Nanos("2016-03-14T01:59:00.5Z"), 500'000'000);
  EXPECT_EQ(Nanos("2016-03-14T01:59:00.123Z"), 123'000'000);
  EXPECT_EQ(Nanos("2016-03-05T21:29:29.243167252Z"), 243'167'252);
  // Digits below a nanosecond are dropped, not rounded.
  EXPECT_EQ(Nanos("2016-03-14T01:59:00.1234567899999Z"), 123'456'789);
  EXPECT_EQ(Nanos("2016-03-14T01:59:00.000000001+01:00"), 1);
  EXPECT_EQ(Seconds("2016-03-05T21:29:29.243167252Z"), 1457213369);
}

TEST(ParseTimestamp, FractionOrdersWithinASecond) {
  EXPECT_LT(*ParseTimestamp("2016-03-14T01:59:00.1Z"), *ParseTimestamp("2016-03-14T01:59:00.2Z"));
  EXPECT_LT(*ParseTimestamp("2016-03-14T01:59:00.999Z"), *ParseTimestamp("2016-03-14T01:59:01Z"));
  EXPECT_EQ(*ParseTimestamp("2016-03-14T01:59:00.100Z"), *ParseTimestamp("2016-03-14T01:59:00.1Z"));
}

TEST(ParseTimestamp, BeforeTheEpochAndTheWholeYearRange) {
  EXPECT_EQ(Seconds("1969-12-31T23:59:59Z"), -1);
  EXPECT_EQ(Seconds("0001-01-01T00:00:00Z"), -62135596800);
  EXPECT_EQ(Seconds("0000-01-01T00:00:00Z"), -62135596800 - 366 * 86400);  // year 0 is leap
  EXPECT_EQ(Seconds("9999-12-31T23:59:59Z"), 253402300799);
}

TEST(ParseTimestamp, LeapYears) {
  EXPECT_EQ(Seconds("2000-02-29T12:00:00Z"), 951825600);  // divisible by 400
  EXPECT_TRUE(ParseTimestamp("2024-02-29T00:00:00Z"));    // divisible by 4
  EXPECT_FALSE(ParseTimestamp("2023-02-29T00:00:00Z"));   // not a leap year
  EXPECT_FALSE(ParseTimestamp("1900-02-29T00:00:00Z"));   // divisible by 100 but not 400
  EXPECT_FALSE(ParseTimestamp("2024-02-30T00:00:00Z"));
  EXPECT_EQ(Seconds("2024-03-01T00:00:00Z") - Seconds("2024-02-28T00:00:00Z"), 2 * 86400);
}

TEST(ParseTimestamp, RejectsImpossibleDatesAndTimes) {
  for (std::string_view text :
       {"2016-00-14T01:59:00Z", "2016-13-14T01:59:00Z", "2016-03-00T01:59:00Z",
        "2016-03-32T01:59:00Z", "2016-04-31T01:59:00Z", "2016-03-14T24:00:00Z",
        "2016-03-14T01:60:00Z", "2016-03-14T01:59:60Z",  // no leap seconds
        "2016-03-14T01:59:00+24:00", "2016-03-14T01:59:00+01:60"}) {
    EXPECT_FALSE(ParseTimestamp(text)) << text;
  }
}

TEST(ParseTimestamp, RejectsWhatTheSpecRulesOut) {
  struct Case {
    std::string_view text;
    std::string_view why;
  };
  const Case cases[] = {
      {"", "empty"},
      {"2016-03-14", "date only"},
      {"2016-03-14T01:59:00", "no zone (AWS: not an offset date-time)"},
      {"2016-12-05 21:29:29Z", "space separator"},
      {"2016-03-14t01:59:00Z", "lower-case t"},
      {"2016-03-14T01:59:00z", "lower-case z"},
      {"05-12-2016T21:29:29Z", "wrong field order"},
      {"2016-3-14T01:59:00Z", "one-digit month"},
      {"16-03-14T01:59:00Z", "two-digit year"},
      {"2016-03-14T01:59Z", "no seconds"},
      {"2016-03-14T01:59:00.Z", "empty fraction"},
      {"2016-03-14T01:59:00,5Z", "comma fraction"},
      {"2016-03-14T01:59:00+0200", "offset without colon"},
      {"2016-03-14T01:59:00+02", "offset without minutes"},
      {"2016-03-14T01:59:00Z ", "trailing space"},
      {" 2016-03-14T01:59:00Z", "leading space"},
      {"2016-03-14T01:59:00ZZ", "trailing garbage"},
      {"2016-03-14T01:59:00+02:00Z", "two zones"},
      {"2023-02-24 12:15:56.832957", "Python's str(datetime)"},
      {"+2016-03-14T01:59:00Z", "signed year"},
      {"2016-03-14T01:59:0aZ", "non-digit"},
      {"\uff12\uff10\uff11\uff16-03-14T01:59:00Z", "full-width digits"},
  };
  for (const Case& c : cases) EXPECT_FALSE(ParseTimestamp(c.text)) << c.text << ": " << c.why;
}

}  // namespace
}  // namespace stepwise::dsl
