#include "base64.h"

#include <cstdint>
#include <cstdio>

#include "absl/status/status.h"

namespace stepwise::dsl::internal {
namespace {

constexpr char kAlphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

// The 6-bit value of an alphabet character, or -1.
int SextetOf(char c) {
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= 'a' && c <= 'z') return c - 'a' + 26;
  if (c >= '0' && c <= '9') return c - '0' + 52;
  if (c == '+') return 62;
  if (c == '/') return 63;
  return -1;
}

bool IsSkipped(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// `c` quoted for an error message; control and non-ASCII bytes as \xNN.
std::string Quoted(char c) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte >= 0x20 && byte < 0x7f) return std::string("'") + c + "'";
  char buffer[8];
  std::snprintf(buffer, sizeof(buffer), "\\x%02x", byte);
  return buffer;
}

}  // namespace

std::string Base64Encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t i = 0;
  for (; i + 3 <= bytes.size(); i += 3) {
    const uint32_t group = uint32_t{static_cast<unsigned char>(bytes[i])} << 16 |
                           uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8 |
                           uint32_t{static_cast<unsigned char>(bytes[i + 2])};
    out.push_back(kAlphabet[group >> 18]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(kAlphabet[(group >> 6) & 63]);
    out.push_back(kAlphabet[group & 63]);
  }
  const size_t rest = bytes.size() - i;
  if (rest > 0) {
    uint32_t group = uint32_t{static_cast<unsigned char>(bytes[i])} << 16;
    if (rest == 2) group |= uint32_t{static_cast<unsigned char>(bytes[i + 1])} << 8;
    out.push_back(kAlphabet[group >> 18]);
    out.push_back(kAlphabet[(group >> 12) & 63]);
    out.push_back(rest == 2 ? kAlphabet[(group >> 6) & 63] : '=');
    out.push_back('=');
  }
  return out;
}

absl::StatusOr<std::string> Base64Decode(std::string_view text) {
  std::string out;
  out.reserve(text.size() / 4 * 3);
  uint32_t buffer = 0;  // bits not yet written out
  int buffered_bits = 0;
  size_t sextets = 0;
  size_t padding = 0;
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (IsSkipped(c)) continue;
    if (c == '=') {
      if (++padding > 2) {
        return absl::InvalidArgumentError("too much '=' padding at offset " + std::to_string(i));
      }
      continue;
    }
    const int sextet = SextetOf(c);
    if (sextet < 0) {
      return absl::InvalidArgumentError(Quoted(c) + " at offset " + std::to_string(i) +
                                        " is not a Base64 character");
    }
    if (padding > 0) {
      return absl::InvalidArgumentError("data after the '=' padding at offset " +
                                        std::to_string(i));
    }
    ++sextets;
    buffer = (buffer << 6) | static_cast<uint32_t>(sextet);
    buffered_bits += 6;
    if (buffered_bits >= 8) {
      buffered_bits -= 8;
      out.push_back(static_cast<char>((buffer >> buffered_bits) & 0xff));
    }
  }
  // An encoder emits 2, 3 or 4 characters per group, padded to 4 when it pads at all; a single
  // character left over cannot carry a byte.
  if (sextets % 4 == 1) {
    return absl::InvalidArgumentError("the Base64 text is truncated (" + std::to_string(sextets) +
                                      " characters, one too many for whole bytes)");
  }
  if (padding > 0 && (sextets + padding) % 4 != 0) {
    return absl::InvalidArgumentError("the Base64 text has " + std::to_string(padding) +
                                      " '=' where " + std::to_string((4 - sextets % 4) % 4) +
                                      " belong");
  }
  return out;
}

}  // namespace stepwise::dsl::internal
