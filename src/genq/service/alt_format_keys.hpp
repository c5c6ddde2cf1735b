#pragma once
// Which other formats a done job's image result is offered in (results_alt_formats),
// and the blob keys of those converted copies. A copy's key is the result's key plus
// ".alt.<ext>" ("results/<job>/output.png.alt.webp"): derived, not recorded, so
// whatever removes a result can remove its copies without asking anyone whether they
// were made (removing an absent key is harmless in every BlobStore). Pure.
#include <optional>
#include <string>
#include <vector>

#include "genq/core/job.hpp"
#include "genq/media/image_transcode.hpp"

namespace genq {

struct AltFormat {
  media::ImageFormat format;
  std::string key;  // the converted copy's blob key
};

// The formats other than the result's own, for a done job whose result file is a PNG,
// JPEG or WebP image (by its content type, else its key's extension); empty otherwise.
std::vector<AltFormat> alt_formats_of(const Job& job);

// The copy's key for a result key and a format.
std::string alt_format_key(const std::string& result_key, media::ImageFormat format);

struct AltFormatSource {
  std::string result_key;
  media::ImageFormat format;  // the copy's
};
// What a copy's key was made from; nullopt for keys that name no copy (every other
// blob). Only result files have copies.
std::optional<AltFormatSource> alt_format_source(const std::string& key);

// Appends to `keys` the keys every copy of each result key among them could have, so
// one removal takes a result and its copies.
void add_alt_format_keys(std::vector<std::string>& keys);

}  // namespace genq
