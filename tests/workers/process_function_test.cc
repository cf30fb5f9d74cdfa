#include "stepwise/workers/process_function.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <pthread.h>
#include <signal.h>

#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace stepwise::workers {
namespace {

using nlohmann::json;
using ::testing::EndsWith;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;

FunctionBinding Shell(std::string name, std::string script) {
  return FunctionBinding{std::move(name), {"/bin/sh", "-c", std::move(script)}};
}

ProcessLimits ShortTimeout() {
  ProcessLimits limits;
  limits.timeout = 200ms;
  return limits;
}

TEST(RunProcessFunctionTest, CatEchoesTheInputBack) {
  json input = {{"order", 42}, {"items", {"a", "b"}}, {"note", "caf\u00e9"}};
  ProcessOutcome outcome = RunProcessFunction({"echo", {"cat"}}, input);
  ASSERT_TRUE(outcome.succeeded) << outcome.error << ": " << outcome.cause;
  EXPECT_EQ(outcome.output, input);
}

TEST(RunProcessFunctionTest, InputArrivesAsOneJsonLine) {
  ProcessOutcome outcome = RunProcessFunction(
      Shell("wrap", R"(read -r line; printf '{"got": %s}' "$line")"), json{{"n", 1}});
  ASSERT_TRUE(outcome.succeeded) << outcome.cause;
  EXPECT_EQ(outcome.output, (json{{"got", {{"n", 1}}}}));
}

TEST(RunProcessFunctionTest, AnyJsonValueIsAnOutput) {
  ProcessOutcome outcome = RunProcessFunction(Shell("three", "echo '  3  '"), json::object());
  ASSERT_TRUE(outcome.succeeded) << outcome.cause;
  EXPECT_EQ(outcome.output, json(3));
}

TEST(RunProcessFunctionTest, ErrorObjectOnSuccessIsJustOutput) {
  ProcessOutcome outcome =
      RunProcessFunction(Shell("ok", R"(echo '{"error":"X","cause":"y"}')"), json::object());
  ASSERT_TRUE(outcome.succeeded);
  EXPECT_EQ(outcome.output["error"], "X");
}

TEST(RunProcessFunctionTest, MebibytePayloadThroughCatDoesNotDeadlock) {
  json input = {{"data", std::string(1024 * 1024, 'x')}};
  ProcessLimits limits;
  limits.max_output_bytes = 2 * 1024 * 1024;
  limits.timeout = 30s;
  ProcessOutcome outcome = RunProcessFunction({"echo", {"cat"}}, input, limits);
  ASSERT_TRUE(outcome.succeeded) << outcome.error << ": " << outcome.cause;
  EXPECT_EQ(outcome.output, input);
}

TEST(RunProcessFunctionTest, TimeoutKillsTheProcessAndReportsStatesTimeout) {
  const auto start = std::chrono::steady_clock::now();
  ProcessOutcome outcome =
      RunProcessFunction(Shell("slow", "sleep 10; echo 1"), json::object(), ShortTimeout());
  const auto elapsed = std::chrono::steady_clock::now() - start;
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "States.Timeout");
  EXPECT_EQ(outcome.cause, "function 'slow' did not finish within 200 ms");
  EXPECT_LT(elapsed, 5s);
}

TEST(RunProcessFunctionTest, TimeoutAppliesAfterTheChildClosesItsOutput) {
  const auto start = std::chrono::steady_clock::now();
  ProcessOutcome outcome = RunProcessFunction(Shell("quiet", "exec >&- 2>&- <&-; sleep 10"),
                                              json::object(), ShortTimeout());
  EXPECT_EQ(outcome.error, "States.Timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RunProcessFunctionTest, TimeoutAlsoCoversABackgroundChildHoldingStdout) {
  const auto start = std::chrono::steady_clock::now();
  ProcessOutcome outcome =
      RunProcessFunction(Shell("bg", "sleep 10 & echo 1"), json::object(), ShortTimeout());
  EXPECT_EQ(outcome.error, "States.Timeout");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
}

TEST(RunProcessFunctionTest, ErrorObjectGivesErrorAndCauseVerbatim) {
  ProcessOutcome outcome = RunProcessFunction(
      Shell("charge", R"(printf '{"error":"Card.Declined","cause":"  insufficient funds \\n"}'
                         echo 'ignored' >&2; exit 3)"),
      json::object());
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "Card.Declined");
  EXPECT_EQ(outcome.cause, "  insufficient funds \n");
}

TEST(RunProcessFunctionTest, ErrorObjectWithoutCauseHasAnEmptyCause) {
  ProcessOutcome outcome =
      RunProcessFunction(Shell("f", R"(echo '{"error":"Custom"}'; exit 1)"), json::object());
  EXPECT_EQ(outcome.error, "Custom");
  EXPECT_EQ(outcome.cause, "");
}

TEST(RunProcessFunctionTest, LambdaFormGivesErrorTypeAndTheObjectAsCause) {
  ProcessOutcome outcome = RunProcessFunction(
      Shell("lambda",
            R"(echo '{ "errorType": "ValueError", "errorMessage": "bad n", "stackTrace": [] }'
               exit 1)"),
      json::object());
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "ValueError");
  EXPECT_EQ(outcome.cause, R"({"errorMessage":"bad n","errorType":"ValueError","stackTrace":[]})");
}

TEST(RunProcessFunctionTest, OtherFailuresUseTrimmedStderr) {
  ProcessOutcome outcome = RunProcessFunction(
      Shell("f", "echo 'not json'; printf '\\n  Traceback: boom\\n\\n' >&2; exit 2"),
      json::object());
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "Traceback: boom");
}

TEST(RunProcessFunctionTest, StderrCauseKeepsTheTail) {
  ProcessLimits limits;
  limits.max_cause_bytes = 1000;
  ProcessOutcome outcome = RunProcessFunction(
      Shell("f", "head -c 100000 /dev/zero | tr '\\0' a >&2; echo ' THE END' >&2; exit 1"),
      json::object(), limits);
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause.size(), 1000u);
  EXPECT_THAT(outcome.cause, EndsWith("aaa THE END"));
}

TEST(RunProcessFunctionTest, StderrCauseIsValidUtf8) {
  ProcessOutcome outcome =
      RunProcessFunction(Shell("f", "printf 'bad \\377 byte' >&2; exit 1"), json::object());
  EXPECT_EQ(outcome.cause, "bad \xEF\xBF\xBD byte");
  EXPECT_NO_THROW(json(outcome.cause).dump());
}

TEST(RunProcessFunctionTest, SilentFailureReportsTheExitStatus) {
  ProcessOutcome outcome = RunProcessFunction(Shell("quiet", "exit 7"), json::object());
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "function 'quiet' exited with status 7");
}

TEST(RunProcessFunctionTest, SilentDeathReportsTheSignal) {
  ProcessOutcome outcome = RunProcessFunction(Shell("doomed", "kill -9 $$"), json::object());
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_THAT(outcome.cause, StartsWith("function 'doomed' was killed by signal 9"));
}

TEST(RunProcessFunctionTest, MissingProgramCannotRun) {
  ProcessOutcome outcome =
      RunProcessFunction({"ghost", {"/nonexistent/ghost", "--flag"}}, json::object());
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause,
            "cannot run function 'ghost': /nonexistent/ghost: No such file or directory");
}

TEST(RunProcessFunctionTest, ProgramIsLookedUpInPath) {
  ProcessOutcome missing =
      RunProcessFunction({"ghost", {"stepwise-no-such-program"}}, json::object());
  EXPECT_EQ(missing.cause,
            "cannot run function 'ghost': stepwise-no-such-program: No such file or directory");
  ProcessOutcome found = RunProcessFunction({"t", {"echo", "true"}}, json::object());
  ASSERT_TRUE(found.succeeded) << found.cause;
  EXPECT_EQ(found.output, json(true));
}

TEST(RunProcessFunctionTest, NonExecutableProgramCannotRun) {
  ProcessOutcome outcome = RunProcessFunction({"dir", {"/"}}, json::object());
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "cannot run function 'dir': /: Permission denied");
}

TEST(RunProcessFunctionTest, EmptyCommandCannotRun) {
  ProcessOutcome outcome = RunProcessFunction({"none", {}}, json::object());
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "cannot run function 'none': its command is empty");
}

TEST(RunProcessFunctionTest, ExitZeroWithTextIsNotJson) {
  ProcessOutcome outcome =
      RunProcessFunction(Shell("chatty", "echo ' hello world'"), json::object());
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "function 'chatty' exited 0 but its output is not JSON: hello world");
}

TEST(RunProcessFunctionTest, ExitZeroWithNothingIsNotJson) {
  ProcessOutcome outcome = RunProcessFunction({"mute", {"true"}}, json::object());
  EXPECT_EQ(outcome.error, "States.TaskFailed");
  EXPECT_EQ(outcome.cause, "function 'mute' exited 0 but its output is not JSON: ");
}

TEST(RunProcessFunctionTest, NotJsonCauseShowsTheFirst200Characters) {
  ProcessOutcome outcome =
      RunProcessFunction(Shell("long", "head -c 300 /dev/zero | tr '\\0' x"), json::object());
  EXPECT_EQ(outcome.cause,
            "function 'long' exited 0 but its output is not JSON: " + std::string(200, 'x'));
}

TEST(RunProcessFunctionTest, OversizeOutputIsKilledAsDataLimitExceeded) {
  ProcessLimits limits;
  limits.max_output_bytes = 1000;
  ProcessOutcome outcome = RunProcessFunction(
      Shell("big", R"(printf '"'; head -c 5000 /dev/zero | tr '\0' x; printf '"')"), json::object(),
      limits);
  EXPECT_FALSE(outcome.succeeded);
  EXPECT_EQ(outcome.error, "States.DataLimitExceeded");
  EXPECT_THAT(outcome.cause, HasSubstr("function 'big' wrote more than 1000 bytes"));
}

TEST(RunProcessFunctionTest, EndlessOutputIsStoppedAtTheLimit) {
  ProcessLimits limits;
  limits.timeout = 30s;
  const auto start = std::chrono::steady_clock::now();
  ProcessOutcome outcome = RunProcessFunction({"flood", {"yes"}}, json::object(), limits);
  EXPECT_EQ(outcome.error, "States.DataLimitExceeded");
  EXPECT_LT(std::chrono::steady_clock::now() - start, 10s);
}

TEST(RunProcessFunctionTest, ChildThatIgnoresItsInputDoesNotHurtTheCaller) {
  sigset_t before;
  pthread_sigmask(SIG_SETMASK, nullptr, &before);
  json input = {{"data", std::string(1024 * 1024, 'x')}};
  ProcessOutcome outcome = RunProcessFunction(Shell("deaf", "echo 5"), input);
  ASSERT_TRUE(outcome.succeeded) << outcome.cause;
  EXPECT_EQ(outcome.output, json(5));
  // The SIGPIPE the write raised was consumed, and the thread's mask is as it was.
  sigset_t after, pending;
  pthread_sigmask(SIG_SETMASK, nullptr, &after);
  sigpending(&pending);
  EXPECT_EQ(sigismember(&after, SIGPIPE), sigismember(&before, SIGPIPE));
  EXPECT_EQ(sigismember(&pending, SIGPIPE), 0);
}

TEST(RunProcessFunctionTest, SixteenConcurrentInvocationsKeepTheirOwnData) {
  constexpr int kThreads = 16;
  std::vector<ProcessOutcome> outcomes(kThreads);
  std::vector<std::thread> threads;
  for (int i = 0; i < kThreads; ++i) {
    threads.emplace_back([i, &outcomes] {
      // Some echo, some fail, so every path runs concurrently.
      FunctionBinding binding =
          i % 2 == 0 ? FunctionBinding{"echo", {"cat"}}
                     : Shell("fail", "cat >/dev/null; echo \"failure $0\" >&2; exit 1");
      json input = {{"id", i}, {"pad", std::string(100000 + i, 'p')}};
      outcomes[i] = RunProcessFunction(binding, input);
    });
  }
  for (std::thread& thread : threads) thread.join();
  for (int i = 0; i < kThreads; ++i) {
    if (i % 2 == 0) {
      ASSERT_TRUE(outcomes[i].succeeded) << i << ": " << outcomes[i].cause;
      EXPECT_EQ(outcomes[i].output["id"], i);
      EXPECT_EQ(outcomes[i].output["pad"].get<std::string>().size(), 100000u + i);
    } else {
      EXPECT_FALSE(outcomes[i].succeeded) << i;
      EXPECT_EQ(outcomes[i].cause, "failure /bin/sh") << i;
    }
  }
}

}  // namespace
}  // namespace stepwise::workers
