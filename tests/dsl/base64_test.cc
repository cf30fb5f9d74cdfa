// Base64 as States.Base64Encode and States.Base64Decode use it: the RFC 4648 vectors, round trips
// of every byte value, and the malformed inputs the decoder must refuse with a useful message.

#include "../../dsl/src/base64.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>

namespace stepwise::dsl::internal {
namespace {

// The message of `status` contains `fragment`.
::testing::AssertionResult MessageHas(const absl::Status& status, std::string_view fragment) {
  if (std::string(status.message()).find(fragment) != std::string::npos) {
    return ::testing::AssertionSuccess();
  }
  return ::testing::AssertionFailure() << status << " does not mention '" << fragment << "'";
}

TEST(Base64Test, EncodesTheRfc4648Vectors) {
  EXPECT_EQ(Base64Encode(""), "");
  EXPECT_EQ(Base64Encode("f"), "Zg==");
  EXPECT_EQ(Base64Encode("fo"), "Zm8=");
  EXPECT_EQ(Base64Encode("foo"), "Zm9v");
  EXPECT_EQ(Base64Encode("foob"), "Zm9vYg==");
  EXPECT_EQ(Base64Encode("fooba"), "Zm9vYmE=");
  EXPECT_EQ(Base64Encode("foobar"), "Zm9vYmFy");
}

TEST(Base64Test, DecodesTheRfc4648Vectors) {
  EXPECT_EQ(Base64Decode("").value(), "");
  EXPECT_EQ(Base64Decode("Zg==").value(), "f");
  EXPECT_EQ(Base64Decode("Zm8=").value(), "fo");
  EXPECT_EQ(Base64Decode("Zm9v").value(), "foo");
  EXPECT_EQ(Base64Decode("Zm9vYg==").value(), "foob");
  EXPECT_EQ(Base64Decode("Zm9vYmE=").value(), "fooba");
  EXPECT_EQ(Base64Decode("Zm9vYmFy").value(), "foobar");
}

TEST(Base64Test, UsesTheStandardAlphabetWithoutLineBreaks) {
  EXPECT_EQ(Base64Encode("\xfb\xff\xbf"), "+/+/");
  const std::string long_text(200, 'x');
  EXPECT_EQ(Base64Encode(long_text).find_first_of("\r\n"), std::string::npos);
}

TEST(Base64Test, RoundTripsEveryByteValueAtEveryLengthModuloThree) {
  std::string all_bytes;
  for (int b = 0; b < 256; ++b) all_bytes.push_back(static_cast<char>(b));
  for (size_t length = 0; length <= all_bytes.size(); ++length) {
    const std::string data = all_bytes.substr(0, length);
    auto decoded = Base64Decode(Base64Encode(data));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, data) << "length " << length;
  }
}

TEST(Base64Test, AcceptsMissingPaddingAndSkipsLineBreaksAndSpaces) {
  EXPECT_EQ(Base64Decode("Zg").value(), "f");
  EXPECT_EQ(Base64Decode("Zm8").value(), "fo");
  EXPECT_EQ(Base64Decode("Zm9v\r\nYmFy").value(), "foobar");
  EXPECT_EQ(Base64Decode(" Zm9v YmE= \n").value(), "fooba");
}

TEST(Base64Test, RejectsCharactersOutsideTheAlphabetWithTheirOffset) {
  auto result = Base64Decode("Zm9v!mFy");
  ASSERT_EQ(result.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(MessageHas(result.status(), "'!' at offset 4"));
  EXPECT_TRUE(MessageHas(Base64Decode("Zm9v-_").status(), "'-' at offset 4"));
  EXPECT_TRUE(MessageHas(Base64Decode("Zm\x01v").status(), "\\x01 at offset 2"));
}

TEST(Base64Test, RejectsDataAfterPadding) {
  EXPECT_TRUE(MessageHas(Base64Decode("Zg==Zg==").status(), "after the '=' padding"));
}

TEST(Base64Test, RejectsWrongAmountsOfPadding) {
  EXPECT_TRUE(MessageHas(Base64Decode("Zg===").status(), "too much '=' padding"));
  EXPECT_TRUE(MessageHas(Base64Decode("Zg=").status(), "1 '=' where 2 belong"));
  EXPECT_TRUE(MessageHas(Base64Decode("Zm9v=").status(), "1 '=' where 0 belong"));
}

TEST(Base64Test, RejectsALoneTrailingCharacter) {
  EXPECT_TRUE(MessageHas(Base64Decode("Zm9vY").status(), "truncated"));
  EXPECT_TRUE(MessageHas(Base64Decode("Z").status(), "truncated"));
}

}  // namespace
}  // namespace stepwise::dsl::internal
