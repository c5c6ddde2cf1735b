#pragma once
// BlobStore on a local directory. Thread-safe: every write goes through a unique temp
// file and an atomic rename.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <filesystem>

#include "genq/blob/blob_store.hpp"

namespace genq {

class LocalBlobStore final : public BlobStore {
 public:
  // Creates root (and root/tmp) if missing, and empties root/tmp: what a crashed
  // process was spooling there belongs to nobody now.
  static Result<std::unique_ptr<LocalBlobStore>> open(const std::filesystem::path& root);

  Status put(const std::string& key, std::string_view data) override;
  std::filesystem::path temp_path() override;
  Status adopt(const std::string& key, const std::filesystem::path& temp_file) override;
  Result<std::filesystem::path> local_path(const std::string& key) override;
  Result<std::string> read(const std::string& key) override;
  Status remove(const std::string& key) override;

  // Deletes spool files in root/tmp untouched for `idle` or longer; returns how many. An
  // upload in progress writes to its file at least once per read timeout, so a file
  // idle far longer is a leftover. Run periodically.
  std::size_t remove_stale_temp_files(std::chrono::seconds idle);

 private:
  explicit LocalBlobStore(std::filesystem::path root) : root_(std::move(root)) {}
  Result<std::filesystem::path> resolve(const std::string& key) const;

  std::filesystem::path root_;
  std::atomic<std::uint64_t> temp_counter_{0};
};

}  // namespace genq
