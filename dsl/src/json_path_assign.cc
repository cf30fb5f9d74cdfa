#include "json_path_assign.h"

#include <cstdint>
#include <string>
#include <utility>

#include "json_path_text.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

absl::Status Unable(std::string_view text, std::string_view why) {
  return absl::FailedPreconditionError("Unable to apply ReferencePath " + std::string(text) + ": " +
                                       std::string(why));
}

}  // namespace

absl::Status AssignPath(const PathExpr& path, std::string_view text, json& target, json value) {
  if (!path.reference) {
    return absl::FailedPreconditionError(
        "'" + std::string(text) +
        "' is not a reference path: only paths of member names and array indexes can be "
        "assigned to");
  }
  // First check the whole way without touching `target`, so that a failure changes nothing.
  const json* node = &target;
  std::size_t existing = 0;  // steps that reach an existing node
  for (; existing < path.segments.size(); ++existing) {
    const Segment& segment = path.segments[existing];
    // Built only on failure: assignment runs on every state transition.
    auto at = [&] { return "at " + RenderPrefix(path, text, existing); };
    if (segment.type == Segment::Type::kName) {
      if (!node->is_object()) {
        return Unable(text, "expected an object " + at() + " but found " +
                                std::string(DescribeJsonType(*node)));
      }
      const auto it = node->find(segment.name);
      if (it == node->end()) break;
      node = &*it;
    } else {
      if (!node->is_array()) {
        return Unable(text, "expected an array " + at() + " but found " +
                                std::string(DescribeJsonType(*node)));
      }
      // A reference path's indexes are never negative.
      if (static_cast<std::uint64_t>(segment.index) >= node->size()) {
        return Unable(text, "index [" + std::to_string(segment.index) + "] is out of range " +
                                at() + ", an array of " + std::to_string(node->size()) +
                                " elements");
      }
      node = &(*node)[static_cast<std::size_t>(segment.index)];
    }
  }
  // Past the first missing member, every step creates an object member: none may be an index.
  for (std::size_t i = existing + 1; i < path.segments.size(); ++i) {
    if (path.segments[i].type == Segment::Type::kIndex) {
      return Unable(
          text, "expected an array at " + RenderPrefix(path, text, i) + " but it does not exist");
    }
  }
  json* out = &target;
  for (const Segment& segment : path.segments) {
    // A missing member comes into being as null, and the next step makes it an object.
    out = segment.type == Segment::Type::kName ? &(*out)[segment.name]
                                               : &(*out)[static_cast<std::size_t>(segment.index)];
  }
  *out = std::move(value);
  return absl::OkStatus();
}

}  // namespace stepwise::dsl::internal
