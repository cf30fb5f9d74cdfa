#pragma once

// The JSONPath parser's state, shared by its two halves: json_path_parser.cc reads paths and
// their steps, json_path_filter_parser.cc reads the boolean expressions of filters (which
// contain paths again). Recursive descent over the text, one character of lookahead.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "json_path_ast.h"
#include "json_path_lexer.h"

namespace stepwise::dsl::internal {

class PathParser {
 public:
  PathParser(std::string_view text, bool reference_only)
      : lexer_(text), text_(text), reference_only_(reference_only) {}

  absl::StatusOr<PathExpr> ParseWholePath();

 private:
  // Paths (json_path_parser.cc).
  absl::Status ParseSegments(PathExpr& path, bool in_filter);
  absl::Status Append(PathExpr& path, Segment segment, bool in_filter);
  absl::Status ParseDotName(Segment& segment, bool in_filter);
  absl::Status ParseBracket(Segment& segment);
  absl::Status ParseNames(Segment& segment);
  absl::Status ParseIndexesOrSlice(Segment& segment);
  absl::Status ParseSliceRest(Segment& segment, std::optional<std::int64_t> start);

  // Filters (json_path_filter_parser.cc).
  absl::Status ParseFilter(Segment& segment);
  absl::Status Enter();
  absl::StatusOr<FilterExpr> ParseOr();
  absl::StatusOr<FilterExpr> ParseAnd();
  absl::StatusOr<FilterExpr> ParseChain(FilterExpr::Type type, char symbol);
  absl::StatusOr<FilterExpr> ParseUnary();
  absl::StatusOr<FilterExpr> ParseComparison();
  absl::StatusOr<std::optional<CompareOp>> ParseOperator();
  absl::StatusOr<FilterOperand> ParseOperand();

  bool AtEnd() const { return pos_ >= text_.size(); }
  bool Peek(char c) const { return pos_ < text_.size() && text_[pos_] == c; }
  bool PeekAt(std::size_t ahead, char c) const {
    return pos_ + ahead < text_.size() && text_[pos_ + ahead] == c;
  }
  bool PeekDigit() const { return pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9'; }
  void SkipSpaces() { pos_ = lexer_.SkipSpaces(pos_); }

  const Lexer lexer_;
  const std::string_view text_;
  const bool reference_only_;
  std::size_t pos_ = 0;
  int depth_ = 0;  // how deeply the filter being read is nested
};

}  // namespace stepwise::dsl::internal
