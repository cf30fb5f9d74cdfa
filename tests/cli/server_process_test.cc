// `stepwise server` as a process: SIGTERM shuts it down gracefully (waiting polls are released,
// calls in flight are answered, the store is closed, the exit status is 0), and a restart on the
// same data directory goes on with the executions it had.
#include <gmock/gmock.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <future>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "api/proto/stepwise.grpc.pb.h"
#include "grpcpp/grpcpp.h"
#include "integration/child_process.h"

namespace stepwise::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
using Clock = std::chrono::steady_clock;
using std::chrono::seconds;

// The first state is a Task no built-in worker serves: the test plays the worker.
constexpr const char* kWorkMachine = R"json({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:work", "ResultPath": "$.work", "Next": "Done"},
  "Done": {"Type": "Pass", "Parameters": {"n.$": "$.n", "doubled.$": "$.work.doubled"},
           "End": true}}})json";

// The server's shutdown lets calls in flight run this long before it cancels them.
constexpr seconds kShutdownGrace{10};
// Released promptly: well under the grace, so a poll held until the grace ran out would fail.
constexpr seconds kPrompt{5};
// The latest a server may exit after SIGTERM: the grace, and a margin for a busy machine. gRPC's
// shutdown also waits for connected clients to acknowledge the end of their connection, which an
// idle gRPC client does only at its next backup poll (every 5 s): the tests disconnect once their
// calls have ended, not to spend that time.
constexpr seconds kExitBound = kShutdownGrace + seconds(5);

std::unique_ptr<grpc::ClientContext> Context(seconds deadline = seconds(30)) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + deadline);
  return context;
}

// `stepwise server --data DIR` on kernel-chosen 127.0.0.1 ports, with gRPC stubs on one channel
// (so calls reach the server in the order the test starts them). Killed on destruction if it
// is still running.
class ServerUnderTest {
 public:
  explicit ServerUnderTest(const std::filesystem::path& data_dir) {
    child_ = std::make_unique<ChildProcess>(
        std::vector<std::string>{STEPWISE_BINARY, "server", "--data", data_dir.string(), "--grpc",
                                 "127.0.0.1:0", "--http", "127.0.0.1:0"},
        ChildProcess::Options{.pipe_stdin = false, .pipe_stderr = true});
    if (!child_->ok()) {
      error_ = child_->error();
      return;
    }
    constexpr const char* kListening = "stepwise server listening: ";
    std::optional<std::string> line =
        child_->ReadLineStartingWith(kListening, Clock::now() + seconds(30));
    if (!line) {
      error_ = std::string("no '") + kListening + "' line (" +
               (child_->eof() ? "it exited" : "timed out") + ")";
      return;
    }
    // "... grpc 127.0.0.1:PORT http 127.0.0.1:PORT"
    std::size_t start = line->find("grpc ");
    if (start == std::string::npos) {
      error_ = "no gRPC address in '" + *line + "'";
      return;
    }
    start += 5;
    address_ = line->substr(start, line->find(' ', start) - start);
    channel_ = grpc::CreateChannel(address_, grpc::InsecureChannelCredentials());
    machines = v1::StateMachines::NewStub(channel_);
    executions = v1::Executions::NewStub(channel_);
    tasks = v1::Tasks::NewStub(channel_);
  }

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  void Terminate() {
    if (child_->pid() > 0) ::kill(child_->pid(), SIGTERM);  // never kill(-1): every process
  }

  // Closes the test's connection to the server.
  void Disconnect() {
    machines.reset();
    executions.reset();
    tasks.reset();
    channel_.reset();
  }

  // Waits until the process ends (its stdout reaches end of file) or `deadline`: its wait
  // status, or nullopt when it was still running (it is then killed, so no test hangs).
  std::optional<int> AwaitExit(Clock::time_point deadline) {
    // No line starts with a newline: this reads until end of file or the deadline.
    child_->ReadLineStartingWith("\n", deadline);
    if (!child_->eof()) {
      child_->Kill();
      child_->Wait();
      return std::nullopt;
    }
    return child_->Wait();
  }

  // What the server wrote on stderr (call once it has exited).
  std::string Stderr() { return child_->ReadAllStderr(); }

  std::unique_ptr<v1::StateMachines::Stub> machines;
  std::unique_ptr<v1::Executions::Stub> executions;
  std::unique_ptr<v1::Tasks::Stub> tasks;

 private:
  std::unique_ptr<ChildProcess> child_;
  std::string error_;
  std::string address_;
  std::shared_ptr<grpc::Channel> channel_;
};

// How a call ended, and when.
struct CallOutcome {
  grpc::Status status;
  Clock::time_point at;
};

// A call made with the callback API, so that the test goes on while it waits: it is sent on the
// channel when it is made, and always ends (with the server's status, or with one gRPC gives it
// when the server is gone or the deadline passes). Cancelled on destruction if still running.
template <typename Response>
class PendingCall {
 public:
  PendingCall() : context_(Context(seconds(90))), ended_(done_.get_future()) {}
  ~PendingCall() {
    if (!ended_.valid()) return;
    context_->TryCancel();
    ended_.wait();
  }
  PendingCall(const PendingCall&) = delete;
  PendingCall& operator=(const PendingCall&) = delete;

  grpc::ClientContext* context() { return context_.get(); }
  Response* response() { return &response_; }
  std::function<void(grpc::Status)> OnDone() {
    return [this](grpc::Status status) { done_.set_value({std::move(status), Clock::now()}); };
  }

  bool Ended() const {
    return ended_.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
  }
  // Waits up to `within` for the call to end: how it ended, or nullopt.
  std::optional<CallOutcome> AwaitEnd(seconds within) {
    if (ended_.wait_for(within) != std::future_status::ready) return std::nullopt;
    return ended_.get();
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  Response response_;
  std::promise<CallOutcome> done_;
  std::future<CallOutcome> ended_;
};

// WatchExecution on a thread of its own, reading until the stream ends. Cancelled on destruction
// if still running.
class PendingWatch {
 public:
  // Watches `id`; AwaitCaughtUp() tells when the event numbered `caught_up_at` has come.
  PendingWatch(v1::Executions::Stub& stub, const std::string& id, std::int64_t caught_up_at)
      : context_(Context(seconds(90))),
        caught_up_(caught_up_promise_.get_future()),
        ended_(ended_promise_.get_future()) {
    thread_ = std::thread([this, &stub, id, caught_up_at] {
      bool caught_up = false;
      grpc::Status status;
      {
        v1::WatchExecutionRequest request;
        request.set_execution_id(id);
        auto stream = stub.WatchExecution(context_.get(), request);
        v1::HistoryEvent event;
        while (stream->Read(&event)) {
          if (!caught_up && event.id() >= caught_up_at) {
            caught_up = true;
            caught_up_promise_.set_value(true);
          }
        }
        status = stream->Finish();
      }
      if (!caught_up) caught_up_promise_.set_value(false);
      ended_promise_.set_value({std::move(status), Clock::now()});
    });
  }
  ~PendingWatch() {
    context_->TryCancel();
    thread_.join();
  }
  PendingWatch(const PendingWatch&) = delete;
  PendingWatch& operator=(const PendingWatch&) = delete;

  // Waits up to `within` for the watch to have every event up to `caught_up_at`: false when the
  // stream ended first or the time ran out.
  bool AwaitCaughtUp(seconds within) {
    return caught_up_.wait_for(within) == std::future_status::ready && caught_up_.get();
  }
  bool Ended() const {
    return ended_.wait_for(std::chrono::milliseconds(0)) == std::future_status::ready;
  }
  // Waits up to `within` for the stream to end: how it ended, or nullopt.
  std::optional<CallOutcome> AwaitEnd(seconds within) {
    if (ended_.wait_for(within) != std::future_status::ready) return std::nullopt;
    return ended_.get();
  }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::promise<bool> caught_up_promise_;
  std::future<bool> caught_up_;
  std::promise<CallOutcome> ended_promise_;
  std::future<CallOutcome> ended_;
  std::thread thread_;
};

class ServerSigtermTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string pattern =
        (std::filesystem::temp_directory_path() / "stepwise-sigterm-test-XXXXXX").string();
    ASSERT_NE(mkdtemp(pattern.data()), nullptr);
    dir_ = pattern;
    ::unsetenv("STEPWISE_TOKEN");  // the server would require it
  }

  void TearDown() override {
    std::error_code ignored;
    std::filesystem::remove_all(dir_, ignored);
  }

  std::unique_ptr<ServerUnderTest> Launch() {
    auto server = std::make_unique<ServerUnderTest>(dir_ / "data");
    EXPECT_TRUE(server->ok()) << server->error();
    return server;
  }

  // Sends SIGTERM; returns when.
  static Clock::time_point Terminate(ServerUnderTest& server) {
    Clock::time_point now = Clock::now();
    server.Terminate();
    return now;
  }

  // The server must exit with status 0 by `deadline`, having said that it shut down.
  static void ExpectCleanExit(ServerUnderTest& server, Clock::time_point deadline) {
    std::optional<int> status = server.AwaitExit(deadline);
    std::string err = server.Stderr();
    ASSERT_TRUE(status.has_value()) << "still running at the deadline; stderr:\n" << err;
    EXPECT_TRUE(WIFEXITED(*status) && WEXITSTATUS(*status) == 0)
        << "the server " << ChildProcess::Describe(*status) << "; stderr:\n"
        << err;
    EXPECT_THAT(err, HasSubstr("SIGTERM, shutting down"));
    EXPECT_THAT(err, HasSubstr("stopped"));
  }

  // Disconnects, then stops the server: it must exit cleanly.
  static void Stop(ServerUnderTest& server) {
    server.Disconnect();
    Clock::time_point terminated = Terminate(server);
    ExpectCleanExit(server, terminated + kExitBound);
  }

  static void CreateMachine(ServerUnderTest& server, const std::string& name,
                            const std::string& definition) {
    v1::CreateStateMachineRequest request;
    request.set_name(name);
    request.set_definition(definition);
    v1::StateMachine response;
    grpc::Status status = server.machines->CreateStateMachine(Context().get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
  }

  static std::string StartExecution(ServerUnderTest& server, const std::string& machine,
                                    const std::string& name, const std::string& input) {
    v1::StartExecutionRequest request;
    request.set_state_machine(machine);
    request.set_name(name);
    request.set_input(input);
    v1::StartExecutionResponse response;
    grpc::Status status = server.executions->StartExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.execution_id();
  }

  static v1::Execution Describe(ServerUnderTest& server, const std::string& id) {
    v1::DescribeExecutionRequest request;
    request.set_execution_id(id);
    v1::Execution response;
    grpc::Status status = server.executions->DescribeExecution(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response;
  }

  // Polls one task of `function`; a test failure when none comes within 10 s.
  static v1::Task PollOne(ServerUnderTest& server, const std::string& function) {
    v1::PollTaskRequest request;
    request.add_functions(function);
    request.set_wait_ms(10'000);
    v1::PollTaskResponse response;
    grpc::Status status = server.tasks->PollTask(Context().get(), request, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    EXPECT_TRUE(response.has_task()) << "no task of '" << function << "' came";
    return response.task();
  }

  static grpc::Status Succeed(ServerUnderTest& server, const std::string& token,
                              const std::string& output) {
    v1::SucceedTaskRequest request;
    request.set_token(token);
    request.set_output(output);
    v1::SucceedTaskResponse response;
    return server.tasks->SucceedTask(Context().get(), request, &response);
  }

  // Waits for the execution to end by watching its history, then describes it.
  static v1::Execution AwaitEnd(ServerUnderTest& server, const std::string& id) {
    auto context = Context();
    v1::WatchExecutionRequest request;
    request.set_execution_id(id);
    auto stream = server.executions->WatchExecution(context.get(), request);
    v1::HistoryEvent event;
    while (stream->Read(&event)) {
    }
    grpc::Status status = stream->Finish();
    EXPECT_TRUE(status.ok()) << status.error_message();
    return Describe(server, id);
  }

  std::filesystem::path dir_;
};

TEST_F(ServerSigtermTest, SigtermReleasesAParkedPollExitsZeroAndTheRestartFinishesTheExecution) {
  auto server = Launch();
  ASSERT_TRUE(server->ok());
  CreateMachine(*server, "work", kWorkMachine);
  std::string id = StartExecution(*server, "work", "durable", R"({"n": 21})");
  ASSERT_FALSE(id.empty());

  // A worker of a function nothing schedules, in a long poll of a minute.
  v1::PollTaskRequest poll;
  poll.add_functions("nobody");
  poll.set_wait_ms(60'000);
  PendingCall<v1::PollTaskResponse> polled;
  server->tasks->async()->PollTask(polled.context(), &poll, polled.response(), polled.OnDone());
  // gRPC sends the calls of a channel on one connection, in the order they start: once a call
  // started after the poll is answered, the server has the poll. The execution still waits.
  EXPECT_EQ(Describe(*server, id).status(), v1::RUNNING);
  ASSERT_FALSE(polled.Ended()) << "the poll returned before the shutdown";

  Clock::time_point terminated = Terminate(*server);
  std::optional<CallOutcome> released = polled.AwaitEnd(kShutdownGrace);
  ASSERT_TRUE(released.has_value())
      << "the poll was still waiting " << kShutdownGrace.count() << " s after SIGTERM";
  // Server::Shutdown answers waiting polls with no task. (gRPC cancels a call whose handler has
  // not run yet when the shutdown begins: unlikely here, after a later call's round trip.)
  EXPECT_TRUE(released->status.ok() || released->status.error_code() == grpc::StatusCode::CANCELLED)
      << released->status.error_code() << ": " << released->status.error_message();
  EXPECT_FALSE(polled.response()->has_task());
  EXPECT_LT(released->at - terminated, kPrompt);
  // Nothing else is in flight (and this client goes: see kExitBound).
  server->Disconnect();
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit(*server, terminated + kExitBound));

  server = Launch();  // the same data directory
  ASSERT_TRUE(server->ok());
  v1::Execution running = Describe(*server, id);
  EXPECT_EQ(running.status(), v1::RUNNING);
  EXPECT_EQ(json::parse(running.input()), (json{{"n", 21}}));
  v1::Task task = PollOne(*server, "work");
  ASSERT_FALSE(task.token().empty());
  EXPECT_EQ(task.execution_id(), id);
  EXPECT_EQ(task.state_name(), "Work");
  EXPECT_EQ(json::parse(task.input()), (json{{"n", 21}}));
  grpc::Status succeeded = Succeed(*server, task.token(), R"({"doubled": 42})");
  ASSERT_TRUE(succeeded.ok()) << succeeded.error_message();
  v1::Execution done = AwaitEnd(*server, id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"n", 21}, {"doubled", 42}}));
  Stop(*server);
}

TEST_F(ServerSigtermTest, AStartSyncInFlightAtSigtermIsAnsweredAndTheServerExitsZero) {
  auto server = Launch();
  ASSERT_TRUE(server->ok());
  CreateMachine(*server, "work", kWorkMachine);

  v1::StartSyncExecutionRequest sync;
  sync.mutable_start()->set_state_machine("work");
  sync.mutable_start()->set_name("in-flight");
  sync.mutable_start()->set_input(R"({"n": 5})");
  sync.set_timeout_ms(60'000);
  PendingCall<v1::Execution> synced;
  server->executions->async()->StartSyncExecution(synced.context(), &sync, synced.response(),
                                                  synced.OnDone());
  // Its task comes once the execution has started: the StartSync is waiting on it. The task is
  // leased to a worker that never completes it.
  v1::Task leased = PollOne(*server, "work");
  ASSERT_FALSE(leased.token().empty());
  std::string id = leased.execution_id();
  EXPECT_THAT(id, HasSubstr("in-flight"));
  ASSERT_FALSE(synced.Ended()) << "the StartSync returned while its execution was running";

  Clock::time_point terminated = Terminate(*server);
  // At the latest when the grace runs out the server cancels it; a margin for a busy machine.
  std::optional<CallOutcome> answered = synced.AwaitEnd(kExitBound);
  ASSERT_TRUE(answered.has_value())
      << "the StartSync was still waiting " << kExitBound.count() << " s after SIGTERM";
  // The execution cannot have ended: a status that says the call was cut short, not a result.
  EXPECT_THAT(answered->status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::CANCELLED))
      << answered->status.error_message();
  EXPECT_FALSE(answered->status.error_message().empty());
  server->Disconnect();
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit(*server, terminated + kExitBound));

  // Nothing was lost: the leased task is handed out again and finishes the execution.
  server = Launch();
  ASSERT_TRUE(server->ok());
  EXPECT_EQ(Describe(*server, id).status(), v1::RUNNING);
  v1::Task again = PollOne(*server, "work");
  EXPECT_EQ(again.token(), leased.token());
  grpc::Status succeeded = Succeed(*server, again.token(), R"({"doubled": 10})");
  ASSERT_TRUE(succeeded.ok()) << succeeded.error_message();
  v1::Execution done = AwaitEnd(*server, id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"n", 5}, {"doubled", 10}}));
  Stop(*server);
}

TEST_F(ServerSigtermTest, AWatchInFlightAtSigtermEndsAndTheServerExitsZero) {
  auto server = Launch();
  ASSERT_TRUE(server->ok());
  CreateMachine(*server, "work", kWorkMachine);
  std::string id = StartExecution(*server, "work", "watched", R"({"n": 3})");
  ASSERT_FALSE(id.empty());
  v1::Task leased = PollOne(*server, "work");  // nothing more happens to the execution now
  ASSERT_FALSE(leased.token().empty());
  std::int64_t last_event = Describe(*server, id).last_event_id();
  ASSERT_GT(last_event, 0);

  // The watch has sent every event there is and waits for more.
  PendingWatch watch(*server->executions, id, last_event);
  ASSERT_TRUE(watch.AwaitCaughtUp(seconds(10))) << "the watch did not send event " << last_event;
  ASSERT_FALSE(watch.Ended()) << "the watch ended while the execution was running";

  Clock::time_point terminated = Terminate(*server);
  std::optional<CallOutcome> ended = watch.AwaitEnd(kExitBound);
  ASSERT_TRUE(ended.has_value()) << "the watch was still open " << kExitBound.count()
                                 << " s after SIGTERM";
  // Not OK: that would tell the client the execution had ended.
  EXPECT_THAT(ended->status.error_code(),
              ::testing::AnyOf(grpc::StatusCode::UNAVAILABLE, grpc::StatusCode::CANCELLED))
      << ended->status.error_message();
  server->Disconnect();
  ASSERT_NO_FATAL_FAILURE(ExpectCleanExit(*server, terminated + kExitBound));

  server = Launch();
  ASSERT_TRUE(server->ok());
  EXPECT_EQ(Describe(*server, id).status(), v1::RUNNING);
  Stop(*server);
}

}  // namespace
}  // namespace stepwise::testing
