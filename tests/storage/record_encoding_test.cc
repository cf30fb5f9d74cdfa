// The stored record formats (white-box: storage/src is the storage module's private side).
#include "../../storage/src/record_encoding.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "../../storage/src/keys.h"

namespace stepwise::storage {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

TEST(RecordEncodingTest, ExecutionStartRoundTrips) {
  ExecutionStart start;
  start.info.execution_id = "arn:stepwise:execution:m:run-1";
  start.info.name = "run-1";
  start.info.state_machine_id = "arn:sm:m";
  start.info.state_machine_name = "m";
  start.info.state_machine_version = 3;
  start.info.role_arn = "arn:aws:iam::1:role/r";
  start.info.start_time = 1'700'000'000'123;
  start.input = json{{"order", 17}, {"lines", {1, 2}}};
  auto decoded = DecodeExecutionStart(EncodeExecutionStart(start));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->info.execution_id, start.info.execution_id);
  EXPECT_EQ(decoded->info.name, start.info.name);
  EXPECT_EQ(decoded->info.state_machine_id, start.info.state_machine_id);
  EXPECT_EQ(decoded->info.state_machine_name, start.info.state_machine_name);
  EXPECT_EQ(decoded->info.state_machine_version, 3);
  EXPECT_EQ(decoded->info.role_arn, start.info.role_arn);
  EXPECT_EQ(decoded->info.start_time, start.info.start_time);
  EXPECT_EQ(decoded->input, start.input);
}

// A record as an earlier release wrote it: the format tag, then the CBOR map.
std::string Written(const json& body) {
  std::string bytes(1, static_cast<char>(kRecordFormat));
  json::to_cbor(body, bytes);
  return bytes;
}

TEST(RecordEncodingTest, ExecutionStartRoundTripsItsParent) {
  ExecutionStart start;
  start.info.execution_id = "arn:stepwise:execution:child:c1";
  start.info.name = "c1";
  start.info.state_machine_id = "arn:sm:child";
  start.info.state_machine_name = "child";
  start.info.state_machine_version = 1;
  start.info.start_time = 5;
  start.info.parent_execution_id = "arn:stepwise:execution:parent:p1";
  start.info.parent_task_token = "2.3@arn:stepwise:execution:parent:p1";
  start.info.parent_wants_json = true;
  auto decoded = DecodeExecutionStart(EncodeExecutionStart(start));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->info.parent_execution_id, start.info.parent_execution_id);
  EXPECT_EQ(decoded->info.parent_task_token, start.info.parent_task_token);
  EXPECT_TRUE(decoded->info.parent_wants_json);
}

TEST(RecordEncodingTest, RecordsWrittenBeforeTheOptionalFieldsReadAsTheirDefaults) {
  auto start = DecodeExecutionStart(Written({{"id", "arn:e"},
                                             {"name", "e"},
                                             {"smid", "arn:sm:m"},
                                             {"sm", "m"},
                                             {"smv", 2},
                                             {"start", 9},
                                             {"in", {{"a", 1}}}}));
  ASSERT_TRUE(start.ok()) << start.status();
  EXPECT_EQ(start->info.state_machine_version, 2);
  EXPECT_TRUE(start->info.parent_execution_id.empty());
  EXPECT_TRUE(start->info.parent_task_token.empty());
  EXPECT_FALSE(start->info.parent_wants_json);

  auto record = DecodeExecutionRecord(Written({{"status", 2}, {"nev", 7}, {"nfr", 3}}));
  ASSERT_TRUE(record.ok()) << record.status();
  EXPECT_EQ(record->status, engine::ExecutionStatus::kFailed);
  EXPECT_EQ(record->redrive_count, 0);

  auto task = DecodeTask(Written({{"ex", "arn:e"},
                                  {"fr", 1},
                                  {"seq", 4},
                                  {"sn", "Work"},
                                  {"res", "function:w"},
                                  {"in", json::object()},
                                  {"to", 60}}));
  ASSERT_TRUE(task.ok()) << task.status();
  EXPECT_EQ(task->task.integration, engine::TaskIntegration::kInvoke);
}

TEST(RecordEncodingTest, RedriveCountAndTaskIntegrationRoundTrip) {
  ExecutionRecord record;
  record.redrive_count = 3;
  auto decoded = DecodeExecutionRecord(EncodeExecutionRecord(record));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->redrive_count, 3);

  for (auto integration :
       {engine::TaskIntegration::kInvoke, engine::TaskIntegration::kCallback,
        engine::TaskIntegration::kStartExecution, engine::TaskIntegration::kStartExecutionSync,
        engine::TaskIntegration::kStartExecutionSync2,
        engine::TaskIntegration::kStartExecutionCallback}) {
    engine::StoredTask stored;
    stored.execution_id = "arn:e";
    stored.task.task = {1, 1};
    stored.task.integration = integration;
    auto task = DecodeTask(EncodeTask(stored));
    ASSERT_TRUE(task.ok()) << task.status();
    EXPECT_EQ(task->task.integration, integration);
  }
  json unknown = {{"ex", "arn:e"}, {"fr", 1},       {"seq", 1}, {"sn", ""},
                  {"res", ""},     {"in", nullptr}, {"to", 60}, {"ig", 99}};
  EXPECT_EQ(DecodeTask(Written(unknown)).status().code(), absl::StatusCode::kDataLoss);
}

TEST(RecordEncodingTest, ExecutionRecordRoundTripsInAFewDozenBytes) {
  ExecutionRecord record;
  record.status = engine::ExecutionStatus::kFailed;
  record.stop_time = 1'700'000'009'999;
  record.output = json{{"a", {1, 2.5, "x", nullptr, true}}};
  record.error = "States.TaskFailed";
  record.cause = "boom";
  record.next_event_id = 42;
  record.next_frame_id = 7;
  record.ready = {5, 3};
  auto decoded = DecodeExecutionRecord(EncodeExecutionRecord(record));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->status, record.status);
  EXPECT_EQ(decoded->stop_time, record.stop_time);
  EXPECT_EQ(decoded->output, record.output);
  EXPECT_EQ(decoded->error, record.error);
  EXPECT_EQ(decoded->cause, record.cause);
  EXPECT_EQ(decoded->next_event_id, 42);
  EXPECT_EQ(decoded->next_frame_id, 7u);
  EXPECT_EQ(decoded->ready, record.ready);
  ExecutionRecord running;
  running.next_event_id = 123'456;
  running.next_frame_id = 9'999;
  EXPECT_LT(EncodeExecutionRecord(running).size(), 40u);  // what most steps rewrite
}

TEST(RecordEncodingTest, ExecutionRecordAtItsDefaultsRoundTrips) {
  auto decoded = DecodeExecutionRecord(EncodeExecutionRecord(ExecutionRecord{}));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->status, engine::ExecutionStatus::kRunning);
  EXPECT_TRUE(decoded->output.is_null());
  EXPECT_TRUE(decoded->ready.empty());
  EXPECT_EQ(decoded->next_event_id, 1);
}

TEST(RecordEncodingTest, ValuesOfEveryJsonKindRoundTrip) {
  for (const json& value : {json(nullptr), json(true), json(-5), json(18446744073709551615u),
                            json(0.1), json("text ünïcode"), json::array(), json::object(),
                            json{{"nested", {{"deep", {1, {{"k", "v"}}}}}}}}) {
    auto decoded = DecodeValue(EncodeValue(value));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(*decoded, value) << value.dump();
  }
}

TEST(RecordEncodingTest, FrameHeaderRoundTripsWithoutItsBigParts) {
  engine::Frame frame;
  frame.id = 9;
  frame.parent = 2;
  frame.child_index = 1234;
  frame.state = 3;
  frame.phase = engine::FramePhase::kChildren;
  frame.seq = 17;
  frame.input = json{{"big", std::string(1000, 'x')}};
  frame.entered_time = 1'700'000'000'000;
  frame.entered_event = 55;
  frame.retry_counts = {0, 2};
  frame.retry_count = 2;
  frame.heartbeat_due = 1'700'000'060'000;
  frame.heartbeat_seconds = 60;
  engine::ChildrenProgress& children = frame.children.emplace();
  children.items = json::array({1, 2, 3});
  children.results = json::array({nullptr, "r", nullptr});
  children.shared_input = json{{"s", 1}};
  children.total = 3;
  children.started = 2;
  children.running = 1;
  children.failed = 1;
  children.max_concurrency = 2;
  children.tolerated_failure_count = 4;
  children.tolerated_failure_percentage = 12.5;
  children.queued = true;
  std::string bytes = EncodeFrameHeader(frame);
  EXPECT_LT(bytes.size(), 150u);  // the input, items and results are not in it
  auto decoded = DecodeFrameHeader(bytes);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->id, 9u);
  EXPECT_EQ(decoded->parent, 2u);
  EXPECT_EQ(decoded->child_index, 1234);
  EXPECT_EQ(decoded->state, 3);
  EXPECT_EQ(decoded->phase, engine::FramePhase::kChildren);
  EXPECT_EQ(decoded->seq, 17u);
  EXPECT_TRUE(decoded->input.is_null());
  EXPECT_EQ(decoded->entered_time, frame.entered_time);
  EXPECT_EQ(decoded->entered_event, 55);
  EXPECT_EQ(decoded->retry_counts, frame.retry_counts);
  EXPECT_EQ(decoded->retry_count, 2);
  EXPECT_EQ(decoded->heartbeat_due, frame.heartbeat_due);
  EXPECT_EQ(decoded->heartbeat_seconds, 60);
  ASSERT_TRUE(decoded->children.has_value());
  EXPECT_EQ(decoded->children->total, 3);
  EXPECT_EQ(decoded->children->started, 2);
  EXPECT_EQ(decoded->children->running, 1);
  EXPECT_EQ(decoded->children->failed, 1);
  EXPECT_EQ(decoded->children->max_concurrency, 2);
  EXPECT_EQ(decoded->children->tolerated_failure_count, 4);
  EXPECT_EQ(decoded->children->tolerated_failure_percentage, 12.5);
  EXPECT_TRUE(decoded->children->queued);
  EXPECT_EQ(decoded->children->items, json::array());
  EXPECT_TRUE(decoded->children->shared_input.is_null());
}

TEST(RecordEncodingTest, FrameWithoutChildrenRoundTripsWithoutThem) {
  engine::Frame frame;
  frame.id = 1;
  frame.state = 0;
  frame.phase = engine::FramePhase::kTask;
  auto decoded = DecodeFrameHeader(EncodeFrameHeader(frame));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_FALSE(decoded->children.has_value());
  EXPECT_EQ(decoded->phase, engine::FramePhase::kTask);
}

TEST(RecordEncodingTest, ChildrenItemsAndSharedInputRoundTrip) {
  engine::ChildrenProgress children;
  children.items = json::array({json{{"id", 1}}, "two", 3});
  children.shared_input = json{{"common", true}};
  engine::ChildrenProgress decoded;
  ASSERT_TRUE(DecodeChildren(EncodeChildren(children), decoded).ok());
  EXPECT_EQ(decoded.items, children.items);
  EXPECT_EQ(decoded.shared_input, children.shared_input);
}

TEST(RecordEncodingTest, TimerRoundTrips) {
  engine::StoredTimer timer{"arn:x:exec", {4, 8, engine::TimerKind::kHeartbeat}, 1'700'000'000'500};
  auto decoded = DecodeTimer(EncodeTimer(timer));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->execution_id, timer.execution_id);
  EXPECT_EQ(decoded->timer, timer.timer);
  EXPECT_EQ(decoded->due, timer.due);
}

TEST(RecordEncodingTest, TaskRoundTripsWithAndWithoutHeartbeat) {
  engine::StoredTask stored;
  stored.execution_id = "arn:x:exec";
  stored.task.task = {3, 5};
  stored.task.state_name = "Work";
  stored.task.resource = "arn:aws:states:::lambda:invoke";
  stored.task.function = "work";
  stored.task.input = json{{"n", 1}};
  stored.task.timeout_seconds = 30;
  stored.task.heartbeat_seconds = 10;
  stored.task.attempt = 2;
  for (bool heartbeat : {true, false}) {
    if (!heartbeat) stored.task.heartbeat_seconds.reset();
    auto decoded = DecodeTask(EncodeTask(stored));
    ASSERT_TRUE(decoded.ok()) << decoded.status();
    EXPECT_EQ(decoded->execution_id, stored.execution_id);
    EXPECT_EQ(decoded->task.task, stored.task.task);
    EXPECT_EQ(decoded->task.state_name, "Work");
    EXPECT_EQ(decoded->task.resource, stored.task.resource);
    EXPECT_EQ(decoded->task.function, "work");
    EXPECT_EQ(decoded->task.input, stored.task.input);
    EXPECT_EQ(decoded->task.timeout_seconds, 30);
    EXPECT_EQ(decoded->task.heartbeat_seconds, stored.task.heartbeat_seconds);
    EXPECT_EQ(decoded->task.attempt, 2);
  }
}

TEST(RecordEncodingTest, HistoryEventRoundTripsWithTheIdFromItsKey) {
  engine::HistoryEvent event;
  event.id = 12;
  event.timestamp = 1'700'000'000'001;
  event.type = "TaskStateEntered";
  event.state_name = "Work";
  event.details = json{{"input", {{"a", 1}}}};
  auto decoded = DecodeHistoryEvent(EncodeHistoryEvent(event), 12);
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->id, 12);
  EXPECT_EQ(decoded->timestamp, event.timestamp);
  EXPECT_EQ(decoded->type, "TaskStateEntered");
  EXPECT_EQ(decoded->state_name, "Work");
  EXPECT_EQ(decoded->details, event.details);
}

TEST(RecordEncodingTest, DefinitionRoundTrips) {
  engine::StoredDefinition definition{"orders", 4, R"({"StartAt": "A", "States": {}})", 77};
  auto decoded = DecodeDefinition(EncodeDefinition(definition));
  ASSERT_TRUE(decoded.ok()) << decoded.status();
  EXPECT_EQ(decoded->name, "orders");
  EXPECT_EQ(decoded->version, 4);
  EXPECT_EQ(decoded->definition, definition.definition);
  EXPECT_EQ(decoded->created_at, 77);
}

TEST(RecordEncodingTest, UnknownFormatTagIsDataLossNotMisread) {
  std::string bytes = EncodeTimer({"e", {1, 1, engine::TimerKind::kWait}, 5});
  bytes[0] = static_cast<char>(kRecordFormat + 1);
  auto decoded = DecodeTimer(bytes);
  ASSERT_EQ(decoded.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(decoded.status().message(), HasSubstr("record format 2"));
}

TEST(RecordEncodingTest, EmptyTruncatedOrGarbageBytesAreDataLoss) {
  std::string good = EncodeDefinition({"n", 1, "{}", 0});
  for (const std::string& bad :
       {std::string(), good.substr(0, good.size() / 2), std::string("\x01\xff\xfe", 3)}) {
    EXPECT_EQ(DecodeDefinition(bad).status().code(), absl::StatusCode::kDataLoss);
  }
}

TEST(RecordEncodingTest, MissingFieldOrWrongTypeIsDataLoss) {
  auto seal = [](const json& body) {
    std::string bytes(1, static_cast<char>(kRecordFormat));
    json::to_cbor(body, bytes);
    return bytes;
  };
  EXPECT_EQ(DecodeTask(seal({{"ex", "e"}})).status().code(), absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeHistoryEvent(seal({{"t", 5}, {"ts", 1}}), 1).status().code(),
            absl::StatusCode::kDataLoss);
  EXPECT_EQ(DecodeExecutionRecord(seal(json::array())).status().code(),
            absl::StatusCode::kDataLoss);
  auto bad_kind = DecodeTimer(seal({{"ex", "e"}, {"fr", 1}, {"seq", 1}, {"k", 99}, {"due", 1}}));
  EXPECT_EQ(bad_kind.status().code(), absl::StatusCode::kDataLoss);
  EXPECT_THAT(bad_kind.status().message(), HasSubstr("timer kind"));
}

TEST(KeysTest, NoExecutionsKeysFallUnderAnotherWhoseIdStartsTheSame) {
  std::string short_prefix = keys::Execution("arn:x:exec:a");
  EXPECT_FALSE(std::string_view(keys::ExecutionRecord("arn:x:exec:ab")).starts_with(short_prefix));
  EXPECT_TRUE(std::string_view(keys::ExecutionRecord("arn:x:exec:a")).starts_with(short_prefix));
  std::string machine = keys::ListingPrefix("orders", std::nullopt);
  EXPECT_FALSE(
      std::string_view(keys::ListingKey(keys::ListingPrefix("orders2", std::nullopt), 1, "x"))
          .starts_with(machine));
}

TEST(KeysTest, HandlesRoundTripAndZeroIsNone) {
  EXPECT_EQ(keys::ParseHandleValue(keys::HandleValue(123456789)), 123456789u);
  EXPECT_EQ(keys::ParseHandleValue(keys::HandleValue(0)), std::nullopt);
  EXPECT_EQ(keys::ParseHandleValue("short"), std::nullopt);
}

TEST(KeysTest, NumbersSortNumericallyAndListingsNewestFirst) {
  EXPECT_LT(keys::History(7, 2), keys::History(7, 10));
  EXPECT_LT(keys::History(7, 255), keys::History(7, 256));
  EXPECT_LT(keys::History(7, 1'000'000), keys::History(8, 1));
  EXPECT_LT(keys::FrameResult(7, 1, 9), keys::FrameResult(7, 1, 10));
  EXPECT_LT(keys::TimerDue(-5, "x"), keys::TimerDue(3, "a"));
  std::string prefix = keys::ListingPrefix("m", std::nullopt);
  EXPECT_LT(keys::ListingKey(prefix, 2000, "zz-newer"), keys::ListingKey(prefix, 1000, "a"));
  EXPECT_EQ(keys::ParseListingId(keys::ListingKey(prefix, 5, "arn:a:b"), prefix), "arn:a:b");
}

TEST(KeysTest, LongStringsKeepTheirLength) {
  std::string name(300, 'n');
  std::string parsed;
  std::int64_t version = 0;
  ASSERT_TRUE(keys::ParseDefinition(keys::Definition(name, 7), parsed, version));
  EXPECT_EQ(parsed, name);
  EXPECT_EQ(version, 7);
}

}  // namespace
}  // namespace stepwise::storage
