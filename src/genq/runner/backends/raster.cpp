#include "genq/runner/backends/raster.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <fstream>
#include <memory>

#include "genq/media/image_transcode.hpp"
#include "genq/media/jpeg_codec.hpp"
#include "genq/media/png_codec.hpp"
#include "genq/media/rgba_image.hpp"

namespace genq::runner {
namespace {

struct TjCloser {
  void operator()(void* handle) const { tjDestroy(handle); }
};
using TjHandle = std::unique_ptr<void, TjCloser>;

Result<std::string> read_bytes(const std::filesystem::path& file, std::size_t limit) {
  std::ifstream in(file, std::ios::binary);
  if (!in) {
    return fail(Error::invalid("cannot open input " + file.filename().string()));
  }
  std::string bytes;
  bytes.resize(limit);
  in.read(bytes.data(), static_cast<std::streamsize>(limit));
  bytes.resize(static_cast<std::size_t>(in.gcount()));
  return bytes;
}

Error unsupported(const std::filesystem::path& file) {
  return Error::invalid("input " + file.filename().string() + " is neither a PNG nor a JPEG image");
}

// Inputs go through the decoders the server converts results with (media/): one
// guarded libpng and libturbojpeg path, refusing truncated files of either kind. A
// transparent pixel is composited over white, as a browser shows it.
Result<Image> as_rgb(Result<media::RgbaImage> decoded, std::string_view format) {
  if (!decoded) {
    return fail(Error::invalid("input " + std::string(format) + " does not decode: " + decoded.error().message));
  }
  Image image;
  image.width = decoded->width;
  image.height = decoded->height;
  image.channels = 3;
  image.pixels = media::rgb_over_white(*decoded);
  return image;
}

std::uint8_t lerp(std::uint8_t a, std::uint8_t b, double t) {
  return static_cast<std::uint8_t>(std::lround(a + (b - a) * t));
}

}  // namespace

Result<Image> read_image(const std::filesystem::path& file, std::int64_t max_pixels) {
  std::error_code ec;
  const auto size = std::filesystem::file_size(file, ec);
  auto bytes = read_bytes(file, ec ? 0 : size);
  if (!bytes) {
    return fail(bytes.error());
  }
  // A WebP input is refused like any other format: worker inputs are PNG or JPEG.
  const std::optional<media::ImageFormat> format = media::sniff_image(*bytes);
  if (format == media::ImageFormat::Png) {
    return as_rgb(media::decode_png(*bytes, media::TranscodeLimits{max_pixels}), "PNG");
  }
  if (format == media::ImageFormat::Jpeg) {
    return as_rgb(media::decode_jpeg(*bytes, media::TranscodeLimits{max_pixels}), "JPEG");
  }
  return fail(unsupported(file));
}

Status write_png(const Image& image, const std::filesystem::path& file) {
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.channels == 4 ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  if (png_image_write_to_file(&png, file.c_str(), 0, image.pixels.data(), 0, nullptr) == 0) {
    std::string message = png.message;
    png_image_free(&png);
    return fail(Error::internal("writing " + file.filename().string() + ": " + message));
  }
  return {};
}

Result<std::string> encode_jpeg(const Image& image, int quality) {
  auto handle = TjHandle(tjInitCompress());
  if (!handle) {
    return fail(Error::internal("tjInitCompress failed"));
  }
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const int format = image.channels == 4 ? TJPF_RGBX : TJPF_RGB;
  if (tjCompress2(handle.get(), image.pixels.data(), image.width, 0, image.height, format, &jpeg, &size,
                  TJSAMP_420, quality, TJFLAG_FASTDCT) != 0) {
    tjFree(jpeg);
    return fail(Error::internal(std::string("JPEG encoding failed: ") + tjGetErrorStr2(handle.get())));
  }
  std::string out(reinterpret_cast<const char*>(jpeg), size);
  tjFree(jpeg);
  return out;
}

Image resize(const Image& image, int width, int height) {
  Image out(width, height, image.channels);
  if (image.width == 0 || image.height == 0) {
    return out;
  }
  const double sx = static_cast<double>(image.width) / width;
  const double sy = static_cast<double>(image.height) / height;
  for (int y = 0; y < height; y++) {
    const double fy = std::clamp((y + 0.5) * sy - 0.5, 0.0, image.height - 1.0);
    const int y0 = static_cast<int>(fy);
    const int y1 = std::min(y0 + 1, image.height - 1);
    const double ty = fy - y0;
    for (int x = 0; x < width; x++) {
      const double fx = std::clamp((x + 0.5) * sx - 0.5, 0.0, image.width - 1.0);
      const int x0 = static_cast<int>(fx);
      const int x1 = std::min(x0 + 1, image.width - 1);
      const double tx = fx - x0;
      std::uint8_t* dst = out.at(x, y);
      for (int c = 0; c < image.channels; c++) {
        const std::uint8_t top = lerp(image.at(x0, y0)[c], image.at(x1, y0)[c], tx);
        const std::uint8_t bottom = lerp(image.at(x0, y1)[c], image.at(x1, y1)[c], tx);
        dst[c] = lerp(top, bottom, ty);
      }
    }
  }
  return out;
}

Image fit_within(const Image& image, int max_side) {
  const int long_side = std::max(image.width, image.height);
  if (long_side <= max_side) {
    return image;
  }
  const double scale = static_cast<double>(max_side) / long_side;
  const int width = std::max(1, static_cast<int>(std::lround(image.width * scale)));
  const int height = std::max(1, static_cast<int>(std::lround(image.height * scale)));
  return resize(image, width, height);
}

}  // namespace genq::runner
