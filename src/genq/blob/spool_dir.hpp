#pragma once
// The local directory where streamed uploads are written before they are stored
// (BlobStore::temp_path): under the blob directory for LocalBlobStore, so a rename
// moves them into place; under --data for S3BlobStore, which uploads and deletes them.
// Thread-safe.
#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>

#include "genq/core/error.hpp"

namespace genq {

class SpoolDir {
 public:
  // Creates dir if missing and empties it: what a crashed process was spooling there
  // belongs to nobody now.
  static Result<SpoolDir> open(const std::filesystem::path& dir);

  // A fresh, unused file name in the directory.
  std::filesystem::path next_path();
  // Deletes files untouched for `idle` or longer; returns how many.
  std::size_t remove_stale(std::chrono::seconds idle);
  const std::filesystem::path& dir() const { return dir_; }

  SpoolDir(SpoolDir&& other) noexcept : dir_(std::move(other.dir_)), counter_(other.counter_.load()) {}

 private:
  explicit SpoolDir(std::filesystem::path dir) : dir_(std::move(dir)) {}

  std::filesystem::path dir_;
  std::atomic<std::uint64_t> counter_{0};
};

}  // namespace genq
