// The transcoder behind results_alt_formats: every pair of formats converts with the
// size and colours kept, alpha where the format has it; damaged, truncated and
// oversized images are Invalid errors, never a crash.
#include "genq/media/image_transcode.hpp"

#include <gtest/gtest.h>

#include <cstdlib>

#include "genq/media/png_codec.hpp"
#include "genq/media/rgba_image.hpp"
#include "genq/media/webp_codec.hpp"
#include "support/media.hpp"

namespace genq::media {
namespace {

// The pixels of any of the three formats, through the transcoder's own decoders.
RgbaImage decoded(const std::string& bytes) {
  auto png = transcode_image(bytes, ImageFormat::Png, TranscodeLimits{});
  EXPECT_TRUE(png) << png.error().message;
  auto image = decode_png(png.value_or(std::string()), TranscodeLimits{});
  EXPECT_TRUE(image) << image.error().message;
  return image.value_or(RgbaImage{});
}

// The largest difference of any channel between two images of one size.
int largest_channel_difference(const RgbaImage& a, const RgbaImage& b) {
  int largest = 0;
  for (std::size_t i = 0; i < a.pixels.size() && i < b.pixels.size(); i++) {
    largest = std::max(largest, std::abs(int(a.pixels[i]) - int(b.pixels[i])));
  }
  return largest;
}

RgbaImage half_transparent_square(int side) {
  RgbaImage image;
  image.width = image.height = side;
  image.pixels.assign(static_cast<std::size_t>(side) * side * 4, 0);
  for (int y = 0; y < side; y++) {
    for (int x = 0; x < side; x++) {
      std::uint8_t* p = &image.pixels[(static_cast<std::size_t>(y) * side + x) * 4];
      p[0] = 200;
      p[1] = 40;
      p[2] = 40;
      p[3] = x < side / 2 ? 0 : 255;  // the left half fully transparent
    }
  }
  image.has_alpha = true;
  return image;
}

TEST(ImageTranscode, EveryFormatConvertsToEveryOtherKeepingItsSize) {
  const std::string sources[] = {genq::testing::make_png(97, 61), genq::testing::make_jpeg(97, 61),
                                 *transcode_image(genq::testing::make_png(97, 61), ImageFormat::Webp, {})};
  for (const std::string& source : sources) {
    for (ImageFormat target : kImageFormats) {
      auto out = transcode_image(source, target, TranscodeLimits{});
      ASSERT_TRUE(out) << extension_of(target) << ": " << out.error().message;
      EXPECT_EQ(sniff_image(*out), target) << extension_of(target);
      const RgbaImage image = decoded(*out);
      EXPECT_EQ(image.width, 97);
      EXPECT_EQ(image.height, 61);
    }
  }
}

TEST(ImageTranscode, APngsColoursSurviveJpegAndWebpAtQuality90) {
  const std::string png = genq::testing::make_png(128, 96);  // a smooth gradient
  const RgbaImage original = decoded(png);
  for (ImageFormat lossy : {ImageFormat::Jpeg, ImageFormat::Webp}) {
    auto out = transcode_image(png, lossy, TranscodeLimits{});
    ASSERT_TRUE(out) << out.error().message;
    // A gradient at quality 90 stays within a few levels; a broken channel order or
    // stride would be off by a hundred.
    EXPECT_LE(largest_channel_difference(original, decoded(*out)), 24) << extension_of(lossy);
  }
}

TEST(ImageTranscode, AlphaIsKeptInWebpAndBecomesWhiteInJpeg) {
  auto png = encode_png(half_transparent_square(64));
  ASSERT_TRUE(png) << png.error().message;

  auto webp = transcode_image(*png, ImageFormat::Webp, TranscodeLimits{});
  ASSERT_TRUE(webp) << webp.error().message;
  const RgbaImage from_webp = decoded(*webp);
  EXPECT_EQ(from_webp.pixels[3], 0) << "the transparent half stays transparent";
  EXPECT_EQ(from_webp.pixels[(32 * 64 + 60) * 4 + 3], 255);

  auto jpeg = transcode_image(*png, ImageFormat::Jpeg, TranscodeLimits{});
  ASSERT_TRUE(jpeg) << jpeg.error().message;
  const RgbaImage from_jpeg = decoded(*jpeg);
  const std::uint8_t* corner = &from_jpeg.pixels[(32 * 64 + 2) * 4];
  EXPECT_GE(corner[0], 240);
  EXPECT_GE(corner[1], 240);
  EXPECT_GE(corner[2], 240);
}

TEST(ImageTranscode, TruncatedImagesAreInvalidInEveryFormat) {
  const std::string png = genq::testing::make_noise_png(200, 150);
  const std::string sources[] = {png, genq::testing::make_jpeg(200, 150),
                                 *transcode_image(png, ImageFormat::Webp, TranscodeLimits{})};
  for (const std::string& source : sources) {
    for (std::size_t keep : {source.size() / 2, source.size() - 20, std::size_t{40}, std::size_t{13}}) {
      auto out = transcode_image(source.substr(0, keep), ImageFormat::Png, TranscodeLimits{});
      ASSERT_FALSE(out) << "kept " << keep << " of " << source.size();
      EXPECT_EQ(out.error().kind, ErrorKind::Invalid) << out.error().message;
    }
  }
}

TEST(ImageTranscode, GarbageIsInvalidWithAReason) {
  auto text = transcode_image("just some text, not an image", ImageFormat::Webp, TranscodeLimits{});
  ASSERT_FALSE(text);
  EXPECT_EQ(text.error().kind, ErrorKind::Invalid);
  EXPECT_EQ(text.error().message, "The result is not a PNG, JPEG or WebP image.");

  const std::string fake_png = std::string("\x89PNG\r\n\x1a\n", 8) + std::string(4000, '\x5a');
  auto png = transcode_image(fake_png, ImageFormat::Jpeg, TranscodeLimits{});
  ASSERT_FALSE(png);
  EXPECT_EQ(png.error().kind, ErrorKind::Invalid);
  EXPECT_NE(png.error().message.find("PNG image does not decode"), std::string::npos) << png.error().message;

  auto riff = transcode_image(std::string("RIFF\x10\0\0\0WEBPVP8 ", 16) + std::string(200, '\x01'), ImageFormat::Png,
                              TranscodeLimits{});
  ASSERT_FALSE(riff);
  EXPECT_EQ(riff.error().kind, ErrorKind::Invalid);
}

TEST(ImageTranscode, ImagesOverThePixelLimitAreRefusedBeforeDecoding) {
  TranscodeLimits small;
  small.max_pixels = 97 * 61 - 1;
  const std::string png = genq::testing::make_png(97, 61);
  const std::string sources[] = {png, genq::testing::make_jpeg(97, 61), *transcode_image(png, ImageFormat::Webp, {})};
  for (const std::string& source : sources) {
    auto out = transcode_image(source, ImageFormat::Png, small);
    ASSERT_FALSE(out);
    EXPECT_EQ(out.error().kind, ErrorKind::Invalid);
    EXPECT_EQ(out.error().message, "The image is too large to convert: 97x61 pixels, over the limit of 5916.");
  }
  small.max_pixels = 97 * 61;
  EXPECT_TRUE(transcode_image(png, ImageFormat::Webp, small)) << "the limit itself is allowed";
}

TEST(ImageTranscode, WebpRefusesASideOverItsFormatsLimit) {
  RgbaImage wide;
  wide.width = 16384;
  wide.height = 1;
  wide.pixels.assign(16384 * 4, 255);
  auto out = encode_webp(wide, 90);
  ASSERT_FALSE(out);
  EXPECT_EQ(out.error().kind, ErrorKind::Invalid);
}

TEST(ImageTranscode, FormatsAreKnownByContentTypeExtensionAndMagicBytes) {
  EXPECT_EQ(format_of_content_type("image/png"), ImageFormat::Png);
  EXPECT_EQ(format_of_content_type("image/jpeg; charset=binary"), ImageFormat::Jpeg);
  EXPECT_EQ(format_of_content_type("image/webp"), ImageFormat::Webp);
  EXPECT_EQ(format_of_content_type("image/gif"), std::nullopt);
  EXPECT_EQ(format_of_content_type("text/plain"), std::nullopt);
  EXPECT_EQ(format_of_extension("jpeg"), ImageFormat::Jpeg);
  EXPECT_EQ(format_of_extension("txt"), std::nullopt);
  EXPECT_EQ(sniff_image(genq::testing::make_png(4, 4)), ImageFormat::Png);
  EXPECT_EQ(sniff_image(genq::testing::make_jpeg(8, 8)), ImageFormat::Jpeg);
  EXPECT_EQ(sniff_image("GIF89a"), std::nullopt);
  EXPECT_EQ(extension_of(ImageFormat::Jpeg), "jpg");
}

}  // namespace
}  // namespace genq::media
