#pragma once
// Rate-limit windows counted where every node sees them (RateLimiter's cluster mode):
// bus/redis/ implements it on the Redis the event bus uses.
#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "genq/core/error.hpp"

namespace genq {

// One fixed window: its counter's key (unique to the window's period), the most it
// may count, and how long the key must outlive its period's start.
struct RateWindow {
  std::string key;
  std::int64_t limit = 0;
  std::chrono::seconds ttl{0};
};

// Thread-safe.
class SharedRateWindows {
 public:
  virtual ~SharedRateWindows() = default;
  // Counts one request in every window if each has room, atomically for the cluster.
  // Returns the index of the first full window (nothing counted), or -1 when counted.
  // Unavailable when the counters cannot be reached; the caller decides what then.
  virtual Result<int> take(const std::vector<RateWindow>& windows) = 0;
};

}  // namespace genq
