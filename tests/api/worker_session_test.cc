// Tasks.Connect on a real server: a raw worker stream granting credits, receiving tasks and
// sending results, as the worker SDK does.
#include <gmock/gmock.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "api_test_server.h"
#include "http_test_client.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

// An attempt times out after 1 s and is retried.
constexpr const char* kTimeoutMachine = R"json({"StartAt": "Slow", "States": {
  "Slow": {"Type": "Task", "Resource": "function:slow", "TimeoutSeconds": 1, "End": true,
           "Retry": [{"ErrorEquals": ["States.Timeout"], "IntervalSeconds": 1,
                      "MaxAttempts": 3, "BackoffRate": 1.0}]}}})json";

v1::TaskResult Success(std::int64_t id, const std::string& token, const std::string& output) {
  v1::TaskResult result;
  result.set_id(id);
  result.set_token(token);
  result.set_output(output);
  return result;
}

v1::TaskResult Failure(std::int64_t id, const std::string& token, const std::string& error,
                       const std::string& cause) {
  v1::TaskResult result;
  result.set_id(id);
  result.set_token(token);
  result.set_failed(true);
  result.set_error(error);
  result.set_cause(cause);
  return result;
}

// One worker's stream, read and written from the test's thread. The deadline keeps a broken
// server from hanging the test: a Read then fails.
class WorkerStream {
 public:
  explicit WorkerStream(v1::Tasks::Stub& tasks)
      : context_(Context(std::chrono::seconds(20))), stream_(tasks.Connect(context_.get())) {}

  void Send(const v1::WorkerMessage& message) {
    EXPECT_TRUE(stream_->Write(message)) << "the stream broke";
  }

  void Hello(const std::string& function, int credits, const std::string& worker = "w") {
    v1::WorkerMessage message;
    message.mutable_hello()->add_functions(function);
    message.mutable_hello()->set_worker(worker);
    message.mutable_hello()->set_host("box");
    message.set_credits(credits);
    Send(message);
  }

  void Grant(int credits) {
    v1::WorkerMessage message;
    message.set_credits(credits);
    Send(message);
  }

  void SendResults(std::vector<v1::TaskResult> results) {
    v1::WorkerMessage message;
    for (v1::TaskResult& result : results) *message.add_results() = std::move(result);
    Send(message);
  }

  // Reads one message into tasks_, acks_ and messages_; false when the stream ended.
  bool ReadOne() {
    v1::ServerMessage message;
    if (!stream_->Read(&message)) return false;
    for (const v1::Task& task : message.tasks()) tasks_.push_back(task);
    for (const v1::ResultAck& ack : message.acks()) {
      EXPECT_TRUE(acks_.emplace(ack.id(), ack).second) << "ack " << ack.id() << " came twice";
    }
    messages_.push_back(std::move(message));
    return true;
  }

  // The next `count` tasks not returned before, reading as long as they have not all come.
  std::vector<v1::Task> ReadTasks(std::size_t count) {
    while (tasks_.size() < returned_ + count) {
      if (!ReadOne()) {
        ADD_FAILURE() << "the stream ended after " << tasks_.size() << " tasks";
        return {};
      }
    }
    auto begin = tasks_.begin() + static_cast<std::ptrdiff_t>(returned_);
    returned_ += count;
    return {begin, begin + static_cast<std::ptrdiff_t>(count)};
  }

  v1::ResultAck ReadAck(std::int64_t id) {
    while (!acks_.contains(id)) {
      if (!ReadOne()) {
        ADD_FAILURE() << "the stream ended before ack " << id;
        return {};
      }
    }
    return acks_[id];
  }

  // Half-closes, reads what is left, and returns how the server finished.
  grpc::Status Close() {
    stream_->WritesDone();
    while (ReadOne()) {
    }
    return stream_->Finish();
  }

  // The server's verdict on a stream it ends by itself.
  grpc::Status AwaitFinish() {
    while (ReadOne()) {
    }
    return stream_->Finish();
  }

  grpc::ClientContext& context() { return *context_; }
  const std::vector<v1::Task>& tasks() const { return tasks_; }
  const std::vector<v1::ServerMessage>& messages() const { return messages_; }
  const std::map<std::int64_t, v1::ResultAck>& acks() const { return acks_; }

 private:
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<v1::WorkerMessage, v1::ServerMessage>> stream_;
  std::vector<v1::Task> tasks_;
  std::size_t returned_ = 0;  // tasks_ returned by ReadTasks
  std::map<std::int64_t, v1::ResultAck> acks_;
  std::vector<v1::ServerMessage> messages_;
};

class WorkerSessionTest : public ApiTest {
 protected:
  // Waits until `count` tasks of `function` wait in its queue (the server exposes the depth,
  // not an event for it: this polls).
  void AwaitQueued(const std::string& function, int count) {
    json described;
    for (int i = 0; i < 1000; ++i) {
      described = HttpTestClient(server_->http_port()).GetJson("/v1/functions/" + function);
      if (described["queued"] == count) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "'" << function << "' never had " << count << " tasks queued: " << described;
  }

  // The worker whose name has `name` in it, if the server knows it.
  std::optional<v1::WorkerDescription> FindWorker(const std::string& name) {
    auto functions = v1::Functions::NewStub(channel_);
    v1::ListWorkersResponse response;
    grpc::Status status = functions->ListWorkers(Context().get(), {}, &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    for (const v1::WorkerDescription& worker : response.workers()) {
      if (worker.name().find(name) != std::string::npos) return worker;
    }
    return std::nullopt;
  }

  v1::WorkerDescription DescribeWorker(const std::string& name) {
    std::optional<v1::WorkerDescription> worker = FindWorker(name);
    if (!worker) ADD_FAILURE() << "no worker '" << name << "'";
    return worker.value_or(v1::WorkerDescription());
  }

  // Waits until the worker has `count` polls parked (a poll parks just after it is counted).
  void AwaitPollsWaiting(const std::string& name, int count) {
    std::optional<v1::WorkerDescription> worker;
    for (int i = 0; i < 1000; ++i) {
      worker = FindWorker(name);
      if (worker && worker->polls_waiting() == count) return;
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    FAIL() << "'" << name << "' never had " << count << " polls waiting";
  }
};

TEST_F(WorkerSessionTest, TasksComeForCreditsAndResultsAreAcknowledged) {
  Create("work", kTaskMachine);
  std::vector<std::string> ids = {Start("work", "one", R"({"x": 1})"),
                                  Start("work", "two", R"({"x": 2})")};
  WorkerStream stream(*tasks_);
  stream.Hello("double", 2, "stream-worker");
  std::vector<v1::Task> tasks = stream.ReadTasks(2);
  ASSERT_EQ(tasks.size(), 2u);
  std::vector<v1::TaskResult> results;
  for (const v1::Task& task : tasks) {
    EXPECT_EQ(task.function(), "double");
    EXPECT_EQ(task.state_name(), "Work");
    EXPECT_EQ(task.attempt(), 0);
    int x = json::parse(task.input())["x"];
    results.push_back(Success(x, task.token(), json{{"x", 2 * x}}.dump()));
  }
  stream.SendResults(results);
  EXPECT_EQ(stream.ReadAck(1).code(), grpc::StatusCode::OK) << stream.ReadAck(1).message();
  EXPECT_EQ(stream.ReadAck(2).code(), grpc::StatusCode::OK) << stream.ReadAck(2).message();
  for (int x = 1; x <= 2; ++x) {
    v1::Execution done = AwaitEnd(ids[x - 1]);
    EXPECT_EQ(done.status(), v1::SUCCEEDED);
    EXPECT_EQ(json::parse(done.output()), (json{{"x", 2 * x}}));
  }

  // What SucceedTask would answer: a repeated result is stale, bad tokens and outputs invalid.
  stream.SendResults({Success(3, tasks[0].token(), "{}"), Success(4, tasks[0].token(), "{bad"),
                      Success(5, "not-a-token", "{}")});
  v1::ResultAck repeated = stream.ReadAck(3);
  EXPECT_EQ(repeated.code(), grpc::StatusCode::FAILED_PRECONDITION);
  EXPECT_THAT(repeated.message(), HasSubstr("stale"));
  v1::ResultAck bad_output = stream.ReadAck(4);
  EXPECT_EQ(bad_output.code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(bad_output.message(), HasSubstr("output"));
  EXPECT_EQ(stream.ReadAck(5).code(), grpc::StatusCode::INVALID_ARGUMENT);

  v1::WorkerDescription worker = DescribeWorker("stream-worker");
  EXPECT_EQ(worker.host(), "box");
  EXPECT_THAT(worker.functions(), ::testing::ElementsAre("double"));
  EXPECT_EQ(worker.tasks_received(), 2);
  EXPECT_EQ(worker.polls_waiting(), 0);  // both credits used up
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, AFailureIsRetriedThenCaught) {
  Create("flaky", kRetryMachine);
  std::string id = Start("flaky", "f", "{}");
  WorkerStream stream(*tasks_);
  stream.Hello("flaky", 1);
  v1::Task first = stream.ReadTasks(1).at(0);
  EXPECT_EQ(first.attempt(), 0);
  // The result and the credit for the retry in one message.
  v1::WorkerMessage message;
  *message.add_results() = Failure(1, first.token(), "Transient", "try again");
  message.set_credits(1);
  stream.Send(message);
  EXPECT_EQ(stream.ReadAck(1).code(), grpc::StatusCode::OK);
  v1::Task retry = stream.ReadTasks(1).at(0);
  EXPECT_EQ(retry.attempt(), 1);
  stream.SendResults({Failure(2, retry.token(), "", "gave up")});  // no error: States.TaskFailed
  EXPECT_EQ(stream.ReadAck(2).code(), grpc::StatusCode::OK);
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  json output = json::parse(done.output());
  EXPECT_EQ(output["Error"], "States.TaskFailed");
  EXPECT_EQ(output["Cause"], "gave up");
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, NeverMoreTasksThanCredits) {
  Create("work", kTaskMachine);
  for (int i = 0; i < 5; ++i) Start("work", "e" + std::to_string(i), "{}");
  WorkerStream stream(*tasks_);
  stream.Hello("double", 2);
  std::vector<v1::Task> first = stream.ReadTasks(2);
  ASSERT_EQ(first.size(), 2u);
  // The other three stay on the server...
  AwaitQueued("double", 3);
  // ...and none follows the acknowledgement of a result, which comes after them if they were
  // sent.
  stream.SendResults({Success(1, first[0].token(), "{}")});
  EXPECT_EQ(stream.ReadAck(1).code(), grpc::StatusCode::OK);
  EXPECT_EQ(stream.tasks().size(), 2u);

  stream.Grant(3);
  stream.ReadTasks(3);
  AwaitQueued("double", 0);
  std::set<std::string> tokens;
  for (const v1::Task& task : stream.tasks()) tokens.insert(task.token());
  EXPECT_EQ(tokens.size(), 5u);
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, TasksReadyTogetherComeInOneMessage) {
  Create("work", kTaskMachine);
  for (int i = 0; i < 10; ++i) Start("work", "e" + std::to_string(i), "{}");
  AwaitQueued("double", 10);
  WorkerStream stream(*tasks_);
  stream.Hello("double", 10);
  EXPECT_EQ(stream.ReadTasks(10).size(), 10u);
  EXPECT_LT(stream.messages().size(), 10u);
  std::size_t largest = 0;
  for (const v1::ServerMessage& message : stream.messages()) {
    largest = std::max<std::size_t>(largest, message.tasks_size());
  }
  EXPECT_GT(largest, 1u);
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, AMessageCarriesAboutOneMegabyteOfInputs) {
  Create("work", kTaskMachine);
  // Six inputs of 200 KB: five fit in a megabyte, the sixth goes in another message.
  std::string input = json{{"pad", std::string(200'000, 'x')}}.dump();
  for (int i = 0; i < 6; ++i) Start("work", "big" + std::to_string(i), input);
  AwaitQueued("double", 6);
  WorkerStream stream(*tasks_);
  stream.Hello("double", 6);
  EXPECT_EQ(stream.ReadTasks(6).size(), 6u);
  EXPECT_GE(stream.messages().size(), 2u);
  for (const v1::ServerMessage& message : stream.messages()) {
    std::size_t bytes = 0;
    for (const v1::Task& task : message.tasks()) bytes += task.input().size();
    if (message.tasks_size() > 1) {
      EXPECT_LE(bytes, 1u << 20);
    }
  }
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, BadStreamsAreRefused) {
  auto expect_refused = [&](const v1::WorkerMessage& first, const v1::WorkerMessage* second,
                            const std::string& fragment) {
    WorkerStream stream(*tasks_);
    stream.Send(first);
    if (second != nullptr) stream.Send(*second);
    grpc::Status status = stream.AwaitFinish();
    EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << fragment;
    EXPECT_THAT(status.error_message(), HasSubstr(fragment));
  };
  v1::WorkerMessage credits_only;
  credits_only.set_credits(1);
  expect_refused(credits_only, nullptr, "hello");
  v1::WorkerMessage no_functions;
  no_functions.mutable_hello()->set_worker("w");
  expect_refused(no_functions, nullptr, "at least one function");

  v1::WorkerMessage hello;
  hello.mutable_hello()->add_functions("double");
  expect_refused(hello, &hello, "hello once");
  v1::WorkerMessage negative;
  negative.set_credits(-1);
  expect_refused(hello, &negative, "positive");
  v1::WorkerMessage too_many;
  too_many.set_credits(10'001);
  expect_refused(hello, &too_many, "at most 10000");
}

TEST_F(WorkerSessionTest, ASessionNeedsTheBearerToken) {
  StopServer();
  ServerOptions options;
  options.auth_token = "secret";
  StartServer(options);
  WorkerStream stream(*tasks_);  // refused before any message
  EXPECT_EQ(stream.AwaitFinish().error_code(), grpc::StatusCode::UNAUTHENTICATED);
}

TEST_F(WorkerSessionTest, ATaskOfABrokenStreamIsDeliveredAgainAfterItsTimeout) {
  Create("slow", kTimeoutMachine);
  std::string id = Start("slow", "s", "{}");
  std::string lost_token;
  {
    WorkerStream broken(*tasks_);
    broken.Hello("slow", 1);
    v1::Task task = broken.ReadTasks(1).at(0);
    EXPECT_EQ(task.attempt(), 0);
    lost_token = task.token();
    broken.context().TryCancel();
    EXPECT_EQ(broken.AwaitFinish().error_code(), grpc::StatusCode::CANCELLED);
  }
  WorkerStream stream(*tasks_);
  stream.Hello("slow", 1);
  v1::Task again = stream.ReadTasks(1).at(0);  // after the 1 s timeout and the 1 s interval
  EXPECT_EQ(again.attempt(), 1);
  stream.SendResults({Success(1, again.token(), R"({"done": true})"),
                      Success(2, lost_token, R"({"done": false})")});
  EXPECT_EQ(stream.ReadAck(1).code(), grpc::StatusCode::OK);
  EXPECT_EQ(stream.ReadAck(2).code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::Execution done = AwaitEnd(id);
  EXPECT_EQ(done.status(), v1::SUCCEEDED);
  EXPECT_EQ(json::parse(done.output()), (json{{"done", true}}));
  EXPECT_TRUE(stream.Close().ok());
}

TEST_F(WorkerSessionTest, DrainingStopsTasksAndResultsStillCount) {
  Create("work", kTaskMachine);
  std::string first = Start("work", "first", "{}");
  std::string second = Start("work", "second", "{}");
  WorkerStream stream(*tasks_);
  stream.Hello("double", 5, "drainer");
  std::vector<v1::Task> tasks = stream.ReadTasks(2);
  ASSERT_EQ(tasks.size(), 2u);

  v1::WorkerMessage drain;
  drain.set_draining(true);
  *drain.add_results() = Success(1, tasks[0].token(), R"({"n": 1})");
  stream.Send(drain);
  EXPECT_EQ(stream.ReadAck(1).code(), grpc::StatusCode::OK);
  // The three credits left are withdrawn: no poll waits, and a new task stays queued.
  EXPECT_EQ(DescribeWorker("drainer").polls_waiting(), 0);
  std::string third = Start("work", "third", "{}");
  AwaitQueued("double", 1);

  // A result after draining is still acknowledged, also when the worker half-closes before
  // the acknowledgement came: the stream finishes once it is written.
  stream.SendResults({Success(2, tasks[1].token(), R"({"n": 2})")});
  EXPECT_TRUE(stream.Close().ok());
  ASSERT_TRUE(stream.acks().contains(2));
  EXPECT_EQ(stream.acks().at(2).code(), grpc::StatusCode::OK);
  EXPECT_EQ(stream.tasks().size(), 2u);
  EXPECT_EQ(AwaitEnd(first).status(), v1::SUCCEEDED);
  EXPECT_EQ(AwaitEnd(second).status(), v1::SUCCEEDED);
  EXPECT_EQ(Describe(third).status(), v1::RUNNING);
  AwaitQueued("double", 1);
}

TEST_F(WorkerSessionTest, HalfClosingWithdrawsTheCredits) {
  Create("work", kTaskMachine);
  WorkerStream stream(*tasks_);
  stream.Hello("double", 3, /*worker=*/"");  // named by its address
  AwaitPollsWaiting("127.0.0.1", 3);
  EXPECT_TRUE(stream.Close().ok());
  EXPECT_EQ(DescribeWorker("127.0.0.1").polls_waiting(), 0);
  Start("work", "after", "{}");
  AwaitQueued("double", 1);
  EXPECT_TRUE(stream.tasks().empty());
}

TEST_F(WorkerSessionTest, AServerShutdownEndsTheSessionAtOnce) {
  WorkerStream stream(*tasks_);
  stream.Hello("double", 1, "w");
  AwaitPollsWaiting("w", 1);
  auto begin = std::chrono::steady_clock::now();
  std::thread shutdown([&] { server_->Shutdown(std::chrono::seconds(10)); });
  grpc::Status status = stream.AwaitFinish();
  shutdown.join();
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAVAILABLE) << status.error_message();
  // Not held for the grace period: the session ended when the engine released its polls.
  EXPECT_LT(std::chrono::steady_clock::now() - begin, std::chrono::seconds(5));
}

}  // namespace
}  // namespace stepwise::api::testing
