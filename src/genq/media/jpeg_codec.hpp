#pragma once
// JPEG in and out with libturbojpeg. Pure functions; thread-safe.
#include <string>
#include <string_view>

#include "genq/media/rgba_image.hpp"

namespace genq::media {

// Invalid for a damaged or truncated file or one over limits.max_pixels (checked from
// the header, before pixels are allocated).
Result<RgbaImage> decode_jpeg(std::string_view bytes, const TranscodeLimits& limits);
// Baseline 4:2:0 at `quality` (1-100); transparent parts become white, as a browser
// shows them.
Result<std::string> encode_jpeg(const RgbaImage& image, int quality);

}  // namespace genq::media
