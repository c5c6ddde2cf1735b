#pragma once
// Decodes a job's input files in full before a backend uses them, as a real model's
// loader would: images with libpng / libturbojpeg, audio and video with ffmpeg. A
// truncated or garbage upload thus ends its job with the decoder's reason (an
// Invalid error, reported as INVALID_INPUT) instead of a crash or a made-up result.
// Blocks the calling thread; thread-safe.
#include <atomic>
#include <filesystem>
#include <map>
#include <string>

#include "genq/core/error.hpp"

namespace genq::runner {

// Each input by its field's kind (catalog::file_kind_of): "image" fields must be a
// PNG or JPEG that decodes; audio, video and other file fields must decode with
// ffmpeg (demuxers limited to media containers, so a playlist cannot name other files).
Status check_media_inputs(const std::map<std::string, std::filesystem::path>& inputs, const std::string& ffmpeg,
                          const std::atomic<bool>& cancelled);

}  // namespace genq::runner
