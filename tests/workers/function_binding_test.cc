#include "stepwise/workers/function_binding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace stepwise::workers {
namespace {

using ::testing::AllOf;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<std::string> Split(std::string_view command) {
  absl::StatusOr<std::vector<std::string>> words = SplitCommand(command);
  EXPECT_TRUE(words.ok()) << words.status();
  return words.ok() ? *words : std::vector<std::string>{};
}

std::string ErrorOf(std::string_view flag) {
  absl::StatusOr<FunctionBinding> binding = ParseFunctionBinding(flag);
  EXPECT_FALSE(binding.ok()) << flag << " was accepted";
  EXPECT_EQ(binding.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(binding.status().message());
}

TEST(ParseFunctionBindingTest, SplitsNameFromCommandAtTheFirstEquals) {
  absl::StatusOr<FunctionBinding> binding =
      ParseFunctionBinding("resize=./resize.sh --width=100 'my photo.jpg'");
  ASSERT_TRUE(binding.ok()) << binding.status();
  EXPECT_EQ(binding->name, "resize");
  EXPECT_THAT(binding->argv, ElementsAre("./resize.sh", "--width=100", "my photo.jpg"));
}

TEST(ParseFunctionBindingTest, NamesMayUseLettersDigitsUnderscoreDotAndDash) {
  absl::StatusOr<FunctionBinding> binding = ParseFunctionBinding("Order_v2.charge-card=true");
  ASSERT_TRUE(binding.ok()) << binding.status();
  EXPECT_EQ(*binding, (FunctionBinding{"Order_v2.charge-card", {"true"}}));
}

TEST(ParseFunctionBindingTest, ANameWithAColonIsAWholeResourceString) {
  absl::StatusOr<FunctionBinding> binding =
      ParseFunctionBinding("arn:aws:states:::task:Add=./add.sh");
  ASSERT_TRUE(binding.ok()) << binding.status();
  EXPECT_EQ(*binding, (FunctionBinding{"arn:aws:states:::task:Add", {"./add.sh"}}));
  EXPECT_THAT(ErrorOf("arn:aws:x y=./f"),
              AllOf(HasSubstr("contains a space at column 10"), HasSubstr("no blanks")));
}

TEST(ParseFunctionBindingTest, MissingEqualsShowsTheExpectedForm) {
  EXPECT_THAT(ErrorOf("resize"), AllOf(HasSubstr("invalid function binding 'resize'"),
                                       HasSubstr("missing '='"), HasSubstr("NAME=COMMAND")));
}

TEST(ParseFunctionBindingTest, EmptyNameIsRejected) {
  EXPECT_THAT(ErrorOf("=./resize.sh"), HasSubstr("the function name before '=' is empty"));
}

TEST(ParseFunctionBindingTest, InvalidNameCharacterIsNamedWithItsColumn) {
  EXPECT_THAT(ErrorOf("my func=./f"),
              AllOf(HasSubstr("contains a space at column 3"),
                    HasSubstr("use only letters, digits, '_', '.' and '-'")));
  EXPECT_THAT(ErrorOf("a/b=./f"), HasSubstr("contains '/' at column 2"));
  EXPECT_THAT(ErrorOf("caf\xC3\xA9=./f"), HasSubstr("contains byte 0xC3 at column 4"));
}

TEST(ParseFunctionBindingTest, EmptyCommandIsRejected) {
  EXPECT_THAT(ErrorOf("resize="), HasSubstr("no COMMAND after '='"));
  EXPECT_THAT(ErrorOf("resize=   "), HasSubstr("no COMMAND after '='"));
}

TEST(ParseFunctionBindingTest, CommandErrorsSayWhereTheyAre) {
  EXPECT_THAT(ErrorOf("resize=./r.sh 'unclosed"),
              AllOf(HasSubstr("unterminated ' quote starting at column 8"),
                    HasSubstr("in the COMMAND after '='")));
}

TEST(SplitCommandTest, BlanksSeparateWordsAndRunsOfBlanksCountOnce) {
  EXPECT_THAT(Split("  python3\t-u   worker.py \n"), ElementsAre("python3", "-u", "worker.py"));
}

TEST(SplitCommandTest, SingleQuotesKeepEverythingLiterally) {
  EXPECT_THAT(Split(R"(echo 'a "b" \n $HOME')"), ElementsAre("echo", R"(a "b" \n $HOME)"));
}

TEST(SplitCommandTest, DoubleQuotesKeepBlanksAndUnescapeOnlyShellSpecials) {
  EXPECT_THAT(Split(R"(echo "say \"hi\" \\ \$x \`" "C:\temp")"),
              ElementsAre("echo", R"(say "hi" \ $x `)", R"(C:\temp)"));
}

TEST(SplitCommandTest, BackslashOutsideQuotesEscapesTheNextCharacter) {
  EXPECT_THAT(Split(R"(ls my\ file \'x\' \\)"), ElementsAre("ls", "my file", "'x'", "\\"));
}

TEST(SplitCommandTest, AdjacentQuotedAndPlainPartsFormOneWord) {
  EXPECT_THAT(Split(R"(--name="a b"'c d'e)"), ElementsAre("--name=a bc de"));
}

TEST(SplitCommandTest, EmptyQuotesAreAnEmptyArgument) {
  EXPECT_THAT(Split(R"(prog '' "")"), ElementsAre("prog", "", ""));
}

TEST(SplitCommandTest, BackslashNewlineContinuesTheLine) {
  EXPECT_THAT(Split("prog \\\n  --flag"), ElementsAre("prog", "--flag"));
  EXPECT_THAT(Split("pro\\\ng"), ElementsAre("prog"));
}

TEST(SplitCommandTest, ShellOperatorsAndVariablesAreNotInterpreted) {
  EXPECT_THAT(Split("cat $HOME/*.txt | wc > out; ~"),
              ElementsAre("cat", "$HOME/*.txt", "|", "wc", ">", "out;", "~"));
}

TEST(SplitCommandTest, UnterminatedQuotesAreErrors) {
  EXPECT_THAT(SplitCommand(R"(echo "abc)").status().message(),
              HasSubstr(R"(unterminated " quote starting at column 6; close it with ")"));
  EXPECT_THAT(SplitCommand("echo 'abc").status().message(),
              HasSubstr("unterminated ' quote starting at column 6"));
}

TEST(SplitCommandTest, TrailingBackslashIsAnError) {
  EXPECT_THAT(SplitCommand("echo abc\\").status().message(), HasSubstr("ends with a backslash"));
}

TEST(SplitCommandTest, CommandWithNoWordsIsAnError) {
  EXPECT_EQ(SplitCommand(" \t ").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(SplitCommand("").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace stepwise::workers
