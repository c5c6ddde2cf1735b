#include "genq/service/alt_format_keys.hpp"

#include <string_view>

namespace genq {
namespace {

constexpr std::string_view kResultsPrefix = "results/";
constexpr std::string_view kAltMarker = ".alt.";

std::string_view extension_of_key(std::string_view key) {
  const auto slash = key.rfind('/');
  const auto dot = key.rfind('.');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) return {};
  return key.substr(dot + 1);
}

// The image format of a result file's key ("results/<job>/output.png"); nullopt for
// other keys, copies included.
std::optional<media::ImageFormat> result_image_format(std::string_view key) {
  if (!key.starts_with(kResultsPrefix) || key.find(kAltMarker) != std::string_view::npos) return std::nullopt;
  return media::format_of_extension(extension_of_key(key));
}

}  // namespace

std::string alt_format_key(const std::string& result_key, media::ImageFormat format) {
  std::string key = result_key;
  key.append(kAltMarker).append(media::extension_of(format));
  return key;
}

std::vector<AltFormat> alt_formats_of(const Job& job) {
  std::vector<AltFormat> formats;
  if (job.status != JobStatus::Done || !result_image_format(job.result_blob)) return formats;
  // The worker's content type says what the file is; the key's extension was made
  // from it, and stands in where the type is missing.
  auto own = media::format_of_content_type(job.result_mime);
  if (!own) own = result_image_format(job.result_blob);
  for (media::ImageFormat format : media::kImageFormats) {
    if (format != *own) formats.push_back({format, alt_format_key(job.result_blob, format)});
  }
  return formats;
}

std::optional<AltFormatSource> alt_format_source(const std::string& key) {
  const auto marker = key.rfind(kAltMarker);
  if (marker == std::string::npos) return std::nullopt;
  std::string result_key = key.substr(0, marker);
  const auto format = media::format_of_extension(std::string_view(key).substr(marker + kAltMarker.size()));
  // Only the spellings alt_format_key writes ("jpg", not "jpeg"): one copy per format.
  if (!format || key.substr(marker + kAltMarker.size()) != media::extension_of(*format)) return std::nullopt;
  if (!result_image_format(result_key)) return std::nullopt;
  return AltFormatSource{std::move(result_key), *format};
}

void add_alt_format_keys(std::vector<std::string>& keys) {
  const std::size_t given = keys.size();
  for (std::size_t i = 0; i < given; i++) {
    if (!result_image_format(keys[i])) continue;
    // Every format, the result's own included: a result whose content type and
    // extension disagree has copies in all three.
    for (media::ImageFormat format : media::kImageFormats) keys.push_back(alt_format_key(keys[i], format));
  }
}

}  // namespace genq
