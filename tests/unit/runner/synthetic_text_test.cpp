#include <gtest/gtest.h>

#include <atomic>
#include <string>

#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"
#include "support/media.hpp"
#include "unit/runner/runner_test_support.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner {
namespace {

using catalog::OutputKind;
using testing::RecordingSink;
using testing::TestJob;

Result<Output> run(const JobSpec& spec) {
  SyntheticBackend backend(BackendOptions{0, "ffmpeg"});
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  return backend.run(spec, sink, cancelled);
}

TEST(SyntheticBackend, EmbeddingJsonHas1024Numbers) {
  TestJob job("txt2embedding", OutputKind::Json, R"({"input":"hello world","seed":4})");
  auto output = run(job.spec);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_TRUE(output->file.empty()) << "json results travel inline";
  ASSERT_TRUE(output->result && output->result->is_object());
  const auto& object = output->result->as_object();
  ASSERT_TRUE(object.contains("embedding"));
  const auto& embedding = object.at("embedding").as_array();
  ASSERT_EQ(embedding.size(), 1024u);
  double norm = 0;
  for (const auto& value : embedding) {
    ASSERT_TRUE(value.is_number());
    norm += value.to_number<double>() * value.to_number<double>();
  }
  EXPECT_NEAR(norm, 1.0, 1e-3) << "unit length";
  EXPECT_EQ(object.at("dimensions").to_number<int>(), 1024);
}

TEST(SyntheticBackend, EmbeddingDependsOnTextAndSeed) {
  TestJob a("txt2embedding", OutputKind::Json, R"({"input":"hello","seed":4})");
  TestJob b("txt2embedding", OutputKind::Json, R"({"input":"hello","seed":4})");
  TestJob c("txt2embedding", OutputKind::Json, R"({"input":"hullo","seed":4})");
  auto ra = run(a.spec), rb = run(b.spec), rc = run(c.spec);
  ASSERT_TRUE(ra && rb && rc);
  EXPECT_EQ(*ra->result, *rb->result);
  EXPECT_NE(*ra->result, *rc->result);
}

TEST(SyntheticBackend, TranscriptNamesTheInputSize) {
  TestJob job("aud2txt", OutputKind::Text, R"({"seed":4})");
  const auto input = job.dir.path() / "input-audio";
  const std::string wav = genq::testing::make_wav(0.5, 8000);  // inputs are decoded first: a real WAV
  genq::testing::write_file(input, wav);
  job.spec.inputs["audio"] = input;
  auto output = run(job.spec);
  ASSERT_TRUE(output) << output.error().message;
  ASSERT_TRUE(output->result && output->result->is_string());
  const std::string text(output->result->as_string());
  EXPECT_TRUE(text.starts_with("Synthetic transcript of " + std::to_string(wav.size()) + "-byte input")) << text;
  EXPECT_TRUE(output->file.empty());
}

TEST(SyntheticBackend, OcrNamesTheImageSize) {
  TestJob job("img2txt", OutputKind::Text, R"({"seed":4})");
  const auto input = job.dir.path() / "input-image";
  ASSERT_TRUE(write_png(Image(70, 35, 3), input));
  job.spec.inputs["image"] = input;
  auto output = run(job.spec);
  ASSERT_TRUE(output) << output.error().message;
  const std::string text(output->result->as_string());
  EXPECT_NE(text.find("70x35"), std::string::npos) << text;
}

}  // namespace
}  // namespace genq::runner
