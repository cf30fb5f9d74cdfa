// The `stepwise server --functions FILE` format: limits by function and the defaults, and an
// error that names the file, the place and the fix for each kind of mistake.
#include "api/server/function_config.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <string>

#include "storage/temp_dir.h"

namespace stepwise::api {
namespace {

using ::testing::HasSubstr;
using namespace std::chrono_literals;

std::string ErrorOf(const std::string& text) {
  auto parsed = ParseFunctionConfig(text, "functions.json", engine::EngineOptions{});
  EXPECT_FALSE(parsed.ok()) << "accepted: " << text;
  if (parsed.ok()) return "";
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(parsed.status().message());
}

TEST(FunctionConfigTest, ReadsFunctionsOverTheFilesDefaults) {
  auto parsed = ParseFunctionConfig(R"json({
    "defaults": {"timeout_seconds": 120, "circuit_breaker": {"open_seconds": 5}},
    "functions": [
      {"name": "resize", "timeout_seconds": 30, "max_concurrency": 8, "rate_per_second": 2.5,
       "circuit_breaker": {"failure_threshold": 3, "window_seconds": 0.5,
                           "half_open_probes": 2}},
      {"name": "notify"}]})json",
                                    "functions.json", engine::EngineOptions{});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->function_defaults.timeout, 120s);
  EXPECT_EQ(parsed->function_defaults.circuit_breaker.open_for, 5s);
  EXPECT_EQ(parsed->function_defaults.max_concurrency, engine::FunctionLimits{}.max_concurrency);
  ASSERT_EQ(parsed->functions.size(), 2u);
  const engine::FunctionLimits& resize = parsed->functions[0];
  EXPECT_EQ(resize.name, "resize");
  EXPECT_EQ(resize.timeout, 30s);
  EXPECT_EQ(resize.max_concurrency, 8);
  EXPECT_EQ(resize.rate_per_second, 2.5);
  EXPECT_EQ(resize.circuit_breaker.failure_threshold, 3);
  EXPECT_EQ(resize.circuit_breaker.window, 500ms);
  EXPECT_EQ(resize.circuit_breaker.open_for, 5s);  // from the file's defaults
  EXPECT_EQ(resize.circuit_breaker.half_open_probes, 2);
  EXPECT_EQ(parsed->functions[1].name, "notify");
  EXPECT_EQ(parsed->functions[1].timeout, 120s);
}

TEST(FunctionConfigTest, EveryMistakeIsNamedWithItsPlace) {
  EXPECT_THAT(ErrorOf("{\n  \"functions\": [\n    {\"name\": \"a\",}\n  ]\n}"),
              HasSubstr("functions.json: line 3, column 18: not valid JSON"));
  EXPECT_THAT(ErrorOf(R"json({"function": []})json"),
              HasSubstr("functions.json: /function: unknown field; the fields are defaults, "
                        "functions"));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"name": "a"}, {"name": "b", "timeout": 3}]})json"),
              HasSubstr("/functions/1/timeout: unknown field"));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"timeout_seconds": 3}]})json"),
              HasSubstr("/functions/0/name: every function needs a \"name\""));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"name": "a", "max_concurrency": 0}]})json"),
              HasSubstr("/functions/0/max_concurrency: 0 is out of range; write 1 to"));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"name": "a", "timeout_seconds": "30"}]})json"),
              HasSubstr("/functions/0/timeout_seconds: must be a whole number"));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"name": "a", "rate_per_second": -1}]})json"),
              HasSubstr("/functions/0/rate_per_second: must be a number"));
  EXPECT_THAT(
      ErrorOf(R"json({"functions": [{"name": "a", "circuit_breaker": {"open_seconds": 0}}]})json"),
      HasSubstr("/functions/0/circuit_breaker/open_seconds: must be a number of seconds"));
  EXPECT_THAT(ErrorOf(R"json({"functions": [{"name": "a"}, {"name": "a"}]})json"),
              HasSubstr("/functions/1/name: function 'a' is named twice"));
  EXPECT_THAT(ErrorOf(R"json({"functions": {"name": "a"}})json"),
              HasSubstr("/functions: must be an array"));
  EXPECT_THAT(ErrorOf(R"json({"defaults": {"name": "a"}})json"),
              HasSubstr("/defaults/name: unknown field"));
}

TEST(FunctionConfigTest, AMissingFileIsNamed) {
  storage::testing::TempDir dir;
  auto missing = ReadFunctionConfig(dir.path() + "/nope.json", engine::EngineOptions{});
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(std::string(missing.status().message()), HasSubstr("nope.json"));
  std::ofstream(dir.path() + "/functions.json") << R"json({"functions": [{"name": "x"}]})json";
  auto read = ReadFunctionConfig(dir.path() + "/functions.json", engine::EngineOptions{});
  ASSERT_TRUE(read.ok()) << read.status();
  ASSERT_EQ(read->functions.size(), 1u);
  EXPECT_EQ(read->functions[0].name, "x");
}

}  // namespace
}  // namespace stepwise::api
