// `stepwise task ...` against a real server: the test plays the worker of function:echo.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "cli/client_test_server.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;
using TaskCommands = ClientCommandsTest;

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

TEST_F(TaskCommands, PollAndSucceedCompleteTheTask) {
  CreateMachine("echo", kEchoMachine);
  StepwiseResult started = RunStepwise(R"(exec start echo --input '{"say": "hello"}')");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string id = Trimmed(started.out);

  json polled = Json("task poll echo --wait 10");
  ASSERT_TRUE(polled.contains("task")) << polled;
  const json& task = polled["task"];
  EXPECT_EQ(task["executionId"], id);
  EXPECT_EQ(task["stateName"], "Echo");
  EXPECT_EQ(task["function"], "echo");
  EXPECT_EQ(json::parse(task["input"].get<std::string>())["say"], "hello");
  std::string token = task["token"];

  StepwiseResult heartbeat = RunStepwise("task heartbeat " + ShellQuote(token));
  EXPECT_EQ(heartbeat.exit_code, 0) << heartbeat.err;
  EXPECT_EQ(heartbeat.out, "ok\n");

  StepwiseResult succeeded =
      RunStepwise("task succeed " + ShellQuote(token) + R"( --output '{"said": "hello"}')");
  ASSERT_EQ(succeeded.exit_code, 0) << succeeded.err;

  StepwiseResult watched = RunStepwise("exec watch " + id);
  EXPECT_EQ(watched.exit_code, 0) << watched.err;
  json execution = Json("exec describe " + id);
  EXPECT_EQ(execution["status"], "SUCCEEDED");
  EXPECT_EQ(json::parse(execution["output"].get<std::string>())["said"], "hello");

  StepwiseResult twice = RunStepwise("task succeed " + ShellQuote(token) + " --output '{}'");
  EXPECT_EQ(twice.exit_code, 1) << "a token completes its attempt once";
}

TEST_F(TaskCommands, PollPrintsTheTaskForPeople) {
  CreateMachine("echo", kEchoMachine);
  ASSERT_EQ(RunStepwise("exec start echo").exit_code, 0);
  StepwiseResult polled = RunStepwise("task poll other echo --wait 10");
  ASSERT_EQ(polled.exit_code, 0) << polled.err;
  for (const char* key : {"token:", "execution:", "state:", "function:", "deadline:", "input:"}) {
    EXPECT_NE(polled.out.find(key), std::string::npos) << key << " in " << polled.out;
  }
}

TEST_F(TaskCommands, PollWithNothingQueuedPrintsNothing) {
  StepwiseResult polled = RunStepwise("task poll idle --wait 0.2");
  EXPECT_EQ(polled.exit_code, 0) << polled.err;
  EXPECT_TRUE(polled.out.empty()) << polled.out;
  EXPECT_NE(polled.err.find("no task"), std::string::npos) << polled.err;
}

TEST_F(TaskCommands, FailFailsTheExecutionWithTheError) {
  CreateMachine("echo", kEchoMachine);
  StepwiseResult started = RunStepwise("exec start echo");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string token = Json("task poll echo --wait 10")["task"]["token"];
  StepwiseResult failed =
      RunStepwise("task fail " + ShellQuote(token) + " --error Echo.Broken --cause 'no voice'");
  ASSERT_EQ(failed.exit_code, 0) << failed.err;
  std::string id = Trimmed(started.out);
  EXPECT_EQ(RunStepwise("exec watch " + id).exit_code, 1) << "watch reports the failure";
  json execution = Json("exec describe " + id);
  EXPECT_EQ(execution["status"], "FAILED");
  EXPECT_EQ(execution["error"], "Echo.Broken");
  EXPECT_EQ(execution["cause"], "no voice");
}

TEST_F(TaskCommands, HeartbeatOfAStoppedExecutionsTaskSaysCancelled) {
  CreateMachine("echo", kEchoMachine);
  StepwiseResult started = RunStepwise("exec start echo");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string token = Json("task poll echo --wait 10")["task"]["token"];
  ASSERT_EQ(RunStepwise("exec stop " + Trimmed(started.out)).exit_code, 0);
  StepwiseResult heartbeat = RunStepwise("task heartbeat " + ShellQuote(token));
  // A cancelled task, or a token the server no longer knows: either way the worker must stop.
  EXPECT_EQ(heartbeat.exit_code, 1) << heartbeat.out << heartbeat.err;
}

}  // namespace
}  // namespace stepwise::testing
