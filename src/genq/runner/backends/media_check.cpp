#include "genq/runner/backends/media_check.hpp"

#include "genq/catalog/file_inputs.hpp"
#include "genq/runner/backends/backend.hpp"
#include "genq/runner/backends/raster.hpp"
#include "genq/runner/supervised_command.hpp"

namespace genq::runner {
namespace {

// Larger than any image a synthetic or real model takes; bounds decode memory.
constexpr std::int64_t kMaxInputPixels = std::int64_t{64} << 20;
// Decoding 80 MiB of compressed audio or video takes seconds; a stuck decoder must not
// hold the job for its whole lease.
constexpr auto kDecodeTimeout = std::chrono::minutes(10);

// The last line ffmpeg wrote, without the "<file>: " it puts before it: the file is
// the worker's temporary copy, whose path means nothing to the client.
std::string decoder_reason(const std::string& stderr_tail, const std::filesystem::path& file) {
  std::string text = stderr_tail;
  while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
  if (auto newline = text.rfind('\n'); newline != std::string::npos) text.erase(0, newline + 1);
  const std::string prefix = file.string() + ": ";
  if (text.starts_with(prefix)) text.erase(0, prefix.size());
  return text.empty() ? "the decoder gave no reason" : text;
}

Status check_with_ffmpeg(const std::string& field, const std::filesystem::path& file, const std::string& ffmpeg,
                         const std::atomic<bool>& cancelled) {
  CommandSpec spec;
  spec.argv = {ffmpeg, "-hide_banner", "-nostdin", "-loglevel", "error", "-xerror",
               "-format_whitelist", "wav,mp3,ogg,flac,mov,matroska,aac,avi,mpeg,mpegts,flv,aiff,amr",
               "-i", file.string(), "-f", "null", "-"};
  CommandWatch watch;
  watch.deadline = std::chrono::steady_clock::now() + kDecodeTimeout;
  watch.cancelled = &cancelled;
  auto outcome = run_supervised(spec, watch);
  if (!outcome) {
    return fail(Error::unavailable("cannot check the " + field + " input: " + outcome.error().message));
  }
  switch (outcome->end) {
    case CommandEnd::Cancelled:
      return fail(cancelled_error());
    case CommandEnd::TimedOut:
      return fail(Error::invalid("the " + field + " input did not decode within 10 minutes"));
    case CommandEnd::Exited:
      break;
  }
  if (outcome->exit_code != 0) {
    return fail(Error::invalid("the " + field + " input does not decode: " + decoder_reason(outcome->stderr_tail, file)));
  }
  return {};
}

}  // namespace

Status check_media_inputs(const std::map<std::string, std::filesystem::path>& inputs, const std::string& ffmpeg,
                          const std::atomic<bool>& cancelled) {
  for (const auto& [field, file] : inputs) {
    if (catalog::file_kind_of(field) == catalog::FileKind::Image) {
      if (auto image = read_image(file, kMaxInputPixels); !image) {
        return fail(Error::invalid("the " + field + " input is not a usable image: " + image.error().message));
      }
      continue;
    }
    if (auto checked = check_with_ffmpeg(field, file, ffmpeg, cancelled); !checked) {
      return checked;
    }
  }
  return {};
}

}  // namespace genq::runner
