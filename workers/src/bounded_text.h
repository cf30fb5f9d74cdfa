#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace stepwise::workers::internal {

// Text from a process is arbitrary bytes, but causes end up in JSON (history, API replies), whose
// serializer rejects invalid UTF-8. These helpers turn bytes into bounded, valid UTF-8.

// Replaces each byte that is not part of a well-formed UTF-8 sequence with U+FFFD.
std::string ValidUtf8(std::string_view bytes);

// Drops leading and trailing ASCII whitespace.
std::string_view TrimWhitespace(std::string_view text);

// The first `max_chars` code points of valid UTF-8 `text`.
std::string_view Utf8Head(std::string_view text, std::size_t max_chars);

// The longest suffix of valid UTF-8 `text` of at most `max_bytes` bytes that starts on a
// character boundary.
std::string_view Utf8Tail(std::string_view text, std::size_t max_bytes);

// A tail of a byte stream cut at an arbitrary byte: drops the continuation bytes a cut may have
// left at its start, so the rest decodes as it did in the whole stream.
std::string_view SkipPartialCharacter(std::string_view tail);

// Appends `size` bytes of a stream to `tail`, which keeps at least the last `keep` bytes of it (at
// most twice that plus 64 KiB): it is trimmed in large steps so that appending stays linear.
void AppendTail(std::string& tail, const char* data, std::size_t size, std::size_t keep);

}  // namespace stepwise::workers::internal
