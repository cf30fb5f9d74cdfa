#pragma once

// Evaluation of parsed JSONPaths. Nodes are handled by pointer into the document, so nothing is
// copied until the caller asks for the result.

#include <nlohmann/json.hpp>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "json_path_ast.h"

namespace stepwise::dsl::internal {

using NodeList = std::vector<const nlohmann::json*>;

// The value of a whole path (`text` is its source, for messages) in `document`. A definite path
// yields the node, or NOT_FOUND with Jayway's message when a member is missing, an index is out
// of range or a node has the wrong type. An indefinite path yields the array of its matches in
// document order, possibly empty: what does not match is skipped.
absl::StatusOr<nlohmann::json> EvaluatePath(const PathExpr& path, std::string_view text,
                                            const nlohmann::json& document);

// For paths inside filters, where a missing node is an answer, not an error. `document` is what
// `$` means; `start` is where the path starts (`@` or `$`).
// The node a definite path selects, or nullptr.
const nlohmann::json* FindDefinite(const PathExpr& path, const nlohmann::json& start);
// Appends every match of any path to `out`.
void SelectAll(const PathExpr& path, const nlohmann::json& start, const nlohmann::json& document,
               NodeList& out);

}  // namespace stepwise::dsl::internal
