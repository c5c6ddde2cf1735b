#include "genq/runner/backends/preview_watcher.hpp"

#include "genq/runner/backends/raster.hpp"

namespace genq::runner {
namespace {

// Previews are thumbnails: 512 px keeps one well under the protocol's 256 KiB.
constexpr int kWatchedPreviewSide = 512;
constexpr int kWatchedPreviewQuality = 75;
// A preview frame bigger than this is not a preview; do not decode it.
constexpr std::int64_t kMaxPreviewPixels = 16'000'000;

}  // namespace

std::optional<std::string> PreviewWatcher::poll(std::chrono::milliseconds min_interval) {
  const auto now = std::chrono::steady_clock::now();
  if (last_sent_ != std::chrono::steady_clock::time_point{} && now - last_sent_ < min_interval) {
    return std::nullopt;
  }
  std::error_code ec;
  const auto time = std::filesystem::last_write_time(file_, ec);
  if (ec) {
    return std::nullopt;
  }
  const auto size = std::filesystem::file_size(file_, ec);
  if (ec || size == 0 || (time == seen_time_ && size == seen_size_)) {
    return std::nullopt;
  }
  auto image = read_image(file_, kMaxPreviewPixels);
  if (!image) {
    return std::nullopt;  // half-written; seen_* stay, so the next poll retries
  }
  auto jpeg = encode_jpeg(fit_within(*image, kWatchedPreviewSide), kWatchedPreviewQuality);
  if (!jpeg) {
    return std::nullopt;
  }
  seen_time_ = time;
  seen_size_ = size;
  last_sent_ = now;
  return std::move(*jpeg);
}

}  // namespace genq::runner
