#include "json_path_lexer.h"

#include <charconv>
#include <cstdio>
#include <system_error>

#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

void AppendUtf8(std::uint32_t code_point, std::string& out) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

}  // namespace

bool Lexer::IsNameChar(char c, bool in_filter) {
  const auto byte = static_cast<unsigned char>(c);
  if (byte < 0x20 || byte == 0x7f || IsSpace(c)) return false;
  switch (c) {
    case '.':
    case '[':
    case ']':
    case '(':
    case ')':
      return false;
    case '=':
    case '!':
    case '<':
    case '>':
    case '&':
    case '|':
      return !in_filter;
    default:
      return true;
  }
}

std::size_t Lexer::SkipSpaces(std::size_t pos) const {
  while (pos < text_.size() && IsSpace(text_[pos])) ++pos;
  return pos;
}

std::size_t Lexer::SkipWord(std::size_t pos) const {
  while (pos < text_.size()) {
    const char c = text_[pos];
    if (!IsDigit(c) && c != '_' && !(c >= 'a' && c <= 'z') && !(c >= 'A' && c <= 'Z')) break;
    ++pos;
  }
  return pos;
}

absl::StatusOr<std::string> Lexer::ReadQuoted(std::size_t& pos) const {
  const std::size_t open = pos;
  const char quote = text_[pos++];
  std::string out;
  while (pos < text_.size()) {
    const char c = text_[pos];
    if (c == quote) {
      ++pos;
      return out;
    }
    if (c == '\\') {
      if (auto status = ReadEscape(pos, out); !status.ok()) return status;
      continue;
    }
    out += c;
    ++pos;
  }
  return Error(open, "unterminated string", std::string("expected a closing ") + quote);
}

// At a backslash inside a quoted string.
absl::Status Lexer::ReadEscape(std::size_t& pos, std::string& out) const {
  const std::size_t backslash = pos++;
  if (pos >= text_.size()) return Error(backslash, "unterminated escape sequence");
  const char c = text_[pos++];
  switch (c) {
    case '\\':
    case '\'':
    case '"':
    case '/':
      out += c;
      return absl::OkStatus();
    case 'b':
      out += '\b';
      return absl::OkStatus();
    case 'f':
      out += '\f';
      return absl::OkStatus();
    case 'n':
      out += '\n';
      return absl::OkStatus();
    case 'r':
      out += '\r';
      return absl::OkStatus();
    case 't':
      out += '\t';
      return absl::OkStatus();
    case 'u':
      break;
    default:
      return Error(backslash, "unknown escape sequence: " + Describe(pos - 1) + " after '\\'",
                   "use \\\\, \\', \\\", \\/, \\b, \\f, \\n, \\r, \\t or \\uXXXX");
  }
  auto unit = ReadHex4(pos);
  if (!unit.ok()) return unit.status();
  pos += 4;
  std::uint32_t code_point = *unit;
  // Member names end up as JSON strings, which must be valid UTF-8: surrogates must pair up.
  if (code_point >= 0xdc00 && code_point <= 0xdfff) {
    return Error(backslash, "unpaired surrogate in escape sequence");
  }
  if (code_point >= 0xd800 && code_point <= 0xdbff) {
    if (pos + 1 >= text_.size() || text_[pos] != '\\' || text_[pos + 1] != 'u') {
      return Error(backslash, "unpaired surrogate in escape sequence");
    }
    auto low = ReadHex4(pos + 2);
    if (!low.ok()) return low.status();
    if (*low < 0xdc00 || *low > 0xdfff) {
      return Error(backslash, "unpaired surrogate in escape sequence");
    }
    pos += 6;
    code_point = 0x10000 + ((code_point - 0xd800) << 10) + (*low - 0xdc00);
  }
  AppendUtf8(code_point, out);
  return absl::OkStatus();
}

absl::StatusOr<std::uint32_t> Lexer::ReadHex4(std::size_t pos) const {
  std::uint32_t value = 0;
  for (std::size_t i = pos; i < pos + 4; ++i) {
    if (i >= text_.size()) return Unexpected(i, "4 hexadecimal digits after \\u");
    const char c = text_[i];
    std::uint32_t digit = 0;
    if (IsDigit(c)) {
      digit = static_cast<std::uint32_t>(c - '0');
    } else if (c >= 'a' && c <= 'f') {
      digit = static_cast<std::uint32_t>(c - 'a' + 10);
    } else if (c >= 'A' && c <= 'F') {
      digit = static_cast<std::uint32_t>(c - 'A' + 10);
    } else {
      return Unexpected(i, "4 hexadecimal digits after \\u");
    }
    value = value * 16 + digit;
  }
  return value;
}

absl::StatusOr<std::int64_t> Lexer::ReadInteger(std::size_t& pos) const {
  const std::size_t begin = pos;
  std::size_t end = pos;
  if (end < text_.size() && text_[end] == '-') ++end;
  const std::size_t digits = end;
  while (end < text_.size() && IsDigit(text_[end])) ++end;
  if (end == digits) return Unexpected(end, "a digit");
  std::int64_t value = 0;
  const auto [stop, error] = std::from_chars(text_.data() + begin, text_.data() + end, value);
  if (error != std::errc() || stop != text_.data() + end) {
    return Error(begin, "index " + std::string(text_.substr(begin, end - begin)) + " is too large");
  }
  pos = end;
  return value;
}

absl::StatusOr<nlohmann::json> Lexer::ReadNumber(std::size_t& pos) const {
  const std::size_t begin = pos;
  std::size_t end = pos;
  auto digits = [&]() -> absl::Status {
    const std::size_t first = end;
    while (end < text_.size() && IsDigit(text_[end])) ++end;
    return end == first ? Unexpected(end, "a digit") : absl::OkStatus();
  };
  if (end < text_.size() && text_[end] == '-') ++end;
  if (auto status = digits(); !status.ok()) return status;
  bool integral = true;
  if (end < text_.size() && text_[end] == '.') {
    integral = false;
    ++end;
    if (auto status = digits(); !status.ok()) return status;
  }
  if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
    integral = false;
    ++end;
    if (end < text_.size() && (text_[end] == '+' || text_[end] == '-')) ++end;
    if (auto status = digits(); !status.ok()) return status;
  }
  const char* first = text_.data() + begin;
  const char* last = text_.data() + end;
  pos = end;
  if (integral) {
    std::int64_t value = 0;
    if (std::from_chars(first, last, value).ec == std::errc()) return nlohmann::json(value);
    // Too large for 64 bits: compare it as a double, as a JSON document would hold it.
  }
  double value = 0;
  if (std::from_chars(first, last, value).ec != std::errc()) {
    return Error(begin,
                 "number " + std::string(text_.substr(begin, end - begin)) + " is out of range");
  }
  return nlohmann::json(value);
}

std::string Lexer::Describe(std::size_t offset) const {
  if (offset >= text_.size()) return "end of path";
  const auto byte = static_cast<unsigned char>(text_[offset]);
  if (IsSpace(text_[offset])) return "whitespace";
  if (byte < 0x20 || byte == 0x7f) {
    char buffer[16];
    std::snprintf(buffer, sizeof(buffer), "U+%04X", byte);
    return std::string("control character ") + buffer;
  }
  if (text_[offset] == '\'') return "\"'\"";  // not '''
  // Show a whole UTF-8 sequence, not its first byte (the text was checked to be valid UTF-8).
  std::size_t length = byte < 0x80 ? 1 : Utf8SequenceLength(byte);
  if (offset + length > text_.size()) length = 1;
  return "'" + std::string(text_.substr(offset, length)) + "'";
}

absl::Status Lexer::Error(std::size_t offset, std::string_view what, std::string_view hint) const {
  std::string message(what);
  message += " at offset " + std::to_string(offset) + " in '";
  message += text_;
  message += "'";
  if (!hint.empty()) {
    message += ": ";
    message += hint;
  }
  return absl::InvalidArgumentError(message);
}

absl::Status Lexer::Unexpected(std::size_t offset, std::string_view expected) const {
  return Error(offset, "unexpected " + Describe(offset), "expected " + std::string(expected));
}

}  // namespace stepwise::dsl::internal
