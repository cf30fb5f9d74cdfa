// RFC 3339 timestamps as the States Language takes them: `YYYY-MM-DDTHH:MM:SS[.fraction]` with an
// upper-case `T` and a required zone (`Z` or `±hh:mm`). The spec asks for the upper-case letters
// explicitly, so `t`, `z`, a space separator or a missing zone are rejected; so is any date or time
// that does not exist (2023-02-29, 24:00:00, a leap second).
#include "stepwise/dsl/timestamp.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string_view>

namespace stepwise::dsl {
namespace {

// A cursor over the text. Every reader consumes only on success, so a failed parse needs no
// cleanup: the caller gives up on the first false.
class Cursor {
 public:
  explicit Cursor(std::string_view text) : text_(text) {}

  bool AtEnd() const { return pos_ == text_.size(); }

  // Exactly `width` ASCII digits (not std::isdigit, which depends on the locale).
  bool Digits(int width, int& value) {
    if (text_.size() - pos_ < static_cast<size_t>(width)) return false;
    int result = 0;
    for (int i = 0; i < width; ++i) {
      char c = text_[pos_ + i];
      if (c < '0' || c > '9') return false;
      result = result * 10 + (c - '0');
    }
    pos_ += width;
    value = result;
    return true;
  }

  bool Literal(char c) {
    if (AtEnd() || text_[pos_] != c) return false;
    ++pos_;
    return true;
  }

  // One or more digits after a '.': the first nine make the nanoseconds, any further ones are
  // below a nanosecond and dropped (RFC 3339 puts no limit on their number).
  bool Fraction(std::int32_t& nanos) {
    size_t start = pos_;
    std::int32_t result = 0;
    int kept = 0;
    while (!AtEnd() && text_[pos_] >= '0' && text_[pos_] <= '9') {
      if (kept < 9) {
        result = result * 10 + (text_[pos_] - '0');
        ++kept;
      }
      ++pos_;
    }
    if (pos_ == start) return false;
    for (; kept < 9; ++kept) result *= 10;
    nanos = result;
    return true;
  }

  // The next character, or '\0' at the end.
  char Peek() const { return AtEnd() ? '\0' : text_[pos_]; }

 private:
  std::string_view text_;
  size_t pos_ = 0;
};

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return month == 2 && IsLeapYear(year) ? 29 : kDays[month - 1];
}

// Leap years in [0, year) of the proleptic Gregorian calendar (year 0 is a leap year).
std::int64_t LeapYearsBefore(std::int64_t year) {
  return (year + 3) / 4 - (year + 99) / 100 + (year + 399) / 400;
}

// Days from 1970-01-01 to the given valid date (negative before it). Years are 0..9999, so the
// plain integer divisions above never see a negative operand.
std::int64_t DaysSinceEpoch(int year, int month, int day) {
  constexpr std::int64_t kDaysBefore1970 = 365 * 1970 + 478;  // 478 = LeapYearsBefore(1970)
  std::int64_t days = 365 * static_cast<std::int64_t>(year) + LeapYearsBefore(year);
  for (int m = 1; m < month; ++m) days += DaysInMonth(year, m);
  return days + (day - 1) - kDaysBefore1970;
}

}  // namespace

std::optional<Timestamp> ParseTimestamp(std::string_view text) {
  Cursor in(text);
  int year = 0, month = 0, day = 0, hour = 0, minute = 0, second = 0;
  if (!in.Digits(4, year) || !in.Literal('-') || !in.Digits(2, month) || !in.Literal('-') ||
      !in.Digits(2, day) || !in.Literal('T') || !in.Digits(2, hour) || !in.Literal(':') ||
      !in.Digits(2, minute) || !in.Literal(':') || !in.Digits(2, second)) {
    return std::nullopt;
  }
  if (month < 1 || month > 12 || day < 1 || day > DaysInMonth(year, month)) return std::nullopt;
  // No leap seconds: an instant is seconds since the epoch, where 23:59:60 has no place.
  if (hour > 23 || minute > 59 || second > 59) return std::nullopt;

  Timestamp result;
  if (in.Literal('.') && !in.Fraction(result.nanos)) return std::nullopt;

  std::int64_t offset_seconds = 0;
  if (!in.Literal('Z')) {
    char sign = in.Peek();
    if (sign != '+' && sign != '-') return std::nullopt;
    in.Literal(sign);
    int offset_hours = 0, offset_minutes = 0;
    if (!in.Digits(2, offset_hours) || !in.Literal(':') || !in.Digits(2, offset_minutes) ||
        offset_hours > 23 || offset_minutes > 59) {
      return std::nullopt;
    }
    offset_seconds = (offset_hours * 3600 + offset_minutes * 60) * (sign == '-' ? -1 : 1);
  }
  if (!in.AtEnd()) return std::nullopt;

  // Local time minus the offset is UTC: 10:00+02:00 is 08:00Z.
  result.epoch_seconds = DaysSinceEpoch(year, month, day) * 86400 + hour * 3600 + minute * 60 +
                         second - offset_seconds;
  return result;
}

}  // namespace stepwise::dsl
