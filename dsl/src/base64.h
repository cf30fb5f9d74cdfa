#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace stepwise::dsl::internal {

// Standard Base64 (the RFC 4648 alphabet with `+` and `/`), as States.Base64Encode and
// States.Base64Decode use it. Written here because the dsl module depends on abseil's status
// types only.

// Encodes `bytes` with `=` padding and without line breaks.
std::string Base64Encode(std::string_view bytes);

// Decodes `text`. Spaces, tabs and line breaks are skipped, as a MIME decoder does, and the `=`
// padding may be left out; anything else outside the alphabet, data after the padding, or a
// length that no encoder produces is INVALID_ARGUMENT with a message naming the offset.
absl::StatusOr<std::string> Base64Decode(std::string_view text);

}  // namespace stepwise::dsl::internal
