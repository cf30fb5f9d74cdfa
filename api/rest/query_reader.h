#pragma once

#include <cstdint>
#include <initializer_list>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "api/rest/request_target.h"

namespace stepwise::api {

// Reads a request's query parameters by type. A malformed value does not stop the reading: the
// first mistake is kept and Check() returns it, as InvalidArgument naming the parameter and
// what it takes, so one 400 answer says what to fix.
class QueryReader {
 public:
  explicit QueryReader(const RequestTarget& target) : query_(target.query) {}

  // The value as sent; nullopt when absent.
  std::optional<std::string> Text(std::string_view name);
  // An integer in [min, max]; `fallback` when absent.
  std::int64_t Int(std::string_view name, std::int64_t fallback, std::int64_t min,
                   std::int64_t max);
  // "true" or "false" (also 1/0); `fallback` when absent.
  bool Bool(std::string_view name, bool fallback);
  // An instant: RFC 3339 ("2026-11-25T10:00:00Z", offsets and fractions allowed) or
  // milliseconds since the Unix epoch. Milliseconds since the epoch; nullopt when absent.
  std::optional<std::int64_t> Time(std::string_view name);
  // Records a mistake found by the caller (an unknown enum value, say).
  void Fail(std::string message);

  // The first mistake, or a parameter not in `known` (a typo would otherwise be ignored).
  absl::Status Check(std::initializer_list<std::string_view> known) const;

 private:
  const std::map<std::string, std::string, std::less<>>& query_;
  std::optional<std::string> error_;
};

}  // namespace stepwise::api
