#pragma once
// Where result files, previews and uploaded inputs live. Keys are relative paths such
// as "results/<job>/output.png". Thread-safe.
#include <filesystem>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq {

class BlobStore {
 public:
  virtual ~BlobStore() = default;

  // Writes atomically (temp file + rename): readers see all of it or none.
  virtual Status put(const std::string& key, std::string_view data) = 0;
  // A fresh path on the store's filesystem for a streamed upload; adopt() moves it in.
  virtual std::filesystem::path temp_path() = 0;
  virtual Status adopt(const std::string& key, const std::filesystem::path& temp_file) = 0;
  // The local file behind a key, for serving downloads; NotFound if absent.
  virtual Result<std::filesystem::path> local_path(const std::string& key) = 0;
  virtual Result<std::string> read(const std::string& key) = 0;
  virtual Status remove(const std::string& key) = 0;
};

// True for keys that cannot escape the store's root ("a/b.png": yes; "../x", "/x": no).
bool is_safe_blob_key(std::string_view key);

}  // namespace genq
