#pragma once

#include <nlohmann/json.hpp>

#include "json_path_ast.h"

namespace stepwise::dsl::internal {

// Whether `node` passes the filter. `@` in the filter is `node`, `$` is `document`.
bool FilterMatches(const FilterExpr& filter, const nlohmann::json& node,
                   const nlohmann::json& document);

}  // namespace stepwise::dsl::internal
