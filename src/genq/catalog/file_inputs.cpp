#include "genq/catalog/file_inputs.hpp"

#include <algorithm>

namespace genq::catalog {
namespace {

bool starts_with_at(std::string_view bytes, std::size_t offset, std::string_view magic) {
  return bytes.size() >= offset + magic.size() && bytes.substr(offset, magic.size()) == magic;
}

bool is_image(std::string_view b) {
  return starts_with_at(b, 0, std::string_view("\x89PNG\r\n\x1a\n", 8)) ||
         starts_with_at(b, 0, "\xFF\xD8\xFF") ||                                  // JPEG
         (starts_with_at(b, 0, "RIFF") && starts_with_at(b, 8, "WEBP")) ||
         starts_with_at(b, 0, "GIF87a") || starts_with_at(b, 0, "GIF89a") ||
         starts_with_at(b, 0, "BM");
}

// MP4 family (MP4, MOV, M4A, 3GP, HEIF): a box whose type is "ftyp" at byte 4.
bool is_iso_media(std::string_view b) { return starts_with_at(b, 4, "ftyp"); }
// Matroska / WebM (EBML header).
bool is_matroska(std::string_view b) { return starts_with_at(b, 0, "\x1A\x45\xDF\xA3"); }

bool is_audio(std::string_view b) {
  if (starts_with_at(b, 0, "RIFF") && starts_with_at(b, 8, "WAVE")) return true;
  if (starts_with_at(b, 0, "ID3") || starts_with_at(b, 0, "fLaC") || starts_with_at(b, 0, "OggS") ||
      starts_with_at(b, 0, "#!AMR") || (starts_with_at(b, 0, "FORM") && starts_with_at(b, 8, "AIF"))) {
    return true;
  }
  // MPEG audio or ADTS AAC frame sync: 11 set bits.
  if (b.size() >= 2 && static_cast<unsigned char>(b[0]) == 0xFF && (static_cast<unsigned char>(b[1]) & 0xE0) == 0xE0) {
    return true;
  }
  return is_iso_media(b) || is_matroska(b);
}

bool is_video(std::string_view b) {
  if (is_iso_media(b) || is_matroska(b) || starts_with_at(b, 0, "FLV") || starts_with_at(b, 0, "OggS")) return true;
  if (starts_with_at(b, 0, "RIFF") && starts_with_at(b, 8, "AVI ")) return true;
  if (starts_with_at(b, 0, std::string_view("\x00\x00\x01\xBA", 4))) return true;  // MPEG program stream
  // MPEG transport stream: sync byte every 188 bytes.
  return b.size() >= 377 && b[0] == 0x47 && b[188] == 0x47 && b[376] == 0x47;
}

}  // namespace

FileKind file_kind_of(std::string_view field) {
  if (field.find("image") != std::string_view::npos) return FileKind::Image;
  if (field.find("audio") != std::string_view::npos) return FileKind::Audio;
  if (field.find("video") != std::string_view::npos) return FileKind::Video;
  return FileKind::Media;
}

std::size_t FileLimits::of(FileKind kind) const {
  switch (kind) {
    case FileKind::Image:
      return image;
    case FileKind::Audio:
      return audio;
    case FileKind::Video:
      return video;
    case FileKind::Media:
      break;
  }
  return std::max(audio, video);
}

std::optional<std::string> file_content_problem(std::string_view field, FileKind kind, std::string_view bytes) {
  const std::string name(field);
  switch (kind) {
    case FileKind::Image:
      if (is_image(bytes)) return std::nullopt;
      return "The " + name + " field must be an image (PNG, JPEG, WebP, GIF or BMP).";
    case FileKind::Audio:
      if (is_audio(bytes)) return std::nullopt;
      return "The " + name + " field must be an audio file (WAV, MP3, FLAC, OGG, M4A, AAC, AIFF, AMR or WebM).";
    case FileKind::Video:
      if (is_video(bytes)) return std::nullopt;
      return "The " + name + " field must be a video file (MP4, MOV, WebM, MKV, AVI, FLV, OGG or MPEG).";
    case FileKind::Media:
      if (is_audio(bytes) || is_video(bytes)) return std::nullopt;
      return "The " + name + " field must be an audio or video file.";
  }
  return std::nullopt;
}

std::string file_too_large_message(std::string_view field, std::size_t limit) {
  return "The " + std::string(field) + " field must not be greater than " + std::to_string(limit / 1024) +
         " kilobytes.";
}

}  // namespace genq::catalog
