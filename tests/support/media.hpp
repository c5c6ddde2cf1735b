#pragma once
// Small media files for job inputs, and checks that results are what they claim to
// be. Inputs are tiny (64×64 images, a second of audio or video) so tests stay fast.
#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace genq::testing {

// An RGB PNG of width×height with a gradient, encoded with libpng.
std::string make_png(std::uint32_t width, std::uint32_t height);
// An RGB PNG of seeded noise: no compression shrinks it, so it is about 3 bytes per
// pixel, the size of a real photo of that area (1820×1820 is ~9.9 MB).
std::string make_noise_png(std::uint32_t width, std::uint32_t height, std::uint64_t seed = 1);
// A baseline JPEG of width×height noise (libturbojpeg), e.g. for worker previews;
// about width×height bytes.
std::string make_jpeg(int width, int height);
// A 16-bit mono PCM WAV of silence-plus-tone, header written by hand.
std::string make_wav(double seconds, std::uint32_t sample_rate = 8000);
// A 64×64, 8 fps, 1 s MP4 made by /usr/bin/ffmpeg from its test pattern; throws
// when ffmpeg fails.
void write_mp4(const std::filesystem::path& path);

// Width and height from a PNG's IHDR chunk; nullopt when `bytes` is not a PNG.
std::optional<std::pair<std::uint32_t, std::uint32_t>> png_size(std::string_view bytes);
bool is_jpeg(std::string_view bytes);
// "RIFF" … "WAVE".
bool is_wav(std::string_view bytes);
// An ISO-BMFF file (MP4) opens with a box whose type is "ftyp".
bool has_ftyp_box(std::string_view bytes);

std::string base64_encode(std::string_view bytes);
// Decodes standard base64 (padding optional); nullopt on a character outside it.
std::optional<std::string> base64_decode(std::string_view text);

}  // namespace genq::testing
