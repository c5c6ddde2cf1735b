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
  const std::int64_t seconds = to_unix_ms(now) / 1000;
  if (!shared_) return acquire_locally(client_id, task, seconds);
  // Keys name their period, so a window starts empty without anyone resetting it;
  // they outlive it by a minute (clocks of nodes differ a little).
  const std::string base = client_id + ":" + task;
  std::vector<RateWindow> windows;
  std::vector<RateLimitRefusal> refusals;
  if (limits_.per_minute > 0) {
    windows.push_back({base + ":m" + std::to_string(seconds / 60), limits_.per_minute, std::chrono::seconds(120)});
    refusals.push_back({std::chrono::seconds(60 - seconds % 60), "minute"});
  }
  if (limits_.per_day > 0) {
    windows.push_back({base + ":d" + std::to_string(seconds / 86400), limits_.per_day, std::chrono::seconds(86400 + 60)});
    refusals.push_back({std::chrono::seconds(86400 - seconds % 86400), "daily"});
  }
  Result<int> full = shared_->take(windows);
  if (!full) {
    // The shared counters are away (their outage is logged where they are kept):
    // this node's own count keeps a limit meanwhile.
    return acquire_locally(client_id, task, seconds);
  }
  if (*full < 0) return std::nullopt;
  return refusals.at(static_cast<std::size_t>(*full));
}

std::optional<RateLimitRefusal> RateLimiter::acquire_locally(const std::string& client_id, const std::string& task,
                                                              std::int64_t seconds) {
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
