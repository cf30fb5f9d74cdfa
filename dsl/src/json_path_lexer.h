#pragma once

// The lexical layer of the JSONPath parser: characters, quoted strings, numbers, and the error
// messages that point at an offset of the path text.

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace stepwise::dsl::internal {

class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text) {}

  static bool IsSpace(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
  }

  // Whether `c` may appear in a member name written after '.'. Names are permissive (`foo-bar`,
  // `Étoile`, `a:b`), as Jayway's are; inside a filter the comparison and logic operators end a
  // name too, so that `@.a==1` reads as `@.a == 1`.
  static bool IsNameChar(char c, bool in_filter);

  std::size_t SkipSpaces(std::size_t pos) const;
  // Past a run of ASCII letters, digits and '_' (a keyword such as `true`).
  std::size_t SkipWord(std::size_t pos) const;

  // A string in single or double quotes starting at `pos`, with JSON-style escapes plus `\'`;
  // `pos` ends up after the closing quote.
  absl::StatusOr<std::string> ReadQuoted(std::size_t& pos) const;
  // An optionally negative decimal integer that fits in 64 bits.
  absl::StatusOr<std::int64_t> ReadInteger(std::size_t& pos) const;
  // A JSON number: an integer when it has no fraction or exponent and fits, else a double.
  absl::StatusOr<nlohmann::json> ReadNumber(std::size_t& pos) const;

  // The character at `offset` for a message: `'x'`, "whitespace", "end of path", ...
  std::string Describe(std::size_t offset) const;

  // INVALID_ARGUMENT "<what> at offset <offset> in '<text>'", then ": <hint>" if there is one.
  absl::Status Error(std::size_t offset, std::string_view what, std::string_view hint = {}) const;
  // "unexpected <Describe(offset)> at offset ... : expected <expected>".
  absl::Status Unexpected(std::size_t offset, std::string_view expected) const;

 private:
  absl::Status ReadEscape(std::size_t& pos, std::string& out) const;
  absl::StatusOr<std::uint32_t> ReadHex4(std::size_t pos) const;

  std::string_view text_;
};

}  // namespace stepwise::dsl::internal
