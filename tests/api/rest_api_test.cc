// The REST API over real HTTP against a real server (RocksDB in a temp dir, gRPC to set things
// up): every endpoint, bad parameters, pagination while executions keep starting, the bearer
// token, and the error shape.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "api_test_server.h"
#include "http_test_client.h"

namespace stepwise::api::testing {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;
namespace http = boost::beast::http;

class RestApiTest : public ApiTest {
 protected:
  HttpTestClient Client() { return HttpTestClient(server_->http_port()); }

  // GET `target`, expecting `status`; the body as JSON.
  json Get(const std::string& target, int status = 200) {
    int got = 0;
    json body = Client().GetJson(target, &got);
    EXPECT_EQ(got, status) << target << ": " << body.dump();
    return body;
  }

  // Expects a 400 whose message has `fragment`.
  void ExpectBadRequest(const std::string& target, const std::string& fragment) {
    json body = Get(target, 400);
    EXPECT_EQ(body["error"], "InvalidArgument") << target;
    EXPECT_THAT(body["message"].get<std::string>(), HasSubstr(fragment)) << target;
  }

  // Ids of every execution listed by following next_page_token from `query`.
  std::vector<std::string> ListAll(const std::string& query) {
    std::vector<std::string> ids;
    std::string token;
    for (int page = 0; page < 1000; ++page) {
      json body = Get("/v1/executions?" + query + (token.empty() ? "" : "&page_token=" + token));
      for (const json& execution : body["executions"]) ids.push_back(execution["execution_id"]);
      if (body["next_page_token"].is_null()) break;
      token = body["next_page_token"];
    }
    return ids;
  }
};

TEST_F(RestApiTest, HealthAndReadinessNeedNoToken) {
  EXPECT_EQ(Get("/healthz"), json({{"status", "ok"}}));
  EXPECT_EQ(Get("/readyz"), json({{"status", "ready"}}));
}

TEST_F(RestApiTest, StateMachinesAreListedAndDescribedWithVersionsAndCounts) {
  Create("greeter", kPassMachine);
  Create("work", kTaskMachine);
  v1::UpdateStateMachineRequest update;
  update.set_name("work");
  update.set_definition(kPassMachine);
  v1::StateMachine updated;
  ASSERT_TRUE(machines_->UpdateStateMachine(Context().get(), update, &updated).ok());
  EXPECT_EQ(AwaitEnd(Start("greeter", "g1", R"({"who": "a"})")).status(), v1::SUCCEEDED);
  EXPECT_EQ(AwaitEnd(Start("greeter", "g2", R"({"who": "b"})")).status(), v1::SUCCEEDED);
  Create("failing", kFailMachine);
  EXPECT_EQ(AwaitEnd(Start("failing", "f1", "{}")).status(), v1::FAILED);

  json listed = Get("/v1/state-machines");
  std::set<std::string> names;
  for (const json& machine : listed["state_machines"]) names.insert(machine["name"]);
  EXPECT_EQ(names, (std::set<std::string>{"failing", "greeter", "work"}));

  json work = Get("/v1/state-machines/work");
  EXPECT_EQ(work["version"], 2);
  EXPECT_EQ(work["definition"]["StartAt"], "Greet");  // the JSON itself, not its text
  ASSERT_EQ(work["versions"].size(), 2u);
  EXPECT_EQ(work["versions"][0]["version"], 2);
  EXPECT_EQ(work["versions"][1]["version"], 1);
  // An older version on request: what an execution started before the update runs.
  json first = Get("/v1/state-machines/work?version=1");
  EXPECT_EQ(first["version"], 1);
  EXPECT_EQ(first["latest_version"], 2);
  EXPECT_EQ(first["definition"]["StartAt"], json::parse(kTaskMachine)["StartAt"]);
  EXPECT_THAT(Get("/v1/state-machines/work?version=3", 404)["message"].get<std::string>(),
              HasSubstr("has no version 3; its latest is 2"));
  ExpectBadRequest("/v1/state-machines/work?version=0", "version='0'");

  json greeter = Get("/v1/state-machines/greeter");
  EXPECT_EQ(greeter["execution_counts"]["SUCCEEDED"], 2);
  EXPECT_EQ(greeter["execution_counts"]["RUNNING"], 0);
  EXPECT_EQ(greeter["counts_capped"], false);
  EXPECT_EQ(Get("/v1/state-machines/failing")["execution_counts"]["FAILED"], 1);

  json missing = Get("/v1/state-machines/nope", 404);
  EXPECT_EQ(missing["error"], "NotFound");
}

TEST_F(RestApiTest, ExecutionsAreFilteredAndPagedWithoutRepeatsOrGaps) {
  Create("greeter", kPassMachine);
  Create("work", kTaskMachine);
  std::set<std::string> done;
  for (int i = 0; i < 4; ++i) {
    std::string id = Start("greeter", "g" + std::to_string(i), R"({"who": "x"})");
    AwaitEnd(id);
    done.insert(id);
  }
  std::set<std::string> running;
  for (int i = 0; i < 3; ++i) running.insert(Start("work", "w" + std::to_string(i), "{}"));

  std::vector<std::string> all = ListAll("limit=2");
  EXPECT_EQ(all.size(), 7u);
  EXPECT_EQ(std::set<std::string>(all.begin(), all.end()).size(), 7u);

  std::vector<std::string> greeters = ListAll("machine=greeter&limit=3");
  EXPECT_EQ(std::set<std::string>(greeters.begin(), greeters.end()), done);
  std::vector<std::string> runs = ListAll("status=running");
  EXPECT_EQ(std::set<std::string>(runs.begin(), runs.end()), running);

  json first = Get("/v1/executions?machine=greeter&limit=1");
  ASSERT_EQ(first["executions"].size(), 1u);
  const json& execution = first["executions"][0];
  EXPECT_EQ(execution["status"], "SUCCEEDED");
  EXPECT_EQ(execution["state_machine"], "greeter");
  EXPECT_EQ(execution["output"], json({{"greeting", "hi x"}}));
  EXPECT_EQ(execution["input"], json({{"who", "x"}}));
  EXPECT_TRUE(execution["start_time"].get<std::string>().ends_with("Z"));
  EXPECT_FALSE(first["next_page_token"].is_null());

  // A time window: nothing started in the future, everything after the epoch.
  EXPECT_TRUE(Get("/v1/executions?started_after=2999-01-01T00:00:00Z")["executions"].empty());
  EXPECT_EQ(ListAll("started_after=0").size(), 7u);
  EXPECT_TRUE(Get("/v1/executions?started_before=1")["executions"].empty());
}

TEST_F(RestApiTest, BadParametersAreRefusedWithWhatToFix) {
  ExpectBadRequest("/v1/executions?limit=0", "limit='0' is not a whole number from 1 to 1000");
  ExpectBadRequest("/v1/executions?limit=ten", "limit='ten'");
  ExpectBadRequest("/v1/executions?status=DONE", "write RUNNING, SUCCEEDED");
  ExpectBadRequest("/v1/executions?started_after=yesterday", "RFC 3339");
  ExpectBadRequest("/v1/executions?page_token=zz", "page token");
  ExpectBadRequest("/v1/executions?machin=greeter", "unknown parameter 'machin'");
  ExpectBadRequest("/v1/executions/%zz", "two hex digits");
  ExpectBadRequest("/v1/workers?verbose=1", "this resource takes none");
}

TEST_F(RestApiTest, PagingWhileExecutionsStartNeitherRepeatsNorSkipsAny) {
  Create("greeter", kPassMachine);
  std::set<std::string> before;
  for (int i = 0; i < 30; ++i) before.insert(Start("greeter", "b" + std::to_string(i), "{}"));

  std::atomic<bool> stop{false};
  std::atomic<int> started{0};
  std::thread starter([&] {
    for (int i = 0; !stop.load(); ++i) {
      Start("greeter", "during" + std::to_string(i), "{}");
      ++started;
    }
  });
  std::vector<std::string> listed;
  std::string token;
  for (int page = 0; page < 100; ++page) {
    // Make sure starts land between pages.
    int seen = started.load();
    while (started.load() < seen + 2) std::this_thread::yield();
    json body = Get("/v1/executions?limit=4" + (token.empty() ? "" : "&page_token=" + token));
    for (const json& execution : body["executions"]) listed.push_back(execution["execution_id"]);
    if (body["next_page_token"].is_null()) break;
    token = body["next_page_token"];
  }
  stop = true;
  starter.join();

  std::set<std::string> unique(listed.begin(), listed.end());
  EXPECT_EQ(unique.size(), listed.size()) << "an execution was listed twice";
  for (const std::string& id : before) EXPECT_TRUE(unique.contains(id)) << id << " was skipped";
  EXPECT_GT(started.load(), 0);
}

TEST_F(RestApiTest, AnExecutionShowsItsCurrentStateThenItsOutput) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "one", R"({"n": 21})");
  v1::Task task = PollOne("double");

  json running = Get("/v1/executions/" + id);
  EXPECT_EQ(running["execution_id"], id);
  EXPECT_EQ(running["status"], "RUNNING");
  EXPECT_EQ(running["input"], json({{"n", 21}}));
  EXPECT_TRUE(running["stop_time"].is_null());
  EXPECT_TRUE(running["parent_execution_id"].is_null());
  EXPECT_EQ(running["child_execution_ids"], json::array());
  ASSERT_EQ(running["current_states"].size(), 1u);
  EXPECT_EQ(running["current_states"][0]["name"], "Work");
  EXPECT_EQ(running["current_states"][0]["phase"], "TASK");

  ASSERT_TRUE(Succeed(task.token(), R"({"n": 42})").ok());
  AwaitEnd(id);
  json done = Get("/v1/executions/" + id);
  EXPECT_EQ(done["status"], "SUCCEEDED");
  EXPECT_EQ(done["output"], json({{"n", 42}}));
  EXPECT_FALSE(done["stop_time"].is_null());
  EXPECT_EQ(done["current_states"], json::array());

  EXPECT_EQ(Get("/v1/executions/arn:nope", 404)["error"], "NotFound");
}

TEST_F(RestApiTest, HistoryReadsForwardAndBackwardInPages) {
  Create("greeter", kPassMachine);
  std::string id = Start("greeter", "g", R"({"who": "y"})");
  v1::Execution ended = AwaitEnd(id);
  std::int64_t last = ended.last_event_id();
  ASSERT_GE(last, 4);

  json page = Get("/v1/executions/" + id + "/history?limit=2");
  ASSERT_EQ(page["events"].size(), 2u);
  EXPECT_EQ(page["events"][0]["id"], 1);
  EXPECT_EQ(page["events"][0]["type"], "ExecutionStarted");
  EXPECT_TRUE(page["events"][0]["details"].is_object());
  EXPECT_EQ(page["next_after"], 2);
  std::vector<std::int64_t> ids;
  std::int64_t after = 0;
  for (int i = 0; i < 100; ++i) {
    json next = Get("/v1/executions/" + id + "/history?limit=3&after=" + std::to_string(after));
    for (const json& event : next["events"]) ids.push_back(event["id"]);
    if (next["next_after"].is_null()) break;
    after = next["next_after"];
  }
  ASSERT_EQ(static_cast<std::int64_t>(ids.size()), last);
  for (std::int64_t i = 0; i < last; ++i) EXPECT_EQ(ids[i], i + 1);

  json newest = Get("/v1/executions/" + id + "/history?reverse=true&limit=2");
  ASSERT_EQ(newest["events"].size(), 2u);
  EXPECT_EQ(newest["events"][0]["id"], last);
  EXPECT_EQ(newest["events"][0]["type"], "ExecutionSucceeded");
  EXPECT_EQ(newest["events"][1]["id"], last - 1);
  json older =
      Get("/v1/executions/" + id + "/history?reverse=true&after=" + newest["next_after"].dump());
  EXPECT_EQ(older["events"][0]["id"], last - 2);
  EXPECT_EQ(older["events"].back()["id"], 1);
  EXPECT_TRUE(older["next_after"].is_null());

  EXPECT_TRUE(
      Get("/v1/executions/" + id + "/history?after=" + std::to_string(last))["events"].empty());
  ExpectBadRequest("/v1/executions/" + id + "/history?reverse=maybe", "write true or false");
  EXPECT_EQ(Get("/v1/executions/arn:nope/history", 404)["error"], "NotFound");
}

TEST_F(RestApiTest, FunctionsShowTheirQueueAndWorkersTheirPolls) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "queued", "{}");
  // Nobody polls yet: the task waits in the function's queue.
  json function;
  for (int i = 0; i < 500; ++i) {
    function = Get("/v1/functions/double");
    if (function["queued"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(function["queued"], 1);
  EXPECT_EQ(function["name"], "double");
  EXPECT_EQ(function["registered"], false);
  EXPECT_EQ(function["circuit"], "CLOSED");
  EXPECT_EQ(function["limits"]["timeout_seconds"], 900);

  v1::PollTaskRequest request;
  request.add_functions("double");
  request.set_worker("rest-worker");
  request.set_host("box-r");
  v1::PollTaskResponse response;
  ASSERT_TRUE(tasks_->PollTask(Context().get(), request, &response).ok());
  ASSERT_TRUE(response.has_task());
  json busy = Get("/v1/functions/double");
  EXPECT_EQ(busy["queued"], 0);
  EXPECT_EQ(busy["in_flight"], 1);
  EXPECT_EQ(busy["durations"]["count"], 0);
  ASSERT_TRUE(Succeed(response.task().token(), "{}", /*cold_start=*/true).ok());
  AwaitEnd(id);
  json done = Get("/v1/functions/double");
  EXPECT_EQ(done["succeeded"], 1);
  EXPECT_EQ(done["cold_starts"], 1);
  EXPECT_EQ(done["durations"]["count"], 1);
  // One invocation: every percentile is its duration.
  EXPECT_GT(done["durations"]["p50_ms"].get<double>(), 0);
  EXPECT_EQ(done["durations"]["p99_ms"], done["durations"]["max_ms"]);

  json functions = Get("/v1/functions")["functions"];
  ASSERT_EQ(functions.size(), 1u);
  EXPECT_EQ(functions[0]["name"], "double");
  json workers = Get("/v1/workers")["workers"];
  ASSERT_EQ(workers.size(), 1u);
  EXPECT_EQ(workers[0]["name"], "rest-worker");
  EXPECT_EQ(workers[0]["host"], "box-r");
  EXPECT_EQ(workers[0]["functions"], json({"double"}));
  EXPECT_EQ(workers[0]["tasks_received"], 1);
}

// The samples of a Prometheus text page: `name{labels}` -> value.
std::map<std::string, double> Samples(const std::string& text) {
  std::map<std::string, double> samples;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::size_t space = line.rfind(' ');
    samples[line.substr(0, space)] = std::stod(line.substr(space + 1));
  }
  return samples;
}

TEST_F(RestApiTest, MetricsCountWhatTheEngineDidInThePrometheusFormat) {
  Create("greeter", kPassMachine);
  Create("work", kTaskMachine);
  Create("failing", kFailMachine);
  AwaitEnd(Start("greeter", "g1", R"({"who": "a"})"));
  AwaitEnd(Start("greeter", "g2", R"({"who": "b"})"));
  AwaitEnd(Start("failing", "f", "{}"));
  std::string id = Start("work", "w", "{}");
  v1::Task task = PollOne("double");
  ASSERT_TRUE(Succeed(task.token(), "{}", /*cold_start=*/true).ok());
  AwaitEnd(id);

  HttpTestClient::Response response = Client().Get("/metrics");
  ASSERT_EQ(response.result(), http::status::ok);
  EXPECT_EQ(response[http::field::content_type], "text/plain; version=0.0.4; charset=utf-8");
  const std::string& text = response.body();
  // Every sample line is `name{labels} value`, and every name has its TYPE line before it.
  std::regex sample(R"(^(stepwise_[a-z_]+?)(_bucket|_sum|_count)?(\{[^}]*\})? [-+0-9.e]+$)");
  std::set<std::string> typed;
  std::istringstream lines(text);
  std::string line;
  while (std::getline(lines, line)) {
    if (line.starts_with("# TYPE ")) typed.insert(line.substr(7, line.find(' ', 7) - 7));
    if (line.starts_with("#")) continue;
    std::smatch parts;
    ASSERT_TRUE(std::regex_match(line, parts, sample)) << line;
    bool known = typed.contains(parts[1].str() + parts[2].str()) || typed.contains(parts[1]);
    EXPECT_TRUE(known) << "no TYPE line before " << line;
  }

  std::map<std::string, double> samples = Samples(text);
  EXPECT_EQ(samples["stepwise_executions_started_total"], 4);
  EXPECT_EQ(samples[R"(stepwise_executions_finished_total{status="SUCCEEDED"})"], 3);
  EXPECT_EQ(samples[R"(stepwise_executions_finished_total{status="FAILED"})"], 1);
  EXPECT_EQ(samples[R"(stepwise_executions_finished_total{status="ABORTED"})"], 0);
  EXPECT_EQ(samples["stepwise_state_transitions_total"], 4);  // one state in each
  double commits = samples["stepwise_step_commit_seconds_count"];
  EXPECT_GE(commits, 5);
  EXPECT_EQ(samples[R"(stepwise_step_commit_seconds_bucket{le="+Inf"})"], commits);
  EXPECT_GT(samples["stepwise_step_commit_seconds_sum"], 0);
  EXPECT_LE(samples[R"(stepwise_step_commit_seconds_bucket{le="0.001"})"],
            samples[R"(stepwise_step_commit_seconds_bucket{le="0.01"})"]);
  EXPECT_EQ(samples[R"(stepwise_task_dispatch_seconds_count{function="double"})"], 1);
  EXPECT_EQ(samples[R"(stepwise_task_queue_depth{function="double"})"], 0);
  EXPECT_EQ(
      samples[R"(stepwise_function_invocations_total{function="double",outcome="succeeded"})"], 1);
  EXPECT_EQ(samples[R"(stepwise_function_cold_starts_total{function="double"})"], 1);
  EXPECT_EQ(samples[R"(stepwise_function_circuit_state{function="double",state="CLOSED"})"], 1);
  EXPECT_EQ(samples[R"(stepwise_function_circuit_state{function="double",state="OPEN"})"], 0);
  EXPECT_EQ(samples["stepwise_timers_pending"], 0);
  EXPECT_GT(samples["stepwise_store_keys"], 0);
  EXPECT_GT(samples["stepwise_store_memtable_bytes"], 0);
}

// A server-sent events reader on a raw socket: the head, then events as they arrive.
class SseClient {
 public:
  struct Event {
    std::int64_t id = 0;
    std::string name;
    json data;
  };

  SseClient(int port, const std::string& target, const std::string& last_event_id = "")
      : socket_(io_) {
    namespace net = boost::asio;
    socket_.connect(net::ip::tcp::endpoint(net::ip::make_address("127.0.0.1"),
                                           static_cast<unsigned short>(port)));
    timeval timeout{.tv_sec = 10, .tv_usec = 0};
    setsockopt(socket_.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    std::string request = "GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\n";
    if (!last_event_id.empty()) request += "Last-Event-ID: " + last_event_id + "\r\n";
    net::write(socket_, net::buffer(request + "\r\n"));
    while (buffer_.find("\r\n\r\n") == std::string::npos && ReadMore()) {
    }
    std::size_t end = buffer_.find("\r\n\r\n");
    head_ = buffer_.substr(0, end == std::string::npos ? buffer_.size() : end);
    buffer_.erase(0, end == std::string::npos ? buffer_.size() : end + 4);
  }

  const std::string& head() const { return head_; }

  // The next event (comments and retry lines skipped); nullopt once the server closed.
  std::optional<Event> Next() {
    for (;;) {
      std::size_t end = buffer_.find("\n\n");
      if (end == std::string::npos) {
        if (!ReadMore()) return std::nullopt;
        continue;
      }
      std::string block = buffer_.substr(0, end);
      buffer_.erase(0, end + 2);
      Event event;
      std::istringstream lines(block);
      std::string line;
      bool any = false;
      while (std::getline(lines, line)) {
        if (line.starts_with("id: ")) event.id = std::stoll(line.substr(4));
        if (line.starts_with("event: ")) event.name = line.substr(7), any = true;
        if (line.starts_with("data: ")) event.data = json::parse(line.substr(6));
      }
      if (any) return event;
    }
  }

  // Events up to and including the first named `name`.
  std::vector<Event> Until(const std::string& name) {
    std::vector<Event> events;
    while (std::optional<Event> event = Next()) {
      events.push_back(*event);
      if (event->name == name) break;
    }
    return events;
  }

 private:
  bool ReadMore() {
    char chunk[4096];
    boost::system::error_code error;
    std::size_t got = socket_.read_some(boost::asio::buffer(chunk), error);
    if (error) return false;
    buffer_.append(chunk, got);
    return true;
  }

  boost::asio::io_context io_;
  boost::asio::ip::tcp::socket socket_;
  std::string head_;
  std::string buffer_;
};

TEST_F(RestApiTest, LiveEventsFollowAnExecutionToItsEndAndResumeAfterTheLastEventId) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "live", R"({"n": 1})");
  SseClient live(server_->http_port(), "/v1/executions/" + id + "/events");
  EXPECT_THAT(live.head(), HasSubstr("HTTP/1.1 200"));
  EXPECT_THAT(live.head(), HasSubstr("Content-Type: text/event-stream"));

  std::vector<SseClient::Event> before = live.Until("TaskStarted");
  ASSERT_FALSE(before.empty());
  EXPECT_EQ(before.front().name, "ExecutionStarted");
  for (std::size_t i = 0; i < before.size(); ++i) {
    EXPECT_EQ(before[i].id, static_cast<std::int64_t>(i) + 1);
    EXPECT_EQ(before[i].data["id"], before[i].id);
    EXPECT_EQ(before[i].data["type"], before[i].name);
  }
  ASSERT_EQ(before.back().name, "TaskStarted");

  // The stream waits, live, for what comes next.
  v1::Task task = PollOne("double");
  ASSERT_TRUE(Succeed(task.token(), R"({"n": 2})").ok());
  std::vector<SseClient::Event> after = live.Until("end");
  ASSERT_GE(after.size(), 2u);
  EXPECT_EQ(after.front().id, before.back().id + 1);
  EXPECT_EQ(after[after.size() - 2].name, "ExecutionSucceeded");
  EXPECT_EQ(after.back().data, json({{"status", "SUCCEEDED"}}));
  EXPECT_EQ(live.Next(), std::nullopt) << "the stream closes after its end event";
  std::int64_t last = after[after.size() - 2].id;

  // A reconnecting EventSource sends Last-Event-ID: the stream resumes right after it.
  SseClient resumed(server_->http_port(), "/v1/executions/" + id + "/events", "3");
  std::vector<SseClient::Event> rest = resumed.Until("end");
  ASSERT_FALSE(rest.empty());
  EXPECT_EQ(rest.front().id, 4);
  EXPECT_EQ(rest[rest.size() - 2].id, last);
  SseClient from(server_->http_port(),
                 "/v1/executions/" + id + "/events?after=" + std::to_string(last));
  std::vector<SseClient::Event> only_end = from.Until("end");
  ASSERT_EQ(only_end.size(), 1u);
  EXPECT_EQ(only_end[0].name, "end");

  SseClient bad(server_->http_port(), "/v1/executions/" + id + "/events", "x");
  EXPECT_THAT(bad.head(), HasSubstr("HTTP/1.1 400"));
  EXPECT_THAT(SseClient(server_->http_port(), "/v1/executions/arn:nope/events").head(),
              HasSubstr("HTTP/1.1 404"));
}

TEST_F(RestApiTest, AServerShuttingDownEndsItsLiveStreams) {
  Create("work", kTaskMachine);
  std::string id = Start("work", "parked", "{}");
  SseClient live(server_->http_port(), "/v1/executions/" + id + "/events");
  ASSERT_FALSE(live.Until("TaskStarted").empty());
  auto began = std::chrono::steady_clock::now();
  StopServer();  // must not wait for the execution, nor for the stream's keep-alive interval
  EXPECT_LT(std::chrono::steady_clock::now() - began, std::chrono::seconds(10));
  // The stream ends: with an error event saying why, or just closed.
  std::optional<SseClient::Event> last;
  while (std::optional<SseClient::Event> event = live.Next()) last = event;
  if (last) {
    EXPECT_EQ(last->name, "error");
  }
}

TEST_F(RestApiTest, ErrorsAreJsonWithTheRightStatus) {
  HttpTestClient client = Client();
  HttpTestClient::Response post = client.Send(http::verb::post, "/v1/executions");
  EXPECT_EQ(post.result(), http::status::method_not_allowed);
  EXPECT_EQ(post[http::field::allow], "GET");
  EXPECT_EQ(json::parse(post.body())["error"], "MethodNotAllowed");
  json unknown = Get("/v2/things", 404);
  EXPECT_EQ(unknown["error"], "NotFound");
  EXPECT_THAT(unknown["message"].get<std::string>(), HasSubstr("/v2/things"));
  EXPECT_EQ(Get("/v1/executions/a/b/c", 404)["error"], "NotFound");
}

TEST_F(RestApiTest, TheServersBearerTokenGuardsTheApiAndMetricsButNotTheProbes) {
  ServerOptions options;
  options.auth_token = "s3cret";
  StopServer();
  StartServer(options);
  HttpTestClient client = Client();
  HttpTestClient::Response refused = client.Get("/v1/executions");
  EXPECT_EQ(refused.result(), http::status::unauthorized);
  EXPECT_EQ(refused[http::field::www_authenticate], "Bearer");
  EXPECT_EQ(json::parse(refused.body())["error"], "Unauthorized");
  EXPECT_EQ(client.Get("/v1/executions", {{"Authorization", "Bearer wrong"}}).result(),
            http::status::unauthorized);
  EXPECT_EQ(client.Get("/v1/executions", {{"Authorization", "Bearer s3cret"}}).result(),
            http::status::ok);
  EXPECT_EQ(client.Get("/metrics").result(), http::status::unauthorized);
  EXPECT_EQ(client.Get("/metrics", {{"Authorization", "Bearer s3cret"}}).result(),
            http::status::ok);
  EXPECT_EQ(client.Get("/healthz").result(), http::status::ok);
  EXPECT_EQ(client.Get("/readyz").result(), http::status::ok);
}

}  // namespace
}  // namespace stepwise::api::testing
