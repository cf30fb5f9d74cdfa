#include "intrinsic_parser.h"

#include <algorithm>
#include <charconv>
#include <cstdint>
#include <system_error>
#include <utility>

#include "absl/status/status.h"
#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

constexpr std::string_view kStatesPrefix = "States.";

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }
bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsWordChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || IsDigit(c) || c == '_';
}

// A recursive-descent parser over the whole text. Every method leaves `pos_` just after what it
// consumed; errors say what was expected and at which offset.
class Parser {
 public:
  explicit Parser(std::string_view text) : text_(text) {}

  absl::StatusOr<IntrinsicCallSyntax> ParseWhole() {
    if (auto bad = FindInvalidUtf8(text_)) {
      return ErrorAt(*bad, "the call is not valid UTF-8");
    }
    if (!text_.starts_with(kStatesPrefix)) {
      return ErrorAt(0, "an intrinsic call starts with 'States.'");
    }
    auto call = ParseCall(1);
    if (!call.ok()) return call;
    SkipSpace();
    if (!AtEnd()) {
      return ErrorAt(pos_, "unexpected text after the end of the call: '" + Excerpt(pos_) + "'");
    }
    return call;
  }

 private:
  bool AtEnd() const { return pos_ >= text_.size(); }
  bool Peek(char c) const { return !AtEnd() && text_[pos_] == c; }
  void SkipSpace() {
    while (!AtEnd() && IsSpace(text_[pos_])) ++pos_;
  }

  absl::Status ErrorAt(size_t offset, std::string_view message) const {
    return absl::InvalidArgumentError(std::string(message) + " (at offset " +
                                      std::to_string(offset) + ")");
  }

  // Up to 20 characters of the text from `offset`, cut at a character boundary.
  std::string Excerpt(size_t offset) const {
    size_t end = offset;
    for (int chars = 0; chars < 20 && end < text_.size(); ++chars) {
      end += Utf8SequenceLength(static_cast<unsigned char>(text_[end]));
    }
    end = std::min(end, text_.size());
    std::string excerpt(text_.substr(offset, end - offset));
    return end < text_.size() ? excerpt + "..." : excerpt;
  }

  // `States.Name(arg, ...)`; the caller has checked that the text at `pos_` starts with
  // "States.".
  absl::StatusOr<IntrinsicCallSyntax> ParseCall(int depth) {
    IntrinsicCallSyntax call;
    call.offset = pos_;
    pos_ += kStatesPrefix.size();
    while (!AtEnd() && IsWordChar(text_[pos_])) ++pos_;
    call.name = std::string(text_.substr(call.offset, pos_ - call.offset));
    if (call.name.size() == kStatesPrefix.size()) {
      return ErrorAt(pos_, "expected a function name after 'States.'");
    }
    SkipSpace();
    if (!Peek('(')) {
      return ErrorAt(pos_, "expected '(' after " + call.name +
                               (AtEnd() ? std::string() : ", found '" + Excerpt(pos_) + "'"));
    }
    const size_t open = pos_++;
    SkipSpace();
    if (Peek(')')) {
      ++pos_;
      return call;
    }
    const std::string unclosed =
        "the '(' of " + call.name + " at offset " + std::to_string(open) + " is never closed";
    while (true) {
      if (AtEnd()) return ErrorAt(pos_, unclosed);
      auto arg = ParseArgument(depth);
      if (!arg.ok()) return arg.status();
      call.args.push_back(*std::move(arg));
      SkipSpace();
      if (AtEnd()) return ErrorAt(pos_, unclosed);
      if (Peek(')')) {
        ++pos_;
        return call;
      }
      if (!Peek(',')) {
        return ErrorAt(pos_, "expected ',' or ')' after argument " +
                                 std::to_string(call.args.size()) + " of " + call.name +
                                 ", found '" + Excerpt(pos_) + "'");
      }
      ++pos_;
      SkipSpace();
      if (Peek(')')) return ErrorAt(pos_, "expected an argument after ','");
    }
  }

  absl::StatusOr<IntrinsicArgSyntax> ParseArgument(int depth) {
    const size_t start = pos_;
    const char c = text_[pos_];
    IntrinsicArgSyntax arg;
    arg.offset = start;
    if (c == '\'') {
      auto status = ParseString(arg);
      if (!status.ok()) return status;
      return arg;
    }
    if (c == '$') {
      auto status = ParsePath(arg);
      if (!status.ok()) return status;
      return arg;
    }
    if (text_.substr(pos_).starts_with(kStatesPrefix)) {
      if (depth >= kMaxIntrinsicNesting) {
        return ErrorAt(start, "intrinsic calls nest at most " +
                                  std::to_string(kMaxIntrinsicNesting) + " deep");
      }
      auto call = ParseCall(depth + 1);
      if (!call.ok()) return call.status();
      arg.kind = IntrinsicArgSyntax::Kind::kCall;
      arg.call = std::make_unique<IntrinsicCallSyntax>(*std::move(call));
      return arg;
    }
    if (c == '-' || IsDigit(c)) {
      auto status = ParseNumber(arg);
      if (!status.ok()) return status;
      return arg;
    }
    if (c == '"') {
      return ErrorAt(start, "string arguments are written in single quotes, not double quotes");
    }
    if (IsWordChar(c)) {
      while (!AtEnd() && (IsWordChar(text_[pos_]) || text_[pos_] == '.')) ++pos_;
      const std::string_view word = text_.substr(start, pos_ - start);
      if (word == "true" || word == "false") {
        arg.literal = word == "true";
        return arg;
      }
      if (word == "null") {
        arg.literal = nullptr;
        return arg;
      }
      return ErrorAt(start, "'" + std::string(word) +
                                "' is not an argument: write a 'quoted string', a number, true, "
                                "false, null, a path such as $.name, or a call such as "
                                "States.Array()");
    }
    return ErrorAt(start, "unexpected '" + Excerpt(start) + "' where an argument belongs");
  }

  // 'text' with the escapes \' \{ \} and \\. A `{}` whose braces are both unescaped is a
  // States.Format placeholder: the pieces between placeholders are kept apart.
  absl::Status ParseString(IntrinsicArgSyntax& arg) {
    const size_t start = pos_++;
    std::string value;
    std::vector<std::string> pieces(1);
    bool after_open_brace = false;  // the previous character was an unescaped '{'
    while (!AtEnd()) {
      const char c = text_[pos_];
      if (c == '\'') {
        ++pos_;
        arg.literal = std::move(value);
        arg.pieces = std::move(pieces);
        return absl::OkStatus();
      }
      if (c == '\\') {
        if (pos_ + 1 >= text_.size()) break;
        const char escaped = text_[pos_ + 1];
        if (escaped != '\'' && escaped != '{' && escaped != '}' && escaped != '\\') {
          // The text is valid UTF-8, so the whole escaped character is there to quote.
          const std::string_view character =
              text_.substr(pos_ + 1, Utf8SequenceLength(static_cast<unsigned char>(escaped)));
          return ErrorAt(pos_, "invalid escape '\\" + std::string(character) +
                                   "' in a string: only \\', \\{, \\} and \\\\ are escapes");
        }
        value += escaped;
        pieces.back() += escaped;
        after_open_brace = false;
        pos_ += 2;
        continue;
      }
      if (c == '}' && after_open_brace) {
        pieces.back().pop_back();  // the '{' belongs to the placeholder
        pieces.emplace_back();
        value += c;
        after_open_brace = false;
        ++pos_;
        continue;
      }
      after_open_brace = c == '{';
      value += c;
      pieces.back() += c;
      ++pos_;
    }
    return ErrorAt(start, "unterminated string: a ' is missing");
  }

  // A JSON number: -?(0|[1-9][0-9]*)(.[0-9]+)?([eE][+-]?[0-9]+)?
  absl::Status ParseNumber(IntrinsicArgSyntax& arg) {
    const size_t start = pos_;
    if (Peek('-')) ++pos_;
    auto digits = [this] {
      const size_t from = pos_;
      while (!AtEnd() && IsDigit(text_[pos_])) ++pos_;
      return pos_ - from;
    };
    const size_t integer_start = pos_;
    if (digits() == 0) return ErrorAt(pos_, "expected a digit after '-'");
    if (text_[integer_start] == '0' && pos_ - integer_start > 1) {
      return ErrorAt(integer_start, "numbers do not start with 0");
    }
    bool integral = true;
    if (Peek('.')) {
      ++pos_;
      integral = false;
      if (digits() == 0) return ErrorAt(pos_, "expected a digit after '.'");
    }
    if (Peek('e') || Peek('E')) {
      ++pos_;
      integral = false;
      if (Peek('+') || Peek('-')) ++pos_;
      if (digits() == 0) return ErrorAt(pos_, "expected a digit in the exponent");
    }
    const std::string_view token = text_.substr(start, pos_ - start);
    const char* first = token.data();
    const char* last = token.data() + token.size();
    if (integral) {
      int64_t signed_value = 0;
      if (std::from_chars(first, last, signed_value).ec == std::errc()) {
        arg.literal = signed_value;
        return absl::OkStatus();
      }
      uint64_t unsigned_value = 0;
      if (token[0] != '-' && std::from_chars(first, last, unsigned_value).ec == std::errc()) {
        arg.literal = unsigned_value;
        return absl::OkStatus();
      }
    }
    double value = 0;
    if (std::from_chars(first, last, value).ec != std::errc()) {
      return ErrorAt(start, "the number " + std::string(token) + " is out of range");
    }
    arg.literal = value;
    return absl::OkStatus();
  }

  // A path runs to the ',' or ')' that ends the argument. Brackets, parentheses and quotes
  // inside it (`$['a,b']`, `$[?(@.x > 1)]`) are skipped over; JsonPath::Parse judges the rest.
  // Brackets and parentheses are counted apart, so that the ')' in `$.a[)` still ends the call.
  absl::Status ParsePath(IntrinsicArgSyntax& arg) {
    const size_t start = pos_;
    size_t brackets = 0;
    size_t parentheses = 0;
    char quote = 0;
    size_t quote_start = 0;
    for (; !AtEnd(); ++pos_) {
      const char c = text_[pos_];
      if (quote != 0) {
        if (c == '\\') {
          ++pos_;
        } else if (c == quote) {
          quote = 0;
        }
        continue;
      }
      if (c == '\'' || c == '"') {
        quote = c;
        quote_start = pos_;
      } else if (c == '[') {
        ++brackets;
      } else if (c == ']') {
        if (brackets > 0) --brackets;
      } else if (c == '(') {
        ++parentheses;
      } else if (c == ')') {
        if (parentheses == 0) break;
        --parentheses;
      } else if (c == ',' && brackets == 0 && parentheses == 0) {
        break;
      }
    }
    if (quote != 0) return ErrorAt(quote_start, "unterminated quote in a path");
    pos_ = std::min(pos_, text_.size());
    size_t end = pos_;
    while (end > start && IsSpace(text_[end - 1])) --end;
    arg.kind = IntrinsicArgSyntax::Kind::kPath;
    arg.path = std::string(text_.substr(start, end - start));
    return absl::OkStatus();
  }

  std::string_view text_;
  size_t pos_ = 0;
};

}  // namespace

absl::StatusOr<IntrinsicCallSyntax> ParseIntrinsicSyntax(std::string_view text) {
  return Parser(text).ParseWhole();
}

}  // namespace stepwise::dsl::internal
