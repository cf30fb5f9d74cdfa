// States.Format and States.StringSplit.

#include <array>
#include <set>

#include "intrinsic_functions.h"
#include "java_text.h"
#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// A template that comes from a path or a call has no escapes: every `{}` in it is a
// placeholder. (Escapes belong to string literals in the call's own text, where the parser
// resolves them and splits the template itself.)
std::vector<std::string> SplitAtPlaceholders(const std::string& text) {
  std::vector<std::string> pieces(1);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '{' && i + 1 < text.size() && text[i + 1] == '}') {
      pieces.emplace_back();
      ++i;
    } else {
      pieces.back() += text[i];
    }
  }
  return pieces;
}

}  // namespace

absl::Status CheckFormatPlaceholders(size_t placeholders, size_t values) {
  if (placeholders == values) return absl::OkStatus();
  return absl::InvalidArgumentError(
      "the template of States.Format has " + std::to_string(placeholders) +
      (placeholders == 1 ? " placeholder {}" : " placeholders {}") + " but " +
      std::to_string(values) + (values == 1 ? " value follows it" : " values follow it") +
      "; write \\{ and \\} for literal braces");
}

absl::StatusOr<json> EvaluateFormat(const Invocation& call) {
  std::vector<std::string> split;
  const std::vector<std::string>* pieces = call.template_pieces;
  if (pieces == nullptr) {
    split = SplitAtPlaceholders(call.args[0].get_ref<const std::string&>());
    pieces = &split;
  }
  if (auto status = CheckFormatPlaceholders(pieces->size() - 1, call.args.size() - 1);
      !status.ok()) {
    return status;
  }
  std::string out = (*pieces)[0];
  for (size_t i = 1; i < pieces->size(); ++i) {
    out += JavaText(call.args[i]);
    out += (*pieces)[i];
  }
  return out;
}

// Like Java's StringTokenizer, which AWS's results match: every character of the second argument
// is a delimiter, and empty tokens are dropped (",a,,b," gives ["a", "b"]).
absl::StatusOr<json> EvaluateStringSplit(const Invocation& call) {
  const auto& text = call.args[0].get_ref<const std::string&>();
  const auto& delimiters = call.args[1].get_ref<const std::string&>();
  std::array<bool, 128> ascii_delimiter{};
  std::set<std::string_view> other_delimiters;  // multi-byte characters
  for (size_t i = 0; i < delimiters.size();) {
    const size_t length = Utf8SequenceLength(static_cast<unsigned char>(delimiters[i]));
    if (length == 1) {
      ascii_delimiter[static_cast<unsigned char>(delimiters[i]) & 0x7f] = true;
    } else {
      other_delimiters.insert(std::string_view(delimiters).substr(i, length));
    }
    i += length;
  }

  json tokens = json::array();
  std::string token;
  for (size_t i = 0; i < text.size();) {
    const size_t length = Utf8SequenceLength(static_cast<unsigned char>(text[i]));
    const std::string_view character = std::string_view(text).substr(i, length);
    const bool is_delimiter = length == 1
                                  ? ascii_delimiter[static_cast<unsigned char>(text[i]) & 0x7f]
                                  : other_delimiters.count(character) > 0;
    if (is_delimiter) {
      if (!token.empty()) tokens.push_back(std::move(token));
      token.clear();
    } else {
      token += character;
    }
    i += length;
  }
  if (!token.empty()) tokens.push_back(std::move(token));
  return tokens;
}

}  // namespace stepwise::dsl::internal
