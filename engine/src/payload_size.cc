#include "payload_size.h"

namespace stepwise::engine {
namespace {

std::size_t StringTextSize(const std::string& text) {
  std::size_t size = 2;  // the quotes
  for (unsigned char c : text) {
    if (c == '"' || c == '\\' || c == '\b' || c == '\f' || c == '\n' || c == '\r' || c == '\t') {
      size += 2;
    } else if (c < 0x20) {
      size += 6;  // \u00XX
    } else {
      size += 1;
    }
  }
  return size;
}

std::size_t DigitCount(std::uint64_t number) {
  std::size_t digits = 1;
  while (number >= 10) {
    number /= 10;
    ++digits;
  }
  return digits;
}

std::size_t NumberTextSize(const nlohmann::json& value) {
  if (value.is_number_unsigned()) return DigitCount(value.get<std::uint64_t>());
  if (value.is_number_integer()) {
    std::int64_t number = value.get<std::int64_t>();
    if (number >= 0) return DigitCount(static_cast<std::uint64_t>(number));
    return 1 + DigitCount(0 - static_cast<std::uint64_t>(number));
  }
  return value.dump().size();  // floats are rare in payloads; dump matches exactly
}

void Accumulate(const nlohmann::json& value, std::size_t limit, std::size_t& size) {
  if (size > limit) return;
  switch (value.type()) {
    case nlohmann::json::value_t::object:
      size += 2 + (value.empty() ? 0 : value.size() - 1);  // braces and commas
      for (const auto& [key, member] : value.items()) {
        size += StringTextSize(key) + 1;  // and the colon
        Accumulate(member, limit, size);
        if (size > limit) return;
      }
      return;
    case nlohmann::json::value_t::array:
      size += 2 + (value.empty() ? 0 : value.size() - 1);
      for (const auto& element : value) {
        Accumulate(element, limit, size);
        if (size > limit) return;
      }
      return;
    case nlohmann::json::value_t::string:
      size += StringTextSize(value.get_ref<const std::string&>());
      return;
    case nlohmann::json::value_t::boolean:
      size += value.get<bool>() ? 4 : 5;
      return;
    case nlohmann::json::value_t::number_integer:
    case nlohmann::json::value_t::number_unsigned:
    case nlohmann::json::value_t::number_float:
      size += NumberTextSize(value);
      return;
    default:
      size += 4;  // null (and discarded, which never reaches here)
      return;
  }
}

}  // namespace

std::size_t JsonTextSize(const nlohmann::json& value, std::size_t limit) {
  std::size_t size = 0;
  Accumulate(value, limit, size);
  return size;
}

}  // namespace stepwise::engine
