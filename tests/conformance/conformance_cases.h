#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace stepwise::testing {

// The shared ASL conformance cases (../shared/conformance next to the checkout, or
// $STEPWISE_CONFORMANCE_DIR), as {file, parsed case} pairs, sorted by file name.
struct ConformanceCase {
  std::filesystem::path file;
  nlohmann::json data;
};

inline std::filesystem::path ConformanceDir() {
  if (const char* dir = std::getenv("STEPWISE_CONFORMANCE_DIR")) return dir;
  const char* source = std::getenv("STEPWISE_SOURCE_DIR");
  return std::filesystem::path(source ? source : ".") / ".." / "shared" / "conformance";
}

// Every case of `category` ("jsonpath", "jsonata", "variables") across the case folders.
inline std::vector<ConformanceCase> LoadConformanceCases(const std::string& category) {
  std::vector<ConformanceCase> cases;
  std::filesystem::path root = ConformanceDir() / "cases";
  if (!std::filesystem::is_directory(root)) return cases;
  for (const auto& origin : std::filesystem::directory_iterator(root)) {
    std::filesystem::path folder = origin.path() / category;
    if (!std::filesystem::is_directory(folder)) continue;
    for (const auto& entry : std::filesystem::directory_iterator(folder)) {
      if (entry.path().extension() != ".json") continue;
      std::ifstream in(entry.path());
      cases.push_back({entry.path(), nlohmann::json::parse(in)});
    }
  }
  std::sort(cases.begin(), cases.end(),
            [](const auto& a, const auto& b) { return a.file < b.file; });
  return cases;
}

}  // namespace stepwise::testing
