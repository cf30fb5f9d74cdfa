#include "utf8.h"

namespace stepwise::dsl::internal {

size_t Utf8SequenceLength(unsigned char lead) {
  if (lead >= 0xf0 && lead <= 0xf4) return 4;
  if (lead >= 0xe0 && lead <= 0xef) return 3;
  if (lead >= 0xc2 && lead <= 0xdf) return 2;
  return 1;
}

std::optional<size_t> FindInvalidUtf8(std::string_view text) {
  size_t i = 0;
  while (i < text.size()) {
    const auto lead = static_cast<unsigned char>(text[i]);
    if (lead < 0x80) {
      ++i;
      continue;
    }
    const size_t length = Utf8SequenceLength(lead);
    if (length == 1 || i + length > text.size()) return i;
    // The second byte's range rules out overlong forms (E0, F0), surrogates (ED) and code points
    // above U+10FFFF (F4); every later byte is a plain continuation byte.
    const auto second = static_cast<unsigned char>(text[i + 1]);
    unsigned char low = 0x80, high = 0xbf;
    if (lead == 0xe0) low = 0xa0;
    if (lead == 0xed) high = 0x9f;
    if (lead == 0xf0) low = 0x90;
    if (lead == 0xf4) high = 0x8f;
    if (second < low || second > high) return i;
    for (size_t k = 2; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < 0x80 || next > 0xbf) return i;
    }
    i += length;
  }
  return std::nullopt;
}

size_t Utf16Length(std::string_view text) {
  size_t units = 0;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    units += length == 4 ? 2 : 1;  // code points above U+FFFF take a surrogate pair
    i += length;
  }
  return units;
}

}  // namespace stepwise::dsl::internal
