#pragma once
// BlobStore on a local directory (the default: --data's blobs/). Thread-safe: every
// write goes through a unique temp file in root/tmp and an atomic rename.
#include <chrono>
#include <memory>
#include <filesystem>

#include "genq/blob/blob_store.hpp"
#include "genq/blob/spool_dir.hpp"

namespace genq {

class LocalBlobStore final : public BlobStore {
 public:
  // Creates root (and root/tmp) if missing, and empties root/tmp: what a crashed
  // process was spooling there belongs to nobody now.
  static Result<std::unique_ptr<LocalBlobStore>> open(const std::filesystem::path& root);

  Status put(const std::string& key, std::string_view data) override;
  std::filesystem::path temp_path() override { return spool_.next_path(); }
  std::size_t remove_stale_temp_files(std::chrono::seconds idle) override { return spool_.remove_stale(idle); }
  // Moves the file into place (fsync, then rename): it must be on the store's filesystem.
  Status put_file(const std::string& key, const std::filesystem::path& file) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  // Always nullopt: genq serves local files itself.
  std::optional<std::string> direct_url(const std::string& key, TimePoint now,
                                        std::chrono::seconds ttl) const override;
  Result<std::filesystem::path> local_path(const std::string& key) override;
  std::string describe() const override { return "directory " + root_.string(); }
  Status check() override;
  Result<std::string> read(const std::string& key) override;

 private:
  LocalBlobStore(std::filesystem::path root, SpoolDir spool) : root_(std::move(root)), spool_(std::move(spool)) {}
  Result<std::filesystem::path> resolve(const std::string& key) const;

  std::filesystem::path root_;
  SpoolDir spool_;
};

}  // namespace genq
