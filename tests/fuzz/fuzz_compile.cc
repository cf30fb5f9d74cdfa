// libFuzzer target: the definition compiler must turn ANY text into diagnostics or a machine,
// never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <string_view>

#include "stepwise/dsl/compile.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  stepwise::dsl::CompileResult result = stepwise::dsl::Compile(text);
  // A machine is only handed out without errors; check the invariant the API promises.
  if (result.machine != nullptr) {
    for (const auto& diagnostic : result.diagnostics) {
      if (diagnostic.severity == stepwise::dsl::Severity::kError) __builtin_trap();
    }
  }
  return 0;
}
