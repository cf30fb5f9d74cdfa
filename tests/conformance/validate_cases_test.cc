// Every JSONPath definition recorded against AWS Step Functions must compile: AWS accepted them.
#include <gtest/gtest.h>

#include "conformance/conformance_cases.h"
#include "stepwise/dsl/compile.h"

namespace stepwise {
namespace {

TEST(ConformanceDefinitions, EveryJsonPathDefinitionCompiles) {
  auto cases = testing::LoadConformanceCases("jsonpath");
  ASSERT_GT(cases.size(), 500u) << "conformance cases not found under "
                                << testing::ConformanceDir()
                                << " (set STEPWISE_CONFORMANCE_DIR)";
  int failures = 0;
  for (const auto& c : cases) {
    auto result = dsl::Compile(c.data["definition"].dump());
    if (result.machine != nullptr) continue;
    ++failures;
    std::string report;
    for (const auto& d : result.diagnostics) report += "\n  " + dsl::FormatDiagnostic(d);
    ADD_FAILURE() << c.file.filename().string() << report;
  }
  EXPECT_EQ(failures, 0) << "of " << cases.size() << " definitions";
}

TEST(ConformanceDefinitions, JsonataDefinitionsAreRejectedAsNotSupportedYet) {
  auto cases = testing::LoadConformanceCases("jsonata");
  ASSERT_FALSE(cases.empty());
  for (const auto& c : cases) {
    auto result = dsl::Compile(c.data["definition"].dump());
    EXPECT_EQ(result.machine, nullptr) << c.file.filename().string();
    bool explained = false;
    for (const auto& d : result.diagnostics) {
      explained = explained || d.message.find("not supported yet") != std::string::npos;
    }
    EXPECT_TRUE(explained) << c.file.filename().string();
  }
}

}  // namespace
}  // namespace stepwise
