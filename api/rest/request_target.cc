#include "api/rest/request_target.h"

#include <optional>

namespace stepwise::api {
namespace {

std::optional<int> HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return std::nullopt;
}

absl::StatusOr<std::string> Decode(std::string_view text, bool plus_is_space) {
  std::string decoded;
  decoded.reserve(text.size());
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (c == '+' && plus_is_space) {
      decoded += ' ';
    } else if (c != '%') {
      decoded += c;
    } else {
      std::optional<int> high = i + 1 < text.size() ? HexValue(text[i + 1]) : std::nullopt;
      std::optional<int> low = i + 2 < text.size() ? HexValue(text[i + 2]) : std::nullopt;
      if (!high || !low) {
        return absl::InvalidArgumentError("'" + std::string(text) +
                                          "' has a '%' not followed by two hex digits; "
                                          "percent-encode it as %25");
      }
      decoded += static_cast<char>(*high * 16 + *low);
      i += 2;
    }
  }
  return decoded;
}

}  // namespace

absl::StatusOr<RequestTarget> ParseRequestTarget(std::string_view target) {
  RequestTarget parsed;
  std::size_t question = target.find('?');
  std::string_view path = target.substr(0, question);
  parsed.path = std::string(path);
  std::size_t start = 0;
  while (start < path.size()) {
    if (path[start] == '/') {
      ++start;
      continue;
    }
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    absl::StatusOr<std::string> segment = Decode(path.substr(start, end - start), false);
    if (!segment.ok()) return segment.status();
    parsed.segments.push_back(*std::move(segment));
    start = end;
  }
  if (question == std::string_view::npos) return parsed;
  std::string_view query = target.substr(question + 1);
  while (!query.empty()) {
    std::size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    std::size_t equals = pair.find('=');
    absl::StatusOr<std::string> name = Decode(pair.substr(0, equals), true);
    if (!name.ok()) return name.status();
    absl::StatusOr<std::string> value =
        equals == std::string_view::npos ? std::string() : Decode(pair.substr(equals + 1), true);
    if (!value.ok()) return value.status();
    parsed.query[*std::move(name)] = *std::move(value);
  }
  return parsed;
}

}  // namespace stepwise::api
