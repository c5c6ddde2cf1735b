#include "genq/media/webp_codec.hpp"

#include <webp/decode.h>
#include <webp/encode.h>

#include <vector>

namespace genq::media {

Result<RgbaImage> decode_webp(std::string_view bytes, const TranscodeLimits& limits) {
  const auto* data = reinterpret_cast<const std::uint8_t*>(bytes.data());
  WebPBitstreamFeatures features;
  if (WebPGetFeatures(data, bytes.size(), &features) != VP8_STATUS_OK) {
    return fail(Error::invalid("The WebP image does not decode: its header is unreadable."));
  }
  if (features.has_animation) return fail(Error::invalid("Animated WebP images are not converted."));
  if (auto size = check_pixel_count(features.width, features.height, limits); !size) return fail(size.error());
  RgbaImage image;
  image.width = features.width;
  image.height = features.height;
  image.pixels.resize(static_cast<std::size_t>(image.width) * image.height * 4);
  if (WebPDecodeRGBAInto(data, bytes.size(), image.pixels.data(), image.pixels.size(), image.width * 4) == nullptr) {
    return fail(Error::invalid("The WebP image does not decode: its data is damaged or cut short."));
  }
  image.has_alpha = features.has_alpha && any_transparent(image.pixels);
  return image;
}

Result<std::string> encode_webp(const RgbaImage& image, int quality) {
  if (image.width > WEBP_MAX_DIMENSION || image.height > WEBP_MAX_DIMENSION) {
    return fail(Error::invalid("The image is too large for WebP: a side is over " +
                               std::to_string(WEBP_MAX_DIMENSION) + " pixels."));
  }
  std::uint8_t* webp = nullptr;
  std::size_t size = 0;
  if (image.has_alpha) {
    size = WebPEncodeRGBA(image.pixels.data(), image.width, image.height, image.width * 4,
                          static_cast<float>(quality), &webp);
  } else {
    // Without the alpha plane: an opaque image's WebP then has no ALPH chunk.
    const std::vector<std::uint8_t> rgb = rgb_over_white(image);
    size = WebPEncodeRGB(rgb.data(), image.width, image.height, image.width * 3, static_cast<float>(quality), &webp);
  }
  if (size == 0) {
    WebPFree(webp);
    return fail(Error::internal("WebP encoding failed"));
  }
  std::string out(reinterpret_cast<const char*>(webp), size);
  WebPFree(webp);
  return out;
}

}  // namespace genq::media
