#pragma once

#include <string_view>

#include "absl/status/statusor.h"
#include "json_path_ast.h"

namespace stepwise::dsl::internal {

// Parses a whole JSONPath (`$...` or `$$...`). With `reference_only`, only member names and
// non-negative single indexes are accepted, as ResultPath-style reference paths require.
// Errors are INVALID_ARGUMENT and say what is wrong and at which offset of `text`.
absl::StatusOr<PathExpr> ParseJsonPathText(std::string_view text, bool reference_only);

}  // namespace stepwise::dsl::internal
