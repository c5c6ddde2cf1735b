#pragma once
// Per client and task submit limits (SPEC §3): requests per minute and per day in
// fixed windows. Off (0) by default, as a self-hosted operator expects. In-memory:
// limits are per server process. Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "genq/core/clock.hpp"

namespace genq {

struct RateLimits {
  std::int64_t per_minute = 0;  // 0 = unlimited
  std::int64_t per_day = 0;
};

// Why a request was refused: the window that is full and when it resets.
struct RateLimitRefusal {
  std::chrono::seconds retry_after{0};  // until the window resets (Retry-After)
  // "minute" or "daily": the X-RateLimit-Type header deAPI's SDK reads (RateLimitError.limit_type).
  std::string_view window;
};

class RateLimiter {
 public:
  explicit RateLimiter(RateLimits limits) : limits_(limits) {}

  // Counts one request; nullopt when allowed, else which window refused it.
  std::optional<RateLimitRefusal> acquire(const std::string& client_id, const std::string& task, TimePoint now);
  bool enabled() const { return limits_.per_minute > 0 || limits_.per_day > 0; }

 private:
  struct Window {
    std::int64_t start = -1;  // window index (minutes or days since epoch)
    std::int64_t count = 0;
  };
  struct Counters {
    Window minute, day;
  };

  RateLimits limits_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Counters> counters_;  // GUARDED_BY(mutex_)
};

}  // namespace genq
