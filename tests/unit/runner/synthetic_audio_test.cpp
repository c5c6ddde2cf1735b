#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "genq/runner/backends/synthetic_backend.hpp"
#include "unit/runner/runner_test_support.hpp"
#include "support/temp_dir.hpp"

namespace genq::runner {
namespace {

using catalog::OutputKind;
using testing::RecordingSink;
using testing::TestJob;

std::uint32_t u32_at(const std::string& bytes, std::size_t at) {
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; i--) {
    v = (v << 8) | static_cast<unsigned char>(bytes[at + i]);
  }
  return v;
}

std::uint16_t u16_at(const std::string& bytes, std::size_t at) {
  return static_cast<std::uint16_t>(static_cast<unsigned char>(bytes[at]) |
                                    (static_cast<unsigned char>(bytes[at + 1]) << 8));
}

std::string make_audio(const std::string& task, const std::string& params) {
  SyntheticBackend backend(BackendOptions{0, "ffmpeg"});
  TestJob job(task, OutputKind::Audio, params);
  RecordingSink sink;
  std::atomic<bool> cancelled{false};
  auto output = backend.run(job.spec, sink, cancelled);
  EXPECT_TRUE(output) << (output ? "" : output.error().message);
  if (!output) {
    return {};
  }
  EXPECT_EQ(output->content_type, "audio/wav");
  return genq::testing::read_file(output->file);
}

TEST(SyntheticBackend, WavHeaderDescribes16BitMonoPcmAt22050Hz) {
  const std::string wav = make_audio("txt2audio", R"({"text":"hello","duration":2,"seed":5})");
  ASSERT_GE(wav.size(), 44u);
  EXPECT_EQ(wav.substr(0, 4), "RIFF");
  EXPECT_EQ(u32_at(wav, 4), wav.size() - 8);
  EXPECT_EQ(wav.substr(8, 4), "WAVE");
  EXPECT_EQ(wav.substr(12, 4), "fmt ");
  EXPECT_EQ(u32_at(wav, 16), 16u);
  EXPECT_EQ(u16_at(wav, 20), 1u) << "PCM";
  EXPECT_EQ(u16_at(wav, 22), 1u) << "mono";
  EXPECT_EQ(u32_at(wav, 24), 22050u);
  EXPECT_EQ(u32_at(wav, 28), 44100u) << "byte rate";
  EXPECT_EQ(u16_at(wav, 32), 2u) << "block align";
  EXPECT_EQ(u16_at(wav, 34), 16u) << "bits per sample";
  EXPECT_EQ(wav.substr(36, 4), "data");
  EXPECT_EQ(u32_at(wav, 40), wav.size() - 44);
}

TEST(SyntheticBackend, WavLastsTheRequestedDuration) {
  const std::string wav = make_audio("txt2music", R"({"prompt":"jazz","duration":1.5,"seed":5})");
  EXPECT_EQ(wav.size(), 44u + 2u * 33075u);  // 1.5 s x 22050 Hz x 2 bytes
}

TEST(SyntheticBackend, WavLengthFollowsTextWhenNoDurationIsGiven) {
  const std::string text(50, 'a');  // 50 characters x 0.06 s = 3 s
  const std::string wav = make_audio("txt2audio", R"({"text":")" + text + R"(","seed":5})");
  EXPECT_EQ(wav.size(), 44u + 2u * 3u * 22050u);
  const std::string short_wav = make_audio("txt2audio", R"({"text":"hi","seed":5})");
  EXPECT_EQ(short_wav.size(), 44u + 2u * 22050u) << "at least one second";
  const std::string long_wav = make_audio("txt2audio", R"({"text":")" + std::string(2000, 'b') + R"(","seed":5})");
  EXPECT_EQ(long_wav.size(), 44u + 2u * 30u * 22050u) << "at most thirty seconds";
}

TEST(SyntheticBackend, WavIsDeterministicAndNotSilent) {
  const std::string a = make_audio("txt2music", R"({"prompt":"jazz","duration":1,"seed":9})");
  const std::string b = make_audio("txt2music", R"({"prompt":"jazz","duration":1,"seed":9})");
  const std::string c = make_audio("txt2music", R"({"prompt":"jazz","duration":1,"seed":10})");
  EXPECT_EQ(a, b);
  EXPECT_NE(a, c);
  int loud = 0;
  for (std::size_t i = 44; i + 1 < a.size(); i += 2) {
    loud += std::abs(static_cast<std::int16_t>(u16_at(a, i))) > 1000 ? 1 : 0;
  }
  EXPECT_GT(loud, 1000);
}

}  // namespace
}  // namespace genq::runner
