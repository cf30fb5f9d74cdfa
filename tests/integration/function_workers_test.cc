// Function workers end to end: a real server (in this process, so that a test can set function
// limits; RocksDB in a temp dir, gRPC on 127.0.0.1) and real `stepwise worker` processes that run
// real function processes: shell scripts, and stepwise_function_probe where a script would be
// too slow or could not count. One test per promise of the worker milestone: success, Retry with
// backoff, Catch, TimeoutSeconds, HeartbeatSeconds, a worker killed mid-task, the circuit
// breaker, max_concurrency, warm instances scaling up and back to zero, callback tokens,
// activities and lambda:invoke.
//
// Functions leave evidence in files (their calls, their pids); the test waits for events by
// watching executions or by polling for a condition with a deadline, never by sleeping.
#include <gmock/gmock.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api/api_test_server.h"
#include "cli/stepwise_process.h"
#include "integration/child_process.h"
#include "stepwise/engine/functions.h"

namespace stepwise::testing {
namespace {

using api::testing::Context;
using nlohmann::json;
using std::chrono::milliseconds;
using std::chrono::seconds;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;

// Long enough for anything these tests wait for on a loaded machine; reached only on failure.
constexpr seconds kPatience{20};

// --- state machines ---------------------------------------------------------------------------

constexpr const char* kGreetMachine = R"json({"StartAt": "Greet", "States": {
  "Greet": {"Type": "Task", "Resource": "function:greet",
            "Parameters": {"who.$": "$.name"}, "End": true}}})json";

constexpr const char* kFlakyMachine = R"json({"StartAt": "Flaky", "States": {
  "Flaky": {"Type": "Task", "Resource": "function:flaky", "End": true,
            "Retry": [{"ErrorEquals": ["Custom.Transient"], "IntervalSeconds": 1,
                       "BackoffRate": 1.5, "MaxAttempts": 2}]}}})json";

constexpr const char* kBrokenMachine = R"json({"StartAt": "Call", "States": {
  "Call": {"Type": "Task", "Resource": "function:broken", "Next": "Done",
           "Retry": [{"ErrorEquals": ["Custom.Transient"], "MaxAttempts": 3}],
           "Catch": [{"ErrorEquals": ["Custom.Broken"], "ResultPath": "$.failure",
                      "Next": "Recover"}]},
  "Recover": {"Type": "Pass", "Result": true, "ResultPath": "$.recovered", "Next": "Done"},
  "Done": {"Type": "Succeed"}}})json";

constexpr const char* kHangMachine = R"json({"StartAt": "Hang", "States": {
  "Hang": {"Type": "Task", "Resource": "function:hang", "TimeoutSeconds": 1, "End": true,
           "Catch": [{"ErrorEquals": ["States.Timeout"], "ResultPath": "$.timeout",
                      "Next": "TimedOut"}]},
  "TimedOut": {"Type": "Pass", "End": true}}})json";

constexpr const char* kSilentMachine = R"json({"StartAt": "Silent", "States": {
  "Silent": {"Type": "Task", "Resource": "function:silent", "HeartbeatSeconds": 1,
             "TimeoutSeconds": 30, "End": true}}})json";

// Heartbeats are due every second; a missed one is retried once (on another worker).
constexpr const char* kSturdyMachine = R"json({"StartAt": "Charge", "States": {
  "Charge": {"Type": "Task", "Resource": "function:sturdy", "HeartbeatSeconds": 1,
             "TimeoutSeconds": 20, "End": true,
             "Retry": [{"ErrorEquals": ["States.HeartbeatTimeout"], "IntervalSeconds": 1,
                        "MaxAttempts": 1}]}}})json";

// A refusal by an open circuit is caught like any error...
constexpr const char* kFailFastMachine = R"json({"StartAt": "Call", "States": {
  "Call": {"Type": "Task", "Resource": "function:fragile", "End": true,
           "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.caught",
                      "Next": "Caught"}]},
  "Caught": {"Type": "Pass", "End": true}}})json";

// ... or retried until the circuit lets a trial through.
constexpr const char* kPatientMachine = R"json({"StartAt": "Call", "States": {
  "Call": {"Type": "Task", "Resource": "function:fragile", "End": true,
           "Retry": [{"ErrorEquals": ["Stepwise.CircuitOpen"], "IntervalSeconds": 1,
                      "BackoffRate": 1.0, "MaxAttempts": 3}]}}})json";

constexpr const char* kBurstMachine = R"json({"StartAt": "Burst", "States": {
  "Burst": {"Type": "Map", "ItemsPath": "$.items", "MaxConcurrency": 0, "End": true,
            "ItemProcessor": {"StartAt": "Probe", "States": {
              "Probe": {"Type": "Task", "Resource": "function:probe", "End": true}}}}}})json";

constexpr const char* kWarmMachine = R"json({"StartAt": "Serve", "States": {
  "Serve": {"Type": "Task", "Resource": "function:warm", "End": true}}})json";

constexpr const char* kCallbackMachine = R"json({"StartAt": "Ask", "States": {
  "Ask": {"Type": "Task", "Resource": "function:notify.waitForTaskToken",
          "Parameters": {"question.$": "$.question", "token.$": "$$.Task.Token"},
          "TimeoutSeconds": 30, "End": true}}})json";

constexpr const char* kApprovalArn = "arn:aws:states:us-east-1:123456789012:activity:approve";

constexpr const char* kActivityMachine = R"json({"StartAt": "Approve", "States": {
  "Approve": {"Type": "Task",
              "Resource": "arn:aws:states:us-east-1:123456789012:activity:approve",
              "TimeoutSeconds": 10, "End": true}}})json";

// The same function through lambda:invoke (its result wrapped as Lambda's Invoke API answers)
// and through its Lambda ARN (its result as it is).
constexpr const char* kLambdaMachine = R"json({"StartAt": "Invoke", "States": {
  "Invoke": {"Type": "Task", "Resource": "arn:aws:states:::lambda:invoke",
             "Parameters": {"FunctionName": "arn:aws:lambda:us-east-1:123456789012:function:shout",
                            "Payload.$": "$.payload"},
             "ResultPath": "$.invoked", "Next": "Direct"},
  "Direct": {"Type": "Task", "Resource": "arn:aws:lambda:us-east-1:123456789012:function:shout",
             "InputPath": "$.payload", "ResultPath": "$.direct", "End": true}}})json";

// --- processes, files and history ------------------------------------------------------------

// Polls `condition` every 10 ms until it holds (true) or `within` passes (false).
bool Eventually(const std::function<bool()>& condition, milliseconds within = kPatience) {
  auto deadline = Clock::now() + within;
  for (;;) {
    if (condition()) return true;
    if (Clock::now() >= deadline) return false;
    std::this_thread::sleep_for(milliseconds(10));
  }
}

// The state letter and process group of /proc/PID/stat ("pid (comm) S ppid pgrp ..."; comm may
// hold blanks and parentheses, so fields are counted after the last ')').
struct ProcStat {
  char state = '?';
  pid_t group = 0;
};

std::optional<ProcStat> ReadProcStat(const std::string& pid) {
  std::ifstream file("/proc/" + pid + "/stat");
  std::string text((std::istreambuf_iterator<char>(file)), {});
  std::size_t end = text.rfind(')');
  if (end == std::string::npos) return std::nullopt;
  std::istringstream fields(text.substr(end + 1));
  ProcStat stat;
  pid_t parent;
  if (!(fields >> stat.state >> parent >> stat.group)) return std::nullopt;
  return stat;
}

// A process that exists and is not a zombie (dead, waiting to be reaped).
bool Alive(pid_t pid) {
  std::optional<ProcStat> stat = ReadProcStat(std::to_string(pid));
  return stat && stat->state != 'Z';
}

// The live processes of process group `group`: those a `kill(-group, SIGKILL)` would stop.
std::vector<pid_t> LiveMembers(pid_t group) {
  std::vector<pid_t> members;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator("/proc", error)) {
    std::string name = entry.path().filename().string();
    if (name.find_first_not_of("0123456789") != std::string::npos) continue;
    std::optional<ProcStat> stat = ReadProcStat(name);
    if (stat && stat->group == group && stat->state != 'Z') members.push_back(std::stoi(name));
  }
  return members;
}

std::string ReadFile(const std::filesystem::path& path) {
  std::ifstream file(path);
  return std::string((std::istreambuf_iterator<char>(file)), {});
}

std::vector<std::string> ReadLines(const std::filesystem::path& path) {
  std::ifstream file(path);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);) lines.push_back(line);
  return lines;
}

std::int64_t Millis(const google::protobuf::Timestamp& at) {
  return at.seconds() * 1000 + at.nanos() / 1'000'000;
}

std::vector<v1::HistoryEvent> OfType(const std::vector<v1::HistoryEvent>& events,
                                     const std::string& type) {
  std::vector<v1::HistoryEvent> found;
  std::copy_if(events.begin(), events.end(), std::back_inserter(found),
               [&](const v1::HistoryEvent& event) { return event.type() == type; });
  return found;
}

json Details(const v1::HistoryEvent& event) { return json::parse(event.details(), nullptr, false); }

class FunctionWorkersTest : public api::testing::ApiTest {
 protected:
  // Each test starts the server itself, with the function limits it needs.
  void SetUp() override {}

  void TearDown() override {
    for (auto& worker : workers_) StopWorker(*worker);
    workers_.clear();
    ApiTest::TearDown();
    // A test that failed may leave a function running; never leave it behind.
    for (pid_t group : groups_to_clean_) {
      if (!LiveMembers(group).empty()) kill(-group, SIGKILL);
    }
  }

  void Serve(std::vector<engine::FunctionLimits> functions = {}) {
    api::ServerOptions options;
    options.engine.functions = std::move(functions);
    StartServer(options);
  }

  std::string address() const { return "127.0.0.1:" + std::to_string(server_->grpc_port()); }

  // Starts `stepwise worker ARGS --server ADDR` and waits until it polls.
  ChildProcess& StartWorker(std::vector<std::string> args) {
    args.insert(args.begin(), {STEPWISE_BINARY, "worker"});
    args.insert(args.end(), {"--server", address()});
    // stderr (the worker's log) is inherited: it shows in the test's output.
    workers_.push_back(std::make_unique<ChildProcess>(args, ChildProcess::Options{}));
    ChildProcess& worker = *workers_.back();
    EXPECT_TRUE(worker.ok()) << worker.error();
    EXPECT_TRUE(worker.ReadLineStartingWith("stepwise worker serving: ", Clock::now() + kPatience))
        << "the worker printed no 'serving' line";
    return worker;
  }

  // SIGTERM: the worker finishes what it runs and exits 0.
  void StopWorker(ChildProcess& worker) {
    if (worker.pid() <= 0) return;  // killed and reaped by the test
    kill(worker.pid(), SIGTERM);
    int status = worker.Wait();
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0)
        << "the worker did not stop cleanly: " << ChildProcess::Describe(status);
  }

  // Writes an executable shell script into the test's file directory; returns its path. The
  // script finds that directory as $dir, for the evidence it leaves there.
  std::string Script(const std::string& name, const std::string& body) {
    std::filesystem::path path = files_ / name;
    std::ofstream(path) << "#!/bin/sh\ndir=$(dirname \"$0\")\n" << body;
    chmod(path.c_str(), 0755);
    return path.string();
  }

  // `--function NAME=SCRIPT` for a script written by Script().
  std::vector<std::string> Function(const std::string& name, const std::string& body) {
    return {"--function", name + "=" + Script(name + ".sh", body)};
  }

  // Waits for a file that a function renames into place once written whole.
  std::string AwaitFile(const std::string& name) {
    std::filesystem::path path = files_ / name;
    EXPECT_TRUE(Eventually([&] { return std::filesystem::exists(path); }))
        << "no function wrote " << path;
    return ReadFile(path);
  }

  std::vector<v1::HistoryEvent> History(const std::string& id) {
    std::vector<v1::HistoryEvent> events;
    v1::GetExecutionHistoryRequest request;
    request.set_execution_id(id);
    for (;;) {
      v1::GetExecutionHistoryResponse page;
      grpc::Status status = executions_->GetExecutionHistory(Context().get(), request, &page);
      EXPECT_TRUE(status.ok()) << status.error_message();
      events.insert(events.end(), page.events().begin(), page.events().end());
      if (!status.ok() || page.next_page_token().empty()) return events;
      request.set_page_token(page.next_page_token());
    }
  }

  // Runs an execution to its end; returns its description.
  v1::Execution Run(const std::string& machine, const std::string& name, const std::string& input) {
    return AwaitEnd(Start(machine, name, input));
  }

  // The output of an execution that must have succeeded (null otherwise).
  json OutputOf(const v1::Execution& done) {
    EXPECT_EQ(done.status(), v1::SUCCEEDED) << done.error() << ": " << done.cause();
    return done.status() == v1::SUCCEEDED ? json::parse(done.output()) : json();
  }

  // A process group a function leads, killed at teardown if the test leaves it running.
  pid_t Group(const std::string& pid_text) {
    pid_t group = std::atoi(pid_text.c_str());
    EXPECT_GT(group, 1) << "'" << pid_text << "' is not a process id";
    if (group > 1) groups_to_clean_.push_back(group);
    return group;
  }

  storage::testing::TempDir files_dir_;
  std::filesystem::path files_ = files_dir_.path();
  std::vector<std::unique_ptr<ChildProcess>> workers_;
  std::vector<pid_t> groups_to_clean_;
};

// 1. A function's output is the Task's result.
TEST_F(FunctionWorkersTest, AFunctionsOutputIsTheTasksResult) {
  Serve();
  Create("greet", kGreetMachine);
  StartWorker(Function("greet", R"sh(read -r input
echo "{\"greeting\": $input, \"by\": $$}"
)sh"));

  v1::Execution done = Run("greet", "ada", R"json({"name": "Ada", "ignored": 1})json");
  json output = OutputOf(done);
  EXPECT_EQ(output["greeting"], (json{{"who", "Ada"}})) << "the input after Parameters";
  EXPECT_TRUE(output["by"].is_number_integer()) << output;
  std::vector<v1::HistoryEvent> events = History(done.execution_id());
  EXPECT_EQ(OfType(events, "TaskScheduled").size(), 1u);
  EXPECT_EQ(OfType(events, "TaskSucceeded").size(), 1u);
}

// 2. A function's own error is retried as the Retry says, after its interval and backoff.
TEST_F(FunctionWorkersTest, AFunctionErrorIsRetriedAfterTheIntervalTimesTheBackoffRate) {
  Serve();
  Create("flaky", kFlakyMachine);
  // Fails its first two calls.
  StartWorker(Function("flaky", R"sh(echo call >> "$dir/flaky.calls"
calls=$(wc -l < "$dir/flaky.calls")
if [ "$calls" -le 2 ]; then
  echo '{"error": "Custom.Transient", "cause": "not yet"}'
  exit 1
fi
echo "{\"calls\": $calls}"
)sh"));

  v1::Execution done = Run("flaky", "f", "{}");
  EXPECT_EQ(OutputOf(done), (json{{"calls", 3}}));
  EXPECT_EQ(ReadLines(files_ / "flaky.calls").size(), 3u);
  // Each failure is followed by the next attempt's scheduling, 1 s then 1.5 s later.
  std::vector<v1::HistoryEvent> events = History(done.execution_id());
  std::vector<v1::HistoryEvent> failed = OfType(events, "TaskFailed");
  std::vector<v1::HistoryEvent> scheduled = OfType(events, "TaskScheduled");
  ASSERT_EQ(failed.size(), 2u);
  ASSERT_EQ(scheduled.size(), 3u);
  EXPECT_EQ(Details(failed[0])["error"], "Custom.Transient");
  EXPECT_GE(Millis(scheduled[1].timestamp()) - Millis(failed[0].timestamp()), 1000);
  EXPECT_GE(Millis(scheduled[2].timestamp()) - Millis(failed[1].timestamp()), 1500);
}

// 3. An error no Retry matches goes to the Catch that names it, with its error and cause.
TEST_F(FunctionWorkersTest, AFunctionErrorIsCaughtByName) {
  Serve();
  Create("broken", kBrokenMachine);
  StartWorker(Function("broken", R"sh(echo call >> "$dir/broken.calls"
echo '{"error": "Custom.Broken", "cause": "the disk is full"}'
exit 1
)sh"));

  v1::Execution done = Run("broken", "b", R"json({"order": 1})json");
  EXPECT_EQ(OutputOf(done), (json::parse(R"json({"order": 1, "recovered": true,
      "failure": {"Error": "Custom.Broken", "Cause": "the disk is full"}})json")));
  EXPECT_EQ(ReadLines(files_ / "broken.calls").size(), 1u) << "the Retry does not match it";
}

// 4. Past TimeoutSeconds the function's whole process group is killed and States.Timeout caught.
TEST_F(FunctionWorkersTest, TimeoutSecondsKillsTheFunctionsProcessGroupAndIsCaught) {
  Serve();
  Create("hang", kHangMachine);
  // Hangs, with a child in its process group. The worker's own --timeout is 60 s: the Task's
  // deadline is what ends it.
  StartWorker(Function("hang", R"sh(sleep 30 &
echo $$ > "$dir/hang.tmp" && mv "$dir/hang.tmp" "$dir/hang.pid"
wait
)sh"));

  auto started = Clock::now();
  std::string id = Start("hang", "h", "{}");
  pid_t group = Group(AwaitFile("hang.pid"));
  v1::Execution done = AwaitEnd(id);
  json output = OutputOf(done);
  EXPECT_EQ(output["timeout"]["Error"], "States.Timeout") << output;
  EXPECT_GE(Clock::now() - started, seconds(1));
  EXPECT_TRUE(Eventually([&] { return LiveMembers(group).empty(); }, seconds(5)))
      << "process group " << group << " outlived the timeout";
}

// 5. A worker that takes a task and goes silent misses its heartbeats: States.HeartbeatTimeout,
// long before TimeoutSeconds, and its late answer is refused.
TEST_F(FunctionWorkersTest, AWorkerThatStopsHeartbeatingTimesTheTaskOut) {
  Serve();
  Create("silent", kSilentMachine);
  auto started = Clock::now();
  std::string id = Start("silent", "s", "{}");
  v1::Task task = PollOne("silent");  // and never a heartbeat
  EXPECT_EQ(task.heartbeat_seconds(), 1);

  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::FAILED);
  EXPECT_EQ(done.error(), "States.HeartbeatTimeout");
  EXPECT_GE(Clock::now() - started, seconds(1));
  EXPECT_LT(Clock::now() - started, seconds(15)) << "timed out by TimeoutSeconds instead";
  EXPECT_EQ(OfType(History(id), "TaskTimedOut").size(), 1u);
  EXPECT_EQ(Succeed(task.token(), "{}").error_code(), grpc::StatusCode::FAILED_PRECONDITION);
}

// 6. A worker SIGKILLed mid-task stops heartbeating; the Retry re-delivers the task to another
// worker, whose heartbeats keep it alive past HeartbeatSeconds; the task succeeds exactly once.
TEST_F(FunctionWorkersTest, ATaskOfAKilledWorkerIsRedeliveredToAnotherAndSucceedsOnce) {
  Serve();
  Create("sturdy", kSturdyMachine);
  // Records which worker ran it ($PPID). The first call hangs, with a child in its process
  // group; later ones take 1.5 s, longer than HeartbeatSeconds.
  std::vector<std::string> sturdy = Function("sturdy", R"sh(read -r input
echo "$PPID" >> "$dir/sturdy.calls"
if mkdir "$dir/sturdy.first" 2>/dev/null; then
  sleep 30 &
  echo $$ > "$dir/sturdy.tmp" && mv "$dir/sturdy.tmp" "$dir/sturdy.pid"
  wait
  exit 1
fi
sleep 1.5
echo "{\"charged\": true, \"order\": $input}"
)sh");
  ChildProcess& first = StartWorker(sturdy);
  pid_t first_pid = first.pid();

  std::string id = Start("sturdy", "order-7", R"json({"id": 7})json");
  pid_t group = Group(AwaitFile("sturdy.pid"));
  first.Kill();
  first.Wait();
  ChildProcess& second = StartWorker(sturdy);

  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(OutputOf(done), (json::parse(R"json({"charged": true, "order": {"id": 7}})json")));
  EXPECT_EQ(ReadLines(files_ / "sturdy.calls"),
            (std::vector<std::string>{std::to_string(first_pid), std::to_string(second.pid())}));
  std::vector<v1::HistoryEvent> events = History(id);
  EXPECT_EQ(OfType(events, "TaskSucceeded").size(), 1u);
  std::vector<v1::HistoryEvent> timed_out = OfType(events, "TaskTimedOut");
  ASSERT_EQ(timed_out.size(), 1u);
  EXPECT_EQ(Details(timed_out[0])["error"], "States.HeartbeatTimeout");
  // The killed worker's function must not live on as an orphan.
  EXPECT_TRUE(Eventually([&] { return LiveMembers(group).empty(); }, seconds(2)))
      << "the first invocation's process group " << group << " outlived its worker";
}

// 7. Failures open the circuit: Tasks then fail at once with Stepwise.CircuitOpen, which Catch
// and Retry see; after open_for a trial goes through and its success closes the circuit.
TEST_F(FunctionWorkersTest, RepeatedFailuresOpenTheCircuitAndAHalfOpenSuccessClosesIt) {
  engine::FunctionLimits fragile;
  fragile.name = "fragile";
  fragile.circuit_breaker.failure_threshold = 2;
  fragile.circuit_breaker.window = seconds(60);
  // Below the Retry's 1 s interval, so the retry after a refusal finds the circuit half-open.
  fragile.circuit_breaker.open_for = milliseconds(800);
  fragile.circuit_breaker.half_open_probes = 1;
  Serve({fragile});
  Create("fail-fast", kFailFastMachine);
  Create("patient", kPatientMachine);
  StartWorker(Function("fragile", R"sh(echo call >> "$dir/fragile.calls"
if [ -e "$dir/fragile.down" ]; then
  echo '{"error": "Custom.Down", "cause": "the backend is down"}'
  exit 1
fi
echo '{"ok": true}'
)sh"));
  auto calls = [&] { return ReadLines(files_ / "fragile.calls").size(); };

  std::ofstream(files_ / "fragile.down").close();
  for (int i = 0; i < 2; ++i) {
    json output = OutputOf(Run("fail-fast", "down-" + std::to_string(i), "{}"));
    EXPECT_EQ(output["caught"]["Error"], "Custom.Down") << output;
  }
  EXPECT_EQ(calls(), 2u);

  // Open: refused without calling the function.
  json refused = OutputOf(Run("fail-fast", "refused", "{}"));
  EXPECT_EQ(refused["caught"]["Error"], "Stepwise.CircuitOpen") << refused;
  EXPECT_THAT(refused["caught"]["Cause"].get<std::string>(), HasSubstr("fragile"));
  EXPECT_EQ(calls(), 2u);

  // The backend is back. Refused first, the retry is the half-open trial, and it succeeds.
  std::filesystem::remove(files_ / "fragile.down");
  v1::Execution patient = Run("patient", "patient", "{}");
  EXPECT_EQ(OutputOf(patient), (json{{"ok", true}}));
  std::vector<v1::HistoryEvent> events = History(patient.execution_id());
  std::vector<v1::HistoryEvent> failed = OfType(events, "TaskFailed");
  ASSERT_EQ(failed.size(), 1u);
  EXPECT_EQ(Details(failed[0])["error"], "Stepwise.CircuitOpen");
  EXPECT_EQ(OfType(events, "TaskSucceeded").size(), 1u);
  EXPECT_EQ(calls(), 3u);

  // Closed: the next call reaches the function at once.
  EXPECT_EQ(OutputOf(Run("fail-fast", "closed", "{}")), (json{{"ok", true}}));
  EXPECT_EQ(calls(), 4u);
}

// 8. A burst of 200 tasks on a worker with 32 slots never runs more than the function's
// max_concurrency at once, and reaches it.
TEST_F(FunctionWorkersTest, ABurstNeverRunsMoreThanMaxConcurrencyInvocationsAtOnce) {
  constexpr int kItems = 200;
  engine::FunctionLimits probe;
  probe.name = "probe";
  probe.max_concurrency = 4;
  Serve({probe});
  Create("burst", kBurstMachine);
  StartWorker({"--concurrency", "32", "--function",
               "probe=" STEPWISE_FUNCTION_PROBE " concurrency " + files_.string() + " 25"});

  json items = json::array();
  for (int i = 0; i < kItems; ++i) items.push_back(i);
  v1::Execution done = Run("burst", "burst", json{{"items", items}}.dump());
  EXPECT_EQ(OutputOf(done), items);
  std::istringstream counts(ReadFile(files_ / "counts"));
  int running = -1;
  int most = -1;
  counts >> running >> most;
  EXPECT_EQ(running, 0);
  EXPECT_LE(most, 4) << "max_concurrency was exceeded";
  EXPECT_EQ(most, 4) << "the burst never ran 4 invocations at once";
}

// 9. Warm instances: as many as the demand asks (up to --concurrency), reused, stopped after
// --idle-timeout while the worker runs on, and started afresh by the next call.
TEST_F(FunctionWorkersTest, WarmInstancesScaleUpUnderLoadAndBackToZeroWhenIdle) {
  constexpr int kCalls = 8;
  Serve();
  Create("warm", kWarmMachine);
  std::filesystem::path pids = files_ / "pids";
  std::filesystem::create_directory(pids);
  ChildProcess& worker =
      StartWorker({"--mode", "warm", "--concurrency", "4", "--idle-timeout", "1", "--function",
                   "warm=" STEPWISE_FUNCTION_PROBE " warm " + pids.string() + " 300"});
  auto started_instances = [&] {
    std::set<pid_t> found;
    for (const auto& entry : std::filesystem::directory_iterator(pids)) {
      found.insert(std::stoi(entry.path().filename().string()));
    }
    return found;
  };

  std::vector<std::string> ids;
  for (int i = 0; i < kCalls; ++i) ids.push_back(Start("warm", "w" + std::to_string(i), "{}"));
  std::set<pid_t> served_by;
  for (const std::string& id : ids) {
    json output = OutputOf(AwaitEnd(id));
    if (output.contains("pid")) served_by.insert(output["pid"].get<pid_t>());
  }
  std::set<pid_t> instances = started_instances();
  EXPECT_EQ(instances.size(), 4u) << "8 calls at once on 4 slots start 4 instances";
  EXPECT_EQ(served_by, instances) << "the calls were served by the instances started";

  EXPECT_TRUE(Eventually([&] { return std::none_of(instances.begin(), instances.end(), Alive); }))
      << "idle instances were not stopped";
  EXPECT_TRUE(Alive(worker.pid())) << "the worker itself stopped";

  json output = OutputOf(Run("warm", "after-idle", "{}"));
  EXPECT_EQ(started_instances().size(), 5u) << "the call after scaling to zero is a cold start";
  EXPECT_FALSE(instances.contains(output.value("pid", 0)));
}

// 10. A .waitForTaskToken Task hands its token to the function; another client (the `stepwise`
// CLI) completes the state with it, and the function's own result is not the state's output.
TEST_F(FunctionWorkersTest, ACallbackTokenIsCompletedByTheCliNotByTheFunctionsResult) {
  Serve();
  Create("ask", kCallbackMachine);
  StartWorker(
      Function("notify", R"sh(cat > "$dir/notify.tmp" && mv "$dir/notify.tmp" "$dir/notify.input"
echo '{"sent": true}'
)sh"));

  std::string id = Start("ask", "a", R"json({"question": "ship it?"})json");
  json input = json::parse(AwaitFile("notify.input"), nullptr, false);
  ASSERT_TRUE(input.is_object()) << input;
  EXPECT_EQ(input["question"], "ship it?");
  ASSERT_TRUE(input["token"].is_string()) << input;
  StepwiseResult answered =
      RunStepwise("task succeed " + ShellQuote(input["token"].get<std::string>()) + " --output " +
                  ShellQuote(R"json({"approved": true})json") + " --server " + address());
  EXPECT_EQ(answered.exit_code, 0) << answered.err;

  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(OutputOf(done), (json{{"approved", true}}));
  EXPECT_EQ(OfType(History(id), "TaskSucceeded").size(), 1u);
}

// 11. An activity is served by a worker that polls for its ARN.
TEST_F(FunctionWorkersTest, AnActivityIsServedByAWorkerPollingItsArn) {
  Serve();
  Create("approval", kActivityMachine);
  StartWorker(
      {"--function", std::string(kApprovalArn) + "=" + Script("approve.sh", R"sh(read -r input
echo "{\"approved\": $input}"
)sh")});

  v1::Execution done = Run("approval", "a", R"json({"amount": 12})json");
  EXPECT_EQ(OutputOf(done), (json::parse(R"json({"approved": {"amount": 12}})json")));
}

// 12. lambda:invoke hands the function its Payload and wraps the result as Lambda's Invoke API
// answers; the Lambda ARN as Resource gives the result as it is.
TEST_F(FunctionWorkersTest, LambdaInvokeWrapsTheResultAsStepFunctionsDoes) {
  Serve();
  Create("lambda", kLambdaMachine);
  StartWorker(Function("shout", R"sh(read -r input
echo "{\"got\": $input}"
)sh"));

  v1::Execution done = Run("lambda", "l", R"json({"payload": {"text": "hi"}})json");
  json output = OutputOf(done);
  json invoked = output["invoked"];
  // The keys of AWS's answer (recorded by LocalStack's parity tests in shared/conformance).
  std::set<std::string> keys;
  for (const auto& [key, value] : invoked.items()) keys.insert(key);
  EXPECT_EQ(keys, (std::set<std::string>{"ExecutedVersion", "Payload", "SdkHttpMetadata",
                                         "SdkResponseMetadata", "StatusCode"}));
  EXPECT_EQ(invoked["Payload"], (json::parse(R"json({"got": {"text": "hi"}})json")));
  EXPECT_EQ(invoked["StatusCode"], 200);
  EXPECT_EQ(invoked["ExecutedVersion"], "$LATEST");
  EXPECT_EQ(invoked["SdkHttpMetadata"]["HttpStatusCode"], 200);
  EXPECT_EQ(invoked["SdkHttpMetadata"]["HttpHeaders"]["Content-Type"], "application/json");
  EXPECT_TRUE(invoked["SdkResponseMetadata"]["RequestId"].is_string()) << invoked;
  EXPECT_EQ(output["direct"], (json::parse(R"json({"got": {"text": "hi"}})json")));
}

}  // namespace
}  // namespace stepwise::testing
