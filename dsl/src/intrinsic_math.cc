// States.MathAdd and States.MathRandom.

#include <cstdint>

#include "intrinsic_functions.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// SplitMix64's output function: turns a seed into a well-mixed 64-bit value, so that seeds 1
// and 2 give unrelated numbers while the same seed always gives the same one.
uint64_t MixSeed(uint64_t seed) {
  uint64_t z = seed + 0x9e3779b97f4a7c15ULL;
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

absl::StatusOr<json> EvaluateMathAdd(const Invocation& call) {
  const int64_t a = IntegerArgument(call.args[0]);
  const int64_t b = IntegerArgument(call.args[1]);
  int64_t sum = 0;
  if (__builtin_add_overflow(a, b, &sum)) {
    return absl::InvalidArgumentError(std::string(call.function) + "(" + std::to_string(a) + ", " +
                                      std::to_string(b) + ") is outside the 64-bit range");
  }
  return sum;
}

// A number from the start (included) to the end (excluded), as AWS documents it. Without a seed
// the randomness comes from the scope; with one, the same seed always gives the same number.
absl::StatusOr<json> EvaluateMathRandom(const Invocation& call) {
  const int64_t start = IntegerArgument(call.args[0]);
  const int64_t end = IntegerArgument(call.args[1]);
  if (end <= start) {
    return absl::InvalidArgumentError(ArgumentName(call.function, 1) + " (the end, excluded) is " +
                                      std::to_string(end) + " but must be greater than " +
                                      ArgumentName(call.function, 0) + " (the start), " +
                                      std::to_string(start));
  }
  uint64_t random = 0;
  if (call.args.size() == 3) {
    random = MixSeed(static_cast<uint64_t>(IntegerArgument(call.args[2])));
  } else {
    auto drawn = DrawRandom(call.scope, call.function);
    if (!drawn.ok()) return drawn.status();
    random = *drawn;
  }
  // Scale into the range by a 64x64->128-bit multiplication: no loop, no modulo bias worth
  // the name (at most range / 2^64), and any source value is acceptable.
  const uint64_t range = static_cast<uint64_t>(end) - static_cast<uint64_t>(start);
  const auto offset = static_cast<uint64_t>((static_cast<unsigned __int128>(random) * range) >> 64);
  return static_cast<int64_t>(static_cast<uint64_t>(start) + offset);
}

}  // namespace stepwise::dsl::internal
