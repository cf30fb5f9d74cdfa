#pragma once

// How JSONPath error messages show paths and values. Only called when something went wrong, so
// none of this is on the evaluation hot path.

#include <cstddef>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "json_path_ast.h"

namespace stepwise::dsl::internal {

// "an object", "an array", "a string", "a number", "a boolean" or "null".
std::string_view DescribeJsonType(const nlohmann::json& value);

// The first `count` steps of `path` in Jayway's bracket notation, e.g. `$['a'][0]`. Only member
// names and single indexes are spelled out; any other step is shown as written in `text`.
std::string RenderPrefix(const PathExpr& path, std::string_view text, std::size_t count);

// `name` as a bracket member, `['it\'s']`.
std::string RenderName(std::string_view name);

}  // namespace stepwise::dsl::internal
