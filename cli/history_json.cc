#include "history_json.h"

#include <chrono>
#include <cstdio>

namespace stepwise::cli {

std::string FormatIsoMillis(std::int64_t millis) {
  using namespace std::chrono;
  sys_time<milliseconds> time{milliseconds(millis)};
  sys_days day = floor<days>(time);
  year_month_day date{day};
  hh_mm_ss<milliseconds> clock{time - day};
  char text[40];
  std::snprintf(text, sizeof text, "%04d-%02u-%02uT%02lld:%02lld:%02lld.%03lldZ",
                static_cast<int>(date.year()), static_cast<unsigned>(date.month()),
                static_cast<unsigned>(date.day()), static_cast<long long>(clock.hours().count()),
                static_cast<long long>(clock.minutes().count()),
                static_cast<long long>(clock.seconds().count()),
                static_cast<long long>(clock.subseconds().count()));
  return text;
}

namespace {

template <typename Event>
nlohmann::ordered_json EventJson(const Event& event) {
  nlohmann::ordered_json out = {
      {"id", event.id}, {"timestamp", FormatIsoMillis(event.timestamp)}, {"type", event.type}};
  if (!event.state_name.empty()) out["name"] = event.state_name;
  if (event.details.is_object()) {
    for (const auto& [key, value] : event.details.items()) out[key] = value;
  } else if (!event.details.is_null()) {
    out["details"] = event.details;
  }
  return out;
}

}  // namespace

nlohmann::ordered_json HistoryEventJson(const engine::HistoryEvent& event) {
  return EventJson(event);
}

nlohmann::ordered_json HistoryEventJson(const engine::StoredHistoryEvent& event) {
  return EventJson(event);
}

}  // namespace stepwise::cli
