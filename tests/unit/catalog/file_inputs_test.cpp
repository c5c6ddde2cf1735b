// What a file input may hold: kinds named by field, per-kind limits (from the catalog
// file or deAPI's defaults), and the magic-byte check of each container users send.
#include <gtest/gtest.h>

#include <boost/json.hpp>

#include "genq/catalog/catalog.hpp"
#include "genq/catalog/file_inputs.hpp"
#include "unit/catalog/shipped_catalog.hpp"

namespace genq::catalog {
namespace {

using namespace std::string_literals;

std::string bytes(std::string_view head, std::size_t pad = 64) { return std::string(head) + std::string(pad, '\x01'); }

TEST(FileInputs, KindComesFromTheFieldName) {
  EXPECT_EQ(file_kind_of("image"), FileKind::Image);
  EXPECT_EQ(file_kind_of("first_frame_image"), FileKind::Image);
  EXPECT_EQ(file_kind_of("audio"), FileKind::Audio);
  EXPECT_EQ(file_kind_of("ref_audio"), FileKind::Audio);
  EXPECT_EQ(file_kind_of("video"), FileKind::Video);
  EXPECT_EQ(file_kind_of("source_file"), FileKind::Media);
}

TEST(FileInputs, DefaultsAreDeapisLimitsAndMediaTakesTheLarger) {
  const FileLimits limits;
  EXPECT_EQ(limits.of(FileKind::Image), 10u * 1024 * 1024);
  EXPECT_EQ(limits.of(FileKind::Audio), 80u * 1024 * 1024);
  EXPECT_EQ(limits.of(FileKind::Video), 80u * 1024 * 1024);
  const FileLimits uneven{1, 2, 3};
  EXPECT_EQ(uneven.of(FileKind::Media), 3u);
}

TEST(FileInputs, ImagesAreKnownByTheirMagicBytes) {
  for (std::string_view head : {std::string_view("\x89PNG\r\n\x1a\n", 8), std::string_view("\xFF\xD8\xFF\xE0"),
                                std::string_view("GIF89a"), std::string_view("BM")}) {
    EXPECT_EQ(file_content_problem("image", FileKind::Image, bytes(head)), std::nullopt) << head;
  }
  EXPECT_EQ(file_content_problem("image", FileKind::Image, "RIFF\x10\0\0\0WEBPVP8 "s + bytes("")), std::nullopt);
  EXPECT_EQ(file_content_problem("image", FileKind::Image, bytes("<html>")),
            "The image field must be an image (PNG, JPEG, WebP, GIF or BMP).");
  EXPECT_NE(file_content_problem("image", FileKind::Image, ""), std::nullopt) << "an empty file is no image";
}

TEST(FileInputs, AudioAndVideoContainersAreKnown) {
  const std::string wav = "RIFF\x24\0\0\0WAVEfmt "s + bytes("");
  const std::string mp4 = std::string("\0\0\0\x20", 4) + "ftypisom" + bytes("");
  const std::string webm = bytes("\x1A\x45\xDF\xA3");
  const std::string avi = "RIFF\x24\0\0\0AVI LIST"s + bytes("");
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, wav), std::nullopt);
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, bytes("ID3\x03")), std::nullopt);
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, bytes("\xFF\xFB\x90")), std::nullopt) << "bare MP3 frame";
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, bytes("fLaC")), std::nullopt);
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, bytes("OggS")), std::nullopt);
  EXPECT_EQ(file_content_problem("audio", FileKind::Audio, mp4), std::nullopt) << "M4A";
  EXPECT_EQ(file_content_problem("video", FileKind::Video, mp4), std::nullopt);
  EXPECT_EQ(file_content_problem("video", FileKind::Video, webm), std::nullopt);
  EXPECT_EQ(file_content_problem("video", FileKind::Video, avi), std::nullopt);
  EXPECT_EQ(file_content_problem("source_file", FileKind::Media, wav), std::nullopt);
  EXPECT_EQ(file_content_problem("source_file", FileKind::Media, mp4), std::nullopt);

  EXPECT_NE(file_content_problem("audio", FileKind::Audio, bytes("\xFF\xD8\xFF")), std::nullopt) << "a JPEG";
  EXPECT_NE(file_content_problem("video", FileKind::Video, wav), std::nullopt) << "a WAV is no video";
  EXPECT_EQ(file_content_problem("source_file", FileKind::Media, bytes("#EXTM3U\n")),
            "The source_file field must be an audio or video file.");
}

TEST(FileInputs, TooLargeMessageIsLaravels) {
  EXPECT_EQ(file_too_large_message("image", 10u * 1024 * 1024),
            "The image field must not be greater than 10240 kilobytes.");
}

TEST(FileInputs, ShippedCatalogLimitsEachTasksFiles) {
  const Catalog& c = fixtures::shipped_catalog();
  EXPECT_EQ(c.file_limit("image"), 10u * 1024 * 1024);
  EXPECT_EQ(c.files_limit(*c.find_task("img-upscale")), 10u * 1024 * 1024);
  EXPECT_EQ(c.files_limit(*c.find_task("img2img")), 40u * 1024 * 1024) << "image, or images[] of up to 3";
  EXPECT_EQ(c.files_limit(*c.find_task("transcribe")), 160u * 1024 * 1024) << "audio or video: both fields";
  EXPECT_EQ(c.files_limit(*c.find_task("txt2img")), 0u);
}

TEST(FileInputs, CatalogFileLimitsOverrideTheDefaults) {
  auto doc = boost::json::parse(R"({
    "tasks": [{"name":"img2img","output":"image","file_fields":["image"]}],
    "models": [],
    "file_limits": {"image": 2048}})");
  auto c = Catalog::parse(doc);
  ASSERT_TRUE(c) << c.error().message;
  EXPECT_EQ(c->file_limit("image"), 2048u);
  EXPECT_EQ(c->file_limit("audio"), 80u * 1024 * 1024);

  doc.as_object()["file_limits"] = boost::json::object{{"image", -1}};
  EXPECT_FALSE(Catalog::parse(doc));
  doc.as_object()["file_limits"] = boost::json::object{{"pictures", 1}};
  EXPECT_FALSE(Catalog::parse(doc)) << "an unknown kind is a typo";
}

}  // namespace
}  // namespace genq::catalog
