// The retry schedule: the documented delays, jitter bounds, scale, the outcomes that
// end a delivery, and Retry-After.
#include <gtest/gtest.h>

#include <vector>

#include "genq/webhook/retry_schedule.hpp"

namespace genq::webhook {
namespace {

using namespace std::chrono_literals;

const TimePoint kNow = from_unix_ms(1'700'000'000'000);

AttemptResult status(int code) { return AttemptResult{code, std::nullopt}; }

// deAPI's default: 10 attempts, immediately, then 1 m, 2 m, 5 m, 10 m, 30 m, 1 h, 3 h,
// 6 h, 12 h.
TEST(RetrySchedule, IsDeapisTenAttempts) {
  const std::vector<Millis> expected = {1min, 2min, 5min, 10min, 30min, 1h, 3h, 6h, 12h};
  ASSERT_EQ(kRetryDelays.size(), expected.size());
  EXPECT_EQ(kMaxAttempts, 10);
  Millis total{0};
  for (std::size_t i = 0; i < expected.size(); ++i) {
    EXPECT_EQ(Millis(kRetryDelays[i]), expected[i]) << "retry " << i + 1;
    EXPECT_EQ(retry_delay(static_cast<int>(i) + 1, {}, 0.5), expected[i]) << "retry " << i + 1;
    total += kRetryDelays[i];
  }
  EXPECT_EQ(total, 22h + 48min);  // docs/webhooks.md states this sum
}

TEST(RetrySchedule, JitterStaysWithinFivePercent) {
  const RetryPolicy policy;
  EXPECT_EQ(retry_delay(1, policy, 0.5), 60s);
  EXPECT_EQ(retry_delay(1, policy, 0.0), 57s);
  EXPECT_EQ(retry_delay(9, policy, 0.0), Millis(12h) * 95 / 100);
  EXPECT_LE(retry_delay(9, policy, 0.999999), Millis(12h) * 105 / 100);
}

TEST(RetrySchedule, ScaleShrinksEveryWait) {
  const RetryPolicy fast{0.001};
  EXPECT_EQ(retry_delay(1, fast, 0.5), 60ms);
  EXPECT_EQ(retry_delay(9, fast, 0.5), Millis(43'200));
}

TEST(RetrySchedule, AnyTwoHundredIsDelivered) {
  for (int code : {200, 201, 202, 204, 299}) {
    EXPECT_EQ(next_step(1, status(code), kNow, {}, 0.5).state, DeliveryState::Delivered) << code;
  }
}

TEST(RetrySchedule, GoneStopsAtOnce) {
  const NextStep next = next_step(1, status(410), kNow, {}, 0.5);
  EXPECT_EQ(next.state, DeliveryState::Gone);
  EXPECT_FALSE(next.next_attempt_at);
}

TEST(RetrySchedule, FailuresRetryAfterTheScheduledDelay) {
  // A redirect is a failure like any other non-2xx (the sender does not follow it).
  for (int code : {301, 302, 307, 308, 400, 404, 500, 502}) {
    const NextStep next = next_step(1, status(code), kNow, {}, 0.5);
    EXPECT_EQ(next.state, DeliveryState::Pending) << code;
    EXPECT_EQ(next.next_attempt_at, kNow + 1min) << code;
  }
  // The third attempt failing schedules the third retry.
  const NextStep no_response = next_step(3, AttemptResult{}, kNow, {}, 0.5);
  EXPECT_EQ(no_response.next_attempt_at, kNow + 5min);
}

TEST(RetrySchedule, TheTenthFailedAttemptEndsTheDelivery) {
  EXPECT_EQ(next_step(9, status(500), kNow, {}, 0.5).next_attempt_at, kNow + 12h);
  const NextStep last = next_step(10, status(500), kNow, {}, 0.5);
  EXPECT_EQ(last.state, DeliveryState::Failed);
  EXPECT_FALSE(last.next_attempt_at);
}

TEST(RetrySchedule, RetryAfterOnTooManyRequestsOrUnavailableIsHonoured) {
  for (int code : {429, 503}) {
    const NextStep next = next_step(1, AttemptResult{code, 120s}, kNow, {}, 0.5);
    EXPECT_EQ(next.next_attempt_at, kNow + 120s) << code;
  }
  // Shorter than the schedule: the schedule wins.
  EXPECT_EQ(next_step(4, AttemptResult{429, 1s}, kNow, {}, 0.5).next_attempt_at, kNow + 10min);
  // Other statuses do not get to choose.
  EXPECT_EQ(next_step(1, AttemptResult{500, 120s}, kNow, {}, 0.5).next_attempt_at, kNow + 1min);
  // Capped, and scaled like every wait.
  EXPECT_EQ(next_step(1, AttemptResult{503, 100h}, kNow, {}, 0.5).next_attempt_at, kNow + kMaxRetryAfter);
  EXPECT_EQ(next_step(1, AttemptResult{503, 120s}, kNow, RetryPolicy{0.001}, 0.5).next_attempt_at, kNow + 120ms);
}

TEST(RetrySchedule, RetryAfterParsesSecondsAndHttpDates) {
  EXPECT_EQ(parse_retry_after("120", kNow), 120s);
  EXPECT_EQ(parse_retry_after(" 0 ", kNow), 0s);
  // kNow is 2023-11-14T22:13:20Z.
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:15:20 GMT", kNow), 120s);
  EXPECT_EQ(parse_retry_after("Tue, 14 Nov 2023 22:00:00 GMT", kNow), 0s);  // in the past
  EXPECT_FALSE(parse_retry_after("-5", kNow));
  EXPECT_FALSE(parse_retry_after("soon", kNow));
  EXPECT_FALSE(parse_retry_after("", kNow));
}

}  // namespace
}  // namespace genq::webhook
