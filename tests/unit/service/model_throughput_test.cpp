#include "genq/service/model_throughput.hpp"

#include <gtest/gtest.h>

namespace genq {
namespace {

using namespace std::chrono_literals;

TimePoint throughput_clock(Millis ms) { return TimePoint{} + 1'000'000ms + ms; }

TEST(ModelThroughput, AModelWithNothingDoneHasNoRateAndNoEta) {
  ModelThroughput throughput;
  EXPECT_FALSE(throughput.jobs_per_second("m", throughput_clock(0ms)));
  EXPECT_FALSE(throughput.seconds_for("m", 3, throughput_clock(0ms)));
}

TEST(ModelThroughput, TheRateIsTheJobsDoneOverTheTimeTheyTook) {
  ModelThroughput throughput;
  for (int i = 0; i < 60; ++i) throughput.done("m", throughput_clock(Millis(i * 1000)));  // one a second for a minute
  const auto rate = throughput.jobs_per_second("m", throughput_clock(60'000ms));
  ASSERT_TRUE(rate);
  EXPECT_NEAR(*rate, 1.0, 0.01);
  EXPECT_NEAR(*throughput.seconds_for("m", 30, throughput_clock(60'000ms)), 30.0, 0.5);
  EXPECT_EQ(*throughput.seconds_for("m", 0, throughput_clock(60'000ms)), 0.0);
  EXPECT_FALSE(throughput.jobs_per_second("other", throughput_clock(60'000ms))) << "models are apart";
}

TEST(ModelThroughput, AFirstCompletionIsNotReadAsABurst) {
  ModelThroughput throughput;
  throughput.done("m", throughput_clock(0ms));
  EXPECT_NEAR(*throughput.jobs_per_second("m", throughput_clock(100ms)), 0.1, 1e-9) << "over at least kMinSpan (10 s)";
}

TEST(ModelThroughput, CompletionsOutsideTheWindowAreForgotten) {
  ModelThroughput throughput(Millis(60'000));
  throughput.done("m", throughput_clock(0ms));
  EXPECT_TRUE(throughput.jobs_per_second("m", throughput_clock(59'000ms)));
  EXPECT_FALSE(throughput.jobs_per_second("m", throughput_clock(61'000ms)));
}

TEST(ModelThroughput, MemoryIsBoundedAndTheRateStaysTrue) {
  ModelThroughput throughput;
  // 20 jobs a second for 10 minutes: 6,000 in the window, more than kMaxRemembered.
  for (int i = 0; i < 12000; ++i) throughput.done("m", throughput_clock(Millis(i * 50)));
  const auto rate = throughput.jobs_per_second("m", throughput_clock(600'000ms));
  ASSERT_TRUE(rate);
  EXPECT_NEAR(*rate, 20.0, 0.1);
}

}  // namespace
}  // namespace genq
