// Decoders never take the worker down: every damaged input is an Invalid error with the
// decoder's reason. Regression: a truncated PNG made libpng's simplified API abort the
// whole worker (SIGABRT) instead of failing the job.
#include <gtest/gtest.h>

#include <atomic>
#include <fstream>

#include "genq/runner/backends/media_check.hpp"
#include "genq/runner/backends/raster.hpp"
#include "genq/runner/backends/synthetic_backend.hpp"
#include "support/media.hpp"
#include "support/temp_dir.hpp"
#include "unit/runner/runner_test_support.hpp"

namespace genq::runner {
namespace {

std::filesystem::path write(const genq::testing::TempDir& dir, const std::string& name, std::string_view bytes) {
  const auto path = dir.path() / name;
  std::ofstream(path, std::ios::binary).write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  return path;
}

TEST(DamagedInput, TruncatedPngIsAnErrorNotAnAbort) {
  genq::testing::TempDir dir("genq-damaged");
  const std::string png = genq::testing::make_noise_png(300, 200);
  for (std::size_t keep : {png.size() / 2, png.size() - 13, std::size_t{40}}) {
    auto image = read_image(write(dir, "cut.png", png.substr(0, keep)), 1 << 24);
    ASSERT_FALSE(image) << "kept " << keep << " of " << png.size() << " bytes";
    EXPECT_EQ(image.error().kind, ErrorKind::Invalid);
    EXPECT_NE(image.error().message.find("input PNG does not decode"), std::string::npos) << image.error().message;
  }
}

TEST(DamagedInput, PngWithGarbageAfterItsSignatureIsAnError) {
  genq::testing::TempDir dir("genq-damaged");
  auto image = read_image(write(dir, "bad.png", std::string("\x89PNG\r\n\x1a\n", 8) + std::string(4000, '\x5a')), 1 << 24);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().kind, ErrorKind::Invalid);
}

TEST(DamagedInput, WholePngsStillDecodeToTheirSize) {
  genq::testing::TempDir dir("genq-damaged");
  auto image = read_image(write(dir, "ok.png", genq::testing::make_png(33, 17)), 1 << 24);
  ASSERT_TRUE(image) << image.error().message;
  EXPECT_EQ(image->width, 33);
  EXPECT_EQ(image->height, 17);
  EXPECT_EQ(image->channels, 3);
  // make_png's gradient: red rises along x, green along y, blue is 128.
  EXPECT_EQ(image->at(32, 0)[0], 255);
  EXPECT_EQ(image->at(0, 16)[1], 255);
  EXPECT_EQ(image->at(5, 5)[2], 128);
}

TEST(DamagedInput, PngPastThePixelLimitIsRefusedBeforeDecoding) {
  genq::testing::TempDir dir("genq-damaged");
  auto image = read_image(write(dir, "big.png", genq::testing::make_png(200, 200)), 100 * 100);
  ASSERT_FALSE(image);
  EXPECT_NE(image.error().message.find("too large"), std::string::npos) << image.error().message;
}

TEST(DamagedInput, TruncatedJpegIsAnError) {
  genq::testing::TempDir dir("genq-damaged");
  const std::string jpeg = genq::testing::make_jpeg(128, 128);
  auto image = read_image(write(dir, "cut.jpg", jpeg.substr(0, jpeg.size() / 2)), 1 << 24);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().kind, ErrorKind::Invalid);
}

TEST(DamagedInput, MediaCheckNamesTheInputAndTheDecodersReason) {
  genq::testing::TempDir dir("genq-damaged");
  std::atomic<bool> cancelled{false};
  const std::string wav = genq::testing::make_wav(2, 16000);
  EXPECT_TRUE(check_media_inputs({{"audio", write(dir, "ok.wav", wav)}}, "ffmpeg", cancelled));

  auto cut = check_media_inputs({{"audio", write(dir, "cut.wav", wav.substr(0, wav.size() / 2 + 1))}}, "ffmpeg",
                                cancelled);
  ASSERT_FALSE(cut);
  EXPECT_EQ(cut.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(cut.error().message.rfind("the audio input does not decode: ", 0), 0u) << cut.error().message;
  EXPECT_EQ(cut.error().message.find(dir.path().string()), std::string::npos)
      << "the worker's temporary path leaked into the client's message: " << cut.error().message;

  auto garbage = check_media_inputs({{"video", write(dir, "x.mp4", std::string(3000, '\x42'))}}, "ffmpeg", cancelled);
  ASSERT_FALSE(garbage);
  EXPECT_EQ(garbage.error().kind, ErrorKind::Invalid);

  const std::string png = genq::testing::make_png(8, 8);
  auto image = check_media_inputs({{"image", write(dir, "cut.png", png.substr(0, png.size() - 20))}}, "ffmpeg",
                                  cancelled);
  ASSERT_FALSE(image);
  EXPECT_EQ(image.error().message.rfind("the image input is not a usable image", 0), 0u) << image.error().message;
}

TEST(DamagedInput, SyntheticBackendFailsTheJobOnATruncatedInputImage) {
  using testing::RecordingSink;
  using testing::TestJob;
  TestJob job("img2img", catalog::OutputKind::Image, R"({"prompt":"x","steps":2,"seed":1})");
  const std::string png = genq::testing::make_noise_png(64, 64);
  job.spec.inputs["image"] = write(job.dir, "input-image", png.substr(0, png.size() / 2));
  SyntheticBackend backend(BackendOptions{0, "ffmpeg"});
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().kind, ErrorKind::Invalid);
  EXPECT_TRUE(sink.reports().empty()) << "no progress before the input is known to be usable";
}

TEST(DamagedInput, NoiseModeMakesImagesAsLargeAsRealPhotos) {
  using testing::RecordingSink;
  using testing::TestJob;
  TestJob job("txt2img", catalog::OutputKind::Image, R"({"prompt":"x","width":512,"height":512,"steps":1,"seed":3})");
  SyntheticBackend backend(BackendOptions{0, "ffmpeg", true});
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_GT(std::filesystem::file_size(output->file), 512u * 512 * 3 * 9 / 10) << "noise does not compress";
}

}  // namespace
}  // namespace genq::runner
