// Every example under examples/ runs with `stepwise run` and gives the output its README implies.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "cli/stepwise_process.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;

std::filesystem::path Example(const std::string& name) {
  return std::filesystem::path(STEPWISE_SOURCE_ROOT) / "examples" / name;
}

// Runs examples/NAME with its input.json, the given extra flags, and --json.
json RunExample(const std::string& name, const std::string& flags) {
  std::filesystem::path dir = Example(name);
  auto result =
      RunStepwise("run " + ShellQuote((dir / "workflow.json").string()) + " --input-file " +
                  ShellQuote((dir / "input.json").string()) + " --json --time-scale 0.1 " + flags);
  EXPECT_EQ(result.exit_code, 0) << result.out << result.err;
  return json::parse(result.out, nullptr, /*allow_exceptions=*/false);
}

TEST(RunExamples, HelloWorldGreets) {
  json report = RunExample("hello-world", "");
  EXPECT_EQ(report["status"], "SUCCEEDED");
  EXPECT_EQ(report["output"]["greeting"], "Hello, Stepwise!");
  EXPECT_TRUE(report["output"]["startedBy"].get<std::string>().starts_with("arn:"));
}

TEST(RunExamples, FanOutCountsAndDoubles) {
  json report = RunExample("fan-out", "");
  EXPECT_EQ(report, json::parse(R"({"status": "SUCCEEDED", "output": {"count": 5, "first": 2}})"));
}

TEST(RunExamples, OrderPipelineChargesAndShips) {
  std::string charge = (Example("order-pipeline") / "charge.sh").string();
  json report = RunExample("order-pipeline", "--function charge=" + ShellQuote(charge));
  EXPECT_EQ(report, json::parse(R"({"status": "SUCCEEDED",
      "output": {"shipped": "A-1001", "receipt": "R-A-1001"}})"));
}

TEST(RunExamples, EveryExampleIsCovered) {
  int count = 0;
  for (const auto& entry : std::filesystem::directory_iterator(Example(""))) {
    if (std::filesystem::exists(entry.path() / "workflow.json")) ++count;
  }
  EXPECT_EQ(count, 3) << "a new example needs its test in " << __FILE__;
}

}  // namespace
}  // namespace stepwise::testing
