#include <gtest/gtest.h>

#include <atomic>
#include <filesystem>
#include <thread>

#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"
#include "unit/runner/runner_test_support.hpp"

namespace genq::runner {
namespace {

using catalog::OutputKind;
using testing::RecordingSink;
using testing::TestJob;

// Raises the cancel flag when the backend reports its `after`-th step.
class CancellingSink final : public ProgressSink {
 public:
  CancellingSink(std::atomic<bool>& cancelled, int after) : cancelled_(cancelled), after_(after) {}
  void report(double, std::string) override {
    if (++reports_ == after_) {
      cancelled_.store(true);
    }
  }
  int reports() const { return reports_; }

 private:
  std::atomic<bool>& cancelled_;
  int after_;
  int reports_ = 0;
};

void expect_cancel_stops_early(const std::string& task, OutputKind output, const std::string& params) {
  SyntheticBackend backend(BackendOptions{0, "/usr/bin/ffmpeg"});
  TestJob job(task, output, params);
  std::atomic<bool> cancelled{false};
  CancellingSink sink(cancelled, 2);
  auto result = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(result) << task << " ran to the end despite the cancel";
  EXPECT_EQ(result.error().kind, ErrorKind::Conflict);
  EXPECT_EQ(sink.reports(), 2) << task << ": steps ran after the cancel";
}

TEST(SyntheticBackend, CancelFlagStopsRunEarly) {
  expect_cancel_stops_early("txt2img", OutputKind::Image, R"({"prompt":"x","width":64,"height":64,"steps":50})");
  expect_cancel_stops_early("txt2audio", OutputKind::Audio, R"({"text":"x","steps":50})");
  expect_cancel_stops_early("transcribe", OutputKind::Text, R"({"steps":50})");
  if (std::filesystem::exists("/usr/bin/ffmpeg")) {
    expect_cancel_stops_early("txt2video", OutputKind::Video, R"({"prompt":"x","width":32,"height":32,"frames":50})");
  }
}

TEST(SyntheticBackend, CancelInterruptsTheStepDelay) {
  SyntheticBackend backend(BackendOptions{60'000, "ffmpeg"});  // a minute per step
  TestJob job("txt2img", OutputKind::Image, R"({"prompt":"x","width":16,"height":16,"steps":4})");
  std::atomic<bool> cancelled{false};
  RecordingSink sink;
  Result<Output> result;
  std::thread runner([&] { result = backend.run(job.spec, sink, cancelled); });
  cancelled.store(true);
  runner.join();  // hangs for minutes if the delay ignores the flag
  ASSERT_FALSE(result);
  EXPECT_TRUE(sink.reports().empty());
}

TEST(SyntheticBackend, ProgressRisesToOneHundred) {
  SyntheticBackend backend(BackendOptions{0, "ffmpeg"});
  TestJob job("txt2audio", OutputKind::Audio, R"({"text":"hello","steps":4,"duration":0.2})");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  ASSERT_TRUE(backend.run(job.spec, sink, cancelled));
  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 4u);
  for (std::size_t i = 1; i < reports.size(); i++) {
    EXPECT_GT(reports[i].percent, reports[i - 1].percent);
  }
  EXPECT_DOUBLE_EQ(reports.back().percent, 100.0);
}

TEST(SyntheticBackend, InferenceStepsCountAsSteps) {
  SyntheticBackend backend(BackendOptions{0, "ffmpeg"});
  TestJob job("txt2music", OutputKind::Audio, R"({"caption":"jazz","duration":0.5,"inference_steps":3})");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  ASSERT_TRUE(backend.run(job.spec, sink, cancelled));
  EXPECT_EQ(sink.reports().size(), 3u);
}

TEST(SyntheticBackend, FactoryKnowsSyntheticAndRefusesOthers) {
  auto synthetic = make_backend("synthetic", BackendOptions{});
  ASSERT_TRUE(synthetic);
  EXPECT_NE(synthetic->get(), nullptr);
  auto unknown = make_backend("comfyui", BackendOptions{});
  ASSERT_FALSE(unknown);
  EXPECT_EQ(unknown.error().kind, ErrorKind::Invalid);
}

}  // namespace
}  // namespace genq::runner
