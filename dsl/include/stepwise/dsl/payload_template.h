#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "stepwise/dsl/diagnostic.h"
#include "stepwise/dsl/eval_scope.h"
#include "stepwise/dsl/outcome.h"

namespace stepwise::dsl {

// The value of a field whose name ends in `.$`: a path (`$.a`, `$$.Map.Item.Value`) or an
// intrinsic call (`States.Format(...)`). Also used by Fail's ErrorPath and CausePath.
class DynamicValue {
 public:
  // The message says what is wrong with `text`.
  static absl::StatusOr<DynamicValue> Parse(std::string_view text);

  // `field` names the field for error messages. A path that matches nothing raises
  // States.Runtime; a failing intrinsic raises States.IntrinsicFailure.
  Outcome<nlohmann::json> Evaluate(const EvalScope& scope, std::string_view field) const;

  const std::string& text() const;

  struct Impl;  // defined in payload_template.cc

 private:
  explicit DynamicValue(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

// A compiled payload template (Parameters, ResultSelector, ItemSelector): a JSON value in which
// every object key ending in `.$` is replaced, at run time, by the value its path or intrinsic
// call yields (with the `.$` removed from the key). Literal parts are stored once and copied.
class PayloadTemplate {
 public:
  // Reports bad `.$` values (not a string, bad path, bad intrinsic call, two keys that become the
  // same) to `diagnostics` with their pointers; nullopt if there were any.
  static std::optional<PayloadTemplate> Compile(const nlohmann::json& tmpl,
                                                const std::string& pointer,
                                                Diagnostics& diagnostics);

  Outcome<nlohmann::json> Evaluate(const EvalScope& scope) const;

  struct Node;  // defined in payload_template.cc

 private:
  explicit PayloadTemplate(std::shared_ptr<const Node> root);
  std::shared_ptr<const Node> root_;
};

}  // namespace stepwise::dsl
