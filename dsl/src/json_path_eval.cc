#include "json_path_eval.h"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "absl/status/status.h"
#include "json_path_filter.h"
#include "json_path_text.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// The position `index` names in an array of `size` elements (negative counts from the end).
std::optional<std::size_t> ResolveIndex(std::int64_t index, std::size_t size) {
  if (index >= 0) {
    if (static_cast<std::uint64_t>(index) < size) return static_cast<std::size_t>(index);
    return std::nullopt;
  }
  // -(index + 1) cannot overflow, even for the most negative index.
  const std::uint64_t from_end = static_cast<std::uint64_t>(-(index + 1)) + 1;
  if (from_end > size) return std::nullopt;
  return static_cast<std::size_t>(size - from_end);
}

// One definite step (a member name or an index); nullptr when it selects nothing.
const json* DefiniteStep(const Segment& segment, const json& node) {
  if (segment.type == Segment::Type::kName) {
    if (!node.is_object()) return nullptr;
    const auto it = node.find(segment.name);
    return it == node.end() ? nullptr : &*it;
  }
  if (!node.is_array()) return nullptr;
  const auto position = ResolveIndex(segment.index, node.size());
  return position ? &node[*position] : nullptr;
}

// [start:end:step] with Python's (and RFC 9535's) bounds; with step 1 this is Jayway's slice.
void AppendSlice(const Segment& segment, const json& array, NodeList& out) {
  const auto size = static_cast<std::int64_t>(array.size());
  auto normalize = [size](std::int64_t i) { return i >= 0 ? i : size + i; };
  if (segment.step > 0) {
    const std::int64_t lower =
        std::clamp<std::int64_t>(normalize(segment.start.value_or(0)), 0, size);
    const std::int64_t upper =
        segment.end ? std::clamp<std::int64_t>(normalize(*segment.end), 0, size) : size;
    const auto stride = static_cast<std::uint64_t>(segment.step);
    for (std::int64_t i = lower; i < upper;) {
      out.push_back(&array[static_cast<std::size_t>(i)]);
      // Compared as a distance so that a huge step cannot overflow `i`.
      if (static_cast<std::uint64_t>(upper - i) <= stride) break;
      i += segment.step;
    }
    return;
  }
  const std::int64_t upper =
      segment.start ? std::clamp<std::int64_t>(normalize(*segment.start), -1, size - 1) : size - 1;
  const std::int64_t lower =
      segment.end ? std::clamp<std::int64_t>(normalize(*segment.end), -1, size - 1) : -1;
  const std::uint64_t stride = 0 - static_cast<std::uint64_t>(segment.step);
  for (std::int64_t i = upper; i > lower;) {
    out.push_back(&array[static_cast<std::size_t>(i)]);
    if (static_cast<std::uint64_t>(i - lower) <= stride) break;
    i -= static_cast<std::int64_t>(stride);
  }
}

// The node and all its descendants in pre-order, children in document order. An explicit stack,
// not recursion: documents can nest deeper than the thread's stack.
void AppendDescendants(const json& node, NodeList& out) {
  NodeList stack{&node};
  while (!stack.empty()) {
    const json* next = stack.back();
    stack.pop_back();
    out.push_back(next);
    if (!next->is_structured()) continue;
    for (auto it = next->crbegin(); it != next->crend(); ++it) stack.push_back(&*it);
  }
}

// Appends what `segment` selects from `node`; selects nothing from a node of the wrong type.
void ApplySegment(const Segment& segment, const json& node, const json& document, NodeList& out) {
  switch (segment.type) {
    case Segment::Type::kName:
    case Segment::Type::kIndex:
      if (const json* child = DefiniteStep(segment, node)) out.push_back(child);
      return;
    case Segment::Type::kWildcard:
      if (node.is_structured()) {
        for (const json& child : node) out.push_back(&child);
      }
      return;
    case Segment::Type::kNames:
      if (!node.is_object()) return;
      for (const std::string& name : segment.names) {
        if (const auto it = node.find(name); it != node.end()) out.push_back(&*it);
      }
      return;
    case Segment::Type::kIndexes:
      if (!node.is_array()) return;
      for (std::int64_t index : segment.indexes) {
        if (const auto position = ResolveIndex(index, node.size())) out.push_back(&node[*position]);
      }
      return;
    case Segment::Type::kSlice:
      if (node.is_array()) AppendSlice(segment, node, out);
      return;
    case Segment::Type::kFilter:
      // Jayway filters the elements of an array, but tests an object itself.
      if (node.is_array()) {
        for (const json& element : node) {
          if (FilterMatches(*segment.filter, element, document)) out.push_back(&element);
        }
      } else if (node.is_object() && FilterMatches(*segment.filter, node, document)) {
        out.push_back(&node);
      }
      return;
    case Segment::Type::kDescendants:
      AppendDescendants(node, out);
      return;
  }
}

// Why definite step `step` selects nothing from `node`, in Jayway's words (AWS shows them, e.g.
// "Invalid path '$.a.b' : Missing property in path $['a']").
absl::Status DefiniteStepError(const PathExpr& path, std::string_view text, std::size_t step,
                               const json& node) {
  const Segment& segment = path.segments[step];
  const std::string found = " in path " + RenderPrefix(path, text, step) + " but found " +
                            std::string(DescribeJsonType(node));
  if (segment.type == Segment::Type::kName) {
    if (!node.is_object()) {
      return absl::NotFoundError("Expected to find an object with property " +
                                 RenderName(segment.name) + found);
    }
    return absl::NotFoundError("Missing property in path " + RenderPrefix(path, text, step + 1));
  }
  if (!node.is_array()) {
    return absl::NotFoundError("Expected to find an array with index [" +
                               std::to_string(segment.index) + "]" + found);
  }
  return absl::NotFoundError("Array index out of range in path " +
                             RenderPrefix(path, text, step + 1) + ": the array has " +
                             std::to_string(node.size()) + " elements");
}

}  // namespace

const json* FindDefinite(const PathExpr& path, const json& start) {
  const json* node = &start;
  for (const Segment& segment : path.segments) {
    node = DefiniteStep(segment, *node);
    if (node == nullptr) return nullptr;
  }
  return node;
}

// Level by level: the nodes after step i are the matches of step i applied to each node after
// step i-1, in order, which is document order (and keeps recursion off long paths).
void SelectAll(const PathExpr& path, const json& start, const json& document, NodeList& out) {
  NodeList current{&start};
  NodeList next;
  for (std::size_t i = 0; i < path.segments.size() && !current.empty(); ++i) {
    next.clear();
    for (const json* node : current) ApplySegment(path.segments[i], *node, document, next);
    current.swap(next);
  }
  out.insert(out.end(), current.begin(), current.end());
}

absl::StatusOr<json> EvaluatePath(const PathExpr& path, std::string_view text,
                                  const json& document) {
  if (path.definite) {
    // The hot case (InputPath, `.$` fields, ...): a pointer walk, then one copy.
    const json* node = &document;
    for (std::size_t i = 0; i < path.segments.size(); ++i) {
      const json* child = DefiniteStep(path.segments[i], *node);
      if (child == nullptr) return DefiniteStepError(path, text, i, *node);
      node = child;
    }
    return *node;
  }
  // AWS never fails an indefinite path: `$.missing[*]` is [] (recorded executions show it),
  // although plain Jayway would report the missing member.
  NodeList matches;
  SelectAll(path, document, document, matches);
  json result = json::array();
  auto& elements = result.get_ref<json::array_t&>();
  elements.reserve(matches.size());
  for (const json* match : matches) elements.push_back(*match);
  return result;
}

}  // namespace stepwise::dsl::internal
