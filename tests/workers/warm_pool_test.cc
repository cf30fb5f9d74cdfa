#include "stepwise/workers/warm_pool.h"

#include <errno.h>
#include <fcntl.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

namespace stepwise::workers {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using ::testing::StartsWith;
using namespace std::chrono_literals;
using Clock = std::chrono::steady_clock;

// Long enough never to fire in a passing test, short enough that a broken one ends.
constexpr auto kSafetyTimeout = 30s;
constexpr auto kAwait = 10s;

// The usual instance: answers every request with its pid.
constexpr char kPidServer[] = R"(
while IFS= read -r line; do printf '{"output":%s}\n' $$; done
)";

FunctionBinding Shell(std::string name, std::string script) {
  return FunctionBinding{std::move(name), {"/bin/sh", "-c", std::move(script)}};
}

WarmPoolOptions Options(std::size_t max_concurrency = 1) {
  WarmPoolOptions options;
  options.max_concurrency = max_concurrency;
  options.idle_timeout = 0ms;  // tests of scale-to-zero set their own
  options.limits.timeout = kSafetyTimeout;
  return options;
}

std::unique_ptr<WarmPool> MakePool(FunctionBinding binding, WarmPoolOptions options) {
  absl::StatusOr<std::unique_ptr<WarmPool>> pool = WarmPool::Create(std::move(binding), options);
  EXPECT_TRUE(pool.ok()) << pool.status();
  return pool.ok() ? *std::move(pool) : nullptr;
}

// The pid a kPidServer-like instance answered with.
pid_t PidOf(const WarmInvocation& invocation) {
  EXPECT_TRUE(invocation.outcome.succeeded)
      << invocation.outcome.error << ": " << invocation.outcome.cause;
  if (!invocation.outcome.output.is_number_integer()) return -1;
  return invocation.outcome.output.get<pid_t>();
}

// Checks `done` on the pool's stats until it holds or kAwait passes. There is no event to wait
// for here (the pool reports nothing by itself), so this polls, with a bound.
bool AwaitStats(const WarmPool& pool, const std::function<bool(const WarmPoolStats&)>& done) {
  const auto give_up = Clock::now() + kAwait;
  while (!done(pool.stats())) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// A process reaped by its parent is gone; one killed but not yet reaped by the parent it was
// orphaned to (init) is a zombie: dead too, and unable to hold anything.
bool IsDead(pid_t pid) {
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string text;
  if (!std::getline(stat, text)) return true;
  std::size_t paren = text.rfind(')');
  if (paren == std::string::npos || paren + 2 >= text.size()) return true;
  const char state = text[paren + 2];
  return state == 'Z' || state == 'X';
}

bool AwaitDead(pid_t pid) {
  const auto give_up = Clock::now() + kAwait;
  while (!IsDead(pid)) {
    if (Clock::now() > give_up) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

// Our own child, once reaped, no longer exists at all.
bool IsReaped(pid_t pid) { return ::kill(pid, 0) == -1 && errno == ESRCH; }

std::string ReadFile(const std::string& path) {
  std::ifstream file(path);
  std::stringstream text;
  text << file.rdbuf();
  return text.str();
}

// A FIFO that instances read a line from before they answer, so a test decides when they may.
// The test holds it open for writing from the start, so instances never block opening it, only
// reading it; Let(n) lets n of them through. Destroying it lets everybody through, so that a
// failed test does not leave its threads blocked.
class Gate {
 public:
  explicit Gate(std::string path) : path_(std::move(path)) {
    EXPECT_EQ(::mkfifo(path_.c_str(), 0600), 0) << std::strerror(errno);
    fd_ = ::open(path_.c_str(), O_RDWR | O_CLOEXEC);  // O_RDWR: a FIFO open that never blocks
    EXPECT_GE(fd_, 0) << std::strerror(errno);
  }
  ~Gate() {
    Let(1000);
    ::close(fd_);
  }

  void Let(int count) {
    for (int i = 0; i < count; ++i) {
      EXPECT_EQ(::write(fd_, "go\n", 3), 3) << std::strerror(errno);
    }
  }
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  int fd_ = -1;
};

class WarmPoolTest : public ::testing::Test {
 protected:
  void SetUp() override {
    open_fds_ = OpenDescriptors();
    std::string pattern = (std::filesystem::temp_directory_path() / "warm_pool_test.XXXXXX");
    ASSERT_NE(::mkdtemp(pattern.data()), nullptr) << std::strerror(errno);
    dir_ = pattern;
  }

  void TearDown() override {
    // Every pool of the test is gone by now, and with it every child it had: none may be left,
    // neither running nor a zombie. ECHILD means this process has no child at all.
    errno = 0;
    EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
    EXPECT_EQ(errno, ECHILD) << "a child process outlived its pool";
    EXPECT_EQ(OpenDescriptors(), open_fds_) << "a descriptor outlived its pool";
    std::filesystem::remove_all(dir_);
  }

  // Replaces DIR in `script` with this test's temporary directory.
  std::string InDir(std::string script) const {
    for (std::size_t at = script.find("DIR"); at != std::string::npos;
         at = script.find("DIR", at + dir_.size())) {
      script.replace(at, 3, dir_);
    }
    return script;
  }

  static std::size_t OpenDescriptors() {
    auto entries = std::filesystem::directory_iterator("/proc/self/fd");
    return static_cast<std::size_t>(std::distance(begin(entries), end(entries)));
  }

  std::string dir_;
  std::size_t open_fds_ = 0;
};

TEST_F(WarmPoolTest, OneInstanceServesManyInvocations) {
  auto pool = MakePool(Shell("pid", kPidServer), Options());
  ASSERT_NE(pool, nullptr);
  std::vector<WarmInvocation> invocations;
  for (int i = 0; i < 5; ++i) invocations.push_back(pool->Invoke(json{{"n", i}}));

  const pid_t pid = PidOf(invocations[0]);
  EXPECT_GT(pid, 0);
  std::chrono::microseconds total{0};
  for (std::size_t i = 0; i < invocations.size(); ++i) {
    EXPECT_EQ(PidOf(invocations[i]), pid) << "invocation " << i;
    EXPECT_EQ(invocations[i].cold_start, i == 0) << "invocation " << i;
    EXPECT_GT(invocations[i].duration.count(), 0);
    total += invocations[i].duration;
  }
  WarmPoolStats stats = pool->stats();
  EXPECT_EQ(stats.cold_starts, 1u);
  EXPECT_EQ(stats.invocations, 5u);
  EXPECT_EQ(stats.instances, 1u);
  EXPECT_EQ(stats.busy, 0u);
  EXPECT_EQ(stats.waiting, 0u);
  EXPECT_EQ(stats.busy_time, total);
}

TEST_F(WarmPoolTest, RequestLineCarriesInputDeadlineAndAttempt) {
  // Answers with the request itself, and with the input cut out the documented way.
  auto pool = MakePool(Shell("echo", R"(
while IFS= read -r line; do
  input=$(printf '%s\n' "$line" | sed 's/^.*"input"://; s/}$//')
  printf '{"output":{"request":%s,"input":%s}}\n' "$line" "$input"
done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  const json input = {{"text", "line one\nline two"}, {"items", {1, 2, 3}}};
  const auto wall_before = std::chrono::system_clock::now();
  WarmInvocation invocation = pool->Invoke(input, Clock::now() + 20s, /*attempt=*/3);
  ASSERT_TRUE(invocation.outcome.succeeded) << invocation.outcome.cause;
  const json& request = invocation.outcome.output["request"];
  EXPECT_EQ(request["input"], input);
  EXPECT_EQ(invocation.outcome.output["input"], input);
  EXPECT_EQ(request["attempt"], 3);
  const auto expected_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>((wall_before + 20s).time_since_epoch());
  ASSERT_TRUE(request["deadline_ms"].is_number_integer());
  EXPECT_NEAR(request["deadline_ms"].get<double>(), static_cast<double>(expected_ms.count()),
              5000.0);
}

TEST_F(WarmPoolTest, NoTimeLimitLeavesOutTheDeadline) {
  WarmPoolOptions options = Options();
  options.limits.timeout = 0ms;
  auto pool = MakePool(
      Shell("echo", R"(while IFS= read -r line; do printf '{"output":%s}\n' "$line"; done)"),
      options);
  ASSERT_NE(pool, nullptr);
  WarmInvocation invocation = pool->Invoke(json("x"));
  ASSERT_TRUE(invocation.outcome.succeeded) << invocation.outcome.cause;
  EXPECT_EQ(invocation.outcome.output, (json{{"attempt", 1}, {"input", "x"}}));
}

TEST_F(WarmPoolTest, ConcurrentDemandScalesUpToMaxConcurrencyAndNoFurther) {
  Gate gate(dir_ + "/gate");
  auto pool = MakePool(Shell("gated", InDir(R"(
while IFS= read -r line; do
  IFS= read -r go < DIR/gate
  printf '{"output":%s}\n' $$
done
)")),
                       Options(3));
  ASSERT_NE(pool, nullptr);
  std::vector<WarmInvocation> invocations(10);
  {
    std::vector<std::jthread> callers;
    for (auto& invocation : invocations) {
      callers.emplace_back([&pool, &invocation] { invocation = pool->Invoke(json::object()); });
    }
    // Three calls are inside instances (started), blocked at the gate; the other seven wait.
    EXPECT_TRUE(AwaitStats(
        *pool,
        [](const WarmPoolStats& s) { return s.busy == 3 && s.waiting == 7 && s.cold_starts == 3; }))
        << "busy " << pool->stats().busy << ", waiting " << pool->stats().waiting;
    WarmPoolStats stats = pool->stats();
    EXPECT_EQ(stats.instances, 3u);
    EXPECT_EQ(stats.invocations, 0u);
    gate.Let(10);
  }
  std::set<pid_t> pids;
  for (const WarmInvocation& invocation : invocations) pids.insert(PidOf(invocation));
  EXPECT_EQ(pids.size(), 3u);
  WarmPoolStats stats = pool->stats();
  EXPECT_EQ(stats.cold_starts, 3u);
  EXPECT_EQ(stats.invocations, 10u);
  EXPECT_EQ(stats.instances, 3u);
  EXPECT_EQ(stats.busy, 0u);
  EXPECT_EQ(stats.waiting, 0u);
}

TEST_F(WarmPoolTest, ManyThreadsNeverStartMoreThanMaxConcurrencyInstances) {
  auto pool = MakePool(Shell("pid", kPidServer), Options(2));
  ASSERT_NE(pool, nullptr);
  constexpr int kThreads = 4;
  constexpr int kCallsEach = 25;
  std::vector<std::vector<WarmInvocation>> results(kThreads);
  {
    std::vector<std::jthread> callers;
    for (auto& mine : results) {
      callers.emplace_back([&pool, &mine] {
        for (int i = 0; i < kCallsEach; ++i) mine.push_back(pool->Invoke(json(i)));
      });
    }
  }
  std::set<pid_t> pids;
  for (const auto& mine : results) {
    for (const WarmInvocation& invocation : mine) pids.insert(PidOf(invocation));
  }
  // Nothing stops or discards instances here, so every instance ever started is still counted.
  WarmPoolStats stats = pool->stats();
  EXPECT_LE(pids.size(), 2u);
  EXPECT_LE(stats.cold_starts, 2u);
  EXPECT_EQ(stats.instances, stats.cold_starts);
  EXPECT_EQ(stats.invocations, static_cast<std::uint64_t>(kThreads * kCallsEach));
}

TEST_F(WarmPoolTest, WaitingCallTimesOutWhenNoInstanceFreesUp) {
  Gate gate(dir_ + "/gate");
  auto pool = MakePool(Shell("gated", InDir(R"(
while IFS= read -r line; do
  IFS= read -r go < DIR/gate
  printf '{"output":%s}\n' $$
done
)")),
                       Options(1));
  ASSERT_NE(pool, nullptr);
  WarmInvocation first;
  {
    std::jthread caller([&] { first = pool->Invoke(json::object()); });
    ASSERT_TRUE(AwaitStats(*pool, [](const WarmPoolStats& s) { return s.busy == 1; }));
    WarmInvocation second = pool->Invoke(json::object(), Clock::now() + 200ms);
    EXPECT_EQ(second.outcome.error, "States.Timeout");
    EXPECT_EQ(second.outcome.cause,
              "function 'gated' had no free instance before the deadline (max_concurrency 1)");
    EXPECT_GE(second.queued, 150ms);
    EXPECT_FALSE(second.cold_start);
    EXPECT_EQ(pool->stats().waiting, 0u);
    gate.Let(1);
  }
  EXPECT_TRUE(first.outcome.succeeded) << first.outcome.cause;
  EXPECT_EQ(pool->stats().cold_starts, 1u);
  EXPECT_EQ(pool->stats().invocations, 2u);
}

TEST_F(WarmPoolTest, IdleInstancesAreStoppedAfterIdleTimeout) {
  Gate gate(dir_ + "/gate");
  WarmPoolOptions options = Options(2);
  options.idle_timeout = 200ms;
  // On end of input (the pool stopping it) an instance leaves a note, proving it was asked to
  // exit rather than killed outright.
  auto pool = MakePool(Shell("idle", InDir(R"(
while IFS= read -r line; do
  case "$line" in *gate*) IFS= read -r go < DIR/gate ;; esac
  printf '{"output":%s}\n' $$
done
echo bye > DIR/bye.$$
)")),
                       options);
  ASSERT_NE(pool, nullptr);
  WarmInvocation a, b;
  {
    std::jthread first([&] { a = pool->Invoke(json("gate")); });
    std::jthread second([&] { b = pool->Invoke(json("gate")); });
    EXPECT_TRUE(AwaitStats(*pool, [](const WarmPoolStats& s) { return s.busy == 2; }));
    gate.Let(2);
  }
  const pid_t pid_a = PidOf(a);
  const pid_t pid_b = PidOf(b);
  EXPECT_NE(pid_a, pid_b);
  EXPECT_EQ(pool->stats().cold_starts, 2u);

  EXPECT_TRUE(AwaitStats(*pool, [](const WarmPoolStats& s) { return s.instances == 0; }))
      << pool->stats().instances << " instances left";
  EXPECT_TRUE(IsReaped(pid_a));
  EXPECT_TRUE(IsReaped(pid_b));
  EXPECT_EQ(ReadFile(dir_ + "/bye." + std::to_string(pid_a)), "bye\n");
  EXPECT_EQ(ReadFile(dir_ + "/bye." + std::to_string(pid_b)), "bye\n");
  errno = 0;
  EXPECT_EQ(::waitpid(-1, nullptr, WNOHANG), -1);
  EXPECT_EQ(errno, ECHILD);

  WarmInvocation again = pool->Invoke(json("again"));
  EXPECT_TRUE(again.cold_start);
  EXPECT_NE(PidOf(again), pid_a);
  EXPECT_EQ(pool->stats().cold_starts, 3u);
}

TEST_F(WarmPoolTest, DeadlineKillsTheInstanceProcessGroup) {
  // The instance starts a background child before serving; a "block" request waits for it.
  auto pool = MakePool(Shell("slow", InDir(R"(
sleep 100 &
echo "$$ $!" > DIR/pids
while IFS= read -r line; do
  case "$line" in *block*) wait ;; esac
  printf '{"output":%s}\n' $$
done
)")),
                       Options());
  ASSERT_NE(pool, nullptr);
  // The first answer proves the pids are written: the script writes them before serving.
  const pid_t leader = PidOf(pool->Invoke(json("fast")));
  std::istringstream pids(ReadFile(dir_ + "/pids"));
  pid_t script_pid = 0, sleep_pid = 0;
  ASSERT_TRUE(pids >> script_pid >> sleep_pid);
  ASSERT_EQ(script_pid, leader);
  ASSERT_FALSE(IsDead(sleep_pid));

  const auto start = Clock::now();
  WarmInvocation blocked = pool->Invoke(json("block"), Clock::now() + 300ms);
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_FALSE(blocked.outcome.succeeded);
  EXPECT_EQ(blocked.outcome.error, "States.Timeout");
  EXPECT_EQ(blocked.outcome.cause, "function 'slow' did not finish before the deadline");
  EXPECT_TRUE(IsReaped(leader));
  // The background child was orphaned; its new parent reaps it in its own time.
  EXPECT_TRUE(AwaitDead(sleep_pid)) << "the background child survived the timeout";
  EXPECT_EQ(pool->stats().instances, 0u);

  WarmInvocation next = pool->Invoke(json("fast"));
  EXPECT_TRUE(next.cold_start);
  EXPECT_NE(PidOf(next), leader);
  EXPECT_EQ(pool->stats().cold_starts, 2u);
}

TEST_F(WarmPoolTest, PastDeadlineFailsWithoutTouchingTheInstance) {
  auto pool = MakePool(Shell("pid", kPidServer), Options());
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json::object()));
  WarmInvocation late = pool->Invoke(json::object(), Clock::now() - 1ms);
  EXPECT_EQ(late.outcome.error, "States.Timeout");
  EXPECT_EQ(late.outcome.cause, "the deadline passed before function 'pid' could start");
  EXPECT_EQ(PidOf(pool->Invoke(json::object())), pid);
  EXPECT_EQ(pool->stats().cold_starts, 1u);
  EXPECT_EQ(pool->stats().invocations, 3u);
}

TEST_F(WarmPoolTest, TimeoutOptionLimitsEachInvocation) {
  WarmPoolOptions options = Options();
  options.limits.timeout = 200ms;
  auto pool =
      MakePool(Shell("sleepy", "while IFS= read -r line; do sleep 10; echo 1; done"), options);
  ASSERT_NE(pool, nullptr);
  const auto start = Clock::now();
  WarmInvocation invocation = pool->Invoke(json::object());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(invocation.outcome.error, "States.Timeout");
  EXPECT_EQ(invocation.outcome.cause, "function 'sleepy' did not finish within 200 ms");
  EXPECT_GE(invocation.duration, 200ms);
  EXPECT_EQ(pool->stats().instances, 0u);
}

TEST_F(WarmPoolTest, CrashFailsTheCallAndTheNextCallStartsAFreshInstance) {
  auto pool = MakePool(Shell("crashy", R"(
while IFS= read -r line; do
  case "$line" in *crash*) echo 'about to fail' >&2; echo 'boom' >&2; exit 3 ;; esac
  printf '{"output":%s}\n' $$
done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  const pid_t first = PidOf(pool->Invoke(json("ok")));
  WarmInvocation crash = pool->Invoke(json("crash"));
  EXPECT_FALSE(crash.outcome.succeeded);
  EXPECT_EQ(crash.outcome.error, "Stepwise.FunctionCrashed");
  EXPECT_EQ(crash.outcome.cause,
            "function 'crashy' exited with status 3 before answering; stderr: about to "
            "fail\nboom");
  EXPECT_TRUE(IsReaped(first));
  EXPECT_EQ(pool->stats().instances, 0u);

  WarmInvocation next = pool->Invoke(json("ok"));
  EXPECT_TRUE(next.cold_start);
  EXPECT_NE(PidOf(next), first);
  EXPECT_EQ(pool->stats().cold_starts, 2u);
  EXPECT_EQ(pool->stats().instances, 1u);
}

TEST_F(WarmPoolTest, SilentDeathReportsTheSignal) {
  auto pool = MakePool(Shell("doomed", "while IFS= read -r line; do kill -9 $$; done"), Options());
  ASSERT_NE(pool, nullptr);
  WarmInvocation invocation = pool->Invoke(json::object());
  EXPECT_EQ(invocation.outcome.error, "Stepwise.FunctionCrashed");
  EXPECT_THAT(invocation.outcome.cause, StartsWith("function 'doomed' was killed by signal 9"));
  EXPECT_THAT(invocation.outcome.cause, ::testing::EndsWith("before answering"));
}

TEST_F(WarmPoolTest, ClosingStdoutIsACrash) {
  auto pool = MakePool(
      Shell("mute", "while IFS= read -r line; do echo gone >&2; exec >&-; sleep 100; done"),
      Options());
  ASSERT_NE(pool, nullptr);
  const auto start = Clock::now();
  WarmInvocation invocation = pool->Invoke(json::object());
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_EQ(invocation.outcome.error, "Stepwise.FunctionCrashed");
  EXPECT_EQ(invocation.outcome.cause,
            "function 'mute' closed its stdout before answering; stderr: gone");
}

TEST_F(WarmPoolTest, MalformedLinesFailAndDiscardTheInstance) {
  auto pool = MakePool(Shell("sloppy", R"(
while IFS= read -r line; do
  case "$line" in
    *'"text"'*) echo 'not json at all' ;;
    *'"array"'*) echo '[1,2]' ;;
    *'"other"'*) echo '{"result":1}' ;;
    *) printf '{"output":%s}\n' $$ ;;
  esac
done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  struct Case {
    const char* input;
    const char* cause;
  };
  const Case cases[] = {
      {"text",
       "function 'sloppy' answered with a line that is not a response (the line is not JSON): "
       "not json at all"},
      {"array",
       "function 'sloppy' answered with a line that is not a response (the line is not a JSON "
       "object): [1,2]"},
      {"other",
       "function 'sloppy' answered with a line that is not a response (the object has none of "
       "\"output\", \"error\" (a string) or \"errorType\" (a string)): {\"result\":1}"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.input);
    WarmInvocation good = pool->Invoke(json("good"));
    const pid_t pid = PidOf(good);
    WarmInvocation bad = pool->Invoke(json(c.input));
    EXPECT_EQ(bad.outcome.error, "Stepwise.FunctionProtocolError");
    EXPECT_EQ(bad.outcome.cause, c.cause);
    EXPECT_TRUE(IsReaped(pid));
    WarmInvocation after = pool->Invoke(json("good"));
    EXPECT_TRUE(after.cold_start);
    EXPECT_NE(PidOf(after), pid);
  }
}

TEST_F(WarmPoolTest, ReportedErrorsKeepTheInstanceWarm) {
  auto pool = MakePool(Shell("picky", R"(
while IFS= read -r line; do
  case "$line" in
    *declined*) echo '{"error":"Card.Declined","cause":"no funds"}' ;;
    *lambda*) echo '{"errorType":"ValueError","errorMessage":"bad n"}' ;;
    *) printf '{"output":%s}\n' $$ ;;
  esac
done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json("hello")));
  WarmInvocation declined = pool->Invoke(json("declined"));
  EXPECT_FALSE(declined.outcome.succeeded);
  EXPECT_EQ(declined.outcome.error, "Card.Declined");
  EXPECT_EQ(declined.outcome.cause, "no funds");
  WarmInvocation lambda = pool->Invoke(json("lambda"));
  EXPECT_EQ(lambda.outcome.error, "ValueError");
  EXPECT_EQ(lambda.outcome.cause, R"({"errorMessage":"bad n","errorType":"ValueError"})");
  EXPECT_EQ(PidOf(pool->Invoke(json("hello"))), pid);
  EXPECT_EQ(pool->stats().cold_starts, 1u);
}

TEST_F(WarmPoolTest, OversizedResponseIsDataLimitExceeded) {
  WarmPoolOptions options = Options();
  options.limits.max_output_bytes = 1000;
  auto pool = MakePool(Shell("big", R"(
while IFS= read -r line; do
  case "$line" in
    *big*) printf '{"output":"'; head -c 5000 /dev/zero | tr '\0' a; printf '"}\n' ;;
    *) printf '{"output":%s}\n' $$ ;;
  esac
done
)"),
                       options);
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json("small")));
  WarmInvocation big = pool->Invoke(json("big"));
  EXPECT_EQ(big.outcome.error, "States.DataLimitExceeded");
  EXPECT_EQ(big.outcome.cause,
            "function 'big' wrote a line of more than 1000 bytes to stdout, the limit for a "
            "function's output");
  EXPECT_TRUE(IsReaped(pid));
  WarmInvocation next = pool->Invoke(json("small"));
  EXPECT_TRUE(next.cold_start);
  EXPECT_NE(PidOf(next), pid);
}

TEST_F(WarmPoolTest, ExtraLineAfterTheAnswerDiscardsTheInstance) {
  auto pool = MakePool(Shell("twice", R"(
while IFS= read -r line; do printf '{"output":%s}\n{"output":"extra"}\n' $$; done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  WarmInvocation first = pool->Invoke(json::object());
  const pid_t pid = PidOf(first);
  WarmInvocation second = pool->Invoke(json::object());
  EXPECT_TRUE(second.cold_start) << "the extra line was taken for the next answer";
  EXPECT_NE(PidOf(second), pid);
  EXPECT_TRUE(IsReaped(pid));
}

TEST_F(WarmPoolTest, BlankLinesAndChattyStderrAreFine) {
  // 1 MB of stderr per call would fill the pipe many times over if nobody read it.
  auto pool = MakePool(Shell("chatty", R"(
while IFS= read -r line; do
  head -c 1000000 /dev/zero | tr '\0' x >&2
  printf '\n  \n{"output":%s}\n' $$
done
)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json::object()));
  EXPECT_EQ(PidOf(pool->Invoke(json::object())), pid);
  EXPECT_EQ(pool->stats().cold_starts, 1u);
}

TEST_F(WarmPoolTest, InstanceThatExitsWhileIdleIsReapedAtOnce) {
  auto pool = MakePool(Shell("once", R"(IFS= read -r line; printf '{"output":%s}\n' $$; exit 0)"),
                       Options());
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json::object()));
  // No idle timeout here: only noticing the exit brings the count down.
  EXPECT_TRUE(AwaitStats(*pool, [](const WarmPoolStats& s) { return s.instances == 0; }));
  EXPECT_TRUE(IsReaped(pid));
  WarmInvocation next = pool->Invoke(json::object());
  EXPECT_TRUE(next.cold_start);
  EXPECT_TRUE(next.outcome.succeeded) << next.outcome.error << ": " << next.outcome.cause;
}

TEST_F(WarmPoolTest, MissingProgramFailsWithTaskFailed) {
  auto pool = MakePool({"ghost", {"/nonexistent/ghost", "--flag"}}, Options());
  ASSERT_NE(pool, nullptr);
  WarmInvocation invocation = pool->Invoke(json::object());
  EXPECT_EQ(invocation.outcome.error, "States.TaskFailed");
  EXPECT_EQ(invocation.outcome.cause,
            "cannot run function 'ghost': /nonexistent/ghost: No such file or directory");
  EXPECT_FALSE(invocation.cold_start);
  WarmPoolStats stats = pool->stats();
  EXPECT_EQ(stats.cold_starts, 0u);
  EXPECT_EQ(stats.instances, 0u);
  EXPECT_EQ(stats.busy, 0u);
  EXPECT_EQ(stats.invocations, 1u);
}

TEST_F(WarmPoolTest, CreateRejectsAnEmptyCommandAndZeroConcurrency) {
  absl::StatusOr<std::unique_ptr<WarmPool>> empty = WarmPool::Create({"none", {}}, Options());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(empty.status().message(), HasSubstr("its command is empty"));
  absl::StatusOr<std::unique_ptr<WarmPool>> zero =
      WarmPool::Create(Shell("pid", kPidServer), Options(0));
  EXPECT_EQ(zero.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(zero.status().message(), HasSubstr("max_concurrency is 0"));
}

TEST_F(WarmPoolTest, DestructionLetsInstancesExitOnEndOfInput) {
  WarmPoolOptions options = Options();
  options.stop_grace = 20s;  // far longer than the test may take: the exit is awaited, not slept
  auto pool = MakePool(Shell("polite", InDir(R"(
while IFS= read -r line; do printf '{"output":%s}\n' $$; done
echo bye > DIR/bye.$$
)")),
                       options);
  ASSERT_NE(pool, nullptr);
  const pid_t pid = PidOf(pool->Invoke(json::object()));
  const auto start = Clock::now();
  pool.reset();
  EXPECT_LT(Clock::now() - start, 5s);
  EXPECT_TRUE(IsReaped(pid));
  EXPECT_EQ(ReadFile(dir_ + "/bye." + std::to_string(pid)), "bye\n");
}

TEST_F(WarmPoolTest, DestructionKillsInstancesThatIgnoreEndOfInput) {
  WarmPoolOptions options = Options();
  options.stop_grace = 200ms;
  auto pool = MakePool(Shell("stubborn", InDir(R"(
sleep 100 &
echo "$$ $!" > DIR/pids
while IFS= read -r line; do printf '{"output":%s}\n' $$; done
wait
)")),
                       options);
  ASSERT_NE(pool, nullptr);
  const pid_t leader = PidOf(pool->Invoke(json::object()));
  std::istringstream pids(ReadFile(dir_ + "/pids"));
  pid_t script_pid = 0, sleep_pid = 0;
  ASSERT_TRUE(pids >> script_pid >> sleep_pid);
  ASSERT_EQ(script_pid, leader);

  const auto start = Clock::now();
  pool.reset();
  const auto elapsed = Clock::now() - start;
  EXPECT_GE(elapsed, 200ms);
  EXPECT_LT(elapsed, 5s);
  EXPECT_TRUE(IsReaped(leader));
  EXPECT_TRUE(AwaitDead(sleep_pid)) << "the instance's background child survived the pool";
}

}  // namespace
}  // namespace stepwise::workers
