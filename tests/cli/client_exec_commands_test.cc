// `stepwise exec ...` against a real server.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "cli/client_test_server.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;
using ExecCommands = ClientCommandsTest;

std::vector<std::string> Lines(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

std::string Trimmed(std::string text) {
  while (!text.empty() && (text.back() == '\n' || text.back() == ' ')) text.pop_back();
  return text;
}

TEST_F(ExecCommands, StartSyncPrintsTheSucceededExecution) {
  CreateMachine("greet", kPassMachine);
  StepwiseResult result = RunStepwise(R"(exec start greet --sync --input '{"who": "ann"}')");
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_NE(result.out.find("SUCCEEDED"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("\"greeting\": \"hi ann\""), std::string::npos)
      << "the output is pretty-printed: " << result.out;

  json execution =
      Json(R"(exec start greet --sync --timeout 30 --name second --input '{"who":"bo"}')");
  EXPECT_EQ(execution["status"], "SUCCEEDED");
  EXPECT_EQ(execution["name"], "second");
  EXPECT_EQ(json::parse(execution["output"].get<std::string>())["greeting"], "hi bo");
}

TEST_F(ExecCommands, StartSyncOfAFailingExecutionExitsOne) {
  CreateMachine("boom", kFailMachine);
  StepwiseResult result = RunStepwise("exec start boom --sync");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.out.find("FAILED"), std::string::npos) << result.out;
  EXPECT_NE(result.out.find("Custom.Boom"), std::string::npos) << result.out;
}

TEST_F(ExecCommands, StartSyncThatOutlivesItsTimeoutExitsOneAndGoesOn) {
  CreateMachine("echo", kEchoMachine);
  StepwiseResult result = RunStepwise("exec start echo --name slow --sync --timeout 0.5");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("stepwise: exec start echo: DEADLINE_EXCEEDED: "), std::string::npos)
      << "the server's answer, not the client's own deadline: " << result.err;
  EXPECT_NE(result.err.find("still running"), std::string::npos) << result.err;
  EXPECT_EQ(Json("exec describe arn:stepwise:states:local:execution:echo:slow")["status"],
            "RUNNING");
}

TEST_F(ExecCommands, StartWatchDescribeAndHistory) {
  CreateMachine("greet", kPassMachine);
  std::string input = File("input.json", R"({"who": "cy"})");
  StepwiseResult started = RunStepwise("exec start greet --name one --input-file " + input);
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string id = Trimmed(started.out);
  EXPECT_EQ(id, "arn:stepwise:states:local:execution:greet:one") << "the id alone";

  StepwiseResult watched = RunStepwise("exec watch " + id);
  ASSERT_EQ(watched.exit_code, 0) << watched.err;
  EXPECT_NE(watched.out.find("ExecutionStarted"), std::string::npos) << watched.out;
  EXPECT_NE(watched.out.find("ExecutionSucceeded"), std::string::npos) << watched.out;

  StepwiseResult described = RunStepwise("exec describe " + id);
  ASSERT_EQ(described.exit_code, 0) << described.err;
  EXPECT_NE(described.out.find("status:"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("SUCCEEDED"), std::string::npos) << described.out;
  EXPECT_NE(described.out.find("\"who\": \"cy\""), std::string::npos) << described.out;

  StepwiseResult history = RunStepwise("exec history " + id);
  ASSERT_EQ(history.exit_code, 0) << history.err;
  std::vector<std::string> lines = Lines(history.out);
  ASSERT_GE(lines.size(), 3u) << history.out;
  EXPECT_NE(lines[1].find("ExecutionStarted"), std::string::npos) << history.out;
  EXPECT_NE(lines[1].find("Z "), std::string::npos) << "an ISO time: " << lines[1];
  EXPECT_NE(lines.back().find("ExecutionSucceeded"), std::string::npos) << history.out;

  json newest = Json("exec history " + id + " --reverse --limit 1");
  ASSERT_EQ(newest["events"].size(), 1u) << newest;
  EXPECT_EQ(newest["events"][0]["type"], "ExecutionSucceeded");
  json all = Json("exec history " + id);
  EXPECT_EQ(all["events"].size(), lines.size() - 1) << "the header line aside";
  json after = Json("exec history " + id + " --after 1");
  EXPECT_EQ(after["events"][0]["id"], "2");
}

TEST_F(ExecCommands, WatchPrintsOneJsonObjectPerEventAndExitsOneOnFailure) {
  CreateMachine("boom", kFailMachine);
  StepwiseResult started = RunStepwise("exec start boom");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  StepwiseResult watched = RunStepwise("exec watch " + Trimmed(started.out) + " --json");
  EXPECT_EQ(watched.exit_code, 1) << watched.err;
  std::vector<std::string> lines = Lines(watched.out);
  ASSERT_GE(lines.size(), 2u) << watched.out;
  for (const std::string& line : lines) {
    EXPECT_FALSE(json::parse(line, nullptr, false).is_discarded()) << line;
  }
  EXPECT_EQ(json::parse(lines.back())["type"], "ExecutionFailed");
}

TEST_F(ExecCommands, ListFiltersAndPages) {
  CreateMachine("greet", kPassMachine);
  CreateMachine("boom", kFailMachine);
  std::string input = R"( --input '{"who": "x"}')";
  ASSERT_EQ(RunStepwise("exec start greet --sync --name a" + input).exit_code, 0);
  ASSERT_EQ(RunStepwise("exec start greet --sync --name b" + input).exit_code, 0);
  ASSERT_EQ(RunStepwise("exec start boom --sync --name c").exit_code, 1);

  StepwiseResult table = RunStepwise("exec list");
  ASSERT_EQ(table.exit_code, 0) << table.err;
  std::vector<std::string> lines = Lines(table.out);
  ASSERT_EQ(lines.size(), 4u) << table.out;
  for (const char* column : {"ID", "MACHINE", "STATUS", "STARTED", "STOPPED"}) {
    EXPECT_NE(lines[0].find(column), std::string::npos) << lines[0];
  }
  EXPECT_NE(table.out.find("arn:stepwise:states:local:execution:boom:c"), std::string::npos);

  EXPECT_EQ(Json("exec list --machine greet")["executions"].size(), 2u);
  json failed = Json("exec list --status failed");
  ASSERT_EQ(failed["executions"].size(), 1u) << failed;
  EXPECT_EQ(failed["executions"][0]["name"], "c");
  EXPECT_EQ(Json("exec list --started-after 2999-01-01")["executions"].size(), 0u);
  EXPECT_EQ(Json("exec list --started-before 2000-01-01T00:00:00Z")["executions"].size(), 0u);

  json first = Json("exec list --machine greet --limit 1");
  ASSERT_EQ(first["executions"].size(), 1u) << first;
  std::string token = first["nextPageToken"];
  ASSERT_FALSE(token.empty()) << first;
  json second = Json("exec list --machine greet --limit 1 --page-token " + ShellQuote(token));
  ASSERT_EQ(second["executions"].size(), 1u) << second;
  EXPECT_NE(first["executions"][0]["name"], second["executions"][0]["name"]);
}

TEST_F(ExecCommands, StopThenRedrive) {
  CreateMachine("echo", kEchoMachine);
  StepwiseResult started = RunStepwise("exec start echo --name waiting");
  ASSERT_EQ(started.exit_code, 0) << started.err;
  std::string id = Trimmed(started.out);

  StepwiseResult stopped = RunStepwise("exec stop " + id + " --error Ops.Stop --cause 'by hand'");
  ASSERT_EQ(stopped.exit_code, 0) << stopped.err;
  json aborted = Json("exec describe " + id);
  EXPECT_EQ(aborted["status"], "ABORTED");
  EXPECT_EQ(aborted["error"], "Ops.Stop");
  EXPECT_EQ(aborted["cause"], "by hand");

  StepwiseResult again = RunStepwise("exec stop " + id);
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("FAILED_PRECONDITION"), std::string::npos) << again.err;

  StepwiseResult redriven = RunStepwise("exec redrive " + id);
  ASSERT_EQ(redriven.exit_code, 0) << redriven.err;
  json running = Json("exec describe " + id);
  EXPECT_EQ(running["status"], "RUNNING");
  EXPECT_EQ(running["redriveCount"], "1");
}

TEST_F(ExecCommands, UnknownExecutionIsNotFound) {
  StepwiseResult result = RunStepwise("exec describe arn:stepwise:states:local:execution:x:y");
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find(": NOT_FOUND: "), std::string::npos) << result.err;
  StepwiseResult start = RunStepwise("exec start nope");
  EXPECT_EQ(start.exit_code, 1);
  EXPECT_EQ(start.err.rfind("stepwise: exec start nope: NOT_FOUND: ", 0), 0u) << start.err;
}

}  // namespace
}  // namespace stepwise::testing
