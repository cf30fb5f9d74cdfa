#include "conformance/case_compare.h"

#include <algorithm>
#include <cstdint>
#include <utility>

namespace stepwise::conformance {
namespace {

using nlohmann::json;

bool IsPlaceholderChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' ||
         c == ':' || c == '-' || c == '.';
}

// The length of the placeholder starting at `at` ("<" letter [name chars]* ">"), or 0.
std::size_t PlaceholderLength(std::string_view text, std::size_t at) {
  if (at + 2 >= text.size() || text[at] != '<') return 0;
  char first = text[at + 1];
  if (!((first >= 'a' && first <= 'z') || (first >= 'A' && first <= 'Z'))) return 0;
  std::size_t end = at + 2;
  while (end < text.size() && IsPlaceholderChar(text[end])) ++end;
  return end < text.size() && text[end] == '>' ? end + 1 - at : 0;
}

// The literal pieces between placeholders: n placeholders give n + 1 pieces.
std::vector<std::string_view> LiteralPieces(std::string_view pattern) {
  std::vector<std::string_view> pieces;
  std::size_t start = 0;
  for (std::size_t i = 0; i < pattern.size(); ++i) {
    std::size_t length = PlaceholderLength(pattern, i);
    if (length == 0) continue;
    pieces.push_back(pattern.substr(start, i - start));
    i += length - 1;
    start = i + 1;
  }
  pieces.push_back(pattern.substr(start));
  return pieces;
}

std::string Show(const json& value) {
  return Truncate(value.dump(-1, ' ', false, json::error_handler_t::replace), 120);
}

const char* TypeName(const json& value) { return value.is_number() ? "number" : value.type_name(); }

bool NumbersEqual(const json& a, const json& b) {
  if (a.is_number_float() || b.is_number_float()) {
    return a.get<double>() == b.get<double>();
  }
  // Both integers, one of them perhaps unsigned and beyond int64's range.
  if (a.is_number_unsigned() && b.is_number_unsigned()) {
    return a.get<std::uint64_t>() == b.get<std::uint64_t>();
  }
  if (a.is_number_unsigned() || b.is_number_unsigned()) {
    const json& u = a.is_number_unsigned() ? a : b;
    const json& s = a.is_number_unsigned() ? b : a;
    return s.get<std::int64_t>() >= 0 &&
           static_cast<std::uint64_t>(s.get<std::int64_t>()) == u.get<std::uint64_t>();
  }
  return a.get<std::int64_t>() == b.get<std::int64_t>();
}

bool Ignored(const std::string& key, const JsonCompareOptions& options) {
  return std::find(options.ignore_keys.begin(), options.ignore_keys.end(), key) !=
         options.ignore_keys.end();
}

std::string Escape(const std::string& key) {
  std::string out;
  for (char c : key) {
    if (c == '~') {
      out += "~0";
    } else if (c == '/') {
      out += "~1";
    } else {
      out += c;
    }
  }
  return out;
}

std::optional<std::string> Difference(const json& expected, const json& actual,
                                      const JsonCompareOptions& options, const std::string& at) {
  auto differs = [&] {
    return (at.empty() ? "/" : at) + ": expected " + Show(expected) + ", got " + Show(actual);
  };
  if (expected.is_number() && actual.is_number()) {
    if (NumbersEqual(expected, actual)) return std::nullopt;
    return differs();
  }
  if (expected.type() != actual.type()) {
    return differs() + " (" + TypeName(expected) + " vs " + TypeName(actual) + ")";
  }
  if (expected.is_string()) {
    const auto& e = expected.get_ref<const std::string&>();
    const auto& a = actual.get_ref<const std::string&>();
    bool same = options.placeholders ? MatchesWithPlaceholders(e, a) : e == a;
    return same ? std::nullopt : std::optional(differs());
  }
  if (expected.is_array()) {
    if (expected.size() != actual.size()) {
      return differs() + " (" + std::to_string(expected.size()) + " items vs " +
             std::to_string(actual.size()) + ")";
    }
    for (std::size_t i = 0; i < expected.size(); ++i) {
      if (auto d = Difference(expected[i], actual[i], options, at + "/" + std::to_string(i))) {
        return d;
      }
    }
    return std::nullopt;
  }
  if (expected.is_object()) {
    for (const auto& [key, value] : expected.items()) {
      if (Ignored(key, options)) continue;
      auto it = actual.find(key);
      if (it == actual.end()) return at + "/" + Escape(key) + ": missing, expected " + Show(value);
      if (auto d = Difference(value, *it, options, at + "/" + Escape(key))) return d;
    }
    for (const auto& [key, value] : actual.items()) {
      if (Ignored(key, options) || expected.contains(key)) continue;
      return at + "/" + Escape(key) + ": not expected, got " + Show(value);
    }
    return std::nullopt;
  }
  if (expected == actual) return std::nullopt;
  return differs();
}

// Both strings, cut to a window around where they start to differ, so that a long cause's
// difference is visible in a short line.
std::string ShowStrings(std::string_view expected, std::string_view actual) {
  std::size_t common = 0;
  while (common < expected.size() && common < actual.size() && expected[common] == actual[common]) {
    ++common;
  }
  std::size_t skip = common > 60 ? common - 40 : 0;
  std::string prefix = skip > 0 ? "..." : "";
  auto quoted = [&](std::string_view text) {
    return json(prefix + Truncate(text.substr(skip), 130))
        .dump(-1, ' ', false, json::error_handler_t::replace);
  };
  return "expected " + quoted(expected) + ", got " + quoted(actual);
}

bool StringsMatch(const std::string& expected, const std::string& actual, bool placeholders) {
  return placeholders ? MatchesWithPlaceholders(expected, actual) : expected == actual;
}

}  // namespace

bool MatchesWithPlaceholders(std::string_view expected, std::string_view actual) {
  std::vector<std::string_view> pieces = LiteralPieces(expected);
  if (pieces.size() == 1) return expected == actual;
  std::string_view first = pieces.front();
  std::string_view last = pieces.back();
  if (actual.size() < first.size() + last.size() || !actual.starts_with(first) ||
      !actual.ends_with(last)) {
    return false;
  }
  // Between the fixed ends, each middle piece is taken at its leftmost occurrence: that leaves
  // the most room for the pieces after it, so it finds a match whenever there is one.
  std::string_view middle = actual.substr(first.size(), actual.size() - first.size() - last.size());
  for (std::size_t i = 1; i + 1 < pieces.size(); ++i) {
    std::size_t found = middle.find(pieces[i]);
    if (found == std::string_view::npos) return false;
    middle.remove_prefix(found + pieces[i].size());
  }
  return true;
}

std::optional<std::string> JsonDifference(const json& expected, const json& actual,
                                          const JsonCompareOptions& options) {
  return Difference(expected, actual, options, "");
}

Verdict Compare(const json& test_case, const ActualResult& actual) {
  const json& expect = test_case.at("expect");
  JsonCompareOptions options;
  options.placeholders = test_case.value("expect_match", "") == "structure";
  if (auto keys = test_case.find("ignore_keys"); keys != test_case.end() && keys->is_array()) {
    for (const json& key : *keys) {
      if (key.is_string()) options.ignore_keys.push_back(key.get<std::string>());
    }
  }

  std::string status = expect.value("status", "");
  if (status != actual.status) {
    std::string got = actual.status;
    if (actual.status == "SUCCEEDED") {
      got += " with " + Show(actual.output);
    } else {
      got += " (" + actual.error + ": " + actual.cause + ")";
    }
    return {false, false, "status: expected " + status + ", got " + Truncate(got, 240)};
  }
  if (status == "SUCCEEDED") {
    if (!expect.contains("output")) return {};
    if (auto d = JsonDifference(expect["output"], actual.output, options)) {
      return {false, false, "output at " + *d};
    }
    return {};
  }
  if (expect.contains("error")) {
    const json& error = expect["error"];
    std::string expected_error = error.is_string() ? error.get<std::string>() : "";
    if (!StringsMatch(expected_error, actual.error, options.placeholders)) {
      return {false, false, "error name: " + ShowStrings(expected_error, actual.error)};
    }
  }
  if (auto cause = expect.find("cause"); cause != expect.end() && cause->is_string()) {
    const auto& expected_cause = cause->get_ref<const std::string&>();
    if (!StringsMatch(expected_cause, actual.cause, options.placeholders)) {
      return {false, true, "cause only: " + ShowStrings(expected_cause, actual.cause)};
    }
  }
  return {};
}

std::string Truncate(std::string_view text, std::size_t max) {
  if (text.size() <= max) return std::string(text);
  std::size_t cut = max;
  // Do not split a UTF-8 sequence: back up over continuation bytes.
  while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  return std::string(text.substr(0, cut)) + "...";
}

}  // namespace stepwise::conformance
