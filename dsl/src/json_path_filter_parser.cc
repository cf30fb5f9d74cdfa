// The filter half of the JSONPath parser: `[?(<expression>)]`.
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include "json_path_parser_impl.h"

namespace stepwise::dsl::internal {
namespace {

// Filters can nest (parentheses, `!`, filters inside filter paths); parsing and evaluating them
// recurses, so a hostile path must not be able to exhaust the stack.
constexpr int kMaxNesting = 32;

constexpr std::string_view kOperandKinds =
    "a path starting with '@' or '$', a quoted string, a number, true, false or null";

bool IsLetter(char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; }

}  // namespace

// After `[?`: the boolean expression (Jayway writes it `[?(...)]`; the parentheses are just
// a parenthesised expression here, so `[?@.a]` works too).
absl::Status PathParser::ParseFilter(Segment& segment) {
  if (auto status = Enter(); !status.ok()) return status;
  auto expr = ParseOr();
  if (!expr.ok()) return expr.status();
  --depth_;
  segment.type = Segment::Type::kFilter;
  segment.filter = std::make_unique<const FilterExpr>(*std::move(expr));
  return absl::OkStatus();
}

absl::Status PathParser::Enter() {
  if (++depth_ > kMaxNesting) {
    return lexer_.Error(pos_, "filter nested too deeply",
                        "at most " + std::to_string(kMaxNesting) + " levels are allowed");
  }
  return absl::OkStatus();
}

// `a || b && c` is `a || (b && c)`, as in Jayway.
absl::StatusOr<FilterExpr> PathParser::ParseOr() { return ParseChain(FilterExpr::Type::kOr, '|'); }

absl::StatusOr<FilterExpr> PathParser::ParseAnd() {
  return ParseChain(FilterExpr::Type::kAnd, '&');
}

absl::StatusOr<FilterExpr> PathParser::ParseChain(FilterExpr::Type type, char symbol) {
  FilterExpr chain;
  chain.type = type;
  while (true) {
    auto operand = type == FilterExpr::Type::kOr ? ParseAnd() : ParseUnary();
    if (!operand.ok()) return operand.status();
    chain.children.push_back(*std::move(operand));
    SkipSpaces();
    if (!Peek(symbol)) break;
    if (!PeekAt(1, symbol)) {
      return lexer_.Error(pos_, std::string("single '") + symbol + "'",
                          std::string("use '") + symbol + symbol + "'");
    }
    pos_ += 2;
  }
  if (chain.children.size() == 1) return std::move(chain.children.front());
  return chain;
}

absl::StatusOr<FilterExpr> PathParser::ParseUnary() {
  SkipSpaces();
  if (Peek('!') && !PeekAt(1, '=')) {
    ++pos_;
    if (auto status = Enter(); !status.ok()) return status;
    auto operand = ParseUnary();
    if (!operand.ok()) return operand.status();
    --depth_;
    FilterExpr negation;
    negation.type = FilterExpr::Type::kNot;
    negation.children.push_back(*std::move(operand));
    return negation;
  }
  if (Peek('(')) {
    ++pos_;
    if (auto status = Enter(); !status.ok()) return status;
    auto inner = ParseOr();
    if (!inner.ok()) return inner.status();
    --depth_;
    SkipSpaces();
    if (!Peek(')')) {
      return lexer_.Unexpected(pos_, "a comparison (==, !=, <, <=, >, >=), '&&', '||' or ')'");
    }
    ++pos_;
    return inner;
  }
  return ParseComparison();
}

// `operand op operand`, or a path alone (true when it selects something).
absl::StatusOr<FilterExpr> PathParser::ParseComparison() {
  const std::size_t begin = pos_;
  auto left = ParseOperand();
  if (!left.ok()) return left.status();
  SkipSpaces();
  auto op = ParseOperator();
  if (!op.ok()) return op.status();
  FilterExpr expr;
  if (!op->has_value()) {
    if (!std::holds_alternative<PathExpr>(*left)) {
      return lexer_.Error(begin, "a literal alone is not a condition",
                          "compare it with ==, !=, <, <=, > or >=");
    }
    expr.type = FilterExpr::Type::kExists;
    expr.left = *std::move(left);
    return expr;
  }
  SkipSpaces();
  auto right = ParseOperand();
  if (!right.ok()) return right.status();
  expr.type = FilterExpr::Type::kCompare;
  expr.op = **op;
  expr.left = *std::move(left);
  expr.right = *std::move(right);
  return expr;
}

// The comparison operator at pos_, or nullopt when there is none (the expression goes on).
absl::StatusOr<std::optional<CompareOp>> PathParser::ParseOperator() {
  if (AtEnd()) return std::nullopt;
  const char c = text_[pos_];
  const bool equals_next = PeekAt(1, '=');
  std::optional<CompareOp> op;
  if (c == '=' && equals_next) {
    op = CompareOp::kEqual;
  } else if (c == '!' && equals_next) {
    op = CompareOp::kNotEqual;
  } else if (c == '<') {
    op = equals_next ? CompareOp::kLessEqual : CompareOp::kLess;
  } else if (c == '>') {
    op = equals_next ? CompareOp::kGreaterEqual : CompareOp::kGreater;
  } else if (c == '=' && PeekAt(1, '~')) {
    return lexer_.Error(pos_, "unsupported operator '=~'",
                        "regular expression filters are not supported");
  } else if (c == '=') {
    return lexer_.Error(pos_, "single '='", "use '==' to compare");
  } else if (IsLetter(c)) {
    const std::size_t end = lexer_.SkipWord(pos_);
    return lexer_.Error(
        pos_, "unsupported operator '" + std::string(text_.substr(pos_, end - pos_)) + "'",
        "supported are ==, !=, <, <=, >, >=, &&, || and !");
  } else {
    return std::nullopt;
  }
  pos_ += (op == CompareOp::kLess || op == CompareOp::kGreater) ? 1 : 2;
  return op;
}

absl::StatusOr<FilterOperand> PathParser::ParseOperand() {
  if (AtEnd()) return lexer_.Unexpected(pos_, kOperandKinds);
  const char c = text_[pos_];
  if (c == '@' || c == '$') {
    PathExpr path;
    path.root = c == '@' ? PathExpr::Root::kCurrent : PathExpr::Root::kDocument;
    if (c == '$' && PeekAt(1, '$')) {
      return lexer_.Error(pos_, "'$$' inside a filter",
                          "filters can refer to '@' (the node tested) and '$' (the document)");
    }
    ++pos_;
    if (auto status = ParseSegments(path, /*in_filter=*/true); !status.ok()) return status;
    return path;
  }
  if (c == '\'' || c == '"') {
    auto text = lexer_.ReadQuoted(pos_);
    if (!text.ok()) return text.status();
    return nlohmann::json(*std::move(text));
  }
  if (c == '-' || PeekDigit()) {
    auto number = lexer_.ReadNumber(pos_);
    if (!number.ok()) return number.status();
    return *std::move(number);
  }
  if (IsLetter(c)) {
    const std::size_t begin = pos_;
    pos_ = lexer_.SkipWord(pos_);
    const std::string_view word = text_.substr(begin, pos_ - begin);
    if (word == "true") return nlohmann::json(true);
    if (word == "false") return nlohmann::json(false);
    if (word == "null") return nlohmann::json(nullptr);
    return lexer_.Error(begin, "unknown word '" + std::string(word) + "'",
                        "expected " + std::string(kOperandKinds));
  }
  return lexer_.Unexpected(pos_, kOperandKinds);
}

}  // namespace stepwise::dsl::internal
