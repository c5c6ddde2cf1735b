#include "genq/runner/backends/raster.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <algorithm>
#include <cmath>
#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <iterator>
#include <memory>

namespace genq::runner {
namespace {

enum class Format { Png, Jpeg, Unknown };

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

Format sniff(std::string_view head) {
  if (head.size() >= 8 && head.substr(0, 8) == std::string_view("\x89PNG\r\n\x1a\n", 8)) {
    return Format::Png;
  }
  if (head.size() >= 3 && head.substr(0, 3) == "\xFF\xD8\xFF") {
    return Format::Jpeg;
  }
  return Format::Unknown;
}

Error unsupported(const std::filesystem::path& file) {
  return Error::invalid("input " + file.filename().string() + " is neither a PNG nor a JPEG image");
}

Result<ImageSize> probe_jpeg(std::string_view bytes) {
  TjHandle tj(tjInitDecompress());
  int width = 0, height = 0, subsampling = 0, colorspace = 0;
  if (!tj || tjDecompressHeader3(tj.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                 bytes.size(), &width, &height, &subsampling, &colorspace) != 0) {
    return fail(Error::invalid("input JPEG header is unreadable"));
  }
  return ImageSize{width, height};
}

Result<Image> decode_jpeg(std::string_view bytes, std::int64_t max_pixels) {
  auto size = probe_jpeg(bytes);
  if (!size) {
    return fail(size.error());
  }
  if (static_cast<std::int64_t>(size->width) * size->height > max_pixels) {
    return fail(Error::invalid("input image is too large"));
  }
  TjHandle tj(tjInitDecompress());
  Image image(size->width, size->height, 3);
  if (!tj || tjDecompress2(tj.get(), reinterpret_cast<const unsigned char*>(bytes.data()), bytes.size(),
                           image.pixels.data(), image.width, 0, image.height, TJPF_RGB, 0) != 0) {
    return fail(Error::invalid(std::string("input JPEG does not decode: ") + tjGetErrorStr2(tj.get())));
  }
  return image;
}

// What the setjmp frame of decode_png_rows shares with libpng's callbacks: plain data
// only, since a longjmp skips destructors.
struct PngSource {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;
  char message[160] = {};
};

void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) {
    png_error(png, "the file ends early (truncated)");
  }
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof source->message, "%s", message);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

// Decodes into `rgba` (resized to width*height*4) with libpng's classic API under its
// own setjmp; the simplified API (png_image_*) aborts the process on some truncated
// files. Every object that changes after setjmp lives in the caller's frame, so a
// longjmp cannot leave it stale. Returns false with source.message set on any error.
bool decode_png_rows(PngSource& source, std::int64_t max_pixels, std::vector<std::uint8_t>& rgba,
                     std::vector<png_bytep>& rows, png_uint_32& width, png_uint_32& height) {
  png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &source, png_on_error, png_on_warning);
  if (png == nullptr) {
    std::snprintf(source.message, sizeof source.message, "out of memory");
    return false;
  }
  png_infop info = png_create_info_struct(png);
  if (info == nullptr || setjmp(png_jmpbuf(png))) {
    png_destroy_read_struct(&png, &info, nullptr);
    if (source.message[0] == 0) std::snprintf(source.message, sizeof source.message, "out of memory");
    return false;
  }
  png_set_read_fn(png, &source, png_read_from_memory);
  png_set_user_limits(png, 1u << 20, 1u << 20);
  png_read_info(png, info);
  width = png_get_image_width(png, info);
  height = png_get_image_height(png, info);
  if (static_cast<std::int64_t>(width) * height > max_pixels) {
    png_error(png, "the image is too large");
  }
  // Everything to 8-bit RGBA: palettes and low-bit gray expanded, 16 bits stripped.
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<png_size_t>(width) * 4) {
    png_error(png, "unexpected row layout");
  }
  rgba.resize(static_cast<std::size_t>(width) * height * 4);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; y++) rows[y] = rgba.data() + static_cast<std::size_t>(y) * width * 4;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

Result<Image> decode_png(std::string_view bytes, std::int64_t max_pixels) {
  PngSource source;
  source.data = reinterpret_cast<const unsigned char*>(bytes.data());
  source.size = bytes.size();
  std::vector<std::uint8_t> rgba;
  std::vector<png_bytep> rows;
  png_uint_32 width = 0, height = 0;
  if (!decode_png_rows(source, max_pixels, rgba, rows, width, height)) {
    return fail(Error::invalid(std::string("input PNG does not decode: ") + source.message));
  }
  // RGB over black, as the alpha is dropped.
  Image image(static_cast<int>(width), static_cast<int>(height), 3);
  for (std::size_t i = 0, n = static_cast<std::size_t>(width) * height; i < n; i++) {
    const unsigned alpha = rgba[i * 4 + 3];
    for (int c = 0; c < 3; c++) {
      image.pixels[i * 3 + c] = static_cast<std::uint8_t>((rgba[i * 4 + c] * alpha + 127) / 255);
    }
  }
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
  switch (sniff(*bytes)) {
    case Format::Png:
      return decode_png(*bytes, max_pixels);
    case Format::Jpeg:
      return decode_jpeg(*bytes, max_pixels);
    case Format::Unknown:
      break;
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
