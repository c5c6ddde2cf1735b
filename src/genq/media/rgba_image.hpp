#pragma once
// A decoded image as the transcoder handles it: 8-bit RGBA whatever the source had, so
// every encoder reads one layout. A value; thread-compatible.
#include <cstdint>
#include <vector>

#include "genq/core/error.hpp"
#include "genq/media/image_transcode.hpp"

namespace genq::media {

struct RgbaImage {
  int width = 0;
  int height = 0;
  bool has_alpha = false;            // some pixel is not fully opaque
  std::vector<std::uint8_t> pixels;  // rows top to bottom, 4 bytes a pixel, no padding
};

// Invalid, with the size and the limit, unless 0 < width x height <= limits.max_pixels.
// Decoders call it on the header, before they allocate the pixels.
Status check_pixel_count(std::int64_t width, std::int64_t height, const TranscodeLimits& limits);
// Whether any pixel's alpha is below 255.
bool any_transparent(const std::vector<std::uint8_t>& rgba);
// 3 bytes a pixel, composited over white (an opaque image's colours unchanged): for
// JPEG, which has no alpha, and for opaque images, whose files then carry none.
std::vector<std::uint8_t> rgb_over_white(const RgbaImage& image);

}  // namespace genq::media
