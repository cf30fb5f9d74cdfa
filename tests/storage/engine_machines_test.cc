// Deleting a state machine through the Engine: refused while executions of it run, and a
// machine created again under the name runs its new definition. On a real RocksDB store.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <string>

#include "storage/engine_test_support.h"

namespace stepwise::testing {
namespace {

using engine::ExecutionStatus;
using nlohmann::json;
using ::testing::HasSubstr;

constexpr const char* kTask = R"({"StartAt": "Work", "States": {
  "Work": {"Type": "Task", "Resource": "function:w", "End": true}}})";
constexpr const char* kPass = R"({"StartAt": "P", "States": {
  "P": {"Type": "Pass", "Result": "new", "End": true}}})";

using MachinesTest = EngineTest;

TEST_F(MachinesTest, DeletingIsRefusedWhileExecutionsRunAndSaysHowMany) {
  Put("jobs", kTask);
  std::string one = Start("jobs", "one");
  std::string two = Start("jobs", "two");
  absl::Status refused = engine_->DeleteStateMachine("jobs");
  EXPECT_EQ(refused.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(refused.message(), "2 executions of 'jobs' are still running; stop them or wait");
  ASSERT_TRUE(engine_->StopExecution(one, "Stop", "").ok());
  EXPECT_THAT(engine_->DeleteStateMachine("jobs").message(), HasSubstr("1 execution of 'jobs'"));
  ASSERT_TRUE(engine_->StopExecution(two, "Stop", "").ok());

  ASSERT_TRUE(engine_->DeleteStateMachine("jobs").ok());
  EXPECT_EQ(engine_->DeleteStateMachine("jobs").code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(engine_->StartExecution("jobs", "three", json::object()).status().code(),
            absl::StatusCode::kNotFound);
  auto kept = engine_->DescribeExecution(one);  // finished executions stay
  ASSERT_TRUE(kept.ok());
  EXPECT_EQ(kept->status, ExecutionStatus::kAborted);
}

TEST_F(MachinesTest, AMachineCreatedAgainRunsItsNewDefinition) {
  Put("again", kTask);
  std::string first = Start("again", "first");
  ASSERT_TRUE(engine_->StopExecution(first, "Stop", "").ok());
  ASSERT_TRUE(engine_->DeleteStateMachine("again").ok());
  Put("again", kPass);  // version 1 again, with another definition
  std::string second = Start("again", "second");
  auto summary = Await(second);
  EXPECT_EQ(summary.status, ExecutionStatus::kSucceeded);
  EXPECT_EQ(summary.output, json("new"));
}

TEST_F(MachinesTest, AnUnknownMachineIsNotFound) {
  EXPECT_EQ(engine_->DeleteStateMachine("ghost").code(), absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace stepwise::testing
