#include "genq/media/rgba_image.hpp"

#include <string>

namespace genq::media {

Status check_pixel_count(std::int64_t width, std::int64_t height, const TranscodeLimits& limits) {
  if (width <= 0 || height <= 0) return fail(Error::invalid("The image has no pixels."));
  if (width * height > limits.max_pixels) {
    return fail(Error::invalid("The image is too large to convert: " + std::to_string(width) + "x" +
                               std::to_string(height) + " pixels, over the limit of " +
                               std::to_string(limits.max_pixels) + "."));
  }
  return {};
}

bool any_transparent(const std::vector<std::uint8_t>& rgba) {
  for (std::size_t i = 3; i < rgba.size(); i += 4) {
    if (rgba[i] != 0xff) return true;
  }
  return false;
}

std::vector<std::uint8_t> rgb_over_white(const RgbaImage& image) {
  std::vector<std::uint8_t> rgb(static_cast<std::size_t>(image.width) * image.height * 3);
  for (std::size_t i = 0, n = rgb.size() / 3; i < n; i++) {
    const unsigned alpha = image.pixels[i * 4 + 3];
    for (int c = 0; c < 3; c++) {
      rgb[i * 3 + c] = static_cast<std::uint8_t>((image.pixels[i * 4 + c] * alpha + 255 * (255 - alpha) + 127) / 255);
    }
  }
  return rgb;
}

}  // namespace genq::media
