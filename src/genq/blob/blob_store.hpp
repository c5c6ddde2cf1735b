#pragma once
// Where result files, previews and uploaded inputs live, named by keys: relative paths
// such as "results/<job>/output.png". Implementations: LocalBlobStore (a directory under
// --data, the default) and S3BlobStore (an S3-compatible bucket shared by every node).
// Thread-safe. Calls may block (network or fsync): make them off the I/O threads.
#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"
#include "genq/core/error.hpp"

namespace genq {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Stores `data` under key; readers see all of it or none.
  virtual Status put(const std::string& key, std::string_view data) = 0;
  // A fresh path on local disk where a big upload is spooled before put_file: HTTP
  // bodies are streamed there, never held in memory.
  virtual std::filesystem::path temp_path() = 0;
  // Deletes spool files untouched for `idle` or longer; returns how many. An upload in
  // progress writes to its file at least once per read timeout, so a file idle far
  // longer is a leftover. Run periodically.
  virtual std::size_t remove_stale_temp_files(std::chrono::seconds idle) = 0;
  // Stores the content of `file` (from temp_path) under key without reading it into
  // memory, and consumes the file: moved into place, or uploaded then deleted.
  virtual Status put_file(const std::string& key, const std::filesystem::path& file) = 0;
  virtual Result<bool> exists(const std::string& key) = 0;
  // The whole content, in memory: for small files only (an answer that carries the
  // result itself, such as the OpenAI gateway's b64_json images and speech).
  virtual Result<std::string> read(const std::string& key) = 0;
  // Absent keys are not an error.
  virtual Status remove(const std::string& key) = 0;

  // A URL that downloads key straight from the storage until now + ttl (S3: a presigned
  // GET); nullopt when genq serves the key itself (GET /files with url_signer's URL,
  // from local_path).
  virtual std::optional<std::string> direct_url(const std::string& key, TimePoint now,
                                                std::chrono::seconds ttl) const = 0;
  // The local file behind a key, for genq's download route; NotFound if absent or if
  // the store is not local.
  virtual Result<std::filesystem::path> local_path(const std::string& key) = 0;
  // Describes where files go, for the start-up log ("directory /var/lib/genq/blobs").
  virtual std::string describe() const = 0;
  // Whether files can be stored now (start-up, /readyz): the directory is there and
  // writable, or the bucket answers with the credentials. Blocks (S3: one HEAD request).
  virtual Status check() = 0;
};

// True for keys that cannot escape the store's root ("a/b.png": yes; "../x", "/x": no).
bool is_safe_blob_key(std::string_view key);

}  // namespace genq
