#include "stepwise/engine/iso_time.h"

#include <cstdio>

namespace stepwise::engine {

std::string FormatIsoMillis(std::int64_t millis) {
  std::int64_t days = millis >= 0 ? millis / 86400000 : (millis - 86399999) / 86400000;
  std::int64_t in_day = millis - days * 86400000;
  // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
  std::int64_t z = days + 719468;
  std::int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  std::int64_t doe = z - era * 146097;
  std::int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  std::int64_t day_of_year = doe - (365 * yoe + yoe / 4 - yoe / 100);
  std::int64_t mp = (5 * day_of_year + 2) / 153;
  int day = static_cast<int>(day_of_year - (153 * mp + 2) / 5 + 1);
  int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  std::int64_t year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  char buffer[40];
  int length = std::snprintf(
      buffer, sizeof buffer, "%04lld-%02d-%02dT%02d:%02d:%02d.%03dZ", static_cast<long long>(year),
      month, day, static_cast<int>(in_day / 3600000), static_cast<int>(in_day / 60000 % 60),
      static_cast<int>(in_day / 1000 % 60), static_cast<int>(in_day % 1000));
  return std::string(buffer, length);
}

}  // namespace stepwise::engine
