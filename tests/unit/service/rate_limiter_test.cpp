#include "genq/service/rate_limiter.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

TEST(RateLimiter, OffByDefaultAllowsEverything) {
  RateLimiter limiter({});
  ManualClock clock;
  for (int i = 0; i < 1000; ++i) EXPECT_FALSE(limiter.acquire("c", "txt2img", clock.now()));
}

TEST(RateLimiter, MinuteLimitRefusesWithRetryAfterUntilTheWindowResets) {
  RateLimiter limiter({.per_minute = 2, .per_day = 0});
  ManualClock clock(from_unix_ms(60'000LL * 1000));  // at a minute boundary
  clock.advance(std::chrono::seconds(10));
  EXPECT_FALSE(limiter.acquire("c", "txt2img", clock.now()));
  EXPECT_FALSE(limiter.acquire("c", "txt2img", clock.now()));
  auto refused = limiter.acquire("c", "txt2img", clock.now());
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->retry_after.count(), 50);
  EXPECT_EQ(refused->window, "minute");
  clock.advance(std::chrono::seconds(50));
  EXPECT_FALSE(limiter.acquire("c", "txt2img", clock.now()));
}

TEST(RateLimiter, LimitsAreKeptPerClientAndTask) {
  RateLimiter limiter({.per_minute = 1, .per_day = 0});
  ManualClock clock;
  EXPECT_FALSE(limiter.acquire("a", "txt2img", clock.now()));
  EXPECT_FALSE(limiter.acquire("a", "img2img", clock.now()));
  EXPECT_FALSE(limiter.acquire("b", "txt2img", clock.now()));
  EXPECT_TRUE(limiter.acquire("a", "txt2img", clock.now()));
}

TEST(RateLimiter, RefusedRequestsDoNotConsumeTheDayBudget) {
  RateLimiter limiter({.per_minute = 1, .per_day = 2});
  ManualClock clock(from_unix_ms(86'400'000LL * 100));
  EXPECT_FALSE(limiter.acquire("c", "t", clock.now()));
  EXPECT_TRUE(limiter.acquire("c", "t", clock.now()));  // minute full
  clock.advance(std::chrono::minutes(1));
  EXPECT_FALSE(limiter.acquire("c", "t", clock.now()));  // second of the day
  clock.advance(std::chrono::minutes(1));
  auto refused = limiter.acquire("c", "t", clock.now());  // day full
  ASSERT_TRUE(refused);
  EXPECT_EQ(refused->window, "daily");
  EXPECT_EQ(refused->retry_after.count(), 86400 - 120);
}

}  // namespace
}  // namespace genq
