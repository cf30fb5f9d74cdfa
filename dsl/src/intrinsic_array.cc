// States.Array, States.ArrayPartition, States.ArrayContains, States.ArrayRange,
// States.ArrayGetItem, States.ArrayLength and States.ArrayUnique.

#include <algorithm>
#include <cmath>
#include <limits>
#include <unordered_set>

#include "intrinsic_functions.h"

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

// AWS caps the arrays States.ArrayRange builds.
constexpr int64_t kMaxRangeElements = 1000;

// A copy of `value` in which floats with an integral value are integers, so that values equal
// under json's == (which compares numbers by value: 1 == 1.0) also have equal text.
json Canonical(const json& value) {
  if (value.is_number_float()) {
    const double d = value.get<double>();
    if (std::floor(d) == d && std::fabs(d) < 9.2e18) return static_cast<int64_t>(d);
    return value;
  }
  if (value.is_array()) {
    json out = json::array();
    for (const json& item : value) out.push_back(Canonical(item));
    return out;
  }
  if (value.is_object()) {
    json out = json::object();
    for (const auto& [key, member] : value.items()) out[key] = Canonical(member);
    return out;
  }
  return value;
}

}  // namespace

absl::StatusOr<json> EvaluateArray(const Invocation& call) {
  json out = json::array();
  for (const json& arg : call.args) out.push_back(arg);
  return out;
}

absl::StatusOr<json> EvaluateArrayPartition(const Invocation& call) {
  const json& array = call.args[0];
  // Checked to be at least 1; capped at the array's size so that `start + chunk` cannot wrap.
  const size_t chunk =
      static_cast<size_t>(std::min<uint64_t>(IntegerArgument(call.args[1]), array.size()));
  json chunks = json::array();
  for (size_t start = 0; start < array.size(); start += chunk) {
    const size_t end = std::min(start + chunk, array.size());
    chunks.push_back(json(array.begin() + static_cast<std::ptrdiff_t>(start),
                          array.begin() + static_cast<std::ptrdiff_t>(end)));
  }
  return chunks;
}

absl::StatusOr<json> EvaluateArrayContains(const Invocation& call) {
  const json& array = call.args[0];
  return std::find(array.begin(), array.end(), call.args[1]) != array.end();
}

// Both ends are included: (1, 9, 2) gives [1, 3, 5, 7, 9] and (0, 10, 3) gives [0, 3, 6, 9]. A
// step pointing away from the last element gives an empty array.
absl::StatusOr<json> EvaluateArrayRange(const Invocation& call) {
  const int64_t first = IntegerArgument(call.args[0]);
  const int64_t last = IntegerArgument(call.args[1]);
  const int64_t step = IntegerArgument(call.args[2]);  // checked: not 0
  const __int128 span = static_cast<__int128>(last) - first;
  __int128 count = 0;
  if (span == 0) {
    count = 1;
  } else if ((span > 0) == (step > 0)) {
    count = span / step + 1;
  }
  if (count > kMaxRangeElements) {
    const std::string elements = count > std::numeric_limits<int64_t>::max()
                                     ? std::string("more than 2^63")
                                     : std::to_string(static_cast<int64_t>(count));
    return absl::InvalidArgumentError(std::string(call.function) + "(" + std::to_string(first) +
                                      ", " + std::to_string(last) + ", " + std::to_string(step) +
                                      ") would have " + elements + " elements; at most " +
                                      std::to_string(kMaxRangeElements) + " are allowed");
  }
  json out = json::array();
  for (int64_t i = 0; i < static_cast<int64_t>(count); ++i) out.push_back(first + i * step);
  return out;
}

absl::StatusOr<json> EvaluateArrayGetItem(const Invocation& call) {
  const json& array = call.args[0];
  const uint64_t index = IndexArgument(call.args[1]);
  if (index >= array.size()) {
    return absl::InvalidArgumentError(
        ArgumentName(call.function, 1) + " (the index) is " + Preview(call.args[1]) + ", but " +
        (array.empty() ? std::string("the array is empty")
                       : "the last index of the array is " + std::to_string(array.size() - 1)));
  }
  return array[static_cast<size_t>(index)];
}

absl::StatusOr<json> EvaluateArrayLength(const Invocation& call) { return call.args[0].size(); }

// Keeps the first occurrence of each value, in order. Values are compared by their canonical
// text in a hash set, so a 256 KiB array does not take quadratic time.
absl::StatusOr<json> EvaluateArrayUnique(const Invocation& call) {
  json unique = json::array();
  std::unordered_set<std::string> seen;
  for (const json& item : call.args[0]) {
    if (seen.insert(Canonical(item).dump(-1, ' ', false, json::error_handler_t::replace)).second) {
      unique.push_back(item);
    }
  }
  return unique;
}

}  // namespace stepwise::dsl::internal
