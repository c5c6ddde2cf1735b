// Histogram: cumulative buckets, +Inf, the sum, and a snapshot that stays consistent
// while other threads observe.
#include <gtest/gtest.h>

#include <thread>
#include <vector>

#include "genq/metrics/histogram.hpp"

namespace genq {
namespace {

TEST(Histogram, BucketsAreCumulativeAndEndWithInfEqualToTheCount) {
  Histogram h({0.1, 1, 10});
  for (double v : {0.05, 0.1, 0.5, 2.0, 50.0}) h.observe(v);
  const auto s = h.snapshot();
  ASSERT_EQ(s.cumulative.size(), 4u);
  EXPECT_EQ(s.cumulative[0], 2u) << "0.05 and 0.1: a bound is 'less than or equal'";
  EXPECT_EQ(s.cumulative[1], 3u);
  EXPECT_EQ(s.cumulative[2], 4u);
  EXPECT_EQ(s.cumulative[3], 5u) << "+Inf holds everything";
  EXPECT_EQ(s.count(), 5u);
  EXPECT_NEAR(s.sum, 52.65, 1e-9);
}

TEST(Histogram, UnsortedOrRepeatedBoundsAreOrdered) {
  Histogram h({5, 1, 5, 2});
  EXPECT_EQ(h.upper_bounds(), (std::vector<double>{1, 2, 5}));
}

TEST(Histogram, ConcurrentObservationsAreAllCounted) {
  Histogram h({0.001, 0.01});
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&h] {
      for (int i = 0; i < 10000; ++i) h.observe(0.005);
    });
  }
  for (auto& t : threads) t.join();
  const auto s = h.snapshot();
  EXPECT_EQ(s.count(), 40000u);
  EXPECT_EQ(s.cumulative[0], 0u);
  EXPECT_EQ(s.cumulative[1], 40000u);
  EXPECT_NEAR(s.sum, 200.0, 1e-6);
}

}  // namespace
}  // namespace genq
