#include "definition_file.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <ostream>
#include <sstream>
#include <utility>

#include "stepwise/dsl/compile.h"

namespace stepwise::cli {

LoadedDefinition LoadDefinition(const std::string& file) {
  LoadedDefinition loaded;
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    loaded.diagnostics.push_back(
        {dsl::Severity::kError, "", "cannot read the file: " + std::string(std::strerror(errno))});
    return loaded;
  }
  std::stringstream text;
  text << in.rdbuf();
  loaded.text = text.str();
  dsl::CompileResult result = dsl::Compile(loaded.text);
  loaded.machine = std::move(result.machine);
  loaded.diagnostics = std::move(result.diagnostics);
  return loaded;
}

void PrintDiagnostics(const std::string& file, const std::vector<dsl::Diagnostic>& diagnostics,
                      std::ostream& out) {
  for (const dsl::Diagnostic& diagnostic : diagnostics) {
    out << file << ": " << dsl::FormatDiagnostic(diagnostic) << "\n";
  }
}

}  // namespace stepwise::cli
