// `stepwise validate FILE... [--json]`: compiles each definition and prints every diagnostic.
#include <iostream>
#include <nlohmann/json.hpp>
#include <utility>

#include "commands.h"
#include "definition_file.h"
#include "stepwise/dsl/diagnostic.h"

namespace stepwise::cli {
namespace {

constexpr const char* kUsage = R"(usage: stepwise validate FILE... [--json]

Compiles each Amazon States Language definition and prints every problem with its location
(a JSON Pointer into the definition). Exits 1 if any file has an error; warnings alone pass.

  --json   print one JSON object: {"valid": bool, "files": [{"file", "valid", "diagnostics"}]}
)";

struct FileReport {
  std::string file;
  std::vector<dsl::Diagnostic> diagnostics;
  bool valid = false;
};

FileReport ValidateFile(const std::string& file) {
  LoadedDefinition loaded = LoadDefinition(file);
  return FileReport{file, std::move(loaded.diagnostics), loaded.machine != nullptr};
}

nlohmann::json ToJson(const FileReport& report) {
  nlohmann::json diagnostics = nlohmann::json::array();
  for (const auto& d : report.diagnostics) {
    diagnostics.push_back({{"severity", d.severity == dsl::Severity::kError ? "error" : "warning"},
                           {"pointer", d.pointer},
                           {"message", d.message}});
  }
  return {{"file", report.file}, {"valid", report.valid}, {"diagnostics", diagnostics}};
}

}  // namespace

int RunValidate(const std::vector<std::string>& args) {
  bool as_json = false;
  std::vector<std::string> files;
  for (const std::string& arg : args) {
    if (arg == "--json") {
      as_json = true;
    } else if (arg == "--help" || arg == "-h") {
      std::cout << kUsage;
      return 0;
    } else if (arg.starts_with("--")) {
      std::cerr << "stepwise validate: unknown option '" << arg << "'\n\n" << kUsage;
      return 2;
    } else {
      files.push_back(arg);
    }
  }
  if (files.empty()) {
    std::cerr << "stepwise validate: name at least one definition file\n\n" << kUsage;
    return 2;
  }
  bool all_valid = true;
  nlohmann::json json_reports = nlohmann::json::array();
  for (const std::string& file : files) {
    FileReport report = ValidateFile(file);
    all_valid = all_valid && report.valid;
    if (as_json) {
      json_reports.push_back(ToJson(report));
      continue;
    }
    PrintDiagnostics(file, report.diagnostics, std::cout);
    if (report.valid) std::cout << file << ": ok\n";
  }
  if (as_json) {
    std::cout << nlohmann::json{{"valid", all_valid}, {"files", json_reports}}.dump(2) << "\n";
  }
  return all_valid ? 0 : 1;
}

}  // namespace stepwise::cli
