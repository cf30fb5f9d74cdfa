#pragma once

#include <memory>
#include <string_view>

#include <nlohmann/json.hpp>

#include "absl/status/statusor.h"
#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl {

// A call to an intrinsic function (`States.Format('{} items', $.count)`), parsed once.
//
// Arguments are string literals in single quotes (`\'`, `\{`, `\}` and `\\` escape), numbers,
// true/false/null, paths (`$.a`, `$$.Execution.Id`) and nested calls. Parse checks the function
// name, the argument count and the type of every literal argument; Evaluate checks the rest.
class IntrinsicCall {
 public:
  // True when `text` is meant as an intrinsic call (starts with `States.`), so that a caller
  // can tell a call from a path before parsing either.
  static bool LooksLikeCall(std::string_view text);

  // The error message says what is wrong, e.g. "States.ArrayRange takes 3 arguments, got 2".
  static absl::StatusOr<IntrinsicCall> Parse(std::string_view text);

  // The call's value. INVALID_ARGUMENT (the interpreter raises States.IntrinsicFailure) with a
  // message saying which argument was wrong; NOT_FOUND when a path argument matches nothing.
  absl::StatusOr<nlohmann::json> Evaluate(const EvalScope& scope) const;

  struct Impl;  // defined in intrinsics.cc

 private:
  explicit IntrinsicCall(std::shared_ptr<const Impl> impl);
  std::shared_ptr<const Impl> impl_;
};

}  // namespace stepwise::dsl
