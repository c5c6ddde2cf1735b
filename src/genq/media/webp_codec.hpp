#pragma once
// WebP in and out with libwebp. Pure functions; thread-safe.
#include <string>
#include <string_view>

#include "genq/media/rgba_image.hpp"

namespace genq::media {

// Still images only. Invalid for a damaged or truncated file, an animation, or one
// over limits.max_pixels (checked from the header, before pixels are allocated).
Result<RgbaImage> decode_webp(std::string_view bytes, const TranscodeLimits& limits);
// Lossy at `quality` (0-100), with an alpha plane only when some pixel needs one.
// Invalid past WebP's 16383-pixel side.
Result<std::string> encode_webp(const RgbaImage& image, int quality);

}  // namespace genq::media
