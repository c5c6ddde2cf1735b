#pragma once
// Makes the converted copies of image results on first request and keeps them in the
// blob store beside the result (alt_format_keys.hpp names them), so later requests,
// on any node sharing the store, read the copy. Thread-safe. Every call blocks (blob
// reads and writes, a conversion of up to a few seconds): call it on the blocking pool.
#include <condition_variable>
#include <cstddef>
#include <mutex>
#include <set>
#include <string>

#include "genq/blob/blob_store.hpp"
#include "genq/core/error.hpp"
#include "genq/media/image_transcode.hpp"

namespace genq {

class AltFormatCache {
 public:
  // At most `max_conversions` run at once: each holds the decoded image (4 bytes a
  // pixel) besides the source and the output. At most `max_callers` requests may be
  // making or waiting for a copy: each holds a blocking-pool thread, which uploads
  // and admin requests need too; past that a request is refused at once (Unavailable).
  AltFormatCache(BlobStore& blobs, media::TranscodeLimits limits, std::size_t max_conversions = 2,
                 std::size_t max_callers = 8);
  AltFormatCache(const AltFormatCache&) = delete;
  AltFormatCache& operator=(const AltFormatCache&) = delete;

  // Makes sure the copy `key` (a key alt_format_source understands) is stored:
  // converted from its result now unless it already is. NotFound when the key names
  // no copy or its result is gone; Invalid when the result does not convert (not an
  // image, damaged, too large); Unavailable when the store fails or max_callers are
  // busy already. Concurrent calls for one key convert once: the others wait for it.
  Status ensure(const std::string& key);

 private:
  Status convert(const std::string& key);

  BlobStore& blobs_;
  const media::TranscodeLimits limits_;
  const std::size_t max_conversions_;
  const std::size_t max_callers_;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::set<std::string> in_flight_;  // GUARDED_BY(mutex_): keys being converted
  std::size_t running_ = 0;          // GUARDED_BY(mutex_): conversions under way
  std::size_t callers_ = 0;          // GUARDED_BY(mutex_): ensure() calls past the stored-copy check
};

}  // namespace genq
