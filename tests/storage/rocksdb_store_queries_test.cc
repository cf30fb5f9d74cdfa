// RocksStore's queries for the API: listing by start time and by parent with stable pages,
// history newest first, and deleting a state machine's definitions.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <deque>
#include <limits>
#include <set>
#include <string>
#include <vector>

#include "storage/store_test_support.h"

namespace stepwise::storage::testing {
namespace {

using engine::ExecutionFilter;
using engine::ExecutionStatus;
using engine::HistoryOrder;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

class QueriesTest : public StoreTest {
 protected:
  engine::ExecutionState& Started(const std::string& machine, const std::string& name,
                                  std::int64_t at, const std::string& parent = "") {
    states_.push_back(MakeExecution(machine, name, at));
    states_.back().info.parent_execution_id = parent;
    EXPECT_TRUE(CommitCreated(store(), states_.back()).ok());
    return states_.back();
  }
  std::vector<std::string> Names(const ExecutionFilter& filter, int page_size = 100) {
    std::vector<std::string> names;
    std::string token;
    int pages = 0;
    do {
      auto page = store().ListExecutions(filter, token, page_size);
      EXPECT_TRUE(page.ok()) << page.status();
      if (!page.ok()) break;
      for (const auto& summary : page->executions) names.push_back(summary.info.name);
      token = page->next_page_token;
    } while (!token.empty() && ++pages < 100);
    return names;
  }
  std::deque<engine::ExecutionState> states_;
};

TEST_F(QueriesTest, AStartTimeRangeIsInclusiveBeforeAndExclusiveAfter) {
  for (int i = 1; i <= 6; ++i) Started(i % 2 ? "odd" : "even", "e" + std::to_string(i), kT0 + i);
  ExecutionFilter range;
  range.started_after = kT0 + 2;
  range.started_before = kT0 + 5;
  EXPECT_THAT(Names(range), ElementsAre("e4", "e3", "e2"));
  EXPECT_THAT(Names(range, 1), ElementsAre("e4", "e3", "e2"));  // page by page
  range.machine_name = "odd";
  EXPECT_THAT(Names(range), ElementsAre("e3"));
  ExecutionFilter from;
  from.started_after = kT0 + 5;
  EXPECT_THAT(Names(from), ElementsAre("e6", "e5"));
  ExecutionFilter until;
  until.started_before = kT0 + 2;
  EXPECT_THAT(Names(until), ElementsAre("e1"));
  until.started_before = std::numeric_limits<std::int64_t>::min();
  EXPECT_THAT(Names(until), IsEmpty());
  ExecutionFilter running_in_range;
  running_in_range.status = ExecutionStatus::kRunning;
  running_in_range.started_after = kT0 + 6;
  EXPECT_THAT(Names(running_in_range), ElementsAre("e6"));
}

TEST_F(QueriesTest, PagesNeitherRepeatNorSkipWhileExecutionsStart) {
  for (int i = 1; i <= 7; ++i) Started("m", "old" + std::to_string(i), kT0 + i);
  std::vector<std::string> seen;
  std::string token;
  int fresh = 0;
  do {
    auto page = store().ListExecutions({}, token, 2);
    ASSERT_TRUE(page.ok()) << page.status();
    for (const auto& summary : page->executions) seen.push_back(summary.info.name);
    token = page->next_page_token;
    // Between pages, new executions start: now, and at the very instant of the newest one.
    ++fresh;
    Started("m", "new" + std::to_string(fresh), kT0 + 100 + fresh);
    Started("m", "tie" + std::to_string(fresh), kT0 + 7);
  } while (!token.empty());
  // Every execution that existed when the listing began, once each, newest first; the ones that
  // started later sort before the first page and never show up in later ones.
  std::vector<std::string> old;
  for (const std::string& name : seen) {
    if (name.starts_with("old")) old.push_back(name);
  }
  EXPECT_THAT(old, ElementsAre("old7", "old6", "old5", "old4", "old3", "old2", "old1"));
  EXPECT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size()) << "a repeat";
}

TEST_F(QueriesTest, ChildrenAreListedByTheirParent) {
  Started("parent", "p1", kT0);
  Started("parent", "p2", kT0);
  std::string p1 = states_[0].info.execution_id;
  std::string p2 = states_[1].info.execution_id;
  Started("child", "c1", kT0 + 1, p1);
  Started("child", "c2", kT0 + 2, p1);
  Started("other", "c3", kT0 + 3, p1);
  Started("child", "d1", kT0 + 4, p2);
  ASSERT_TRUE(CommitEnd(store(), states_[3], ExecutionStatus::kSucceeded, kT0 + 9).ok());

  ExecutionFilter children;
  children.parent_execution_id = p1;
  EXPECT_THAT(Names(children), ElementsAre("c3", "c2", "c1"));
  EXPECT_THAT(Names(children, 1), ElementsAre("c3", "c2", "c1"));
  children.machine_name = "child";
  EXPECT_THAT(Names(children), ElementsAre("c2", "c1"));
  children.status = ExecutionStatus::kRunning;
  EXPECT_THAT(Names(children), ElementsAre("c1"));
  children = {};
  children.parent_execution_id = p2;
  EXPECT_THAT(Names(children), ElementsAre("d1"));
  auto described = store().DescribeExecution(states_[5].info.execution_id);
  ASSERT_TRUE(described.ok());
  EXPECT_EQ(described->info.parent_execution_id, p2);
  children.parent_execution_id = "arn:nobody";
  EXPECT_THAT(Names(children), IsEmpty());

  // Retention removes a child from its parent's listing too.
  auto deleted = store().DeleteFinished(std::numeric_limits<std::int64_t>::max(), 0);
  ASSERT_TRUE(deleted.ok());
  EXPECT_EQ(*deleted, 1);
  children.parent_execution_id = p1;
  EXPECT_THAT(Names(children), ElementsAre("c3", "c1"));
}

TEST_F(QueriesTest, ATokenOfAnotherListingIsRefused) {
  Started("m", "a", kT0 + 1);
  Started("m", "b", kT0 + 2, "arn:parent");
  Started("m", "c", kT0 + 3, "arn:parent");
  ExecutionFilter children;
  children.parent_execution_id = "arn:parent";
  auto page = store().ListExecutions(children, "", 1);
  ASSERT_TRUE(page.ok());
  ASSERT_FALSE(page->next_page_token.empty());
  EXPECT_EQ(store().ListExecutions({}, page->next_page_token, 1).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(QueriesTest, HistoryReadsNewestFirstFromAnIdOrFromTheEnd) {
  engine::ExecutionState& state = Started("m", "h", kT0);
  engine::Step step;
  for (std::int64_t id = 1; id <= 10; ++id) {
    step.history.push_back(engine::HistoryEvent{id, kT0, "PassStateEntered", "", {}});
  }
  ASSERT_TRUE(store().CommitStep(state, step, {}).ok());
  auto ids = [&](std::int64_t from, int limit) {
    std::vector<std::int64_t> found;
    auto read =
        store().ReadHistory(state.info.execution_id, from, limit, HistoryOrder::kNewestFirst);
    EXPECT_TRUE(read.ok()) << read.status();
    if (read.ok()) {
      for (const auto& event : *read) found.push_back(event.id);
    }
    return found;
  };
  EXPECT_THAT(ids(0, 3), ElementsAre(10, 9, 8));
  EXPECT_THAT(ids(std::numeric_limits<std::int64_t>::max(), 2), ElementsAre(10, 9));
  EXPECT_THAT(ids(4, 10), ElementsAre(4, 3, 2, 1));
  EXPECT_THAT(ids(50, 2), ElementsAre(10, 9));
  EXPECT_THAT(ids(1, 5), ElementsAre(1));
  auto oldest = store().ReadHistory(state.info.execution_id, 9, 5, HistoryOrder::kOldestFirst);
  ASSERT_TRUE(oldest.ok());
  ASSERT_EQ(oldest->size(), 2u);
  EXPECT_EQ(oldest->front().id, 9);
}

TEST_F(QueriesTest, DeletingADefinitionRemovesEveryVersionAndOnlyThatName) {
  ASSERT_TRUE(store().PutDefinition("orders", "v1", kT0).ok());
  ASSERT_TRUE(store().PutDefinition("orders", "v2", kT0).ok());
  ASSERT_TRUE(store().PutDefinition("orders-2", "other", kT0).ok());
  ASSERT_TRUE(store().DeleteDefinition("orders").ok());
  EXPECT_EQ(store().GetDefinition("orders", 0).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDefinition("orders", 1).status().code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(store().GetDefinition("orders-2", 0)->definition, "other");
  EXPECT_EQ(store().DeleteDefinition("orders").code(), absl::StatusCode::kNotFound);
  Reopen();
  auto listed = store().ListDefinitions();
  ASSERT_TRUE(listed.ok());
  ASSERT_EQ(listed->size(), 1u);
  EXPECT_EQ(listed->front().name, "orders-2");
  auto again = store().PutDefinition("orders", "v1 again", kT0);
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->version, 1);
}

}  // namespace
}  // namespace stepwise::storage::testing
