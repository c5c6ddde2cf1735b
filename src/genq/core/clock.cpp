#include "genq/core/clock.hpp"

#include <fmt/chrono.h>

namespace genq {

std::string to_iso8601(TimePoint t) {
  auto ms = to_unix_ms(t);
  std::time_t seconds = static_cast<std::time_t>(ms / 1000);
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  return fmt::format("{:%Y-%m-%dT%H:%M:%S}.{:03d}Z", utc, static_cast<int>(ms % 1000));
}

std::optional<TimePoint> parse_iso8601(std::string_view text) {
  // Digits at fixed places; std::chrono::parse is not in this standard library yet.
  auto digits = [&text](std::size_t at, std::size_t count) -> std::optional<int> {
    if (at + count > text.size()) return std::nullopt;
    int value = 0;
    for (std::size_t i = at; i < at + count; ++i) {
      if (text[i] < '0' || text[i] > '9') return std::nullopt;
      value = value * 10 + (text[i] - '0');
    }
    return value;
  };
  auto is = [&text](std::size_t at, std::string_view chars) {
    return at < text.size() && chars.find(text[at]) != std::string_view::npos;
  };
  const auto year = digits(0, 4), month = digits(5, 2), day = digits(8, 2);
  const auto hour = digits(11, 2), minute = digits(14, 2), second = digits(17, 2);
  if (!year || !month || !day || !hour || !minute || !second || !is(4, "-") || !is(7, "-") || !is(10, "Tt") ||
      !is(13, ":") || !is(16, ":") || *month < 1 || *month > 12 || *day < 1 || *day > 31 || *hour > 23 ||
      *minute > 59 || *second > 60) {
    return std::nullopt;
  }
  std::size_t at = 19;
  std::int64_t millis = 0;
  if (is(at, ".")) {
    std::size_t end = ++at;
    while (end < text.size() && text[end] >= '0' && text[end] <= '9') ++end;
    if (end == at) return std::nullopt;
    for (std::size_t i = at; i < at + 3; ++i) millis = millis * 10 + (i < end ? text[i] - '0' : 0);
    at = end;
  }
  std::int64_t offset_minutes = 0;
  if (is(at, "Zz") && at + 1 == text.size()) {
  } else if (is(at, "+-") && at + 6 == text.size() && is(at + 3, ":")) {
    const auto offset_hours = digits(at + 1, 2), offset_rest = digits(at + 4, 2);
    if (!offset_hours || !offset_rest || *offset_hours > 23 || *offset_rest > 59) return std::nullopt;
    offset_minutes = (*offset_hours * 60 + *offset_rest) * (text[at] == '-' ? -1 : 1);
  } else {
    return std::nullopt;
  }
  std::tm utc{};
  utc.tm_year = *year - 1900;
  utc.tm_mon = *month - 1;
  utc.tm_mday = *day;
  utc.tm_hour = *hour;
  utc.tm_min = *minute;
  utc.tm_sec = *second;
  const std::time_t seconds = timegm(&utc);
  return from_unix_ms((static_cast<std::int64_t>(seconds) - offset_minutes * 60) * 1000 + millis);
}

}  // namespace genq
