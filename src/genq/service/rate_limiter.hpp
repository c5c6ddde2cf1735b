#pragma once
// Per client and task submit limits (SPEC §3): requests per minute and per day in
// fixed windows. Off (0) by default, as a self-hosted operator expects. In memory,
// limits are per server process; given SharedRateWindows (Redis, with `--bus
// redis://`) they hold for the whole cluster. When the shared counters cannot be
// reached, each node counts in its own memory meanwhile (fail open to a per-node
// limit, docs/scale-out.md). Thread-safe.
#include <chrono>
#include <cstdint>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "genq/core/clock.hpp"
#include "genq/service/shared_rate_windows.hpp"

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
  // Borrows `shared` (may be null: in-memory only), which must outlive the limiter.
  explicit RateLimiter(RateLimits limits, SharedRateWindows* shared = nullptr) : limits_(limits), shared_(shared) {}

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

  std::optional<RateLimitRefusal> acquire_locally(const std::string& client_id, const std::string& task,
                                                  std::int64_t seconds);

  RateLimits limits_;
  SharedRateWindows* shared_;
  std::mutex mutex_;
  std::map<std::pair<std::string, std::string>, Counters> counters_;  // GUARDED_BY(mutex_)
};

}  // namespace genq
