// States.UUID.

#include <cstdint>

#include "intrinsic_functions.h"

namespace stepwise::dsl::internal {

// A version 4 (random) UUID in the canonical lowercase 8-4-4-4-12 form. The 122 random bits come
// from the scope, so that a replayed step produces the same identifier.
absl::StatusOr<nlohmann::json> EvaluateUuid(const Invocation& call) {
  uint8_t bytes[16];
  for (int half = 0; half < 2; ++half) {
    auto random = DrawRandom(call.scope, call.function);
    if (!random.ok()) return random.status();
    for (int i = 0; i < 8; ++i) bytes[half * 8 + i] = static_cast<uint8_t>(*random >> (8 * i));
  }
  bytes[6] = static_cast<uint8_t>((bytes[6] & 0x0f) | 0x40);  // version 4
  bytes[8] = static_cast<uint8_t>((bytes[8] & 0x3f) | 0x80);  // RFC 4122 variant
  static constexpr char kHex[] = "0123456789abcdef";
  std::string text;
  for (int i = 0; i < 16; ++i) {
    if (i == 4 || i == 6 || i == 8 || i == 10) text.push_back('-');
    text.push_back(kHex[bytes[i] >> 4]);
    text.push_back(kHex[bytes[i] & 0x0f]);
  }
  return text;
}

}  // namespace stepwise::dsl::internal
