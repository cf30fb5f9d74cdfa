#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"

namespace stepwise::workers {

// A function served by running a local executable, as given on the command line with
// `--function NAME=COMMAND` (`stepwise run`, `stepwise worker`).
struct FunctionBinding {
  std::string name;               // `function:NAME`'s NAME, or a whole Resource string
  std::vector<std::string> argv;  // argv[0] is the program; never empty

  friend bool operator==(const FunctionBinding&, const FunctionBinding&) = default;
};

// Parses `NAME=COMMAND`. NAME is a function name made of [A-Za-z0-9_.-], or a whole Task Resource
// string (it contains ':', no blanks) that binds exactly that resource; COMMAND is split into words as by
// SplitCommand. Errors (InvalidArgument) quote the flag and say what to fix.
absl::StatusOr<FunctionBinding> ParseFunctionBinding(std::string_view flag);

// Splits a command into words the way a POSIX shell does, without running a shell: words are
// separated by blanks; 'single quotes' keep everything literally; "double quotes" keep
// everything but \" \\ \$ \` which lose their backslash; outside quotes a backslash keeps the
// next character literally. Nothing is expanded ($VAR, *, ~) and | > ; & are ordinary
// characters: for a pipeline, bind `sh -c '...'`. Fails on an unterminated quote, a trailing
// backslash, or a command with no words.
absl::StatusOr<std::vector<std::string>> SplitCommand(std::string_view command);

}  // namespace stepwise::workers
