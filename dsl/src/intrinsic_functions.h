#pragma once

#include <cstddef>
#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "stepwise/dsl/eval_scope.h"

namespace stepwise::dsl::internal {

// The table of intrinsic functions: what each one is called, which arguments it takes, and the
// code that computes it. Argument rules live in the table rather than in each function so that a
// literal argument is checked when the call is parsed with exactly the message a path argument
// gets when the call is evaluated.

// What an argument must be.
enum class ArgType {
  kAny,
  kString,
  kInteger,  // a number; a fraction is rounded half up, as AWS does (Java's Math.round)
  kIndex,    // a whole number, not negative; never rounded, since an index of 1.5 is a mistake
  kArray,
  kObject,
  kBoolean,
};

// A further requirement on an argument that has the right type.
enum class ArgRule {
  kNone,
  kPositive,       // kInteger: at least 1 after rounding
  kNonZero,        // kInteger: not 0 after rounding
  kFalse,          // kBoolean: false (States.JsonMerge's deep-merge flag; AWS merges shallowly)
  kHashAlgorithm,  // kString: a name States.Hash knows
  kLimitedLength,  // kString: at most kMaxIntrinsicStringLength characters
};

// AWS limits the strings States.Base64Encode, States.Base64Decode and States.Hash take to 10,000
// characters, counted as Java counts them (UTF-16 code units).
inline constexpr size_t kMaxIntrinsicStringLength = 10000;

struct ArgSpec {
  std::string_view role;  // e.g. "the step", to make messages self-explanatory
  ArgType type = ArgType::kAny;
  ArgRule rule = ArgRule::kNone;
};

// One evaluation of a function, its arguments already checked against its ArgSpecs.
struct Invocation {
  std::string_view function;  // the name, for messages
  std::vector<nlohmann::json> args;
  const EvalScope& scope;
  // States.Format with a literal template: the template split at its placeholders, escapes
  // resolved, so that an escaped `\{}` is not taken for a placeholder. Null otherwise.
  const std::vector<std::string>* template_pieces = nullptr;
};

using IntrinsicBody = absl::StatusOr<nlohmann::json> (*)(const Invocation&);

struct FunctionSpec {
  std::string_view name;
  std::vector<ArgSpec> args;        // the leading arguments, in order
  size_t required_args = 0;         // how many of `args` must be given
  std::optional<ArgSpec> repeated;  // any number of further arguments like this one
  bool pure = true;                 // no randomness: a call on literals can be computed once
  IntrinsicBody body = nullptr;
};

// The function called `name` ("States.Format"), or null.
const FunctionSpec* FindIntrinsic(std::string_view name);

// Every function name, for "did you mean" suggestions.
const std::vector<std::string_view>& IntrinsicNames();

// OK, or INVALID_ARGUMENT such as "States.ArrayRange takes 3 arguments, got 2".
absl::Status CheckArgumentCount(const FunctionSpec& function, size_t count);

// OK, or INVALID_ARGUMENT such as "argument 2 of States.ArrayGetItem must be a number (the
// index), got "x"". `index` counts from 0 and must be within the count CheckArgumentCount allowed.
absl::Status CheckArgument(const FunctionSpec& function, size_t index, const nlohmann::json& value);

// "argument 2 of States.Format"; `index` counts from 0.
std::string ArgumentName(std::string_view function, size_t index);

// A short JSON rendering of `value` for error messages.
std::string Preview(const nlohmann::json& value);

// The value of a kInteger argument that passed CheckArgument, rounded.
int64_t IntegerArgument(const nlohmann::json& value);

// The value of a kIndex argument that passed CheckArgument (saturating at the top).
uint64_t IndexArgument(const nlohmann::json& value);

// A uniformly random 64-bit value from `scope.random`; FAILED_PRECONDITION if the scope has no
// source of randomness, which is a bug in the caller rather than in the state machine.
absl::StatusOr<uint64_t> DrawRandom(const EvalScope& scope, std::string_view function);

// The functions themselves, one family per file.

// intrinsic_string.cc
absl::StatusOr<nlohmann::json> EvaluateFormat(const Invocation& call);
// OK when a States.Format template with `placeholders` `{}` is followed by as many values; the
// parser uses it for literal templates, EvaluateFormat for the others.
absl::Status CheckFormatPlaceholders(size_t placeholders, size_t values);
absl::StatusOr<nlohmann::json> EvaluateStringSplit(const Invocation& call);

// intrinsic_uuid.cc
absl::StatusOr<nlohmann::json> EvaluateUuid(const Invocation& call);

// intrinsic_json.cc
absl::StatusOr<nlohmann::json> EvaluateStringToJson(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateJsonToString(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateJsonMerge(const Invocation& call);

// intrinsic_array.cc
absl::StatusOr<nlohmann::json> EvaluateArray(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayPartition(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayContains(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayRange(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayGetItem(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayLength(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateArrayUnique(const Invocation& call);

// intrinsic_encoding.cc
absl::StatusOr<nlohmann::json> EvaluateBase64Encode(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateBase64Decode(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateHash(const Invocation& call);

// intrinsic_math.cc
absl::StatusOr<nlohmann::json> EvaluateMathRandom(const Invocation& call);
absl::StatusOr<nlohmann::json> EvaluateMathAdd(const Invocation& call);

}  // namespace stepwise::dsl::internal
