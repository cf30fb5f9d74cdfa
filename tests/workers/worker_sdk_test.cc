// The worker SDK against a real server: RocksDB in a temp dir, gRPC on 127.0.0.1, and real
// Worker objects whose handlers the tests drive. Handlers signal the test through promises
// and condition variables; the test awaits executions by watching their history.
#include <gmock/gmock.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <mutex>
#include <stdexcept>
#include <string>
#include <vector>

#include "api/api_test_server.h"
#include "api/http_test_client.h"
#include "stepwise/workers/worker.h"

namespace stepwise::workers {
namespace {

using api::testing::Context;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Long enough for anything these tests wait for on a loaded machine; reached only on failure.
constexpr seconds kPatience{20};

constexpr const char* kDoubleMachine = R"json({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:double", "End": true}}})json";

constexpr const char* kRetryCatchMachine = R"json({"StartAt": "Flaky", "States": {
  "Flaky": {"Type": "Task", "Resource": "function:flaky", "Next": "Done",
            "Retry": [{"ErrorEquals": ["Transient"], "IntervalSeconds": 1, "MaxAttempts": 1}],
            "Catch": [{"ErrorEquals": ["Fatal"], "ResultPath": "$.caught", "Next": "Done"}]},
  "Done": {"Type": "Pass", "End": true}}})json";

constexpr const char* kUnnamedFailuresMachine = R"json({"StartAt": "Plain", "States": {
  "Plain": {"Type": "Task", "Resource": "function:plain", "Next": "Throwing",
            "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.plain",
                       "Next": "Throwing"}]},
  "Throwing": {"Type": "Task", "Resource": "function:throwing", "End": true,
               "Catch": [{"ErrorEquals": ["States.TaskFailed"], "ResultPath": "$.thrown",
                          "Next": "Done"}]},
  "Done": {"Type": "Pass", "End": true}}})json";

constexpr const char* kHeartbeatMachine = R"json({"StartAt": "Long", "States": {
  "Long": {"Type": "Task", "Resource": "function:long", "HeartbeatSeconds": 1,
           "TimeoutSeconds": 60, "End": true}}})json";

constexpr const char* kTimedMachine = R"json({"StartAt": "Timed", "States": {
  "Timed": {"Type": "Task", "Resource": "function:timed", "TimeoutSeconds": 30,
            "End": true}}})json";

constexpr const char* kFinishingMachine = R"json({"StartAt": "Finish", "States": {
  "Finish": {"Type": "Task", "Resource": "function:finishing", "End": true}}})json";

constexpr const char* kStuckMachine = R"json({"StartAt": "Stuck", "States": {
  "Stuck": {"Type": "Task", "Resource": "function:stuck", "End": true}}})json";

// The worker's log lines, for tests that wait for what it reports.
class LogLines {
 public:
  struct Line {
    LogLevel level;
    std::string text;
    Clock::time_point at;
  };

  void Add(LogLevel level, std::string_view text) {
    {
      std::lock_guard lock(mutex_);
      lines_.push_back(Line{level, std::string(text), Clock::now()});
    }
    added_.notify_all();
  }

  // The lines containing `text`, once there are `count` of them (fewer after kPatience).
  std::vector<Line> Await(std::string_view text, std::size_t count) {
    std::unique_lock lock(mutex_);
    std::vector<Line> found;
    added_.wait_for(lock, kPatience, [&] {
      found.clear();
      for (const Line& line : lines_) {
        if (line.text.find(text) != std::string::npos) found.push_back(line);
      }
      return found.size() >= count;
    });
    return found;
  }

 private:
  std::mutex mutex_;
  std::condition_variable added_;
  std::vector<Line> lines_;
};

class WorkerSdkTest : public api::testing::ApiTest {
 protected:
  WorkerOptions Options(int concurrency = 1) {
    WorkerOptions options;
    options.server = "127.0.0.1:" + std::to_string(server_->grpc_port());
    options.concurrency = concurrency;
    options.log = [this](LogLevel level, std::string_view text) { logs_.Add(level, text); };
    return options;
  }

  LogLines logs_;
};

template <typename T>
bool Ready(std::future<T>& future) {
  return future.wait_for(kPatience) == std::future_status::ready;
}

TEST(TaskErrorTest, ANamedErrorKeepsItsNameAndCauseAndAPlainStatusIsATaskFailure) {
  absl::Status named = TaskError("Resize.TooLarge", "the image has 90000 pixels a side");
  EXPECT_FALSE(named.ok());
  EXPECT_EQ(ErrorName(named), "Resize.TooLarge");
  EXPECT_EQ(ErrorCause(named), "the image has 90000 pixels a side");

  absl::Status plain = absl::NotFoundError("no such image");
  EXPECT_EQ(ErrorName(plain), "States.TaskFailed");
  EXPECT_EQ(ErrorCause(plain), "NOT_FOUND: no such image");
  EXPECT_EQ(ErrorName(TaskError("", "unnamed")), "States.TaskFailed");
}

TEST(InvocationTest, RemainingTimeCountsDownToZeroAndCancelWakesAWaitingHandler) {
  TaskInfo soon;
  soon.deadline = std::chrono::system_clock::now() + seconds(30);
  Invocation running(soon, json::object());
  EXPECT_GT(running.remaining(), seconds(25));
  EXPECT_LE(running.remaining(), seconds(30));

  TaskInfo past;
  past.deadline = std::chrono::system_clock::now() - seconds(1);
  EXPECT_EQ(Invocation(past, json::object()).remaining(), milliseconds(0));
  EXPECT_EQ(Invocation(TaskInfo{}, json::object()).remaining(), milliseconds::max());

  EXPECT_FALSE(running.cancelled());
  EXPECT_FALSE(running.WaitForCancel(milliseconds(1)));
  std::future<bool> woken =
      std::async(std::launch::async, [&] { return running.WaitForCancel(milliseconds::max()); });
  // "Forever" must not come back by itself (as an overflowed deadline in the past would).
  EXPECT_EQ(woken.wait_for(milliseconds(100)), std::future_status::timeout);
  running.Cancel();
  ASSERT_TRUE(Ready(woken));
  EXPECT_TRUE(woken.get());
  EXPECT_TRUE(running.cancelled());
}

TEST_F(WorkerSdkTest, AHandlersValueIsTheTaskOutput) {
  Create("work", kDoubleMachine);
  Worker worker(Options());
  std::mutex mutex;
  std::vector<TaskInfo> seen;
  worker.Handle("double", [&](const Invocation& call) -> absl::StatusOr<json> {
    std::lock_guard lock(mutex);
    seen.push_back(call.task());
    return json{{"x", call.input()["x"].get<int>() * 2}};
  });
  ASSERT_TRUE(worker.Start().ok());

  std::string id = Start("work", "one", R"({"x": 21})");
  v1::Execution done = AwaitEnd(id);
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  EXPECT_EQ(json::parse(done.output()), (json{{"x", 42}}));

  worker.Shutdown(seconds(5));
  std::lock_guard lock(mutex);
  ASSERT_EQ(seen.size(), 1u);
  EXPECT_EQ(seen[0].execution_id, id);
  EXPECT_EQ(seen[0].state_name, "Work");
  EXPECT_EQ(seen[0].function, "double");
  EXPECT_EQ(seen[0].resource, "function:double");
  EXPECT_EQ(seen[0].attempt, 0);
  EXPECT_FALSE(seen[0].callback);
  EXPECT_FALSE(seen[0].token.empty());
}

TEST_F(WorkerSdkTest, AFunctionsFirstCallInAProcessIsItsColdStartUnlessTheHandlerSaysOtherwise) {
  Create("work", kDoubleMachine);
  Worker worker(Options());
  std::mutex mutex;
  std::vector<bool> seen;  // cold_start() as each call saw it
  worker.Handle("double", [&](const Invocation& call) -> absl::StatusOr<json> {
    std::lock_guard lock(mutex);
    seen.push_back(call.cold_start());
    // A handler running its work elsewhere reports what happened there: here the third call
    // pretends to have started a fresh process.
    if (seen.size() == 3) call.ReportColdStart(true);
    return json{{"x", 1}};
  });
  ASSERT_TRUE(worker.Start().ok());
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(AwaitEnd(Start("work", "run" + std::to_string(i), R"({"x": 1})")).status(),
              v1::SUCCEEDED);
  }
  worker.Shutdown(seconds(5));
  {
    std::lock_guard lock(mutex);
    EXPECT_EQ(seen, (std::vector<bool>{true, false, false}));
  }
  json function =
      api::testing::HttpTestClient(server_->http_port()).GetJson("/v1/functions/double");
  EXPECT_EQ(function["cold_starts"], 2);
  EXPECT_EQ(function["durations"]["count"], 3);
}

TEST_F(WorkerSdkTest, ANamedErrorIsRetriedByNameThenCaughtByName) {
  Create("flaky", kRetryCatchMachine);
  Worker worker(Options());
  std::mutex mutex;
  std::vector<int> attempts;
  worker.Handle("flaky", [&](const Invocation& call) -> absl::StatusOr<json> {
    std::lock_guard lock(mutex);
    attempts.push_back(call.task().attempt);
    if (call.task().attempt == 0) return TaskError("Transient", "try again");
    return TaskError("Fatal", "gave up");
  });
  ASSERT_TRUE(worker.Start().ok());

  v1::Execution done = AwaitEnd(Start("flaky", "f", R"({"n": 1})"));
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  EXPECT_EQ(json::parse(done.output()),
            (json{{"n", 1}, {"caught", {{"Error", "Fatal"}, {"Cause", "gave up"}}}}));
  std::lock_guard lock(mutex);
  EXPECT_EQ(attempts, (std::vector<int>{0, 1}));
}

TEST_F(WorkerSdkTest, APlainStatusOrAnExceptionFailsTheTaskAsStatesTaskFailed) {
  Create("unnamed", kUnnamedFailuresMachine);
  Worker worker(Options());
  worker.Handle("plain", [](const Invocation&) -> absl::StatusOr<json> {
    return absl::NotFoundError("no such image");
  });
  worker.Handle("throwing", [](const Invocation&) -> absl::StatusOr<json> {
    throw std::runtime_error("out of film");
  });
  ASSERT_TRUE(worker.Start().ok());

  v1::Execution done = AwaitEnd(Start("unnamed", "u", "{}"));
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  json output = json::parse(done.output());
  EXPECT_EQ(output["plain"],
            (json{{"Error", "States.TaskFailed"}, {"Cause", "NOT_FOUND: no such image"}}));
  EXPECT_EQ(output["thrown"],
            (json{{"Error", "States.TaskFailed"}, {"Cause", "the handler threw: out of film"}}));
}

TEST_F(WorkerSdkTest, HeartbeatsKeepATaskAliveLongPastItsHeartbeatSeconds) {
  Create("long", kHeartbeatMachine);
  Worker worker(Options());
  worker.Handle("long", [](const Invocation& call) -> absl::StatusOr<json> {
    // The work itself: 2.5 s, two and a half times HeartbeatSeconds. Without heartbeats the
    // server times the task out after 1 s and the execution fails.
    bool cancelled = call.WaitForCancel(milliseconds(2500));
    return json{{"cancelled", cancelled}};
  });
  ASSERT_TRUE(worker.Start().ok());

  v1::Execution done = AwaitEnd(Start("long", "l", "{}"));
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  EXPECT_EQ(json::parse(done.output()), (json{{"cancelled", false}}));
}

TEST_F(WorkerSdkTest, StoppingTheExecutionCancelsTheRunningInvocation) {
  Create("long", kHeartbeatMachine);
  Worker worker(Options());
  std::promise<void> started;
  std::promise<bool> saw_cancel;
  worker.Handle("long", [&](const Invocation& call) -> absl::StatusOr<json> {
    started.set_value();
    saw_cancel.set_value(call.WaitForCancel(kPatience));
    return json::object();
  });
  ASSERT_TRUE(worker.Start().ok());

  std::string id = Start("long", "stopped", "{}");
  std::future<void> running = started.get_future();
  ASSERT_TRUE(Ready(running));
  v1::StopExecutionRequest stop;
  stop.set_execution_id(id);
  v1::StopExecutionResponse stopped;
  ASSERT_TRUE(executions_->StopExecution(Context().get(), stop, &stopped).ok());

  std::future<bool> cancelled = saw_cancel.get_future();
  ASSERT_TRUE(Ready(cancelled));
  EXPECT_TRUE(cancelled.get());
  EXPECT_EQ(AwaitEnd(id).status(), v1::ABORTED);
  // The result of a cancelled invocation is not sent (the server would refuse it).
  EXPECT_EQ(logs_.Await("its result is not sent", 1).size(), 1u);
}

TEST_F(WorkerSdkTest, TheHandlerSeesItsDeadlineAndTheTimeRemaining) {
  Create("timed", kTimedMachine);
  Worker worker(Options());
  std::promise<std::pair<milliseconds, std::chrono::system_clock::time_point>> seen;
  worker.Handle("timed", [&](const Invocation& call) -> absl::StatusOr<json> {
    seen.set_value({call.remaining(), call.deadline()});
    return json::object();
  });
  ASSERT_TRUE(worker.Start().ok());

  auto before = std::chrono::system_clock::now();
  v1::Execution done = AwaitEnd(Start("timed", "t", "{}"));
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  auto future = seen.get_future();
  ASSERT_TRUE(Ready(future));
  auto [remaining, deadline] = future.get();
  EXPECT_GT(remaining, milliseconds(0));
  EXPECT_LE(remaining, seconds(30));
  EXPECT_GT(remaining, seconds(20)) << "the deadline is TimeoutSeconds (30) after scheduling";
  // Both clocks are this machine's; the server stamps the deadline in whole milliseconds.
  EXPECT_GE(deadline, before + seconds(30) - milliseconds(1));
  EXPECT_LE(deadline, std::chrono::system_clock::now() + seconds(30));
}

TEST_F(WorkerSdkTest, AWorkerNeverTakesMoreTasksThanItHasSlots) {
  constexpr int kSlots = 3;
  constexpr int kExecutions = 20;
  Create("work", kDoubleMachine);
  std::atomic<int> calls{0};
  std::atomic<int> running{0};
  std::atomic<int> most{0};
  std::mutex mutex;
  std::condition_variable arrived;
  std::promise<void> release;
  std::shared_future<void> released = release.get_future().share();
  Worker worker(Options(kSlots));
  worker.Handle("double", [&](const Invocation& call) -> absl::StatusOr<json> {
    ++calls;
    int now = ++running;
    int seen = most.load();
    while (now > seen && !most.compare_exchange_weak(seen, now)) {
    }
    {
      std::lock_guard lock(mutex);
      arrived.notify_all();
    }
    released.wait_for(kPatience);
    --running;
    return json{{"x", call.input()["x"].get<int>() * 2}};
  });
  ASSERT_TRUE(worker.Start().ok());

  std::vector<std::string> ids;
  auto start = [&](int i) {
    ids.push_back(Start("work", "n" + std::to_string(i), json{{"x", i}}.dump()));
  };
  for (int i = 0; i < kSlots; ++i) start(i);
  bool all_busy;
  {
    std::unique_lock lock(mutex);
    all_busy = arrived.wait_for(lock, kPatience, [&] { return running.load() == kSlots; });
  }
  // Every slot is busy, so the worker must have no poll waiting on the server: a new task stays
  // queued for the next poller, here the test. (A waiting poll of the worker's, being older,
  // would be served first.)
  start(kSlots);
  v1::Task extra = all_busy ? PollOne("double") : v1::Task();
  release.set_value();
  ASSERT_TRUE(all_busy) << running.load() << " of " << kSlots << " slots ever got busy";
  EXPECT_EQ(extra.execution_id(), ids[kSlots]) << "the worker took a task with no slot free";
  ASSERT_TRUE(Succeed(extra.token(), json{{"x", 2 * kSlots}}.dump()).ok());

  for (int i = kSlots + 1; i < kExecutions; ++i) start(i);
  for (int i = 0; i < kExecutions; ++i) {
    v1::Execution done = AwaitEnd(ids[i]);
    ASSERT_EQ(done.status(), v1::SUCCEEDED) << ids[i] << ": " << done.error();
    EXPECT_EQ(json::parse(done.output()), (json{{"x", 2 * i}}));
  }
  EXPECT_EQ(most.load(), kSlots);
  EXPECT_EQ(calls.load(), kExecutions - 1);  // all but the one the test completed
}

TEST_F(WorkerSdkTest, ShutdownLetsAnInvocationFinishAndHandsBackOneThatOutlivesTheGrace) {
  constexpr milliseconds kGrace{1500};
  Create("finishing", kFinishingMachine);
  Create("stuck", kStuckMachine);
  Worker worker(Options(2));
  std::promise<void> finishing_started, stuck_started, release;
  std::shared_future<void> released = release.get_future().share();
  std::promise<bool> stuck_saw_cancel;
  std::atomic<int> finishing_calls{0};
  worker.Handle("finishing", [&](const Invocation&) -> absl::StatusOr<json> {
    if (++finishing_calls == 1) finishing_started.set_value();
    released.wait();
    return json{{"finished", true}};
  });
  worker.Handle("stuck", [&](const Invocation& call) -> absl::StatusOr<json> {
    stuck_started.set_value();
    stuck_saw_cancel.set_value(call.WaitForCancel(kPatience));
    return json{{"late", true}};
  });
  ASSERT_TRUE(worker.Start().ok());

  std::string finishing = Start("finishing", "a", "{}");
  std::string stuck = Start("stuck", "b", "{}");
  std::future<void> both[] = {finishing_started.get_future(), stuck_started.get_future()};
  ASSERT_TRUE(Ready(both[0]));
  ASSERT_TRUE(Ready(both[1]));
  // Both slots are busy, so this one stays on the server; after Stop() nothing polls for it.
  std::string waiting = Start("finishing", "c", "{}");

  auto stop_asked = Clock::now();
  worker.Stop(kGrace);
  release.set_value();  // the finishing invocation returns within the grace
  worker.Wait();
  EXPECT_GE(Clock::now() - stop_asked, kGrace) << "the stuck invocation was handed back early";

  v1::Execution finished = AwaitEnd(finishing);
  ASSERT_EQ(finished.status(), v1::SUCCEEDED) << finished.error() << ": " << finished.cause();
  EXPECT_EQ(json::parse(finished.output()), (json{{"finished", true}}));
  v1::Execution handed_back = AwaitEnd(stuck);
  EXPECT_EQ(handed_back.status(), v1::FAILED);
  EXPECT_EQ(handed_back.error(), kWorkerShutdownError);
  EXPECT_THAT(handed_back.cause(), HasSubstr("shut down"));
  std::future<bool> cancelled = stuck_saw_cancel.get_future();
  ASSERT_TRUE(Ready(cancelled));
  EXPECT_TRUE(cancelled.get());

  EXPECT_EQ(finishing_calls.load(), 1);
  EXPECT_EQ(Describe(waiting).status(), v1::RUNNING);
  EXPECT_EQ(PollOne("finishing").execution_id(), waiting);
}

TEST_F(WorkerSdkTest, AnUnreachableServerIsReportedAndRetriedWithGrowingPauses) {
  WorkerOptions options = Options();
  options.server = "127.0.0.1:1";  // nothing listens there: connections are refused
  options.retry_backoff = milliseconds(50);
  options.max_retry_backoff = seconds(1);
  // Four slots poll, and all fail: a failure pauses them all, with one line per pause.
  options.concurrency = 4;
  Worker worker(options);
  worker.Handle("anything", [](const Invocation&) -> absl::StatusOr<json> { return json(); });
  ASSERT_TRUE(worker.Start().ok());

  std::vector<LogLines::Line> failures =
      logs_.Await("cannot reach the Stepwise server at 127.0.0.1:1", 4);
  worker.Shutdown(seconds(1));
  ASSERT_EQ(failures.size(), 4u);
  EXPECT_EQ(failures[0].level, LogLevel::kWarning);
  EXPECT_THAT(failures[0].text, HasSubstr("UNAVAILABLE"));
  EXPECT_THAT(failures[0].text, HasSubstr("polling again in"));
  // Pauses are drawn from [d/2, d] with d = 50, 100, 200 ms: no spinning, and they grow.
  EXPECT_GE(failures[1].at - failures[0].at, milliseconds(25));
  EXPECT_GE(failures[3].at - failures[2].at, milliseconds(100));
}

TEST_F(WorkerSdkTest, StopCutsAPauseBetweenFailedPollsShort) {
  WorkerOptions options = Options();
  options.server = "127.0.0.1:1";
  options.retry_backoff = seconds(30);  // the first pause is at least 15 s
  options.max_retry_backoff = seconds(30);
  Worker worker(options);
  worker.Handle("anything", [](const Invocation&) -> absl::StatusOr<json> { return json(); });
  ASSERT_TRUE(worker.Start().ok());
  ASSERT_EQ(logs_.Await("polling again in", 1).size(), 1u);

  auto asked = Clock::now();
  worker.Shutdown(seconds(1));
  EXPECT_LT(Clock::now() - asked, seconds(5));
}

TEST_F(WorkerSdkTest, AWorkerReconnectsWhenTheServerRestartsAndServesAgain) {
  Create("work", kDoubleMachine);
  WorkerOptions options = Options();
  // Short pauses, so that the worker is soon back once the new server listens.
  options.retry_backoff = milliseconds(20);
  options.max_retry_backoff = milliseconds(200);
  Worker worker(options);
  worker.Handle("double", [](const Invocation& call) -> absl::StatusOr<json> {
    return json{{"x", call.input()["x"].get<int>() * 2}};
  });
  ASSERT_TRUE(worker.Start().ok());
  v1::Execution before = AwaitEnd(Start("work", "before", R"({"x": 1})"));
  ASSERT_EQ(before.status(), v1::SUCCEEDED) << before.error() << ": " << before.cause();

  // The same port, where the worker keeps connecting, and the same data: the machine survives.
  int port = server_->grpc_port();
  StopServer();
  ASSERT_NO_FATAL_FAILURE(StartServer({}, port));
  ASSERT_EQ(server_->grpc_port(), port);

  v1::Execution after = AwaitEnd(Start("work", "after", R"({"x": 5})"));
  ASSERT_EQ(after.status(), v1::SUCCEEDED) << after.error() << ": " << after.cause();
  EXPECT_EQ(json::parse(after.output()), (json{{"x", 10}}));
  // The broken stream was reported, and connected again after a pause.
  std::vector<LogLines::Line> broken = logs_.Await("polling again in", 1);
  ASSERT_GE(broken.size(), 1u);
  EXPECT_EQ(broken[0].level, LogLevel::kWarning);
  worker.Shutdown(seconds(5));
}

TEST_F(WorkerSdkTest, AFunctionAddedWhileRunningIsServed) {
  Create("work", kDoubleMachine);
  Create("triple", R"json({"StartAt": "Work", "States": {
    "Work": {"Type": "Task", "Resource": "function:triple", "End": true}}})json");
  Worker worker(Options());
  worker.Handle("double", [](const Invocation& call) -> absl::StatusOr<json> {
    return json{{"x", call.input()["x"].get<int>() * 2}};
  });
  ASSERT_TRUE(worker.Start().ok());
  // A task served proves the stream is up: the new function must reach a server that already
  // heard the worker's hello.
  v1::Execution doubled = AwaitEnd(Start("work", "doubled", R"({"x": 2})"));
  ASSERT_EQ(doubled.status(), v1::SUCCEEDED) << doubled.error() << ": " << doubled.cause();

  worker.Handle("triple", [](const Invocation& call) -> absl::StatusOr<json> {
    return json{{"x", call.input()["x"].get<int>() * 3}};
  });
  v1::Execution tripled = AwaitEnd(Start("triple", "tripled", R"({"x": 2})"));
  ASSERT_EQ(tripled.status(), v1::SUCCEEDED) << tripled.error() << ": " << tripled.cause();
  EXPECT_EQ(json::parse(tripled.output()), (json{{"x", 6}}));
  // The stream was renewed at once, not broken and retried after a pause.
  for (const LogLines::Line& line : logs_.Await("polling again in", 0)) {
    ADD_FAILURE() << "the stream broke: " << line.text;
  }
  worker.Shutdown(seconds(5));
}

TEST_F(WorkerSdkTest, TheBearerTokenIsSentAndAWrongOneIsReported) {
  StopServer();
  api::ServerOptions secured;
  secured.auth_token = "s3cret";
  StartServer(secured);
  auto authorized = [] {
    auto context = Context();
    context->AddMetadata("authorization", "Bearer s3cret");
    return context;
  };
  v1::CreateStateMachineRequest create;
  create.set_name("work");
  create.set_definition(kDoubleMachine);
  v1::StateMachine machine;
  ASSERT_TRUE(machines_->CreateStateMachine(authorized().get(), create, &machine).ok());

  auto doubling = [](const Invocation& call) -> absl::StatusOr<json> {
    return json{{"x", call.input()["x"].get<int>() * 2}};
  };
  {
    WorkerOptions wrong = Options();
    wrong.token = "guess";
    Worker worker(wrong);
    worker.Handle("double", doubling);
    ASSERT_TRUE(worker.Start().ok());
    std::vector<LogLines::Line> refused = logs_.Await("refused the worker", 1);
    ASSERT_EQ(refused.size(), 1u);
    EXPECT_THAT(refused[0].text, HasSubstr("UNAUTHENTICATED"));
    worker.Shutdown(seconds(1));
  }
  WorkerOptions right = Options();
  right.token = "s3cret";
  Worker worker(right);
  worker.Handle("double", doubling);
  ASSERT_TRUE(worker.Start().ok());
  v1::StartSyncExecutionRequest start;
  start.mutable_start()->set_state_machine("work");
  start.mutable_start()->set_input(R"({"x": 4})");
  start.set_timeout_ms(std::chrono::duration_cast<milliseconds>(kPatience).count());
  v1::Execution done;
  grpc::Status status = executions_->StartSyncExecution(authorized().get(), start, &done);
  ASSERT_TRUE(status.ok()) << status.error_message();
  ASSERT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
  EXPECT_EQ(json::parse(done.output()), (json{{"x", 8}}));
}

TEST_F(WorkerSdkTest, BadOptionsFailRunAtOnceAndAWorkerRunsOnce) {
  auto any = [](const Invocation&) -> absl::StatusOr<json> { return json(); };
  Worker no_handler(Options());
  EXPECT_EQ(no_handler.Run().code(), absl::StatusCode::kInvalidArgument);

  Worker no_slots(Options(0));
  no_slots.Handle("f", any);
  EXPECT_EQ(no_slots.Run().code(), absl::StatusCode::kInvalidArgument);

  WorkerOptions bad_ca = Options();
  bad_ca.tls_ca_file = "/nonexistent/ca.pem";
  Worker no_ca(bad_ca);
  no_ca.Handle("f", any);
  absl::Status refused = no_ca.Run();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(refused.message()), HasSubstr("/nonexistent/ca.pem"));

  Worker once(Options());
  once.Handle("f", any);
  once.Stop();  // before Run(): Run() returns at once
  EXPECT_TRUE(once.Run().ok());
  EXPECT_EQ(once.Run().code(), absl::StatusCode::kFailedPrecondition);
}

}  // namespace
}  // namespace stepwise::workers
