#include "bounded_text.h"

namespace stepwise::workers::internal {
namespace {

bool IsContinuation(unsigned char c) { return (c & 0xC0) == 0x80; }

// Length of the well-formed sequence starting at text[i] (Unicode table 3-7), or 0: this
// rejects overlong forms, surrogates and code points above U+10FFFF.
std::size_t SequenceLength(std::string_view text, std::size_t i) {
  auto byte = [&text](std::size_t k) { return static_cast<unsigned char>(text[k]); };
  const unsigned char lead = byte(i);
  if (lead < 0x80) return 1;
  std::size_t length = 0;
  unsigned char low = 0x80;
  unsigned char high = 0xBF;
  if (lead >= 0xC2 && lead <= 0xDF) {
    length = 2;
  } else if (lead >= 0xE0 && lead <= 0xEF) {
    length = 3;
    if (lead == 0xE0) low = 0xA0;
    if (lead == 0xED) high = 0x9F;
  } else if (lead >= 0xF0 && lead <= 0xF4) {
    length = 4;
    if (lead == 0xF0) low = 0x90;
    if (lead == 0xF4) high = 0x8F;
  } else {
    return 0;
  }
  if (i + length > text.size()) return 0;
  if (byte(i + 1) < low || byte(i + 1) > high) return 0;
  for (std::size_t k = 2; k < length; ++k) {
    if (!IsContinuation(byte(i + k))) return 0;
  }
  return length;
}

bool IsSpace(char c) {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

}  // namespace

std::string ValidUtf8(std::string_view bytes) {
  std::string text;
  text.reserve(bytes.size());
  std::size_t i = 0;
  while (i < bytes.size()) {
    std::size_t length = SequenceLength(bytes, i);
    if (length == 0) {
      text += "\xEF\xBF\xBD";
      ++i;
    } else {
      text.append(bytes.substr(i, length));
      i += length;
    }
  }
  return text;
}

std::string_view TrimWhitespace(std::string_view text) {
  while (!text.empty() && IsSpace(text.front())) text.remove_prefix(1);
  while (!text.empty() && IsSpace(text.back())) text.remove_suffix(1);
  return text;
}

std::string_view Utf8Head(std::string_view text, std::size_t max_chars) {
  std::size_t end = 0;
  for (std::size_t chars = 0; end < text.size() && chars < max_chars; ++chars) {
    ++end;
    while (end < text.size() && IsContinuation(static_cast<unsigned char>(text[end]))) ++end;
  }
  return text.substr(0, end);
}

std::string_view Utf8Tail(std::string_view text, std::size_t max_bytes) {
  if (text.size() <= max_bytes) return text;
  return SkipPartialCharacter(text.substr(text.size() - max_bytes));
}

std::string_view SkipPartialCharacter(std::string_view tail) {
  // A character is at most 4 bytes, so at most 3 continuation bytes can be orphaned.
  std::size_t skip = 0;
  while (skip < 3 && skip < tail.size() && IsContinuation(static_cast<unsigned char>(tail[skip]))) {
    ++skip;
  }
  return tail.substr(skip);
}

void AppendTail(std::string& tail, const char* data, std::size_t size, std::size_t keep) {
  tail.append(data, size);
  if (tail.size() > 2 * keep + 64 * 1024) tail.erase(0, tail.size() - keep);
}

}  // namespace stepwise::workers::internal
