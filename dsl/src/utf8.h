#pragma once

#include <cstddef>
#include <optional>
#include <string_view>

namespace stepwise::dsl::internal {

// UTF-8 helpers for the intrinsic functions. JSON strings must be valid UTF-8 (nlohmann/json
// refuses to serialise anything else), and AWS counts lengths the way Java does, in UTF-16 code
// units, so both questions come up when strings are built from bytes or measured against limits.

// The offset of the first byte that does not start a well-formed UTF-8 sequence (overlong forms,
// surrogates and code points above U+10FFFF are malformed), or nullopt if `text` is valid.
std::optional<size_t> FindInvalidUtf8(std::string_view text);

// The number of bytes in the sequence that starts with `lead` (1 for anything that is not a
// valid lead byte, so that a scan always advances).
size_t Utf8SequenceLength(unsigned char lead);

// The length of valid UTF-8 `text` in UTF-16 code units, i.e. Java's String.length().
size_t Utf16Length(std::string_view text);

}  // namespace stepwise::dsl::internal
