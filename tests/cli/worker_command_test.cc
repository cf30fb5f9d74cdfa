// `stepwise worker`, the process host, as a process against a real `stepwise server`: exec mode
// runs the function's command per invocation; warm mode serves many invocations from one
// instance and passes a function's own error on to Retry and Catch; SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/wait.h>

#include <chrono>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "cli/client_test_server.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;

constexpr const char* kWrapMachine = R"json({"StartAt": "Wrap", "States": {
  "Wrap": {"Type": "Task", "Resource": "function:wrap", "End": true}}})json";

constexpr const char* kPidMachine = R"json({"StartAt": "Pid", "States": {
  "Pid": {"Type": "Task", "Resource": "function:pid", "End": true}}})json";

class WorkerCommand : public ClientCommandsTest {
 protected:
  void TearDown() override {
    if (worker_) StopWorker();
    ClientCommandsTest::TearDown();
  }

  // Starts `stepwise worker ARGS --server ADDR` and waits for its 'serving' line.
  void StartWorker(std::vector<std::string> args) {
    args.insert(args.begin(), {STEPWISE_BINARY, "worker"});
    args.insert(args.end(), {"--server", address()});
    worker_ = std::make_unique<ChildProcess>(
        args, ChildProcess::Options{.pipe_stdin = false, .pipe_stderr = true});
    ASSERT_TRUE(worker_->ok()) << worker_->error();
    std::optional<std::string> line = worker_->ReadLineStartingWith(
        "stepwise worker serving: ", std::chrono::steady_clock::now() + std::chrono::seconds(30));
    ASSERT_TRUE(line.has_value()) << "no 'serving' line; stderr: " << worker_->ReadAllStderr();
  }

  // SIGTERM, and the exit status (0 expected).
  void StopWorker() {
    kill(worker_->pid(), SIGTERM);
    int status = worker_->Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the worker did not stop cleanly: " << ChildProcess::Describe(status);
    worker_.reset();
  }

  json RunSync(const std::string& machine, const std::string& input) {
    return Json("exec start " + machine + " --sync --timeout 30 --input " + ShellQuote(input));
  }

  std::unique_ptr<ChildProcess> worker_;
};

TEST_F(WorkerCommand, ExecModeRunsTheCommandPerInvocationWithTheInputOnStdin) {
  CreateMachine("wrap", kWrapMachine);
  StartWorker({"--function", R"(wrap=sed -e 's/.*/{"got":&}/')"});
  json execution = RunSync("wrap", R"({"n": 21})");
  EXPECT_EQ(execution["status"], "SUCCEEDED");
  EXPECT_EQ(json::parse(execution["output"].get<std::string>()), (json{{"got", {{"n", 21}}}}));
  EXPECT_EQ(RunSync("wrap", "{}")["status"], "SUCCEEDED");
  // A process per invocation: each is a cold start (int64 is a string in the JSON mapping).
  EXPECT_EQ(Json("function describe wrap")["coldStarts"], "2");
}

TEST_F(WorkerCommand, WarmModeServesManyInvocationsFromOneInstance) {
  CreateMachine("pid", kPidMachine);
  // Answers every request line with the instance's process id.
  StartWorker({"--mode", "warm", "--concurrency", "1", "--function",
               R"(pid=sh -c 'while read line; do echo "{\"output\": {\"pid\": $$}}"; done')"});
  json first = RunSync("pid", "{}");
  json second = RunSync("pid", "{}");
  ASSERT_EQ(first["status"], "SUCCEEDED");
  ASSERT_EQ(second["status"], "SUCCEEDED");
  json pid = json::parse(first["output"].get<std::string>())["pid"];
  EXPECT_TRUE(pid.is_number_integer()) << first;
  EXPECT_EQ(json::parse(second["output"].get<std::string>())["pid"], pid)
      << "the second invocation was served by the same warm instance";
  // Only the instance's first invocation was a cold start.
  json function = Json("function describe pid");
  EXPECT_EQ(function["coldStarts"], "1") << function;
  EXPECT_EQ(function["durations"]["count"], 2) << function;
}

TEST_F(WorkerCommand, AFunctionsOwnErrorFailsTheTaskWithItsName) {
  CreateMachine("wrap", kWrapMachine);
  StartWorker(
      {"--mode", "warm", "--function",
       R"(wrap=sh -c 'while read line; do echo "{\"error\": \"Custom.Bad\", \"cause\": \"no\"}"; done')"});
  StepwiseResult result =
      RunStepwise("exec start wrap --sync --timeout 30 --json --input " + ShellQuote("{}"));
  EXPECT_EQ(result.exit_code, 1) << result.err;
  json execution = json::parse(result.out, nullptr, false);
  ASSERT_FALSE(execution.is_discarded()) << result.out;
  EXPECT_EQ(execution["status"], "FAILED");
  EXPECT_EQ(execution["error"], "Custom.Bad");
  EXPECT_EQ(execution["cause"], "no");
}

TEST_F(WorkerCommand, BadUsageSaysWhatToFix) {
  StepwiseResult none = RunStepwise("worker --server " + address());
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_NE(none.err.find("--function NAME=COMMAND"), std::string::npos) << none.err;
  StepwiseResult mode = RunStepwise("worker --function f=true --mode hot");
  EXPECT_EQ(mode.exit_code, 2);
  EXPECT_NE(mode.err.find("exec or warm"), std::string::npos) << mode.err;
}

}  // namespace
}  // namespace stepwise::testing
