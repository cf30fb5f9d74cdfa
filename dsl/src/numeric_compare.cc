#include "numeric_compare.h"

#include <cmath>
#include <cstdint>

namespace stepwise::dsl::internal {
namespace {

using nlohmann::json;

constexpr double kTwoTo63 = 9223372036854775808.0;
constexpr double kTwoTo64 = 18446744073709551616.0;

// `integer <=> d` without rounding the integer: split `d` into its integral part, which is
// exact in the integer's type once the range is checked, and a fraction that breaks ties.
std::partial_ordering CompareSigned(std::int64_t integer, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  if (d >= kTwoTo63) return std::partial_ordering::less;
  if (d < -kTwoTo63) return std::partial_ordering::greater;
  double whole = std::trunc(d);
  auto integral = static_cast<std::int64_t>(whole);
  if (integer != integral) return integer <=> integral;
  return 0.0 <=> (d - whole);
}

std::partial_ordering CompareUnsigned(std::uint64_t integer, double d) {
  if (std::isnan(d)) return std::partial_ordering::unordered;
  if (d < 0) return std::partial_ordering::greater;
  if (d >= kTwoTo64) return std::partial_ordering::less;
  double whole = std::trunc(d);
  auto integral = static_cast<std::uint64_t>(whole);
  if (integer != integral) return integer <=> integral;
  return 0.0 <=> (d - whole);
}

std::partial_ordering Reverse(std::partial_ordering order) { return 0 <=> order; }

}  // namespace

std::partial_ordering CompareNumbers(const json& a, const json& b) {
  using T = json::value_t;
  const T ta = a.type();
  const T tb = b.type();
  if (ta == T::number_float && tb == T::number_float) {
    return a.get<double>() <=> b.get<double>();
  }
  if (ta == T::number_float) return Reverse(CompareNumbers(b, a));
  // From here `a` is an integer.
  if (ta == T::number_integer) {
    auto x = a.get<std::int64_t>();
    if (tb == T::number_float) return CompareSigned(x, b.get<double>());
    if (tb == T::number_integer) return x <=> b.get<std::int64_t>();
    if (x < 0) return std::partial_ordering::less;  // b is an unsigned integer
    return static_cast<std::uint64_t>(x) <=> b.get<std::uint64_t>();
  }
  auto x = a.get<std::uint64_t>();
  if (tb == T::number_float) return CompareUnsigned(x, b.get<double>());
  if (tb == T::number_unsigned) return x <=> b.get<std::uint64_t>();
  auto y = b.get<std::int64_t>();
  if (y < 0) return std::partial_ordering::greater;
  return x <=> static_cast<std::uint64_t>(y);
}

}  // namespace stepwise::dsl::internal
