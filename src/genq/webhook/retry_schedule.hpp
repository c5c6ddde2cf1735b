#pragma once
// When a webhook delivery is tried again (docs/webhooks.md, "Retries"): deAPI's
// default schedule of 10 attempts, the first right away, then 9 retries after these
// base delays, each stretched by a small random factor in [0.95, 1.05] so that
// receivers recovering from an outage are not hit by every delivery at the same
// instant:
//
//   attempt    1    2    3    4    5     6     7    8    9    10
//   after      0   1m   2m   5m   10m   30m   1h   3h   6h   12h   (sum 22 h 48 m)
//
// Any 2xx ends the delivery as delivered, 410 Gone ends it at once, anything else
// (other statuses, 3xx included, since redirects are not followed; timeouts, refused
// connections, TLS failures, addresses the guard refuses) is retried. A Retry-After on
// 429 or 503 is honoured: the retry waits at least that long. `scale` multiplies every
// wait (tests run the schedule at 0.001).
//
// Pure functions; thread-safe.
#include <array>
#include <chrono>
#include <optional>
#include <string_view>

#include "genq/core/clock.hpp"
#include "genq/store/delivery_store.hpp"

namespace genq::webhook {

inline constexpr int kMaxAttempts = 10;
inline constexpr int kMaxRetries = kMaxAttempts - 1;
inline constexpr double kJitter = 0.05;  // delays vary by up to ±5 %

// Base delay before retry 1..kMaxRetries.
inline constexpr std::array<std::chrono::seconds, kMaxRetries> kRetryDelays = {
    std::chrono::minutes(1),  std::chrono::minutes(2), std::chrono::minutes(5), std::chrono::minutes(10),
    std::chrono::minutes(30), std::chrono::hours(1),   std::chrono::hours(3),   std::chrono::hours(6),
    std::chrono::hours(12)};

// A Retry-After longer than this is capped: a receiver cannot park a delivery for days.
inline constexpr std::chrono::hours kMaxRetryAfter{12};

struct RetryPolicy {
  double scale = 1.0;  // multiplies every wait, Retry-After included
};

// What one attempt came to.
struct AttemptResult {
  std::optional<int> http_status;  // nullopt: no response (timeout, refused, TLS, guard)
  std::optional<std::chrono::seconds> retry_after;  // parsed Retry-After, if any
};

struct NextStep {
  DeliveryState state = DeliveryState::Pending;
  std::optional<TimePoint> next_attempt_at;  // when state is Pending
};

// The delay before retry `retry` (1-based, 1..kMaxRetries): the base delay times
// scale times a jitter factor 1 + kJitter * (2 * unit_random - 1), unit_random in [0, 1).
Millis retry_delay(int retry, const RetryPolicy& policy, double unit_random);

// What follows an attempt that was the `attempt`-th (1-based) of its series and ended
// at `now`.
NextStep next_step(int attempt, const AttemptResult& result, TimePoint now, const RetryPolicy& policy,
                   double unit_random);

// Parses a Retry-After value: delta-seconds ("120") or an HTTP-date ("Wed, 21 Oct
// 2015 07:28:00 GMT", taken relative to `now`). nullopt if malformed.
std::optional<std::chrono::seconds> parse_retry_after(std::string_view value, TimePoint now);

}  // namespace genq::webhook
