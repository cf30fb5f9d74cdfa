#include "field_reader.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "closest_match.h"

namespace stepwise::dsl::internal {

using nlohmann::json;

std::string DescribeType(const json& value) {
  switch (value.type()) {
    case json::value_t::null:
      return "null";
    case json::value_t::object:
      return "an object";
    case json::value_t::array:
      return "an array";
    case json::value_t::string:
      return "a string";
    case json::value_t::boolean:
      return "a boolean";
    case json::value_t::number_integer:
    case json::value_t::number_unsigned:
      return "an integer";
    case json::value_t::number_float:
      return "a number";
    default:
      return "an unsupported value";
  }
}

const JsonPath& RootPath() {
  static const JsonPath* const root = new JsonPath(*JsonPath::Parse("$"));
  return *root;
}

FieldReader::FieldReader(const json& object, std::string pointer, Diagnostics& diagnostics)
    : object_(object), pointer_(std::move(pointer)), diagnostics_(diagnostics) {}

void FieldReader::CheckKnownFields(const std::vector<std::string_view>& allowed,
                                   std::string_view what,
                                   const std::vector<std::string_view>& not_supported) {
  for (const auto& [key, value] : object_.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
    if (std::find(not_supported.begin(), not_supported.end(), key) != not_supported.end()) {
      Error(key, "'" + key + "' is not supported yet in " + std::string(what));
      continue;
    }
    Error(key, "unknown field '" + key + "' in " + std::string(what) + DidYouMean(key, allowed));
  }
}

bool FieldReader::Has(std::string_view key) const { return object_.contains(key); }

const json* FieldReader::Get(std::string_view key) const {
  auto it = object_.find(key);
  return it == object_.end() ? nullptr : &*it;
}

std::string FieldReader::PointerTo(std::string_view key) const {
  return JoinPointer(pointer_, key);
}

void FieldReader::Error(std::string_view key, std::string message) {
  diagnostics_.Error(PointerTo(key), std::move(message));
}

std::optional<std::string> FieldReader::String(std::string_view key, bool required) {
  const json* value = Get(key);
  if (value == nullptr) {
    if (required) diagnostics_.Error(pointer_, "missing required field '" + std::string(key) + "'");
    return std::nullopt;
  }
  if (!value->is_string()) {
    Error(key, "'" + std::string(key) + "' must be a string, not " + DescribeType(*value));
    return std::nullopt;
  }
  return value->get<std::string>();
}

std::optional<std::string> FieldReader::NonEmptyString(std::string_view key, bool required) {
  auto text = String(key, required);
  if (text && text->empty()) {
    Error(key, "'" + std::string(key) + "' must not be empty");
    return std::nullopt;
  }
  return text;
}

std::optional<std::int64_t> FieldReader::Integer(std::string_view key, std::int64_t min,
                                                 std::int64_t max) {
  const json* value = Get(key);
  if (value == nullptr) return std::nullopt;
  std::string name(key);
  std::string range = "between " + std::to_string(min) + " and " + std::to_string(max);
  if (value->is_number_float()) {
    double number = value->get<double>();
    if (std::trunc(number) != number) {
      Error(key, "'" + name + "' must be a whole number " + range + ", not " + value->dump());
      return std::nullopt;
    }
  } else if (!value->is_number()) {
    Error(key, "'" + name + "' must be an integer " + range + ", not " + DescribeType(*value));
    return std::nullopt;
  }
  if (value->is_number_unsigned() &&
      value->get<std::uint64_t>() > static_cast<std::uint64_t>(max)) {
    Error(key, "'" + name + "' must be " + range + ", not " + value->dump());
    return std::nullopt;
  }
  double as_double = value->get<double>();
  if (as_double < static_cast<double>(min) || as_double > static_cast<double>(max)) {
    Error(key, "'" + name + "' must be " + range + ", not " + value->dump());
    return std::nullopt;
  }
  return value->is_number_float() ? static_cast<std::int64_t>(as_double)
                                  : value->get<std::int64_t>();
}

std::optional<double> FieldReader::Number(std::string_view key, double min, double max) {
  const json* value = Get(key);
  if (value == nullptr) return std::nullopt;
  std::string name(key);
  if (!value->is_number()) {
    Error(key, "'" + name + "' must be a number, not " + DescribeType(*value));
    return std::nullopt;
  }
  double number = value->get<double>();
  if (!(number >= min && number <= max)) {
    std::string range = max == std::numeric_limits<double>::max()
                            ? ">= " + json(min).dump()
                            : "between " + json(min).dump() + " and " + json(max).dump();
    Error(key, "'" + name + "' must be " + range + ", not " + value->dump());
    return std::nullopt;
  }
  return number;
}

std::optional<bool> FieldReader::Boolean(std::string_view key) {
  const json* value = Get(key);
  if (value == nullptr) return std::nullopt;
  if (!value->is_boolean()) {
    Error(key, "'" + std::string(key) + "' must be true or false, not " + DescribeType(*value));
    return std::nullopt;
  }
  return value->get<bool>();
}

std::optional<JsonPath> FieldReader::Path(std::string_view key, JsonPath::Kind kind) {
  auto text = String(key);
  if (!text) return std::nullopt;
  auto path = JsonPath::Parse(*text, kind);
  if (!path.ok()) {
    Error(key, "'" + std::string(key) + "' is not a valid " +
                   (kind == JsonPath::Kind::kReferencePath ? "reference path" : "path") + ": " +
                   std::string(path.status().message()));
    return std::nullopt;
  }
  return *std::move(path);
}

std::optional<JsonPath> FieldReader::PathOrDefault(std::string_view key, JsonPath::Kind kind) {
  const json* value = Get(key);
  if (value == nullptr) return RootPath();
  if (value->is_null()) return std::nullopt;
  auto path = Path(key, kind);
  // An invalid path was reported; `$` keeps the compiled machine well-formed meanwhile.
  return path ? *std::move(path) : RootPath();
}

LiteralOrPath<std::int64_t> FieldReader::IntegerOrPath(std::string_view key, std::int64_t min,
                                                       std::int64_t max) {
  std::string path_key = std::string(key) + "Path";
  LiteralOrPath<std::int64_t> out;
  if (Has(key) && Has(path_key)) {
    Error(path_key, "use either '" + std::string(key) + "' or '" + path_key + "', not both");
  }
  out.literal = Integer(key, min, max);
  out.path = Path(path_key, JsonPath::Kind::kReferencePath);
  return out;
}

LiteralOrPath<double> FieldReader::NumberOrPath(std::string_view key, double min, double max) {
  std::string path_key = std::string(key) + "Path";
  LiteralOrPath<double> out;
  if (Has(key) && Has(path_key)) {
    Error(path_key, "use either '" + std::string(key) + "' or '" + path_key + "', not both");
  }
  out.literal = Number(key, min, max);
  out.path = Path(path_key, JsonPath::Kind::kReferencePath);
  return out;
}

}  // namespace stepwise::dsl::internal
