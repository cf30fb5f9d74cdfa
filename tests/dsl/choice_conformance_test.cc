// Replays the Choice decisions that LocalStack recorded against real AWS Step Functions
// (shared/conformance/cases/localstack/jsonpath). A case is used when its machine is one Choice
// state leading straight to terminal states whose result shows which branch ran: Pass states
// (End, a constant Result at most), Succeed and Fail. The expected branch is the one whose
// result is the recorded result; when two branches would give the same result (two Pass
// states echoing the input) the recording cannot tell them apart and the case is skipped.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "stepwise/dsl/choice_rule.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr char kNoMatch[] = "(no rule matched, no Default: States.NoChoiceMatched)";
constexpr char kRuntimeError[] = "(States.Runtime)";

std::optional<fs::path> CasesDir() {
  std::vector<fs::path> roots;
  if (const char* source = std::getenv("STEPWISE_SOURCE_DIR")) roots.emplace_back(source);
  roots.push_back(fs::path(__FILE__).parent_path() / ".." / "..");  // when run by hand
  for (const auto& root : roots) {
    fs::path dir = root / ".." / "shared" / "conformance" / "cases" / "localstack" / "jsonpath";
    if (fs::is_directory(dir)) return dir;
  }
  return std::nullopt;
}

bool OnlyKeys(const json& state, std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, value] : state.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) return false;
  }
  return true;
}

// The terminal result a state gives for `input`, in the shape of a case's "expect", or nullopt
// when the state is not one whose result identifies it.
std::optional<json> TerminalResult(const json& state, const json& input) {
  const std::string type = state.value("Type", "");
  if (type == "Succeed" && OnlyKeys(state, {"Type", "Comment"})) {
    return json{{"status", "SUCCEEDED"}, {"output", input}};
  }
  if (type == "Fail" && OnlyKeys(state, {"Type", "Comment", "Error", "Cause"})) {
    return json{{"status", "FAILED"},
                {"error", state.value("Error", json())},
                {"cause", state.value("Cause", json())}};
  }
  // A Pass state's constant Result is not processed (its "x.$" keys are plain names).
  if (type != "Pass" || !state.value("End", false) ||
      !OnlyKeys(state, {"Type", "End", "Result", "Comment"})) {
    return std::nullopt;
  }
  return json{{"status", "SUCCEEDED"}, {"output", state.value("Result", input)}};
}

bool Compatible(const json& result, const json& expect) {
  if (result["status"] != expect["status"]) return false;
  if (expect["status"] == "SUCCEEDED") return result["output"] == expect["output"];
  if (result["error"] != expect.value("error", json())) return false;
  return !expect.contains("cause") || result["cause"] == expect["cause"];
}

struct Outcome {
  std::string expected;  // a state name, kNoMatch or kRuntimeError
  std::string actual;
  std::string detail;  // a compile or runtime message
};

// nullopt when the case is not a single Choice over identifiable terminal states.
std::optional<Outcome> Replay(const json& test) {
  const json& definition = test["definition"];
  const json& input = test["input"];
  const json& states = definition.value("States", json::object());
  const std::string start = definition.value("StartAt", "");
  if (!states.contains(start) || states[start].value("Type", "") != "Choice") return std::nullopt;
  const json& choice = states[start];
  if (choice.contains("InputPath") || choice.contains("OutputPath") ||
      !choice["Choices"].is_array()) {
    return std::nullopt;
  }

  // Every branch's result, and which of them (or a failure) the recording allows.
  std::set<std::string> targets;
  for (const auto& rule : choice["Choices"]) targets.insert(rule.value("Next", ""));
  if (choice.contains("Default")) targets.insert(choice["Default"].get<std::string>());
  std::vector<std::string> compatible;
  for (const auto& target : targets) {
    if (!states.contains(target)) return std::nullopt;
    auto result = TerminalResult(states[target], input);
    if (!result) return std::nullopt;
    if (Compatible(*result, test["expect"])) compatible.push_back(target);
  }
  const json& expect = test["expect"];
  if (expect["status"] == "FAILED") {
    if (!choice.contains("Default") && expect.value("error", json()) == "States.NoChoiceMatched") {
      compatible.push_back(kNoMatch);
    }
    if (expect.value("error", json()) == "States.Runtime") compatible.push_back(kRuntimeError);
  }
  if (compatible.size() != 1) return std::nullopt;

  Outcome outcome{compatible.front(), "", ""};
  const json context = {{"Execution", {{"Input", input}, {"Name", test["name"]}}},
                        {"State", {{"Name", start}}}};
  const EvalScope scope{input, context, {}};
  Diagnostics diagnostics;
  std::vector<std::pair<ChoiceRule, std::string>> rules;
  const json& choices = choice["Choices"];
  for (size_t i = 0; i < choices.size(); ++i) {
    auto rule = ChoiceRule::Compile(
        choices[i], "/States/" + start + "/Choices/" + std::to_string(i), true, diagnostics);
    if (!rule) {
      outcome.actual = "(did not compile)";
      for (const auto& d : diagnostics.all()) outcome.detail += FormatDiagnostic(d) + "; ";
      return outcome;
    }
    rules.emplace_back(*rule, choices[i]["Next"].get<std::string>());
  }
  for (const auto& [rule, next] : rules) {
    auto matched = rule.Evaluate(scope);
    if (!matched.ok()) {
      outcome.actual = kRuntimeError;
      outcome.detail = std::string(matched.status().message());
      return outcome;
    }
    if (*matched) {
      outcome.actual = next;
      return outcome;
    }
  }
  outcome.actual = choice.contains("Default") ? choice["Default"].get<std::string>() : kNoMatch;
  return outcome;
}

TEST(ChoiceConformance, TakesTheBranchAwsTook) {
  auto dir = CasesDir();
  if (!dir) GTEST_SKIP() << "shared/conformance not found next to the source tree";

  std::vector<fs::path> files;
  for (const auto& entry : fs::directory_iterator(*dir)) {
    if (entry.path().extension() == ".json") files.push_back(entry.path());
  }
  std::sort(files.begin(), files.end());

  // Per upstream test (the `source` up to '['): cases replayed and cases passed.
  std::map<std::string, std::pair<int, int>> per_test;
  int replayed = 0;
  for (const auto& file : files) {
    std::ifstream in(file);
    json test = json::parse(in);
    auto outcome = Replay(test);
    if (!outcome) continue;
    ++replayed;
    std::string source = test.value("source", file.filename().string());
    auto& [count, passed] = per_test[source.substr(0, source.find('['))];
    ++count;
    EXPECT_EQ(outcome->actual, outcome->expected)
        << file.filename().string() << "\n  rules: " << test["definition"].dump()
        << "\n  input: " << test["input"].dump() << "\n  " << outcome->detail;
    if (outcome->actual == outcome->expected) ++passed;
  }
  for (const auto& [source, counts] : per_test) {
    std::cout << "  " << counts.second << "/" << counts.first << "  "
              << source.substr(source.rfind("::") + 2) << "\n";
  }
  // The recordings hold about 300 such cases; far fewer means the selection broke.
  EXPECT_GE(replayed, 290) << "only " << replayed << " cases replayed from " << dir->string();
}

}  // namespace
}  // namespace stepwise::dsl
