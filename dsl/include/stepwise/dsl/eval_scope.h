#pragma once

#include <cstdint>
#include <functional>

#include <nlohmann/json.hpp>

namespace stepwise::dsl {

// What a path, intrinsic function or payload template is evaluated against at run time.
// The interpreter is pure: randomness (States.MathRandom, States.UUID) comes in through
// `random`, so that a step can be replayed exactly. References must outlive the scope.
struct EvalScope {
  const nlohmann::json& input;    // `$`: the state's effective input
  const nlohmann::json& context;  // `$$`: the context object
  std::function<std::uint64_t()> random;  // uniform 64-bit values; empty means "no randomness"
};

}  // namespace stepwise::dsl
