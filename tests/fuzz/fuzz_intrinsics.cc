// libFuzzer target: IntrinsicCall::Parse must turn ANY text into a call or an error, and a call
// must evaluate to a value or an error, never a crash, hang or sanitizer report.
#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string_view>

#include "stepwise/dsl/eval_scope.h"
#include "stepwise/dsl/intrinsics.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto call = stepwise::dsl::IntrinsicCall::Parse(text);
  if (!call.ok()) return 0;
  // An input with a bit of everything, so that paths in the text find values of every type.
  static const nlohmann::json input = nlohmann::json::parse(R"({
    "s": "a,b{}c", "n": 3, "f": -1.5, "b": true, "z": null, "t": "{} and {}",
    "a": [1, "two", [3], {"k": "v"}, null, 1.0], "o": {"x": 1, "y": [2]},
    "j": "{\"p\": [1, 2]}", "e": "RGF0YQ=="})");
  static const nlohmann::json context = {{"Execution", {{"Id", "arn:x"}, {"Input", input}}}};
  std::uint64_t state = size;
  auto random = [&state] {
    return state = state * 6364136223846793005ULL + 1442695040888963407ULL;
  };
  (void)call->Evaluate(stepwise::dsl::EvalScope{input, context, random});
  return 0;
}
