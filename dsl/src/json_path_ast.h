#pragma once

// The parsed form of a JSONPath: plain immutable data, built once by the parser and shared by
// every copy of a JsonPath. Evaluation walks it without re-reading the text.

#include <cstddef>
#include <cstdint>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <variant>
#include <vector>

namespace stepwise::dsl::internal {

struct FilterExpr;

// One step of a path. Each step maps a node to zero or more nodes.
struct Segment {
  enum class Type {
    kName,         // .a  ['a']
    kIndex,        // [0]  [-1]
    kWildcard,     // .*  [*]
    kNames,        // ['a','b']
    kIndexes,      // [0,2]
    kSlice,        // [start:end:step]
    kFilter,       // [?(...)]
    kDescendants,  // the `..` of `..a`: the node itself and all its descendants, in pre-order
  };

  Type type = Type::kName;
  std::string name;                          // kName
  std::int64_t index = 0;                    // kIndex
  std::vector<std::string> names;            // kNames
  std::vector<std::int64_t> indexes;         // kIndexes
  std::optional<std::int64_t> start;         // kSlice
  std::optional<std::int64_t> end;           // kSlice
  std::int64_t step = 1;                     // kSlice, never 0
  std::unique_ptr<const FilterExpr> filter;  // kFilter

  // Where the step is written in the path text, [begin, end), for error messages.
  std::size_t text_begin = 0;
  std::size_t text_end = 0;

  bool definite() const { return type == Type::kName || type == Type::kIndex; }
};

// A path: a root and its steps.
struct PathExpr {
  enum class Root {
    kDocument,  // $  : the document evaluated (inside a filter too)
    kContext,   // $$ : the context object (the caller passes it as the document)
    kCurrent,   // @  : the node a filter is testing
  };

  Root root = Root::kDocument;
  std::vector<Segment> segments;
  bool definite = true;   // every step is a member name or a single index
  bool reference = true;  // definite, and no index is negative: a path Assign can write to
};

// A filter operand: a literal value or a path.
using FilterOperand = std::variant<nlohmann::json, PathExpr>;

enum class CompareOp { kEqual, kNotEqual, kLess, kLessEqual, kGreater, kGreaterEqual };

// A node of a filter's boolean expression.
struct FilterExpr {
  enum class Type {
    kOr,       // children[0] || children[1] || ...
    kAnd,      // children[0] && children[1] && ...
    kNot,      // !children[0]
    kExists,   // `@.a` alone: the path selects something (even null or false, as in Jayway)
    kCompare,  // left op right
  };

  Type type = Type::kExists;
  std::vector<FilterExpr> children;  // kOr, kAnd, kNot
  FilterOperand left;                // kExists (always a path), kCompare
  FilterOperand right;               // kCompare
  CompareOp op = CompareOp::kEqual;  // kCompare
};

}  // namespace stepwise::dsl::internal
