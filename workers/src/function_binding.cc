#include "stepwise/workers/function_binding.h"

#include <cstdio>
#include <string>
#include <utility>

#include "absl/status/status.h"

namespace stepwise::workers {
namespace {

constexpr std::string_view kExpected =
    "expected NAME=COMMAND, for example resize=./resize.sh --width 100";

// Names appear in Task resources (`function:NAME`, Lambda ARNs) and in metric labels, so they
// are kept to characters that need no quoting anywhere.
bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == '.' || c == '-';
}

std::string Describe(char c) {
  if (c == ' ') return "a space";
  if (c >= 0x21 && c < 0x7f) return std::string("'") + c + "'";
  char hex[8];
  std::snprintf(hex, sizeof hex, "0x%02X", static_cast<unsigned char>(c));
  return std::string("byte ") + hex;
}

absl::Status Invalid(std::string_view flag, std::string_view problem) {
  return absl::InvalidArgumentError("invalid function binding '" + std::string(flag) +
                                    "': " + std::string(problem));
}

absl::Status ValidateName(std::string_view name) {
  if (name.empty()) return absl::InvalidArgumentError("the function name before '=' is empty");
  // A NAME with ':' is a whole Task Resource (`arn:aws:states:::task:Add`), bound exactly; it
  // only has to be one word.
  if (name.find(':') != std::string_view::npos) {
    for (size_t i = 0; i < name.size(); ++i) {
      if (static_cast<unsigned char>(name[i]) <= ' ' || name[i] == 0x7f) {
        return absl::InvalidArgumentError("resource '" + std::string(name) + "' contains " +
                                          Describe(name[i]) + " at column " +
                                          std::to_string(i + 1) + "; a Resource has no blanks");
      }
    }
    return absl::OkStatus();
  }
  for (size_t i = 0; i < name.size(); ++i) {
    if (!IsNameChar(name[i])) {
      return absl::InvalidArgumentError(
          "function name '" + std::string(name) + "' contains " + Describe(name[i]) +
          " at column " + std::to_string(i + 1) +
          "; use only letters, digits, '_', '.' and '-' (or a whole Resource "
          "string, which contains ':')");
    }
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<FunctionBinding> ParseFunctionBinding(std::string_view flag) {
  size_t equals = flag.find('=');
  if (equals == std::string_view::npos) {
    return Invalid(flag, "missing '='; " + std::string(kExpected));
  }
  std::string_view name = flag.substr(0, equals);
  if (absl::Status status = ValidateName(name); !status.ok()) {
    return Invalid(flag, std::string(status.message()));
  }
  std::string_view command = flag.substr(equals + 1);
  if (command.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    return Invalid(flag, "no COMMAND after '='; " + std::string(kExpected));
  }
  absl::StatusOr<std::vector<std::string>> argv = SplitCommand(command);
  if (!argv.ok()) {
    return Invalid(flag, std::string(argv.status().message()) + " (in the COMMAND after '=')");
  }
  return FunctionBinding{std::string(name), *std::move(argv)};
}

}  // namespace stepwise::workers
