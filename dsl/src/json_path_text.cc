#include "json_path_text.h"

namespace stepwise::dsl::internal {

std::string_view DescribeJsonType(const nlohmann::json& value) {
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      return "an object";
    case nlohmann::json::value_t::array:
      return "an array";
    case nlohmann::json::value_t::string:
      return "a string";
    case nlohmann::json::value_t::boolean:
      return "a boolean";
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      return "a number";
    default:
      return "null";
  }
}

std::string RenderName(std::string_view name) {
  std::string out = "['";
  for (char c : name) {
    // Escaped so that the rendered path parses back to the same member.
    if (c == '\'' || c == '\\') out += '\\';
    out += c;
  }
  out += "']";
  return out;
}

std::string RenderPrefix(const PathExpr& path, std::string_view text, std::size_t count) {
  std::string out;
  switch (path.root) {
    case PathExpr::Root::kDocument:
      out = "$";
      break;
    case PathExpr::Root::kContext:
      out = "$$";
      break;
    case PathExpr::Root::kCurrent:
      out = "@";
      break;
  }
  for (std::size_t i = 0; i < count && i < path.segments.size(); ++i) {
    const Segment& segment = path.segments[i];
    if (segment.type == Segment::Type::kName) {
      out += RenderName(segment.name);
    } else if (segment.type == Segment::Type::kIndex) {
      out += "[" + std::to_string(segment.index) + "]";
    } else if (segment.text_begin <= segment.text_end && segment.text_end <= text.size()) {
      out += text.substr(segment.text_begin, segment.text_end - segment.text_begin);
    }
  }
  return out;
}

}  // namespace stepwise::dsl::internal
