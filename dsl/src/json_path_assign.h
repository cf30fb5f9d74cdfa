#pragma once

#include <nlohmann/json.hpp>
#include <string_view>

#include "absl/status/status.h"
#include "json_path_ast.h"

namespace stepwise::dsl::internal {

// Stores `value` at `path` (`text` is its source, for messages) inside `target`, creating
// missing object members as objects. FAILED_PRECONDITION, with `target` unchanged, when the path
// is not a reference path, a node on the way is not an object (or not an array for an index),
// or an index is out of range.
absl::Status AssignPath(const PathExpr& path, std::string_view text, nlohmann::json& target,
                        nlohmann::json value);

}  // namespace stepwise::dsl::internal
