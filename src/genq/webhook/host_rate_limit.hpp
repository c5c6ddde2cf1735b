#pragma once
// Deliveries per second to one receiver ("host:port"; docs/webhooks.md, "Concurrency and
// rate"): a token bucket per receiver holding at most one second's worth, so a burst of
// jobs reaches a receiver at the rate it was given, never faster than rate + burst in
// any second. In memory, per node: with N nodes sending, a receiver may see N times the
// rate. Used by the engine's thread only: not thread-safe.
#include <cstddef>
#include <optional>
#include <string>
#include <unordered_map>

#include "genq/core/clock.hpp"

namespace genq::webhook {

class HostRateLimit {
 public:
  // `per_second` 0 = unlimited.
  explicit HostRateLimit(double per_second) : per_second_(per_second) {}

  bool limited() const { return per_second_ > 0; }
  // How many sends `host` may start at `now` (SIZE_MAX without a limit).
  std::size_t available(const std::string& host, TimePoint now);
  // Records `count` sends to `host` started at `now`; at most available() of them.
  void spend(const std::string& host, std::size_t count, TimePoint now);
  // When `host` has a send again (now when it has one, or no limit).
  TimePoint next_send(const std::string& host, TimePoint now) const;
  // Forgets receivers idle long enough to have a full bucket again (they read the
  // same as unknown ones), so the map holds only receivers sent to lately.
  void forget_idle(TimePoint now);

 private:
  struct Bucket {
    double tokens = 0;
    TimePoint updated{};
  };
  double burst() const;
  double tokens_at(const Bucket& bucket, TimePoint now) const;

  double per_second_;
  std::unordered_map<std::string, Bucket> buckets_;
};

}  // namespace genq::webhook
