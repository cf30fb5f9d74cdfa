#include "api/rest/query_reader.h"

#include <charconv>

#include "absl/time/time.h"

namespace stepwise::api {

std::optional<std::string> QueryReader::Text(std::string_view name) {
  auto found = query_.find(name);
  if (found == query_.end()) return std::nullopt;
  return found->second;
}

std::int64_t QueryReader::Int(std::string_view name, std::int64_t fallback, std::int64_t min,
                              std::int64_t max) {
  std::optional<std::string> text = Text(name);
  if (!text) return fallback;
  std::int64_t value = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), value);
  if (error != std::errc() || end != text->data() + text->size() || value < min || value > max) {
    Fail(std::string(name) + "='" + *text + "' is not a whole number from " + std::to_string(min) +
         " to " + std::to_string(max));
    return fallback;
  }
  return value;
}

bool QueryReader::Bool(std::string_view name, bool fallback) {
  std::optional<std::string> text = Text(name);
  if (!text) return fallback;
  if (*text == "true" || *text == "1") return true;
  if (*text == "false" || *text == "0") return false;
  Fail(std::string(name) + "='" + *text + "' is not a boolean; write true or false");
  return fallback;
}

std::optional<std::int64_t> QueryReader::Time(std::string_view name) {
  std::optional<std::string> text = Text(name);
  if (!text) return std::nullopt;
  std::int64_t millis = 0;
  auto [end, error] = std::from_chars(text->data(), text->data() + text->size(), millis);
  if (error == std::errc() && end == text->data() + text->size()) return millis;
  absl::Time parsed;
  std::string reason;
  if (absl::ParseTime(absl::RFC3339_full, *text, &parsed, &reason)) {
    return absl::ToUnixMillis(parsed);
  }
  Fail(std::string(name) + "='" + *text +
       "' is not a time; write RFC 3339 (2026-11-25T10:00:00Z) or milliseconds since the epoch");
  return std::nullopt;
}

void QueryReader::Fail(std::string message) {
  if (!error_) error_ = std::move(message);
}

absl::Status QueryReader::Check(std::initializer_list<std::string_view> known) const {
  if (error_) return absl::InvalidArgumentError(*error_);
  for (const auto& [name, value] : query_) {
    bool listed = false;
    for (std::string_view candidate : known) listed = listed || candidate == name;
    if (listed) continue;
    std::string names;
    for (std::string_view candidate : known) {
      names += (names.empty() ? "" : ", ") + std::string(candidate);
    }
    return absl::InvalidArgumentError(
        "unknown parameter '" + name + "'; " +
        (names.empty() ? std::string("this resource takes none") : "this resource takes " + names));
  }
  return absl::OkStatus();
}

}  // namespace stepwise::api
