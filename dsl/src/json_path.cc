#include "stepwise/dsl/json_path.h"

#include <string>
#include <utility>

#include "json_path_assign.h"
#include "json_path_ast.h"
#include "json_path_eval.h"
#include "json_path_parser.h"

namespace stepwise::dsl {

struct JsonPath::Impl {
  std::string text;
  internal::PathExpr path;
};

absl::StatusOr<JsonPath> JsonPath::Parse(std::string_view text, Kind kind) {
  auto path = internal::ParseJsonPathText(text, kind == Kind::kReferencePath);
  if (!path.ok()) return path.status();
  return JsonPath(std::make_shared<const Impl>(Impl{std::string(text), *std::move(path)}));
}

JsonPath::JsonPath(std::shared_ptr<const Impl> impl) : impl_(std::move(impl)) {}

const std::string& JsonPath::text() const { return impl_->text; }

bool JsonPath::is_context() const { return impl_->path.root == internal::PathExpr::Root::kContext; }

bool JsonPath::is_definite() const { return impl_->path.definite; }

absl::StatusOr<nlohmann::json> JsonPath::Evaluate(const nlohmann::json& root) const {
  return internal::EvaluatePath(impl_->path, impl_->text, root);
}

absl::Status JsonPath::Assign(nlohmann::json& target, nlohmann::json value) const {
  return internal::AssignPath(impl_->path, impl_->text, target, std::move(value));
}

// Moves share the parsed form instead of stealing it, so that a moved-from JsonPath stays a
// valid path rather than a null pointer waiting to be dereferenced.
JsonPath::JsonPath(const JsonPath&) = default;
JsonPath& JsonPath::operator=(const JsonPath&) = default;
JsonPath::JsonPath(JsonPath&& other) noexcept : impl_(other.impl_) {}
JsonPath& JsonPath::operator=(JsonPath&& other) noexcept {
  impl_ = other.impl_;
  return *this;
}
JsonPath::~JsonPath() = default;

}  // namespace stepwise::dsl
