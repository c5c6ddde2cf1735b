#include "support/media.hpp"

#include <png.h>
#include <turbojpeg.h>

#include <array>
#include <chrono>
#include <cmath>
#include <cstring>
#include <stdexcept>
#include <vector>

#include "support/child_process.hpp"

namespace genq::testing {
namespace {

void append_png_bytes(png_structp png, png_bytep data, png_size_t length) {
  auto* out = static_cast<std::string*>(png_get_io_ptr(png));
  out->append(reinterpret_cast<const char*>(data), length);
}

void flush_nothing(png_structp /*png*/) {}

void put_le(std::string& out, std::uint32_t value, int bytes) {
  for (int i = 0; i < bytes; ++i) {
    out.push_back(static_cast<char>((value >> (8 * i)) & 0xFF));
  }
}

std::uint32_t read_be32(std::string_view bytes, std::size_t at) {
  return (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at])) << 24) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 1])) << 16) |
         (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 2])) << 8) |
         static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[at + 3]));
}

constexpr std::string_view kBase64Alphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

}  // namespace

namespace {

// An RGB PNG whose rows `fill_row(y, row)` writes (width*3 bytes each).
template <typename FillRow>
std::string encode_png(std::uint32_t width, std::uint32_t height, FillRow fill_row) {
  png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, nullptr, nullptr, nullptr);
  png_infop info = png != nullptr ? png_create_info_struct(png) : nullptr;
  if (png == nullptr || info == nullptr) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("libpng: cannot create write struct");
  }
  std::string out;
  std::vector<png_byte> row(static_cast<std::size_t>(width) * 3);
  // libpng reports errors by longjmp; nothing here owns resources that need unwinding
  // beyond what png_destroy_write_struct frees.
  if (setjmp(png_jmpbuf(png))) {
    png_destroy_write_struct(&png, &info);
    throw std::runtime_error("libpng: encoding failed");
  }
  png_set_write_fn(png, &out, append_png_bytes, flush_nothing);
  png_set_IHDR(png, info, width, height, 8, PNG_COLOR_TYPE_RGB, PNG_INTERLACE_NONE,
               PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
  png_write_info(png, info);
  for (std::uint32_t y = 0; y < height; ++y) {
    fill_row(y, row.data());
    png_write_row(png, row.data());
  }
  png_write_end(png, nullptr);
  png_destroy_write_struct(&png, &info);
  return out;
}

}  // namespace

std::string make_png(std::uint32_t width, std::uint32_t height) {
  return encode_png(width, height, [&](std::uint32_t y, png_byte* row) {
    for (std::uint32_t x = 0; x < width; ++x) {
      row[x * 3] = static_cast<png_byte>(x * 255 / (width > 1 ? width - 1 : 1));
      row[x * 3 + 1] = static_cast<png_byte>(y * 255 / (height > 1 ? height - 1 : 1));
      row[x * 3 + 2] = 128;
    }
  });
}

std::string make_noise_png(std::uint32_t width, std::uint32_t height, std::uint64_t seed) {
  std::uint64_t state = seed | 1;
  return encode_png(width, height, [&](std::uint32_t, png_byte* row) {
    for (std::uint32_t i = 0; i < width * 3; ++i) {
      state ^= state << 13;  // xorshift64: fast, and no codec finds a pattern in it
      state ^= state >> 7;
      state ^= state << 17;
      row[i] = static_cast<png_byte>(state >> 32);
    }
  });
}

std::string make_jpeg(int width, int height) {
  tjhandle handle = tjInitCompress();
  if (handle == nullptr) {
    throw std::runtime_error("turbojpeg: cannot init");
  }
  // Noise, so the size grows with the area (tests of preview limits need big ones).
  std::vector<unsigned char> pixels(static_cast<std::size_t>(width * height * 3));
  std::uint32_t state = 12345;
  for (auto& pixel : pixels) {
    state = state * 1664525u + 1013904223u;
    pixel = static_cast<unsigned char>(state >> 24);
  }
  unsigned char* jpeg = nullptr;
  unsigned long size = 0;
  const int rc = tjCompress2(handle, pixels.data(), width, 0, height, TJPF_RGB, &jpeg, &size,
                             TJSAMP_420, 80, 0);
  std::string out;
  if (rc == 0) {
    out.assign(reinterpret_cast<const char*>(jpeg), size);
  }
  tjFree(jpeg);
  tjDestroy(handle);
  if (rc != 0) {
    throw std::runtime_error("turbojpeg: compress failed");
  }
  return out;
}

std::string make_wav(double seconds, std::uint32_t sample_rate) {
  const auto samples = static_cast<std::uint32_t>(seconds * sample_rate);
  const std::uint32_t data_bytes = samples * 2;
  std::string out = "RIFF";
  put_le(out, 36 + data_bytes, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);               // fmt chunk size
  put_le(out, 1, 2);                // PCM
  put_le(out, 1, 2);                // mono
  put_le(out, sample_rate, 4);
  put_le(out, sample_rate * 2, 4);  // byte rate
  put_le(out, 2, 2);                // block align
  put_le(out, 16, 2);               // bits per sample
  out += "data";
  put_le(out, data_bytes, 4);
  for (std::uint32_t i = 0; i < samples; ++i) {
    const double t = static_cast<double>(i) / sample_rate;
    const auto sample = static_cast<std::int16_t>(8000.0 * std::sin(2.0 * M_PI * 440.0 * t));
    put_le(out, static_cast<std::uint16_t>(sample), 2);
  }
  return out;
}

void write_mp4(const std::filesystem::path& path) {
  const auto result = run_command(
      {"/usr/bin/ffmpeg", "-hide_banner", "-loglevel", "error", "-y", "-f", "lavfi", "-i",
       "testsrc=size=64x64:rate=8", "-t", "1", "-pix_fmt", "yuv420p", path.string()},
      std::chrono::seconds(30));
  if (result.exit_code != 0) {
    throw std::runtime_error("ffmpeg failed: " + result.err);
  }
}

std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size(std::string_view bytes) {
  // 8-byte signature, then the IHDR chunk: length(4) "IHDR"(4) width(4) height(4).
  static constexpr std::string_view kSignature("\x89PNG\r\n\x1a\n", 8);
  if (bytes.size() < 24 || bytes.substr(0, 8) != kSignature || bytes.substr(12, 4) != "IHDR") {
    return std::nullopt;
  }
  return std::pair{read_be32(bytes, 16), read_be32(bytes, 20)};
}

bool is_jpeg(std::string_view bytes) {
  return bytes.size() > 3 && static_cast<unsigned char>(bytes[0]) == 0xFF &&
         static_cast<unsigned char>(bytes[1]) == 0xD8 &&
         static_cast<unsigned char>(bytes[2]) == 0xFF;
}

bool is_wav(std::string_view bytes) {
  return bytes.size() >= 12 && bytes.substr(0, 4) == "RIFF" && bytes.substr(8, 4) == "WAVE";
}

bool has_ftyp_box(std::string_view bytes) {
  return bytes.size() >= 12 && bytes.substr(4, 4) == "ftyp";
}

std::string base64_encode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  std::size_t i = 0;
  for (; i + 2 < bytes.size(); i += 3) {
    const auto n = (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16) |
                   (static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8) |
                   static_cast<unsigned char>(bytes[i + 2]);
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += kBase64Alphabet[(n >> 6) & 63];
    out += kBase64Alphabet[n & 63];
  }
  if (i < bytes.size()) {
    std::uint32_t n = static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i])) << 16;
    if (i + 1 < bytes.size()) {
      n |= static_cast<std::uint32_t>(static_cast<unsigned char>(bytes[i + 1])) << 8;
    }
    out += kBase64Alphabet[(n >> 18) & 63];
    out += kBase64Alphabet[(n >> 12) & 63];
    out += i + 1 < bytes.size() ? kBase64Alphabet[(n >> 6) & 63] : '=';
    out += '=';
  }
  return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
  std::string out;
  std::uint32_t buffer = 0;
  int bits = 0;
  for (const char c : text) {
    if (c == '=') {
      break;
    }
    const auto index = kBase64Alphabet.find(c);
    if (index == std::string_view::npos) {
      return std::nullopt;
    }
    buffer = (buffer << 6) | static_cast<std::uint32_t>(index);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<char>((buffer >> bits) & 0xFF));
    }
  }
  return out;
}

}  // namespace genq::testing
