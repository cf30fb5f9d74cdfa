#include "intrinsic_functions.h"

#include <cmath>
#include <limits>

#include "closest_match.h"
#include "hash.h"
#include "utf8.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// The functions, with their argument rules as the AWS documentation states them.
const std::vector<FunctionSpec>& Table() {
  static const std::vector<FunctionSpec> table = {
      {.name = "States.Format",
       .args = {{"the template", ArgType::kString}},
       .required_args = 1,
       .repeated = ArgSpec{"a value to insert", ArgType::kAny},
       .pure = true,
       .body = &EvaluateFormat},
      {.name = "States.StringToJson",
       .args = {{"the JSON text", ArgType::kString}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateStringToJson},
      {.name = "States.JsonToString",
       .args = {{"the value", ArgType::kAny}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateJsonToString},
      {.name = "States.Array",
       .args = {},
       .required_args = 0,
       .repeated = ArgSpec{"an element", ArgType::kAny},
       .pure = true,
       .body = &EvaluateArray},
      {.name = "States.ArrayPartition",
       .args = {{"the array", ArgType::kArray},
                {"the chunk size", ArgType::kInteger, ArgRule::kPositive}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayPartition},
      {.name = "States.ArrayContains",
       .args = {{"the array", ArgType::kArray}, {"the value to look for", ArgType::kAny}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayContains},
      {.name = "States.ArrayRange",
       .args = {{"the first element", ArgType::kInteger},
                {"the last element", ArgType::kInteger},
                {"the step", ArgType::kInteger, ArgRule::kNonZero}},
       .required_args = 3,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayRange},
      {.name = "States.ArrayGetItem",
       .args = {{"the array", ArgType::kArray}, {"the index", ArgType::kIndex}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayGetItem},
      {.name = "States.ArrayLength",
       .args = {{"the array", ArgType::kArray}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayLength},
      {.name = "States.ArrayUnique",
       .args = {{"the array", ArgType::kArray}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateArrayUnique},
      {.name = "States.Base64Encode",
       .args = {{"the text to encode", ArgType::kString, ArgRule::kLimitedLength}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateBase64Encode},
      {.name = "States.Base64Decode",
       .args = {{"the Base64 text", ArgType::kString, ArgRule::kLimitedLength}},
       .required_args = 1,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateBase64Decode},
      {.name = "States.Hash",
       .args = {{"the data to hash", ArgType::kString, ArgRule::kLimitedLength},
                {"the algorithm", ArgType::kString, ArgRule::kHashAlgorithm}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateHash},
      {.name = "States.JsonMerge",
       .args = {{"the first object", ArgType::kObject},
                {"the second object", ArgType::kObject},
                {"the deep-merge flag", ArgType::kBoolean, ArgRule::kFalse}},
       .required_args = 3,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateJsonMerge},
      {.name = "States.MathRandom",
       .args = {{"the start", ArgType::kInteger},
                {"the end", ArgType::kInteger},
                {"the seed", ArgType::kInteger}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = false,
       .body = &EvaluateMathRandom},
      {.name = "States.MathAdd",
       .args = {{"the first number", ArgType::kInteger}, {"the second number", ArgType::kInteger}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateMathAdd},
      {.name = "States.StringSplit",
       .args = {{"the string to split", ArgType::kString},
                {"the delimiter characters", ArgType::kString}},
       .required_args = 2,
       .repeated = std::nullopt,
       .pure = true,
       .body = &EvaluateStringSplit},
      {.name = "States.UUID",
       .args = {},
       .required_args = 0,
       .repeated = std::nullopt,
       .pure = false,
       .body = &EvaluateUuid},
  };
  return table;
}

// Rounds like Java's Math.round (half up, towards positive infinity: -1.5 -> -1), which is what
// recorded AWS executions of States.MathAdd show. Nullopt when the result leaves int64.
std::optional<int64_t> RoundedInteger(const json& value) {
  if (value.is_number_unsigned()) {
    const auto u = value.get<uint64_t>();
    if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return std::nullopt;
    return static_cast<int64_t>(u);
  }
  if (value.is_number_integer()) return value.get<int64_t>();
  const double x = value.get<double>();
  if (!std::isfinite(x)) return std::nullopt;
  double rounded = std::floor(x);
  if (x - rounded >= 0.5) rounded += 1;  // exact: x - floor(x) is representable
  if (rounded < -9223372036854775808.0 || rounded >= 9223372036854775808.0) return std::nullopt;
  return static_cast<int64_t>(rounded);
}

std::string PluralArguments(size_t n) {
  return std::to_string(n) + (n == 1 ? " argument" : " arguments");
}

}  // namespace

const FunctionSpec* FindIntrinsic(std::string_view name) {
  for (const FunctionSpec& function : Table()) {
    if (function.name == name) return &function;
  }
  return nullptr;
}

const std::vector<std::string_view>& IntrinsicNames() {
  static const std::vector<std::string_view> names = [] {
    std::vector<std::string_view> out;
    for (const FunctionSpec& function : Table()) out.push_back(function.name);
    return out;
  }();
  return names;
}

absl::Status CheckArgumentCount(const FunctionSpec& function, size_t count) {
  const size_t min = function.required_args;
  const size_t max = function.repeated ? std::numeric_limits<size_t>::max() : function.args.size();
  if (count >= min && count <= max) return absl::OkStatus();
  std::string expected;
  if (function.repeated) {
    expected = "at least " + PluralArguments(min);
  } else if (max == 0) {
    expected = "no arguments";
  } else if (min == max) {
    expected = PluralArguments(max);
  } else if (max == min + 1) {
    expected = std::to_string(min) + " or " + PluralArguments(max);
  } else {
    expected = std::to_string(min) + " to " + PluralArguments(max);
  }
  return absl::InvalidArgumentError(std::string(function.name) + " takes " + expected + ", got " +
                                    std::to_string(count));
}

std::string ArgumentName(std::string_view function, size_t index) {
  return "argument " + std::to_string(index + 1) + " of " + std::string(function);
}

std::string Preview(const json& value) {
  constexpr size_t kMaxBytes = 60;
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() <= kMaxBytes) return text;
  size_t cut = kMaxBytes;
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xc0) == 0x80) --cut;
  return text.substr(0, cut) + "...";
}

absl::Status CheckArgument(const FunctionSpec& function, size_t index, const json& value) {
  const ArgSpec& spec = index < function.args.size() ? function.args[index] : *function.repeated;
  const std::string name = ArgumentName(function.name, index);
  auto fail = [&](std::string_view requirement) {
    return absl::InvalidArgumentError(name + " must " + std::string(requirement) + " (" +
                                      std::string(spec.role) + "), got " + Preview(value));
  };

  switch (spec.type) {
    case ArgType::kAny:
      break;
    case ArgType::kString:
      if (!value.is_string()) return fail("be a string");
      break;
    case ArgType::kArray:
      if (!value.is_array()) return fail("be an array");
      break;
    case ArgType::kObject:
      if (!value.is_object()) return fail("be an object");
      break;
    case ArgType::kBoolean:
      if (!value.is_boolean())
        return fail(spec.rule == ArgRule::kFalse ? "be false" : "be a boolean");
      break;
    case ArgType::kInteger:
      if (!value.is_number()) return fail("be a number");
      if (!RoundedInteger(value)) return fail("be an integer within the 64-bit range");
      break;
    case ArgType::kIndex:
      if (!value.is_number()) return fail("be a number");
      if (value.is_number_float() && std::floor(value.get<double>()) != value.get<double>()) {
        return fail("be a whole number");
      }
      if (value.get<double>() < 0) return fail("not be negative");
      break;
  }

  switch (spec.rule) {
    case ArgRule::kNone:
      break;
    case ArgRule::kPositive:
      if (IntegerArgument(value) < 1) return fail("be a positive integer");
      break;
    case ArgRule::kNonZero:
      if (IntegerArgument(value) == 0) return fail("not be 0");
      break;
    case ArgRule::kFalse:
      if (value.get<bool>()) {
        return absl::InvalidArgumentError(name + " must be false (" + std::string(spec.role) +
                                          "): " + std::string(function.name) +
                                          " only merges shallowly");
      }
      break;
    case ArgRule::kHashAlgorithm: {
      const auto& algorithm = value.get_ref<const std::string&>();
      if (!HashAlgorithmNamed(algorithm)) {
        std::string known;
        for (std::string_view n : HashAlgorithmNames())
          known += (known.empty() ? "" : ", ") + std::string(n);
        return absl::InvalidArgumentError(name + " must be one of " + known + " (" +
                                          std::string(spec.role) + "), got " + Preview(value) +
                                          DidYouMean(algorithm, HashAlgorithmNames()));
      }
      break;
    }
    case ArgRule::kLimitedLength: {
      const size_t length = Utf16Length(value.get_ref<const std::string&>());
      if (length > kMaxIntrinsicStringLength) {
        return absl::InvalidArgumentError(name + " must be at most " +
                                          std::to_string(kMaxIntrinsicStringLength) +
                                          " characters long (" + std::string(spec.role) +
                                          "), got " + std::to_string(length) + " characters");
      }
      break;
    }
  }
  return absl::OkStatus();
}

int64_t IntegerArgument(const json& value) { return RoundedInteger(value).value_or(0); }

uint64_t IndexArgument(const json& value) {
  if (value.is_number_unsigned() || value.is_number_integer()) return value.get<uint64_t>();
  const double x = value.get<double>();
  if (x >= 18446744073709551616.0) return std::numeric_limits<uint64_t>::max();
  return x > 0 ? static_cast<uint64_t>(x) : 0;
}

absl::StatusOr<uint64_t> DrawRandom(const EvalScope& scope, std::string_view function) {
  if (!scope.random) {
    return absl::FailedPreconditionError(std::string(function) +
                                         " needs randomness, but the evaluation scope has no "
                                         "source of random numbers");
  }
  return scope.random();
}

}  // namespace stepwise::dsl::internal
