#include "genq/media/png_codec.hpp"

#include <png.h>

#include <csetjmp>
#include <cstdio>
#include <cstring>
#include <vector>

namespace genq::media {
namespace {

// What the setjmp frame shares with libpng's callbacks: plain data only, since a
// longjmp skips destructors.
struct PngSource {
  const unsigned char* data = nullptr;
  std::size_t size = 0;
  std::size_t offset = 0;
  std::int64_t max_pixels = 0;
  char message[160] = {};
};

void png_read_from_memory(png_structp png, png_bytep out, png_size_t length) {
  auto* source = static_cast<PngSource*>(png_get_io_ptr(png));
  if (length > source->size - source->offset) png_error(png, "the file ends early (truncated)");
  std::memcpy(out, source->data + source->offset, length);
  source->offset += length;
}

void png_on_error(png_structp png, png_const_charp message) {
  auto* source = static_cast<PngSource*>(png_get_error_ptr(png));
  std::snprintf(source->message, sizeof source->message, "%s", message);
  png_longjmp(png, 1);
}

void png_on_warning(png_structp, png_const_charp) {}

// Every object that changes after setjmp lives in the caller's frame, so a longjmp
// cannot leave it stale. False with source.message set on any error.
bool decode_png_rows(PngSource& source, std::vector<std::uint8_t>& rgba, std::vector<png_bytep>& rows,
                     png_uint_32& width, png_uint_32& height) {
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
  if (static_cast<std::int64_t>(width) * height > source.max_pixels) png_error(png, "too many pixels");
  // Everything to 8-bit RGBA: palettes and low-bit gray expanded, 16 bits stripped.
  png_set_expand(png);
  png_set_strip_16(png);
  png_set_gray_to_rgb(png);
  png_set_add_alpha(png, 0xff, PNG_FILLER_AFTER);
  png_set_interlace_handling(png);
  png_read_update_info(png, info);
  if (png_get_rowbytes(png, info) != static_cast<png_size_t>(width) * 4) png_error(png, "unexpected row layout");
  rgba.resize(static_cast<std::size_t>(width) * height * 4);
  rows.resize(height);
  for (png_uint_32 y = 0; y < height; y++) rows[y] = rgba.data() + static_cast<std::size_t>(y) * width * 4;
  png_read_image(png, rows.data());
  png_read_end(png, nullptr);
  png_destroy_read_struct(&png, &info, nullptr);
  return true;
}

}  // namespace

Result<RgbaImage> decode_png(std::string_view bytes, const TranscodeLimits& limits) {
  PngSource source;
  source.data = reinterpret_cast<const unsigned char*>(bytes.data());
  source.size = bytes.size();
  source.max_pixels = limits.max_pixels;
  RgbaImage image;
  std::vector<png_bytep> rows;
  png_uint_32 width = 0, height = 0;
  if (!decode_png_rows(source, image.pixels, rows, width, height)) {
    if (std::strcmp(source.message, "too many pixels") == 0) {
      if (auto size = check_pixel_count(width, height, limits); !size) return fail(size.error());
    }
    return fail(Error::invalid(std::string("The PNG image does not decode: ") + source.message + "."));
  }
  image.width = static_cast<int>(width);
  image.height = static_cast<int>(height);
  image.has_alpha = any_transparent(image.pixels);
  return image;
}

Result<std::string> encode_png(const RgbaImage& image) {
  std::vector<std::uint8_t> rgb;
  if (!image.has_alpha) rgb = rgb_over_white(image);
  png_image png{};
  png.version = PNG_IMAGE_VERSION;
  png.width = static_cast<png_uint_32>(image.width);
  png.height = static_cast<png_uint_32>(image.height);
  png.format = image.has_alpha ? PNG_FORMAT_RGBA : PNG_FORMAT_RGB;
  const void* pixels = image.has_alpha ? static_cast<const void*>(image.pixels.data()) : rgb.data();
  // The first call measures, the second writes; the simplified API is safe for writing
  // (only its reader aborts on damaged input).
  png_alloc_size_t size = 0;
  std::string out;
  if (png_image_write_get_memory_size(png, size, 0, pixels, 0, nullptr) != 0) {
    out.resize(size);
    if (png_image_write_to_memory(&png, out.data(), &size, 0, pixels, 0, nullptr) != 0) {
      out.resize(size);
      return out;
    }
  }
  std::string message = png.message;
  png_image_free(&png);
  return fail(Error::internal("PNG encoding failed: " + message));
}

}  // namespace genq::media
