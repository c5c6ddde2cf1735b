// WorkerPresence: a worker counts for the models it claims and reports on, for one
// window after it was last seen.
#include <gtest/gtest.h>

#include "genq/service/worker_presence.hpp"

namespace genq {
namespace {

using namespace std::chrono_literals;

TEST(WorkerPresence, CountsWorkersByModelWithinTheWindow) {
  WorkerPresence presence(Millis(60'000));
  const TimePoint start = from_unix_ms(1'700'000'000'000);
  presence.claimed("w1", {"Flux", "SDXL"}, start);
  presence.claimed("w2", {"Flux"}, start + 30s);
  presence.claimed("w2", {"Flux"}, start + 31s);  // the same worker again: still one
  auto counts = presence.count_by_model(start + 40s);
  EXPECT_EQ(counts["Flux"], 2);
  EXPECT_EQ(counts["SDXL"], 1);

  counts = presence.count_by_model(start + 61s);
  EXPECT_EQ(counts["Flux"], 1) << "w1 was last seen over a minute ago";
  EXPECT_FALSE(counts.contains("SDXL"));
}

TEST(WorkerPresence, AReportKeepsABusyWorkerCountedForItsModel) {
  WorkerPresence presence(Millis(60'000));
  const TimePoint start = from_unix_ms(1'700'000'000'000);
  presence.claimed("w1", {"Flux", "SDXL"}, start);
  presence.reported("w1", "Flux", start + 50s);  // progress on a long Flux job
  const auto counts = presence.count_by_model(start + 100s);
  EXPECT_EQ(counts.at("Flux"), 1);
  EXPECT_FALSE(counts.contains("SDXL")) << "its claim is older than the window";
  EXPECT_TRUE(presence.count_by_model(start + 200s).empty());
}

}  // namespace
}  // namespace genq
