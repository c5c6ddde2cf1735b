#pragma once
// An 8-bit RGB or RGBA image in memory and the codecs the synthetic backend needs:
// PNG in and out (libpng), JPEG in and out (libturbojpeg), bilinear resizing. Values
// and pure functions; thread-safe.
#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "genq/core/error.hpp"

namespace genq::runner {

struct Image {
  int width = 0;
  int height = 0;
  int channels = 3;  // 3 = RGB, 4 = RGBA
  std::vector<std::uint8_t> pixels;  // rows top to bottom, no padding

  Image() = default;
  Image(int w, int h, int c) : width(w), height(h), channels(c), pixels(static_cast<std::size_t>(w) * h * c) {}
  std::uint8_t* at(int x, int y) { return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels; }
  const std::uint8_t* at(int x, int y) const {
    return pixels.data() + (static_cast<std::size_t>(y) * width + x) * channels;
  }
};

struct ImageSize {
  int width = 0;
  int height = 0;
};

// Decodes a PNG or JPEG file to RGB (transparency over white) with media/'s decoders.
// Invalid, with the decoder's reason, for other formats, truncated or corrupt files,
// or past `max_pixels`; never aborts.
Result<Image> read_image(const std::filesystem::path& file, std::int64_t max_pixels);

Status write_png(const Image& image, const std::filesystem::path& file);
// Baseline JPEG of an RGB image (RGBA: the alpha is ignored), 4:2:0.
Result<std::string> encode_jpeg(const Image& image, int quality);

// Bilinear resize to exactly width x height, keeping the channel count.
Image resize(const Image& image, int width, int height);
// The same image scaled down so its long side is at most `max_side` (never up).
Image fit_within(const Image& image, int max_side);

}  // namespace genq::runner
