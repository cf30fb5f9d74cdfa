#include "json_path_parser.h"

#include <string>
#include <utility>
#include <vector>

#include "json_path_parser_impl.h"
#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

constexpr std::string_view kReferenceRule =
    "ResultPath-style reference paths may only use member names and array indexes";

constexpr std::string_view kBracketContents =
    "a quoted member name, an index, a slice, '*' or a filter '?(...)'";

}  // namespace

absl::StatusOr<PathExpr> ParseJsonPathText(std::string_view text, bool reference_only) {
  return PathParser(text, reference_only).ParseWholePath();
}

absl::StatusOr<PathExpr> PathParser::ParseWholePath() {
  if (text_.empty()) {
    return absl::InvalidArgumentError("the path is empty: a path must start with '$'");
  }
  if (auto bad = FindInvalidUtf8(text_)) {
    // The text itself is left out: quoting invalid UTF-8 would make the message invalid too.
    return absl::InvalidArgumentError("invalid UTF-8 at offset " + std::to_string(*bad) +
                                      " in the path");
  }
  if (text_[0] != '$') {
    return lexer_.Error(0, "unexpected " + lexer_.Describe(0), "a path must start with '$'");
  }
  PathExpr path;
  pos_ = 1;
  if (pos_ < text_.size() && text_[pos_] == '$') {
    path.root = PathExpr::Root::kContext;
    ++pos_;
  }
  if (auto status = ParseSegments(path, /*in_filter=*/false); !status.ok()) return status;
  return path;
}

// Steps after the root, until the end of the text or, inside a filter, until a character that
// cannot continue a path (the filter grammar decides what it means).
absl::Status PathParser::ParseSegments(PathExpr& path, bool in_filter) {
  while (!AtEnd()) {
    const char c = text_[pos_];
    if (c == '.' && PeekAt(1, '.')) {
      Segment descendants;
      descendants.type = Segment::Type::kDescendants;
      descendants.text_begin = pos_;
      pos_ += 2;
      descendants.text_end = pos_;
      if (auto status = Append(path, std::move(descendants), in_filter); !status.ok()) {
        return status;
      }
      if (AtEnd()) {
        return lexer_.Error(pos_ - 2, "'..' at the end of the path",
                            "'..' must be followed by a member name, '*' or '['");
      }
      if (Peek('.')) return lexer_.Unexpected(pos_, "a member name, '*' or '['");
    } else if (c == '.') {
      ++pos_;
      if (AtEnd()) {
        return lexer_.Error(pos_ - 1, "'.' at the end of the path",
                            "'.' must be followed by a member name or '*'");
      }
    } else if (c != '[') {
      if (in_filter) return absl::OkStatus();
      if (lexer_.IsSpace(c)) {
        if (lexer_.SkipSpaces(pos_) == text_.size()) {
          return lexer_.Error(pos_, "trailing whitespace");
        }
        return lexer_.Error(pos_, "unexpected whitespace",
                            "use bracket notation such as ['a b'] for member names with spaces");
      }
      return lexer_.Unexpected(pos_, "'.', '..' or '['");
    }
    // One selector: after '.' or '..' (or at a '['), a bracket, a wildcard or a name.
    Segment segment;
    segment.text_begin = c == '[' ? pos_ : pos_ - 1;
    absl::Status status;
    if (Peek('[')) {
      status = ParseBracket(segment);
    } else if (Peek('*')) {
      segment.type = Segment::Type::kWildcard;
      ++pos_;
      if (!AtEnd() && lexer_.IsNameChar(text_[pos_], in_filter)) {
        status = lexer_.Unexpected(pos_, "'.', '[' or the end of the path after '*'");
      }
    } else {
      status = ParseDotName(segment, in_filter);
    }
    if (!status.ok()) return status;
    segment.text_end = pos_;
    if (status = Append(path, std::move(segment), in_filter); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status PathParser::Append(PathExpr& path, Segment segment, bool in_filter) {
  const bool reference = segment.type == Segment::Type::kName ||
                         (segment.type == Segment::Type::kIndex && segment.index >= 0);
  if (reference_only_ && !in_filter && !reference) {
    std::string what =
        "'" + std::string(text_.substr(segment.text_begin, segment.text_end - segment.text_begin)) +
        "'";
    return lexer_.Error(segment.text_begin, what + " is not allowed",
                        segment.type == Segment::Type::kIndex
                            ? std::string(kReferenceRule) + ", and indexes count from 0"
                            : std::string(kReferenceRule));
  }
  path.definite = path.definite && segment.definite();
  path.reference = path.reference && reference;
  path.segments.push_back(std::move(segment));
  return absl::OkStatus();
}

// A member name in dot notation: everything up to the next character that ends a name.
absl::Status PathParser::ParseDotName(Segment& segment, bool in_filter) {
  const std::size_t begin = pos_;
  while (!AtEnd() && lexer_.IsNameChar(text_[pos_], in_filter)) ++pos_;
  if (pos_ == begin) return lexer_.Unexpected(pos_, "a member name, '*' or '[' after '.'");
  segment.type = Segment::Type::kName;
  segment.name = std::string(text_.substr(begin, pos_ - begin));
  if (Peek('(')) {
    return lexer_.Error(begin, "unsupported function call '" + segment.name + "()'",
                        "JSONPath functions such as length() are not supported");
  }
  return absl::OkStatus();
}

absl::Status PathParser::ParseBracket(Segment& segment) {
  const std::size_t open = pos_;
  ++pos_;
  SkipSpaces();
  if (AtEnd()) {
    return lexer_.Error(open, "unclosed '['", "expected " + std::string(kBracketContents));
  }
  const char c = text_[pos_];
  absl::Status status;
  if (c == '*') {
    segment.type = Segment::Type::kWildcard;
    ++pos_;
  } else if (c == '?') {
    ++pos_;
    status = ParseFilter(segment);
  } else if (c == '\'' || c == '"') {
    status = ParseNames(segment);
  } else if (c == '-' || c == ':' || PeekDigit()) {
    status = ParseIndexesOrSlice(segment);
  } else {
    return lexer_.Unexpected(pos_, kBracketContents);
  }
  if (!status.ok()) return status;
  SkipSpaces();
  if (AtEnd()) return lexer_.Error(open, "unclosed '['", "expected ']'");
  if (!Peek(']')) {
    return lexer_.Unexpected(pos_, segment.type == Segment::Type::kFilter
                                       ? "a comparison (==, !=, <, <=, >, >=), '&&', '||' or ']'"
                                       : "']'");
  }
  ++pos_;
  return absl::OkStatus();
}

absl::Status PathParser::ParseNames(Segment& segment) {
  std::vector<std::string> names;
  while (true) {
    if (!Peek('\'') && !Peek('"')) return lexer_.Unexpected(pos_, "a quoted member name");
    auto name = lexer_.ReadQuoted(pos_);
    if (!name.ok()) return name.status();
    names.push_back(*std::move(name));
    SkipSpaces();
    if (!Peek(',')) break;
    ++pos_;
    SkipSpaces();
  }
  if (names.size() == 1) {
    segment.type = Segment::Type::kName;
    segment.name = std::move(names.front());
  } else {
    segment.type = Segment::Type::kNames;
    segment.names = std::move(names);
  }
  return absl::OkStatus();
}

absl::Status PathParser::ParseIndexesOrSlice(Segment& segment) {
  std::optional<std::int64_t> first;
  if (!Peek(':')) {
    auto index = lexer_.ReadInteger(pos_);
    if (!index.ok()) return index.status();
    first = *index;
    SkipSpaces();
  }
  if (Peek(':')) return ParseSliceRest(segment, first);
  std::vector<std::int64_t> indexes{*first};
  while (Peek(',')) {
    ++pos_;
    SkipSpaces();
    auto index = lexer_.ReadInteger(pos_);
    if (!index.ok()) return index.status();
    indexes.push_back(*index);
    SkipSpaces();
  }
  if (indexes.size() == 1) {
    segment.type = Segment::Type::kIndex;
    segment.index = indexes.front();
  } else {
    segment.type = Segment::Type::kIndexes;
    segment.indexes = std::move(indexes);
  }
  return absl::OkStatus();
}

// At the first ':' of `[start:end:step]`; `start` was read already (if written).
absl::Status PathParser::ParseSliceRest(Segment& segment, std::optional<std::int64_t> start) {
  segment.type = Segment::Type::kSlice;
  segment.start = start;
  ++pos_;  // ':'
  SkipSpaces();
  if (Peek('-') || PeekDigit()) {
    auto end = lexer_.ReadInteger(pos_);
    if (!end.ok()) return end.status();
    segment.end = *end;
    SkipSpaces();
  }
  if (!Peek(':')) return absl::OkStatus();
  ++pos_;
  SkipSpaces();
  if (Peek('-') || PeekDigit()) {
    const std::size_t at = pos_;
    auto step = lexer_.ReadInteger(pos_);
    if (!step.ok()) return step.status();
    if (*step == 0) return lexer_.Error(at, "slice step 0", "the step must not be 0");
    segment.step = *step;
  }
  return absl::OkStatus();
}

}  // namespace stepwise::dsl::internal
