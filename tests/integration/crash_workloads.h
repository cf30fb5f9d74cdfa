// The workloads of the crash tests, shared by the child process that runs them
// (crash_child.cc) and the test that kills it and checks the outcome (crash_test.cc): the state
// machines, the named executions with their inputs, what the workers return for a task, and the
// output each execution must end with.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace stepwise::crash {

// Every Task of every workload names its attempt's task in its input ("tid", unique within an
// execution) so that the history check can tell attempts apart. Tasks time out after 600 s:
// far beyond any run, so that no timeout changes an output.
struct Workload {
  std::string machine;
  std::string definition;  // ASL text
};

struct PlannedExecution {
  std::string machine;
  std::string name;
  nlohmann::json input;
  nlohmann::json expected_output;
};

inline constexpr int kChainLength = 20;
inline constexpr int kMapItems = 200;
inline constexpr int kLoopIterations = 5000;

// The error the flaky function fails with on its first attempt.
inline constexpr const char* kFlakyError = "Crash.Flaky";

// What the workers return, as a pure function of the task's input: "double" gives x * 2,
// "flaky" fails its first attempt and then gives x * 3.
inline nlohmann::json DoubleResult(const nlohmann::json& input) {
  return {{"tid", input.at("tid")}, {"v", input.at("x").get<std::int64_t>() * 2}};
}
inline nlohmann::json FlakyResult(const nlohmann::json& input) {
  return {{"tid", input.at("tid")}, {"v", input.at("x").get<std::int64_t>() * 3}};
}
// The cause the flaky function fails with: names the attempt, so that a failure applied twice
// shows in the history.
inline std::string FlakyCause(const nlohmann::json& input, int attempt) {
  return input.at("tid").get<std::string>() + "#" + std::to_string(attempt);
}

namespace internal {

inline nlohmann::json TaskState(const std::string& function, nlohmann::json parameters) {
  return {{"Type", "Task"},
          {"Resource", "function:" + function},
          {"Parameters", std::move(parameters)},
          {"TimeoutSeconds", 600}};
}

inline nlohmann::json Machine(const std::string& start_at, nlohmann::json states) {
  return {{"StartAt", start_at}, {"States", std::move(states)}};
}

}  // namespace internal

inline std::vector<Workload> Workloads() {
  using internal::Machine;
  using internal::TaskState;
  using nlohmann::json;
  std::vector<Workload> workloads;

  // A durable Wait of 1 s, then a Task.
  json work = TaskState("double", {{"tid", "w"}, {"x.$", "$.x"}});
  work["End"] = true;
  workloads.push_back(
      {"crash_wait_task",
       Machine("Nap",
               {{"Nap", {{"Type", "Wait"}, {"Seconds", 1}, {"Next", "Work"}}}, {"Work", work}})
           .dump()});

  // A Task whose first attempt fails, retried after a durable 1 s backoff.
  json flaky = TaskState("flaky", {{"tid", "r"}, {"x.$", "$.x"}});
  flaky["Retry"] = json::array({{{"ErrorEquals", {kFlakyError}},
                                 {"IntervalSeconds", 1},
                                 {"MaxAttempts", 3},
                                 {"BackoffRate", 1.0}}});
  flaky["End"] = true;
  workloads.push_back({"crash_retry", Machine("Flaky", {{"Flaky", flaky}}).dump()});

  // A chain of Tasks, each doubling the previous result.
  json chain = json::object();
  for (int i = 0; i < kChainLength; ++i) {
    json link = TaskState("double", {{"tid", "c" + std::to_string(i)}, {"x.$", "$.x"}});
    link["ResultSelector"] = {{"x.$", "$.v"}};
    if (i + 1 < kChainLength) {
      link["Next"] = "C" + std::to_string(i + 1);
    } else {
      link["End"] = true;
    }
    chain["C" + std::to_string(i)] = link;
  }
  workloads.push_back({"crash_chain", Machine("C0", chain).dump()});

  // A Map of many items, 8 at a time, each a Task.
  json item = TaskState("double", {{"tid.$", "States.Format('m{}', $.i)"}, {"x.$", "$.x"}});
  item["End"] = true;
  json map = {{"Type", "Map"},
              {"ItemsPath", "$.items"},
              {"MaxConcurrency", 8},
              {"ItemProcessor",
               {{"ProcessorConfig", {{"Mode", "INLINE"}}},
                {"StartAt", "Item"},
                {"States", {{"Item", item}}}}},
              {"End", true}};
  workloads.push_back({"crash_map", Machine("Each", {{"Each", map}}).dump()});

  // A Parallel of three Task branches.
  json branches = json::array();
  for (int b = 0; b < 3; ++b) {
    json branch = TaskState("double", {{"tid", "p" + std::to_string(b)},
                                       {"x.$", "States.MathAdd($.x, " + std::to_string(b) + ")"}});
    branch["End"] = true;
    std::string name = "B" + std::to_string(b);  // state names are unique machine-wide
    branches.push_back(Machine(name, {{name, branch}}));
  }
  workloads.push_back(
      {"crash_parallel",
       Machine("Fan", {{"Fan", {{"Type", "Parallel"}, {"Branches", branches}, {"End", true}}}})
           .dump()});

  // A Pass/Choice loop: many transitions, cut into many steps.
  json loop = {
      {"Inc",
       {{"Type", "Pass"},
        {"Parameters", {{"n.$", "States.MathAdd($.n, 1)"}, {"x.$", "$.x"}}},
        {"Next", "Check"}}},
      {"Check",
       {{"Type", "Choice"},
        {"Choices",
         json::array(
             {{{"Variable", "$.n"}, {"NumericLessThan", kLoopIterations}, {"Next", "Inc"}}})},
        {"Default", "Done"}}},
      {"Done", {{"Type", "Succeed"}}}};
  workloads.push_back({"crash_loop", Machine("Inc", loop).dump()});
  return workloads;
}

// The named executions (20 of them) with their inputs and expected outputs.
inline std::vector<PlannedExecution> Executions() {
  using nlohmann::json;
  std::vector<PlannedExecution> executions;
  auto add = [&](const char* machine, const std::string& name, json input, json expected) {
    executions.push_back({machine, name, std::move(input), std::move(expected)});
  };
  for (int k = 1; k <= 4; ++k) {
    add("crash_wait_task", "wait-" + std::to_string(k), {{"x", k}}, {{"tid", "w"}, {"v", 2 * k}});
    add("crash_retry", "retry-" + std::to_string(k), {{"x", k}}, {{"tid", "r"}, {"v", 3 * k}});
    json fan = json::array();
    for (int b = 0; b < 3; ++b)
      fan.push_back({{"tid", "p" + std::to_string(b)}, {"v", 2 * (k + b)}});
    add("crash_parallel", "parallel-" + std::to_string(k), {{"x", k}}, fan);
  }
  for (int k = 1; k <= 3; ++k) {
    add("crash_chain", "chain-" + std::to_string(k), {{"x", k}},
        {{"x", static_cast<std::int64_t>(k) << kChainLength}});
    add("crash_loop", "loop-" + std::to_string(k), {{"n", 0}, {"x", k}},
        {{"n", kLoopIterations}, {"x", k}});
  }
  for (int k = 1; k <= 2; ++k) {
    json items = json::array();
    json results = json::array();
    for (int i = 0; i < kMapItems; ++i) {
      int x = i + 1000 * k;
      items.push_back({{"i", i}, {"x", x}});
      results.push_back({{"tid", "m" + std::to_string(i)}, {"v", 2 * x}});
    }
    add("crash_map", "map-" + std::to_string(k), {{"items", items}}, results);
  }
  return executions;
}

// The id the Engine gives an execution (its ARN).
inline std::string ExecutionId(const PlannedExecution& execution) {
  return "arn:stepwise:states:local:execution:" + execution.machine + ":" + execution.name;
}

}  // namespace stepwise::crash
