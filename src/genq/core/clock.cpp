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

}  // namespace genq
