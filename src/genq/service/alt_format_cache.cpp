#include "genq/service/alt_format_cache.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>

#include "genq/service/alt_format_keys.hpp"

namespace genq {

AltFormatCache::AltFormatCache(BlobStore& blobs, media::TranscodeLimits limits, std::size_t max_conversions,
                               std::size_t max_callers)
    : blobs_(blobs),
      limits_(limits),
      max_conversions_(std::max<std::size_t>(max_conversions, 1)),
      max_callers_(std::max(max_callers, max_conversions_)) {}

Status AltFormatCache::ensure(const std::string& key) {
  if (!alt_format_source(key)) return fail(Error::not_found("File not found."));
  if (auto stored = blobs_.exists(key); stored && *stored) return {};
  // One caller per key from here: a second first request waits for the first one's
  // copy instead of converting again (the store's put is atomic either way, so two
  // conversions could not tear the file; they would only cost twice).
  {
    std::unique_lock lock(mutex_);
    if (callers_ >= max_callers_) {
      return fail(Error::unavailable("Too many conversions are under way; try again in a few seconds."));
    }
    callers_++;
    changed_.wait(lock, [&] { return !in_flight_.contains(key); });
    in_flight_.insert(key);
  }
  Status made = convert(key);
  {
    std::lock_guard lock(mutex_);
    in_flight_.erase(key);
    callers_--;
  }
  changed_.notify_all();
  return made;
}

// Requires: the caller holds `key` in in_flight_.
Status AltFormatCache::convert(const std::string& key) {
  auto stored = blobs_.exists(key);  // made while this caller waited for the key
  if (!stored) return fail(Error::unavailable("The file store cannot be read; try again."));
  if (*stored) return {};
  const AltFormatSource source = *alt_format_source(key);
  auto bytes = blobs_.read(source.result_key);
  if (!bytes) {
    if (bytes.error().kind == ErrorKind::NotFound) return fail(Error::not_found("File not found."));
    spdlog::warn("cannot read {} to convert it: {}", source.result_key, bytes.error().message);
    return fail(Error::unavailable("The file store cannot be read; try again."));
  }
  {
    std::unique_lock lock(mutex_);
    changed_.wait(lock, [&] { return running_ < max_conversions_; });
    running_++;
  }
  const auto started = std::chrono::steady_clock::now();
  auto converted = media::transcode_image(*bytes, source.format, limits_);
  {
    std::lock_guard lock(mutex_);
    running_--;
  }
  changed_.notify_all();
  *bytes = std::string();  // a big result's bytes are not kept while the copy is stored
  if (!converted) {
    spdlog::info("{} does not convert to {}: {}", source.result_key, media::extension_of(source.format),
                 converted.error().message);
    return fail(converted.error());
  }
  if (auto put = blobs_.put(key, *converted); !put) {
    spdlog::warn("cannot store {}: {}", key, put.error().message);
    return fail(Error::unavailable("The converted file could not be stored; try again."));
  }
  // Retention or a retry may have removed the result (and every copy) while this one
  // was converted: a copy stored after that would outlive its job.
  if (auto still = blobs_.exists(source.result_key); still && !*still) {
    if (auto removed = blobs_.remove(key); !removed) {
      spdlog::warn("cannot remove {}: {}", key, removed.error().message);
    }
    return fail(Error::not_found("File not found."));
  }
  spdlog::info("converted {} to {} in {} ms ({} bytes)", source.result_key, media::extension_of(source.format),
               std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() - started).count(),
               converted->size());
  return {};
}

}  // namespace genq
