#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "stepwise/engine/execution_state.h"

namespace stepwise::engine {

// Task tokens: the one place that says how a token is written and read. A token names the
// execution and the attempt of one task, so any client holding it (a worker, or whoever found
// `$$.Task.Token` in a task's input) can complete, fail or heartbeat that attempt, and a token
// of an older attempt is refused as stale.
//
//   "<frame>.<seq>@<execution id>"    the attempt: what `$$.Task.Token` holds, and what a
//                                     worker gets for an ordinary task
//   "<frame>.<seq>.i@<execution id>"  the invocation of a callback (.waitForTaskToken) task: what
//                                     its worker gets. Completing it only acknowledges the
//                                     invocation (the state waits on for the attempt's token);
//                                     failing it fails the task, as a failed invocation does on
//                                     AWS.

struct TaskToken {
  std::string execution_id;
  TaskRef task;
  bool invocation = false;  // the ".i" form
};

std::string FormatTaskToken(const TaskToken& token);
// The attempt's token ("<frame>.<seq>@<execution id>").
std::string MakeTaskToken(std::string_view execution_id, const TaskRef& task);
// nullopt for anything that is not a token this engine writes.
std::optional<TaskToken> ParseTaskToken(std::string_view token);

}  // namespace stepwise::engine
