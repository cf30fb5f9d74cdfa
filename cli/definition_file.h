#pragma once

#include <iosfwd>
#include <memory>
#include <string>
#include <vector>

#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/state_machine.h"

namespace stepwise::cli {

// A definition file read and compiled, as `validate` and `run` both need it.
struct LoadedDefinition {
  std::shared_ptr<const dsl::StateMachine> machine;  // null when unreadable or invalid
  std::vector<dsl::Diagnostic> diagnostics;          // "cannot read" is one of them
  std::string text;                                  // the definition as read
};

LoadedDefinition LoadDefinition(const std::string& file);

// One line per diagnostic, `FILE: error: /pointer: message`, so that editors can jump to it.
void PrintDiagnostics(const std::string& file, const std::vector<dsl::Diagnostic>& diagnostics,
                      std::ostream& out);

}  // namespace stepwise::cli
