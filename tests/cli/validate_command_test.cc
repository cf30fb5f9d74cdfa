// `stepwise validate`, run as a real process.
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace {

struct CommandResult {
  int exit_code;
  std::string output;  // stdout and stderr together
};

CommandResult RunStepwise(const std::string& args) {
  std::string command = std::string(STEPWISE_BINARY) + " " + args + " 2>&1";
  FILE* pipe = popen(command.c_str(), "r");
  if (pipe == nullptr) return {-1, "popen failed"};
  std::string output;
  std::array<char, 4096> buffer;
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) output.append(buffer.data(), n);
  int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output};
}

class ValidateCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stepwise-validate-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  std::filesystem::path dir_;
};

TEST_F(ValidateCommand, ValidDefinitionPassesWithExitZero) {
  auto file = Write("ok.json", R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"}}})");
  auto result = RunStepwise("validate " + file);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_NE(result.output.find(file + ": ok"), std::string::npos) << result.output;
}

TEST_F(ValidateCommand, ErrorsArePrintedWithTheirPointerAndExitOne) {
  auto file = Write("bad.json", R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})");
  auto result = RunStepwise("validate " + file);
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_NE(result.output.find(file + ": error: /States/A/Next: there is no state named 'B'"),
            std::string::npos)
      << result.output;
}

TEST_F(ValidateCommand, JsonOutputIsOneObjectCoveringEveryFile) {
  auto good = Write("good.json", R"({"StartAt": "A", "States": {"A": {"Type": "Succeed"},
      "B": {"Type": "Succeed"}}})");
  auto bad = Write("bad.json", "{not json");
  auto result = RunStepwise("validate --json " + good + " " + bad);
  EXPECT_EQ(result.exit_code, 1);
  auto report = nlohmann::json::parse(result.output);
  EXPECT_EQ(report["valid"], false);
  ASSERT_EQ(report["files"].size(), 2u);
  EXPECT_EQ(report["files"][0]["valid"], true);
  EXPECT_EQ(report["files"][0]["diagnostics"][0]["severity"], "warning");
  EXPECT_EQ(report["files"][0]["diagnostics"][0]["pointer"], "/States/B");
  EXPECT_EQ(report["files"][1]["valid"], false);
  EXPECT_NE(report["files"][1]["diagnostics"][0]["message"].get<std::string>().find("line 1"),
            std::string::npos);
}

TEST_F(ValidateCommand, MissingFileIsAClearError) {
  auto result = RunStepwise("validate " + (dir_ / "absent.json").string());
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.output.find("cannot read the file"), std::string::npos) << result.output;
}

TEST_F(ValidateCommand, UsageErrorsExitTwo) {
  EXPECT_EQ(RunStepwise("validate").exit_code, 2);
  EXPECT_EQ(RunStepwise("validate --frobnicate x.json").exit_code, 2);
  EXPECT_EQ(RunStepwise("no-such-command").exit_code, 2);
}

TEST_F(ValidateCommand, EveryBundledExampleIsValid) {
  std::filesystem::path examples = std::filesystem::path(STEPWISE_SOURCE_ROOT) / "examples";
  std::string files;
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(examples)) {
    if (std::filesystem::exists(entry.path() / "workflow.json")) {
      files += " " + (entry.path() / "workflow.json").string();
      ++count;
    }
  }
  ASSERT_GE(count, 3);
  auto result = RunStepwise("validate" + files);
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_EQ(result.output.find("warning"), std::string::npos) << result.output;
}

}  // namespace
