#include "conformance/case_runner.h"

#include <cstdio>
#include <exception>
#include <fstream>
#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "conformance/case_functions.h"
#include "stepwise/dsl/compile.h"
#include "stepwise/engine/clock.h"
#include "stepwise/engine/local_runner.h"

namespace stepwise::conformance {
namespace {

using nlohmann::json;

Verdict Broken(std::string what) { return Verdict{false, false, std::move(what)}; }

// The cases were recorded in the test account 111111111111 (their Lambda ARNs and expected
// ARNs say so); the execution runs as if there, under a name unique to the case.
engine::ExecutionInfo CaseExecution(const std::filesystem::path& file) {
  constexpr const char* kPrefix = "arn:aws:states:us-east-1:111111111111:";
  engine::ExecutionInfo info;
  info.state_machine_name = "ConformanceMachine";
  char name[40];
  std::snprintf(name, sizeof name, "%016zx-conformance", std::hash<std::string>()(file.string()));
  info.name = name;
  info.state_machine_id = std::string(kPrefix) + "stateMachine:" + info.state_machine_name;
  info.execution_id =
      std::string(kPrefix) + "execution:" + info.state_machine_name + ":" + info.name;
  return info;
}

Verdict Run(const std::filesystem::path& file, const json& test_case, double time_scale) {
  dsl::CompileResult compiled = dsl::CompileDocument(test_case.at("definition"));
  if (!compiled.machine) {
    std::string first;
    for (const dsl::Diagnostic& d : compiled.diagnostics) {
      if (d.severity == dsl::Severity::kError) {
        first = dsl::FormatDiagnostic(d);
        break;
      }
    }
    return Broken("the definition does not compile: " + first);
  }
  static const json kNoFunctions = json::object();
  auto listed = test_case.find("functions");
  CaseFunctions functions(listed != test_case.end() ? *listed : kNoFunctions);
  engine::LocalRunOptions options;
  options.time_scale = time_scale;
  options.info = CaseExecution(file);
  engine::SystemClock clock;
  engine::LocalRunResult result = engine::RunLocally(
      compiled.machine, test_case.value("input", json::object()), functions, options, clock);
  ActualResult actual{engine::StatusName(result.status), std::move(result.output),
                      std::move(result.error), std::move(result.cause)};
  return Compare(test_case, actual);
}

}  // namespace

Verdict RunCase(const std::filesystem::path& file, double time_scale) {
  try {
    std::ifstream in(file, std::ios::binary);
    if (!in) return Broken("cannot read the case file");
    json test_case = json::parse(in);
    return Run(file, test_case, time_scale);
  } catch (const std::exception& error) {
    return Broken(std::string("exception: ") + error.what());
  }
}

}  // namespace stepwise::conformance
