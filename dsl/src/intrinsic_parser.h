#pragma once

#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace stepwise::dsl::internal {

// The syntax of an intrinsic call, before anyone asks whether the function exists: the parser
// only knows the shape `States.Name(arg, ...)`. intrinsics.cc binds names to functions.

// Calls nest at most this deep. AWS allows 10 intrinsic functions in one field; the bound also
// keeps the recursive parser's stack small whatever the input.
inline constexpr int kMaxIntrinsicNesting = 10;

struct IntrinsicCallSyntax;

struct IntrinsicArgSyntax {
  enum class Kind { kLiteral, kPath, kCall };
  Kind kind = Kind::kLiteral;
  size_t offset = 0;  // where the argument starts in the text, for messages

  // kLiteral: the value, strings with their escapes resolved.
  nlohmann::json literal;
  // kLiteral strings: the text split at every `{}` that was not escaped, so that States.Format
  // can tell a placeholder from `\{}`. A string without placeholders is one piece.
  std::vector<std::string> pieces;

  std::string path;                           // kPath: as written, trailing spaces removed
  std::unique_ptr<IntrinsicCallSyntax> call;  // kCall
};

struct IntrinsicCallSyntax {
  std::string name;   // e.g. "States.Format"
  size_t offset = 0;  // where the name starts
  std::vector<IntrinsicArgSyntax> args;
};

// Parses `text`, which must be one call and nothing else but trailing spaces. Errors are
// INVALID_ARGUMENT and name the offset in `text` where the problem is.
absl::StatusOr<IntrinsicCallSyntax> ParseIntrinsicSyntax(std::string_view text);

}  // namespace stepwise::dsl::internal
