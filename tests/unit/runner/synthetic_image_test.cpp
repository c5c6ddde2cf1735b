#include <gtest/gtest.h>

#include <atomic>

#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"
#include "unit/runner/runner_test_support.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner {
namespace {

using catalog::OutputKind;
using testing::read_jpeg_info;
using testing::read_png_info;
using testing::RecordingSink;
using testing::TestJob;

Result<Output> run(SyntheticBackend& backend, const JobSpec& spec, RecordingSink& sink) {
  std::atomic<bool> cancelled{false};
  return backend.run(spec, sink, cancelled);
}

SyntheticBackend instant_backend() { return SyntheticBackend(BackendOptions{0, "ffmpeg"}); }

TEST(SyntheticBackend, PngHasRequestedSize) {
  auto backend = instant_backend();
  TestJob job("txt2img", OutputKind::Image, R"({"prompt":"a red fox","width":320,"height":200,"steps":3,"seed":7})");
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->content_type, "image/png");
  const auto info = read_png_info(output->file);
  ASSERT_TRUE(info.ok) << "not a PNG: " << output->file;
  EXPECT_EQ(info.width, 320);
  EXPECT_EQ(info.height, 200);
}

TEST(SyntheticBackend, SameSeedGivesIdenticalPngAndOtherSeedDiffers) {
  auto backend = instant_backend();
  const std::string params = R"({"prompt":"a red fox","width":64,"height":48,"steps":2,"seed":)";
  TestJob first("txt2img", OutputKind::Image, params + "1234}");
  TestJob again("txt2img", OutputKind::Image, params + "1234}");
  TestJob other("txt2img", OutputKind::Image, params + "1235}");
  RecordingSink sink;
  auto a = run(backend, first.spec, sink);
  auto b = run(backend, again.spec, sink);
  auto c = run(backend, other.spec, sink);
  ASSERT_TRUE(a && b && c);
  const std::string bytes_a = genq::testing::read_file(a->file);
  EXPECT_EQ(bytes_a, genq::testing::read_file(b->file)) << "same seed, different bytes";
  EXPECT_NE(bytes_a, genq::testing::read_file(c->file)) << "another seed gave the same picture";
}

TEST(SyntheticBackend, PromptChangesThePicture) {
  auto backend = instant_backend();
  TestJob fox("txt2img", OutputKind::Image, R"({"prompt":"a fox","width":64,"height":64,"steps":1,"seed":1})");
  TestJob owl("txt2img", OutputKind::Image, R"({"prompt":"an owl","width":64,"height":64,"steps":1,"seed":1})");
  RecordingSink sink;
  auto a = run(backend, fox.spec, sink);
  auto b = run(backend, owl.spec, sink);
  ASSERT_TRUE(a && b);
  EXPECT_NE(genq::testing::read_file(a->file), genq::testing::read_file(b->file));
}

TEST(SyntheticBackend, EveryStepSendsAValidJpegPreviewUnderTheCap) {
  auto backend = instant_backend();
  TestJob job("txt2img", OutputKind::Image, R"({"prompt":"noise","width":1024,"height":512,"steps":5,"seed":3})");
  RecordingSink sink;
  ASSERT_TRUE(run(backend, job.spec, sink));
  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 5u);
  for (std::size_t i = 0; i < reports.size(); i++) {
    const auto info = read_jpeg_info(reports[i].preview_jpeg);
    ASSERT_TRUE(info.ok) << "step " << i << " preview is not a JPEG";
    EXPECT_EQ(info.width, 256) << "long side scaled to 256";
    EXPECT_EQ(info.height, 128);
    EXPECT_LT(reports[i].preview_jpeg.size(), 256u * 1024u);
    EXPECT_DOUBLE_EQ(reports[i].percent, 100.0 * (i + 1) / 5);
  }
}

TEST(SyntheticBackend, StepsDefaultToEight) {
  auto backend = instant_backend();
  TestJob job("txt2img", OutputKind::Image, R"({"prompt":"x","width":32,"height":32,"seed":3})");
  RecordingSink sink;
  ASSERT_TRUE(run(backend, job.spec, sink));
  EXPECT_EQ(sink.reports().size(), 8u);
}

TEST(SyntheticBackend, UpscaleMultipliesPngInputSizeByScale) {
  auto backend = instant_backend();
  TestJob job("img-upscale", OutputKind::Image, R"({"scale":3,"steps":1,"seed":1})");
  const auto input = job.dir.path() / "input-image";
  ASSERT_TRUE(write_png(Image(40, 30, 3), input));
  job.spec.inputs["image"] = input;
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_TRUE(output) << output.error().message;
  const auto info = read_png_info(output->file);
  EXPECT_EQ(info.width, 120);
  EXPECT_EQ(info.height, 90);
}

TEST(SyntheticBackend, UpscaleReadsJpegInputSize) {
  auto backend = instant_backend();
  TestJob job("img-upscale", OutputKind::Image, R"({"steps":1,"seed":1})");
  auto jpeg = encode_jpeg(Image(50, 20, 3), 80);
  ASSERT_TRUE(jpeg);
  const auto input = job.dir.path() / "input-image";
  genq::testing::write_file(input, *jpeg);
  job.spec.inputs["image"] = input;
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_TRUE(output) << output.error().message;
  const auto info = read_png_info(output->file);
  EXPECT_EQ(info.width, 100) << "default scale is 2";
  EXPECT_EQ(info.height, 40);
}

TEST(SyntheticBackend, RemoveBackgroundKeepsSizeAndWritesAlpha) {
  auto backend = instant_backend();
  TestJob job("img-rmbg", OutputKind::Image, R"({"steps":1,"seed":1})");
  const auto input = job.dir.path() / "input-image";
  ASSERT_TRUE(write_png(Image(33, 21, 3), input));
  job.spec.inputs["image"] = input;
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_TRUE(output) << output.error().message;
  const auto info = read_png_info(output->file);
  EXPECT_EQ(info.width, 33);
  EXPECT_EQ(info.height, 21);
  EXPECT_EQ(info.channels, 4);
}

TEST(SyntheticBackend, InputThatIsNoImageFailsAsInvalid) {
  auto backend = instant_backend();
  TestJob job("img2img", OutputKind::Image, R"({"prompt":"x","steps":1,"seed":1})");
  const auto input = job.dir.path() / "input-image";
  genq::testing::write_file(input, "GIF89a not supported");
  job.spec.inputs["image"] = input;
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().kind, ErrorKind::Invalid);
}

TEST(SyntheticBackend, OversizedImageIsRefused) {
  auto backend = instant_backend();
  TestJob job("txt2img", OutputKind::Image, R"({"prompt":"x","width":100000,"height":100000,"seed":1})");
  RecordingSink sink;
  auto output = run(backend, job.spec, sink);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().kind, ErrorKind::Invalid);
}

}  // namespace
}  // namespace genq::runner
