#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace stepwise::dsl {

// An instant parsed from an RFC 3339 timestamp as the States Language accepts it
// (`2016-03-14T01:59:00Z`, `2016-03-14T01:59:00.123+02:00`: upper-case T, a time zone required).
struct Timestamp {
  std::int64_t epoch_seconds = 0;
  std::int32_t nanos = 0;  // 0..999'999'999

  friend auto operator<=>(const Timestamp&, const Timestamp&) = default;
};

// nullopt when `text` is not such a timestamp (or names an impossible date or time).
std::optional<Timestamp> ParseTimestamp(std::string_view text);

}  // namespace stepwise::dsl
