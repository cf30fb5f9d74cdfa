#include "json_path_filter.h"

#include <algorithm>
#include <compare>
#include <cstdint>
#include <optional>
#include <string_view>
#include <utility>
#include <variant>

#include "json_path_eval.h"
#include "numeric_compare.h"
#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// An operand's value: a node of the document or a literal of the filter (borrowed), or the
// array an indefinite path built (owned). Neither: the path selected nothing.
class Operand {
 public:
  Operand(const FilterOperand& operand, const json& node, const json& document) {
    if (const auto* literal = std::get_if<json>(&operand)) {
      borrowed_ = literal;
      return;
    }
    const auto& path = std::get<PathExpr>(operand);
    const json& start = path.root == PathExpr::Root::kCurrent ? node : document;
    if (path.definite) {
      borrowed_ = FindDefinite(path, start);
      return;
    }
    NodeList matches;
    SelectAll(path, start, document, matches);
    owned_.emplace(json::array());
    for (const json* match : matches) owned_->push_back(*match);
  }

  // nullptr when the path selected nothing.
  const json* get() const { return owned_ ? &*owned_ : borrowed_; }

 private:
  const json* borrowed_ = nullptr;
  std::optional<json> owned_;
};

// The code point of the UTF-8 sequence at `pos` (a lone byte if it is not well formed).
std::uint32_t DecodeAt(std::string_view text, std::size_t pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  const std::size_t length = lead < 0x80 ? 1 : Utf8SequenceLength(lead);
  if (length == 1 || pos + length > text.size()) return lead;
  std::uint32_t code_point = lead & (0xff >> (length + 1));
  for (std::size_t i = 1; i < length; ++i) {
    code_point = (code_point << 6) | (static_cast<unsigned char>(text[pos + i]) & 0x3f);
  }
  return code_point;
}

// Java's String.compareTo, which AWS's filters use: UTF-16 code unit order. It differs from
// UTF-8 byte order only between characters above U+FFFF (surrogate pairs) and U+E000..U+FFFF.
std::strong_ordering CompareStrings(std::string_view a, std::string_view b) {
  std::size_t i = 0;
  const std::size_t shorter = std::min(a.size(), b.size());
  while (i < shorter && a[i] == b[i]) ++i;
  if (i == shorter) return a.size() <=> b.size();
  // Back to the start of the code point that differs; the bytes before `i` are shared.
  while (i > 0 && (static_cast<unsigned char>(a[i]) & 0xc0) == 0x80) --i;
  const std::uint32_t x = DecodeAt(a, i);
  const std::uint32_t y = DecodeAt(b, i);
  auto first_unit = [](std::uint32_t c) {
    return c < 0x10000 ? c : 0xd800 + ((c - 0x10000) >> 10);
  };
  if (first_unit(x) != first_unit(y)) return first_unit(x) <=> first_unit(y);
  return x <=> y;  // both above U+FFFF with the same high surrogate: the low one decides
}

// Jayway's ==: numbers by value (1 == 1.0), everything else by type and content. A path that
// selected nothing equals only another such path.
bool Equal(const json* a, const json* b) {
  if (a == nullptr || b == nullptr) return a == b;
  if (a->is_number() && b->is_number()) return CompareNumbers(*a, *b) == 0;
  return a->type() == b->type() && *a == *b;
}

// <, <=, >, >= order two numbers or two strings; any other pair is not ordered (false).
std::optional<std::partial_ordering> Order(const json* a, const json* b) {
  if (a == nullptr || b == nullptr) return std::nullopt;
  if (a->is_number() && b->is_number()) return CompareNumbers(*a, *b);
  if (a->is_string() && b->is_string()) {
    return CompareStrings(a->get_ref<const std::string&>(), b->get_ref<const std::string&>());
  }
  return std::nullopt;
}

bool Compare(CompareOp op, const json* a, const json* b) {
  switch (op) {
    case CompareOp::kEqual:
      return Equal(a, b);
    case CompareOp::kNotEqual:
      return !Equal(a, b);
    default:
      break;
  }
  const auto order = Order(a, b);
  if (!order) return false;
  switch (op) {
    case CompareOp::kLess:
      return *order < 0;
    case CompareOp::kLessEqual:
      return *order <= 0;
    case CompareOp::kGreater:
      return *order > 0;
    case CompareOp::kGreaterEqual:
      return *order >= 0;
    default:
      return false;
  }
}

bool Exists(const PathExpr& path, const json& node, const json& document) {
  const json& start = path.root == PathExpr::Root::kCurrent ? node : document;
  if (path.definite) return FindDefinite(path, start) != nullptr;
  NodeList matches;
  SelectAll(path, start, document, matches);
  return !matches.empty();
}

}  // namespace

bool FilterMatches(const FilterExpr& filter, const json& node, const json& document) {
  switch (filter.type) {
    case FilterExpr::Type::kOr:
      for (const FilterExpr& child : filter.children) {
        if (FilterMatches(child, node, document)) return true;
      }
      return false;
    case FilterExpr::Type::kAnd:
      for (const FilterExpr& child : filter.children) {
        if (!FilterMatches(child, node, document)) return false;
      }
      return true;
    case FilterExpr::Type::kNot:
      return !FilterMatches(filter.children.front(), node, document);
    case FilterExpr::Type::kExists:
      if (const auto* path = std::get_if<PathExpr>(&filter.left)) {
        return Exists(*path, node, document);
      }
      return false;
    case FilterExpr::Type::kCompare: {
      const Operand left(filter.left, node, document);
      const Operand right(filter.right, node, document);
      return Compare(filter.op, left.get(), right.get());
    }
  }
  return false;
}

}  // namespace stepwise::dsl::internal
