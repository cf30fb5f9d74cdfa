#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stepwise/workers/function_binding.h"

namespace stepwise::workers {
namespace {

bool IsBlank(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Inside double quotes a backslash escapes only these, as in a POSIX shell; before any other
// character it is kept, so "C:\temp" stays as typed.
bool IsEscapableInDoubleQuotes(char c) { return c == '"' || c == '\\' || c == '$' || c == '`'; }

absl::Status Unterminated(char quote, size_t index) {
  return absl::InvalidArgumentError(std::string("unterminated ") + quote +
                                    " quote starting at column " + std::to_string(index + 1) +
                                    "; close it with " + quote);
}

}  // namespace

absl::StatusOr<std::vector<std::string>> SplitCommand(std::string_view command) {
  std::vector<std::string> words;
  std::string word;
  bool in_word = false;  // tells '' (an empty word) from no word at all
  for (size_t i = 0; i < command.size(); ++i) {
    const char c = command[i];
    if (c == '\\' && i + 1 < command.size() && command[i + 1] == '\n') {
      ++i;  // a line continuation joins lines and is not part of any word
      continue;
    }
    if (IsBlank(c)) {
      if (in_word) words.push_back(std::move(word));
      word.clear();
      in_word = false;
      continue;
    }
    in_word = true;
    if (c == '\'') {
      size_t close = command.find('\'', i + 1);
      if (close == std::string_view::npos) return Unterminated('\'', i);
      word.append(command.substr(i + 1, close - i - 1));
      i = close;
    } else if (c == '"') {
      size_t j = i + 1;
      for (; j < command.size() && command[j] != '"'; ++j) {
        if (command[j] == '\\' && j + 1 < command.size()) {
          const char next = command[j + 1];
          if (next == '\n') {
            ++j;
            continue;
          }
          if (IsEscapableInDoubleQuotes(next)) {
            word += next;
            ++j;
            continue;
          }
        }
        word += command[j];
      }
      if (j == command.size()) return Unterminated('"', i);
      i = j;
    } else if (c == '\\') {
      if (i + 1 == command.size()) {
        return absl::InvalidArgumentError(
            "the command ends with a backslash; remove it or write \\\\ for a literal one");
      }
      word += command[++i];
    } else {
      word += c;
    }
  }
  if (in_word) words.push_back(std::move(word));
  if (words.empty()) return absl::InvalidArgumentError("the command is empty");
  return words;
}

}  // namespace stepwise::workers
