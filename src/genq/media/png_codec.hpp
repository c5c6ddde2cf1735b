#pragma once
// PNG in and out with libpng. Pure functions; thread-safe.
#include <string>
#include <string_view>

#include "genq/media/rgba_image.hpp"

namespace genq::media {

// Through libpng's classic API under setjmp: the simplified one (png_image_*) aborts
// the process on some truncated files. Invalid, with libpng's reason, for a damaged or
// truncated file or one over limits.max_pixels (checked before pixels are allocated).
Result<RgbaImage> decode_png(std::string_view bytes, const TranscodeLimits& limits);
// RGBA when some pixel is transparent, else RGB; zlib's default compression.
Result<std::string> encode_png(const RgbaImage& image);

}  // namespace genq::media
