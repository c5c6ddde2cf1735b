#pragma once
// What a file input of a task may hold: its kind (named by the field), its size limit
// and a content check by magic bytes. Pure; the limits come from the catalog file
// ("file_limits", defaults as deAPI accepts: images 10 MiB, audio and video 80 MiB).
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace genq::catalog {

// Media: audio or video (a transcription's `source_file`).
enum class FileKind { Image, Audio, Video, Media };

// By the field's name: "image", "first_frame_image" -> Image; "audio", "ref_audio" ->
// Audio; "video" -> Video; anything else (e.g. "source_file") -> Media.
FileKind file_kind_of(std::string_view field);

struct FileLimits {
  std::size_t image = std::size_t{10} << 20;
  std::size_t audio = std::size_t{80} << 20;
  std::size_t video = std::size_t{80} << 20;

  std::size_t of(FileKind kind) const;
};

// Null when `bytes` start like a file of `kind`; else a Laravel-style 422 message for
// `field` ("The image field must be an image (PNG, JPEG, WebP, GIF or BMP)."). Only the
// container is checked: a truncated file passes and fails at the worker instead.
std::optional<std::string> file_content_problem(std::string_view field, FileKind kind, std::string_view bytes);

// "The image field must not be greater than 10240 kilobytes." (Laravel's max rule).
std::string file_too_large_message(std::string_view field, std::size_t limit);

}  // namespace genq::catalog
