#pragma once

#include <memory>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/state_machine.h"

namespace stepwise::dsl {

struct CompileResult {
  std::shared_ptr<const StateMachine> machine;  // null when there was any error
  std::vector<Diagnostic> diagnostics;          // errors and warnings, by location
};

// Compiles an Amazon States Language definition (JSONPath flavour). Reports every problem at
// once, each with the JSON Pointer of where it is; never throws on bad input.
CompileResult Compile(std::string_view definition_text);
// The same, for a definition already parsed (duplicate keys can no longer be detected).
CompileResult CompileDocument(const nlohmann::json& definition);

}  // namespace stepwise::dsl
