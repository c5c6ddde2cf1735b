#pragma once
// Converts an image result to another format (deAPI's results_alt_formats): PNG, JPEG
// and WebP in, any other of the three out. Decoding goes through libpng's classic API
// under setjmp, libturbojpeg and libwebp, each told the input's length, so a truncated
// or corrupt file is an Invalid error, never a crash. Pure functions; thread-safe.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::media {

enum class ImageFormat { Png, Jpeg, Webp };

// Every format, in the order results_alt_formats lists them.
inline constexpr ImageFormat kImageFormats[] = {ImageFormat::Jpeg, ImageFormat::Png, ImageFormat::Webp};

// "png", "jpg", "webp": file extensions and results_alt_formats' keys.
std::string_view extension_of(ImageFormat format);
// The format an extension names ("jpeg" too); nullopt for others.
std::optional<ImageFormat> format_of_extension(std::string_view extension);
// The format a content type names ("image/png; charset=..." too); nullopt for others.
std::optional<ImageFormat> format_of_content_type(std::string_view content_type);
// The format the file's magic bytes say; nullopt for anything else.
std::optional<ImageFormat> sniff_image(std::string_view bytes);

struct TranscodeLimits {
  // An RGBA buffer of 100 MP is 400 MB: far above any generated image (a 4K frame is
  // 8.3 MP), low enough that a conversion cannot take the server's memory.
  std::int64_t max_pixels = 100'000'000;
  // Quality 90 keeps a generated image visually unchanged at about a third of q100's size.
  int jpeg_quality = 90;
  int webp_quality = 90;
};

// The image in `source` (any of the three formats, found by its magic bytes) encoded
// as `target`. Alpha is kept for PNG and WebP; JPEG has none, so it is composited
// over white. WebP is always lossy: it is offered as the small download. On a
// photo-like 1600x1200 PNG of 5.4 MB, lossless WebP took 3.2 s for 4.8 MB, lossy
// quality 90 0.47 s for 1.2 MB (one core of a shared 2-core machine).
// Invalid when the source is not one of the three, does not decode, has more than
// max_pixels pixels, or (WebP) a side over 16383, the format's limit.
Result<std::string> transcode_image(std::string_view source, ImageFormat target, const TranscodeLimits& limits);

}  // namespace genq::media
