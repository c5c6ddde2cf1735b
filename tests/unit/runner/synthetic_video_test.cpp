#include <gtest/gtest.h>

#include <sys/wait.h>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>

#include "genq/runner/backends/synthetic_backend.hpp"
#include "genq/runner/backends/synthetic_video.hpp"
#include "unit/runner/runner_test_support.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner {
namespace {

using catalog::OutputKind;
using testing::read_jpeg_info;
using testing::RecordingSink;
using testing::TestJob;

bool have_ffmpeg() { return std::filesystem::exists("/usr/bin/ffmpeg"); }

// "codec,width,height,pix_fmt,frames" of the first video stream, via ffprobe.
std::string probe(const std::filesystem::path& file) {
  const std::string command =
      "/usr/bin/ffprobe -v error -select_streams v:0 -count_frames -show_entries "
      "stream=codec_name,width,height,pix_fmt,nb_read_frames -of csv=p=0 '" + file.string() + "'";
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  std::string out;
  char buffer[256];
  while (pipe && std::fgets(buffer, sizeof(buffer), pipe.get()) != nullptr) {
    out += buffer;
  }
  while (!out.empty() && (out.back() == '\n' || out.back() == '\r')) {
    out.pop_back();
  }
  return out;
}

TEST(SyntheticBackend, Mp4HasRequestedSizeAndFrames) {
  if (!have_ffmpeg()) {
    GTEST_SKIP() << "no /usr/bin/ffmpeg";
  }
  SyntheticBackend backend(BackendOptions{0, "/usr/bin/ffmpeg"});
  TestJob job("txt2video", OutputKind::Video, R"({"prompt":"waves","width":96,"height":64,"frames":6,"seed":2})");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(output->content_type, "video/mp4");
  const std::string bytes = genq::testing::read_file(output->file);
  ASSERT_GT(bytes.size(), 12u);
  EXPECT_EQ(bytes.substr(4, 4), "ftyp");
  EXPECT_EQ(probe(output->file), "h264,96,64,yuv420p,6");
  const auto reports = sink.reports();
  ASSERT_EQ(reports.size(), 6u) << "one step per frame";
  EXPECT_TRUE(read_jpeg_info(reports.back().preview_jpeg).ok);
}

TEST(SyntheticBackend, Mp4SizeIsRoundedDownToEven) {
  if (!have_ffmpeg()) {
    GTEST_SKIP() << "no /usr/bin/ffmpeg";
  }
  SyntheticBackend backend(BackendOptions{0, "/usr/bin/ffmpeg"});
  TestJob job("txt2video", OutputKind::Video, R"({"prompt":"waves","width":81,"height":47,"duration":1,"fps":4,"seed":2})");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_TRUE(output) << output.error().message;
  EXPECT_EQ(probe(output->file), "h264,80,46,yuv420p,4") << "duration 1 s at 4 fps";
}

TEST(SyntheticBackend, VideoShapeDefaultsTo16FramesOf512At8Fps) {
  TestJob job("txt2video", OutputKind::Video, R"({"prompt":"x"})");
  const VideoShape shape = synthetic_video_shape(job.spec);
  EXPECT_EQ(shape.width, 512);
  EXPECT_EQ(shape.height, 512);
  EXPECT_EQ(shape.frames, 16);
  EXPECT_EQ(shape.fps, 8);
}

TEST(SyntheticBackend, MissingEncoderFailsAsRetryable) {
  SyntheticBackend backend(BackendOptions{0, "/nonexistent/ffmpeg"});
  TestJob job("txt2video", OutputKind::Video, R"({"prompt":"x","width":32,"height":32,"frames":2})");
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  ASSERT_FALSE(output);
  EXPECT_EQ(output.error().kind, ErrorKind::Unavailable) << output.error().message;
}

}  // namespace
}  // namespace genq::runner
