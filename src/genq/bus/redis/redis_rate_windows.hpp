#pragma once
// Rate-limit windows in Redis (SharedRateWindows), on the Redis of `--bus redis://`:
// one EVAL per request checks every window and counts in all of them or none
// (INCR, then PEXPIRE on a window's first count), so the cluster-wide count is exact
// and a refused request consumes nothing, as in memory.
//
// Keys: genq:DB:rate:CLIENT:TASK:m<minute> and …:d<day>, expiring a minute after
// their period. One connection, one request at a time (a round trip of tens of µs
// on a LAN; only submits of clients with limits configured pay it). When Redis is
// away, take() answers Unavailable at once (no waiting on each request) and the
// connection is tried again at most once a second.
#include <chrono>
#include <mutex>
#include <optional>
#include <string>

#include "genq/bus/redis/redis_connection.hpp"
#include "genq/bus/redis/redis_endpoint.hpp"
#include "genq/service/shared_rate_windows.hpp"

namespace genq::bus {

class RedisRateWindows final : public SharedRateWindows {
 public:
  explicit RedisRateWindows(RedisEndpoint endpoint, Millis timeout = Millis(250));
  Result<int> take(const std::vector<RateWindow>& windows) override;

 private:
  Result<int> run(const std::vector<RateWindow>& windows);  // REQUIRES(mutex_), connection_ open

  RedisEndpoint endpoint_;
  Millis timeout_;
  std::string prefix_;  // genq:DB:rate:
  std::mutex mutex_;
  std::optional<RedisConnection> connection_;              // GUARDED_BY(mutex_)
  std::chrono::steady_clock::time_point next_connect_{};  // GUARDED_BY(mutex_)
  OutageLog outage_;                                      // GUARDED_BY(mutex_)
};

}  // namespace genq::bus
