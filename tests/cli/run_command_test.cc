// `stepwise run`, run as a real process with real executables as functions.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "cli/stepwise_process.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;

class RunCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("stepwise-run-" + std::to_string(::getpid()) + "-" +
            ::testing::UnitTest::GetInstance()->current_test_info()->name());
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string Write(const std::string& name, const std::string& text) {
    std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // An executable sh script in the test's directory.
  std::string Script(const std::string& name, const std::string& body) {
    std::string path = Write(name, "#!/bin/sh\n" + body + "\n");
    ::chmod(path.c_str(), 0755);
    return path;
  }

  std::filesystem::path dir_;
};

constexpr const char* kOneTask = R"({"StartAt": "T", "States": {
  "T": {"Type": "Task", "Resource": "function:work", "End": true}}})";

TEST_F(RunCommand, PrintsTheOutputOfASuccessfulRun) {
  auto definition = Write("m.json", kOneTask);
  auto work = Script("work.sh", R"(cat >/dev/null; echo '{"done": true, "n": 1}')");
  auto result = RunStepwise("run " + definition + " --function work=" + work);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\n  \"done\": true,\n  \"n\": 1\n}\n");
}

TEST_F(RunCommand, FunctionReceivesTheTaskInputOnStdin) {
  auto definition = Write("m.json", kOneTask);
  auto work = Script("work.sh", "cat");
  auto result = RunStepwise("run " + definition +
                            " --json --input '{\"a\": [1, 2]}' --function work=" + work);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json::parse(result.out), json::parse(R"({"status":"SUCCEEDED","output":{"a":[1,2]}})"));
}

TEST_F(RunCommand, FailureIsReportedOnStderrWithExitOne) {
  auto definition = Write("m.json", kOneTask);
  auto work =
      Script("work.sh",
             R"(cat >/dev/null; echo '{"error": "Card.Declined", "cause": "no funds"}'; exit 3)");
  auto result = RunStepwise("run " + definition + " --function work=" + work);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find("FAILED: Card.Declined: no funds"), std::string::npos) << result.err;
}

TEST_F(RunCommand, JsonFormOfAFailureIsOneObject) {
  auto definition = Write("m.json", kOneTask);
  auto work = Script("work.sh", R"(cat >/dev/null; echo "it broke" >&2; exit 1)");
  auto result = RunStepwise("run " + definition + " --json --function work=" + work);
  EXPECT_EQ(result.exit_code, 1);
  json report = json::parse(result.out);
  EXPECT_EQ(report,
            json({{"status", "FAILED"}, {"error", "States.TaskFailed"}, {"cause", "it broke"}}));
}

TEST_F(RunCommand, RetrySucceedsOnTheSecondTry) {
  auto counter = (dir_ / "count").string();
  auto definition = Write("m.json", R"({"StartAt": "T", "States": {"T": {"Type": "Task",
      "Resource": "function:flaky", "End": true,
      "Retry": [{"ErrorEquals": ["Flaky"], "IntervalSeconds": 2, "MaxAttempts": 3}]}}})");
  // Fails the first time, succeeds after: the count of invocations lives in a file.
  auto flaky = Script("flaky.sh", "counter=" + counter + R"(
cat >/dev/null
n=$(cat "$counter" 2>/dev/null || echo 0)
n=$((n + 1))
echo $n > "$counter"
if [ $n -lt 2 ]; then echo '{"error": "Flaky", "cause": "try again"}'; exit 1; fi
echo "{\"tries\": $n}")");
  auto result =
      RunStepwise("run " + definition + " --json --time-scale 0.05 --function flaky=" + flaky);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  EXPECT_EQ(json::parse(result.out)["output"], json({{"tries", 2}}));
}

TEST_F(RunCommand, CatchRoutesTheErrorToItsHandler) {
  auto definition = Write("m.json", R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "function:work", "Next": "Ok",
            "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure",
                       "Next": "Handled"}]},
      "Ok": {"Type": "Succeed"},
      "Handled": {"Type": "Pass", "End": true}}})");
  auto work =
      Script("work.sh", R"(cat >/dev/null; echo '{"error": "Oops", "cause": "bad"}'; exit 1)");
  auto result =
      RunStepwise("run " + definition + " --json --input '{\"k\": 1}' --function work=" + work);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json::parse(result.out)["output"],
            json::parse(R"({"k": 1, "failure": {"Error": "Oops", "Cause": "bad"}})"));
}

TEST_F(RunCommand, UnboundFunctionSaysHowToBindIt) {
  auto definition = Write("m.json", kOneTask);
  auto result = RunStepwise("run " + definition + " --json");
  EXPECT_EQ(result.exit_code, 1);
  json report = json::parse(result.out);
  EXPECT_EQ(report["error"], "States.TaskFailed");
  EXPECT_NE(report["cause"].get<std::string>().find("--function"), std::string::npos);
}

TEST_F(RunCommand, AWholeResourceStringCanBeBound) {
  auto definition = Write("m.json", R"({"StartAt": "T", "States": {
      "T": {"Type": "Task", "Resource": "arn:aws:states:::task:Add", "End": true}}})");
  auto add = Script("add.sh", R"(cat >/dev/null; echo 3)");
  auto result = RunStepwise("run " + definition + " --function arn:aws:states:::task:Add=" + add);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "3\n");
}

TEST_F(RunCommand, InputFileIsRead) {
  auto definition = Write("m.json", R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "End": true}}})");
  auto input = Write("in.json", R"({"from": "file"})");
  auto result = RunStepwise("run " + definition + " --json --input-file " + input);
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(json::parse(result.out)["output"], json({{"from", "file"}}));
}

TEST_F(RunCommand, HistoryIsAddedToTheJsonObject) {
  auto definition = Write("m.json", R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "End": true}}})");
  auto result = RunStepwise("run " + definition + " --json --history");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  json report = json::parse(result.out);
  ASSERT_TRUE(report["history"].is_array());
  ASSERT_GE(report["history"].size(), 3u);
  const json& first = report["history"][0];
  EXPECT_EQ(first["id"], 1);
  EXPECT_EQ(first["type"], "ExecutionStarted");
  std::string timestamp = first["timestamp"];
  ASSERT_EQ(timestamp.size(), 24u) << timestamp;  // 2024-01-31T12:00:00.000Z
  EXPECT_EQ(timestamp[10], 'T');
  EXPECT_EQ(timestamp[19], '.');
  EXPECT_EQ(timestamp.back(), 'Z');
  EXPECT_EQ(report["history"].back()["type"], "ExecutionSucceeded");
}

TEST_F(RunCommand, HistoryWithoutJsonPrintsOneEventPerLineBeforeTheOutput) {
  auto definition = Write("m.json", R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "Result": 7, "End": true}}})");
  auto result = RunStepwise("run " + definition + " --history");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  std::istringstream lines(result.out);
  std::string line;
  std::getline(lines, line);
  EXPECT_EQ(json::parse(line)["type"], "ExecutionStarted");
  std::string last;
  while (std::getline(lines, line)) last = line;
  EXPECT_EQ(last, "7");
}

TEST_F(RunCommand, BadUsageExitsTwo) {
  auto definition = Write("m.json", kOneTask);
  EXPECT_EQ(RunStepwise("run").exit_code, 2);
  EXPECT_EQ(RunStepwise("run " + definition + " --frobnicate").exit_code, 2);
  EXPECT_EQ(RunStepwise("run " + (dir_ / "absent.json").string()).exit_code, 2);
  EXPECT_EQ(
      RunStepwise("run " + definition + " --input-file " + (dir_ / "absent").string()).exit_code,
      2);
  auto bad_input = RunStepwise("run " + definition + " --input '{nope'");
  EXPECT_EQ(bad_input.exit_code, 2);
  EXPECT_NE(bad_input.err.find("not valid JSON"), std::string::npos) << bad_input.err;
  EXPECT_EQ(RunStepwise("run " + definition + " --input 1 --input-file x").exit_code, 2);
  EXPECT_EQ(RunStepwise("run " + definition + " --function nocommand").exit_code, 2);
  EXPECT_EQ(RunStepwise("run " + definition + " --time-scale 0").exit_code, 2);
  EXPECT_EQ(RunStepwise("run " + definition + " --time-scale fast").exit_code, 2);
}

TEST_F(RunCommand, InvalidDefinitionPrintsItsDiagnosticsAsValidateDoes) {
  auto definition =
      Write("bad.json", R"({"StartAt": "A", "States": {"A": {"Type": "Pass", "Next": "B"}}})");
  auto result = RunStepwise("run " + definition);
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find(definition + ": error: /States/A/Next: there is no state named 'B'"),
            std::string::npos)
      << result.err;
}

TEST_F(RunCommand, PayloadLimitCanBeChanged) {
  auto definition = Write("m.json", R"({"StartAt": "P", "States": {"P": {"Type": "Pass",
      "End": true}}})");
  std::string input = "'{\"text\": \"" + std::string(100, 'x') + "\"}'";
  auto small = RunStepwise("run " + definition + " --json --max-payload-bytes 50 --input " + input);
  EXPECT_EQ(small.exit_code, 1);
  EXPECT_EQ(json::parse(small.out)["error"], "States.DataLimitExceeded");
  auto unlimited = RunStepwise("run " + definition + " --max-payload-bytes 0 --input " + input);
  EXPECT_EQ(unlimited.exit_code, 0) << unlimited.err;
  EXPECT_EQ(RunStepwise("run " + definition + " --max-payload-bytes lots").exit_code, 2);
}

TEST_F(RunCommand, TimeScaleShortensWaits) {
  auto definition = Write("m.json", R"({"StartAt": "W", "States": {"W": {"Type": "Wait",
      "Seconds": 30, "End": true}}})");
  auto started = std::chrono::steady_clock::now();
  auto result = RunStepwise("run " + definition + " --time-scale 0.001");
  EXPECT_EQ(result.exit_code, 0) << result.err;
  EXPECT_LT(std::chrono::steady_clock::now() - started, std::chrono::seconds(10));
}

}  // namespace
}  // namespace stepwise::testing
