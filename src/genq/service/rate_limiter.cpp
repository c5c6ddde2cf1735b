#include "genq/service/rate_limiter.hpp"

namespace genq {
namespace {

// True if the window has room; rolls it over when a new period began.
bool take(std::int64_t& start, std::int64_t& count, std::int64_t index, std::int64_t limit) {
  if (limit <= 0) return true;
  if (start != index) {
    start = index;
    count = 0;
  }
  if (count >= limit) return false;
  ++count;
  return true;
}

}  // namespace

std::optional<RateLimitRefusal> RateLimiter::acquire(const std::string& client_id, const std::string& task,
                                                      TimePoint now) {
  if (!enabled()) return std::nullopt;
  std::int64_t seconds = to_unix_ms(now) / 1000;
  std::int64_t minute = seconds / 60, day = seconds / 86400;
  std::lock_guard lock(mutex_);
  Counters& c = counters_[{client_id, task}];
  // Check both before counting, so a refused request consumes nothing.
  Window m = c.minute, d = c.day;
  if (!take(m.start, m.count, minute, limits_.per_minute)) {
    return RateLimitRefusal{std::chrono::seconds(60 - seconds % 60), "minute"};
  }
  if (!take(d.start, d.count, day, limits_.per_day)) {
    return RateLimitRefusal{std::chrono::seconds(86400 - seconds % 86400), "daily"};
  }
  c.minute = m;
  c.day = d;
  return std::nullopt;
}

}  // namespace genq
