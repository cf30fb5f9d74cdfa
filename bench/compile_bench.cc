// How fast definitions compile: a small real-world machine, and a generated one with many
// states, Choice rules and templates (the size users hit with generated workflows).
#include <benchmark/benchmark.h>

#include <string>

#include <nlohmann/json.hpp>

#include "stepwise/dsl/compile.h"

namespace {

constexpr const char* kOrderPipeline = R"json({
  "StartAt": "Charge",
  "States": {
    "Charge": {"Type": "Task", "Resource": "function:charge",
      "Parameters": {"orderId.$": "$.id", "amount.$": "$.total"},
      "Retry": [{"ErrorEquals": ["Busy"], "MaxAttempts": 4, "BackoffRate": 2.0}],
      "Catch": [{"ErrorEquals": ["States.ALL"], "ResultPath": "$.failure", "Next": "Failed"}],
      "Next": "Route"},
    "Route": {"Type": "Choice", "Choices": [
      {"And": [{"Variable": "$.total", "IsPresent": true},
               {"Variable": "$.total", "NumericGreaterThanEquals": 1000}], "Next": "Review"}],
      "Default": "Ship"},
    "Review": {"Type": "Pass", "Result": "needs review", "ResultPath": "$.note", "Next": "Ship"},
    "Ship": {"Type": "Pass", "Parameters": {"shipped.$": "States.Format('order {}', $.id)"},
      "End": true},
    "Failed": {"Type": "Fail", "ErrorPath": "$.failure.Error", "CausePath": "$.failure.Cause"}
  }
})json";

std::string GeneratedMachine(int states) {
  nlohmann::json machine = {{"StartAt", "S0"}, {"States", nlohmann::json::object()}};
  for (int i = 0; i < states; ++i) {
    std::string next = i + 1 < states ? "S" + std::to_string(i + 1) : "";
    nlohmann::json state;
    if (i % 2 == 0) {
      state = {{"Type", "Pass"},
               {"Parameters", {{"i", i}, {"v.$", "$.values[" + std::to_string(i) + "]"}}}};
    } else {
      state = {{"Type", "Choice"},
               {"Choices", nlohmann::json::array({{{"Variable", "$.i"},
                                                   {"NumericLessThan", i},
                                                   {"Next", next.empty() ? "S0" : next}}})},
               {"Default", next.empty() ? "S0" : next}};
    }
    if (state["Type"] == "Pass") {
      if (next.empty()) {
        state["End"] = true;
      } else {
        state["Next"] = next;
      }
    }
    machine["States"]["S" + std::to_string(i)] = state;
  }
  if (states % 2 == 0) machine["States"]["End"] = {{"Type", "Succeed"}};
  return machine.dump();
}

void BM_CompileOrderPipeline(benchmark::State& state) {
  for (auto _ : state) {
    auto result = stepwise::dsl::Compile(kOrderPipeline);
    if (result.machine == nullptr) state.SkipWithError("did not compile");
    benchmark::DoNotOptimize(result);
  }
}
BENCHMARK(BM_CompileOrderPipeline);

void BM_CompileGenerated(benchmark::State& state) {
  std::string text = GeneratedMachine(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    auto result = stepwise::dsl::Compile(text);
    benchmark::DoNotOptimize(result);
  }
  state.SetItemsProcessed(state.iterations() * state.range(0));
  state.SetLabel("states/s as items/s");
}
BENCHMARK(BM_CompileGenerated)->Arg(100)->Arg(1000);

}  // namespace

BENCHMARK_MAIN();
