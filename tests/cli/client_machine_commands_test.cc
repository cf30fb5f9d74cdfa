// `stepwise machine ...` against a real server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_test_server.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;
using MachineCommands = ClientCommandsTest;

TEST_F(MachineCommands, CreateDescribeUpdateListAndDelete) {
  StepwiseResult created = RunStepwise("machine create greet " + File("greet.json", kPassMachine));
  ASSERT_EQ(created.exit_code, 0) << created.err;
  EXPECT_NE(created.out.find("name:"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("greet"), std::string::npos) << created.out;
  EXPECT_NE(created.out.find("version: 1"), std::string::npos) << created.out;

  StepwiseResult described = RunStepwise("machine describe greet");
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("definition:"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("\"StartAt\": \"Greet\""), std::string::npos)
      << "the definition is pretty-printed: " << described.out;

  StepwiseResult updated = RunStepwise("machine update greet " + File("v2.json", kFailMachine));
  ASSERT_EQ(updated.exit_code, 0) << updated.err;
  EXPECT_NE(updated.out.find("version: 2"), std::string::npos) << updated.out;

  json first = Json("machine describe greet --version 1");
  EXPECT_EQ(first["version"], "1");  // int64 is a string in protobuf's JSON mapping
  EXPECT_EQ(first["latestVersion"], "2");
  EXPECT_EQ(json::parse(first["definition"].get<std::string>())["StartAt"], "Greet");

  StepwiseResult listed = RunStepwise("machine list");
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_EQ(listed.out.rfind("NAME", 0), 0u) << "a table with a header: " << listed.out;
  EXPECT_NE(listed.out.find("greet"), std::string::npos) << listed.out;
  json list = Json("machine list");
  ASSERT_EQ(list["stateMachines"].size(), 1u) << list;
  EXPECT_EQ(list["stateMachines"][0]["name"], "greet");

  StepwiseResult deleted = RunStepwise("machine delete greet");
  ASSERT_EQ(deleted.exit_code, 0) << deleted.err;
  EXPECT_EQ(RunStepwise("machine describe greet").exit_code, 1);
}

TEST_F(MachineCommands, DescribingAnUnknownMachineIsNotFound) {
  StepwiseResult result = RunStepwise("machine describe nope");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.out.empty()) << result.out;
  EXPECT_EQ(result.err.rfind("stepwise: machine describe nope: NOT_FOUND: ", 0), 0u) << result.err;
}

TEST_F(MachineCommands, CreatingABadDefinitionPrintsEachErrorWithItsPointer) {
  std::string file = File("bad.json", kBadMachine);
  StepwiseResult result = RunStepwise("machine create bad " + file);
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("stepwise: machine create bad: INVALID_ARGUMENT: "), std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find("/StartAt"), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("/States/A/Next"), std::string::npos) << result.err;
  EXPECT_EQ(RunStepwise("machine describe bad").exit_code, 1) << "nothing was stored";
}

TEST_F(MachineCommands, ValidateAsksTheServer) {
  StepwiseResult good = RunStepwise("machine validate " + File("good.json", kPassMachine));
  EXPECT_EQ(good.exit_code, 0) << good.err;
  EXPECT_NE(good.out.find(": ok"), std::string::npos) << good.out;

  std::string bad_file = File("bad.json", kBadMachine);
  StepwiseResult bad = RunStepwise("machine validate " + bad_file);
  EXPECT_EQ(bad.exit_code, 1);
  EXPECT_NE(bad.out.find("bad.json: error: /States/A/Next"), std::string::npos) << bad.out;

  StepwiseResult as_json = RunStepwise("machine validate " + bad_file + " --json");
  EXPECT_EQ(as_json.exit_code, 1);
  json response = json::parse(as_json.out);
  EXPECT_EQ(response["valid"], false);
  EXPECT_GE(response["diagnostics"].size(), 2u) << response;
  EXPECT_EQ(RunStepwise("machine list --json").out.find("bad"), std::string::npos)
      << "validate stores nothing";
}

TEST_F(MachineCommands, AnUnreadableFileIsBadUsage) {
  StepwiseResult result = RunStepwise("machine create m " + (dir_ / "missing.json").string());
  EXPECT_EQ(result.exit_code, 2);
  EXPECT_NE(result.err.find("cannot read the definition file"), std::string::npos) << result.err;
}

}  // namespace
}  // namespace stepwise::testing
