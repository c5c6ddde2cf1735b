#pragma once
// BlobStore on an S3-compatible bucket (AWS S3, MinIO, Garage, s3rver, ...), so every
// node of a cluster reads and writes the same files. Requests are signed by libcurl
// (CURLOPT_AWS_SIGV4) with an unsigned payload, so a big file streams from its spool
// file without being read twice; downloads are presigned GET URLs (s3_presign.hpp)
// that clients fetch from S3 directly. Each call is one blocking HTTP request on a
// fresh curl handle. Needs libcurl 7.87 or later (it signs the x-amz-content-sha256
// header's value as the payload hash). Thread-safe.
#include <chrono>
#include <filesystem>
#include <memory>

#include "genq/blob/blob_store.hpp"
#include "genq/blob/s3_settings.hpp"
#include "genq/blob/spool_dir.hpp"

namespace genq {

class S3BlobStore final : public BlobStore {
 public:
  // Spools uploads in `spool_dir` (emptied at start). Does not contact S3: check()
  // does.
  static Result<std::unique_ptr<S3BlobStore>> open(S3Settings settings, const std::filesystem::path& spool_dir);

  // A round trip that proves the endpoint, bucket and credentials work (HEAD of a key
  // that need not exist): Unavailable when S3 cannot be reached, Forbidden when it
  // refuses the credentials, with S3's own error code in the message.
  Status check() override;

  Status put(const std::string& key, std::string_view data) override;
  std::filesystem::path temp_path() override { return spool_.next_path(); }
  std::size_t remove_stale_temp_files(std::chrono::seconds idle) override { return spool_.remove_stale(idle); }
  Status put_file(const std::string& key, const std::filesystem::path& file) override;
  Result<bool> exists(const std::string& key) override;
  Status remove(const std::string& key) override;
  std::optional<std::string> direct_url(const std::string& key, TimePoint now,
                                        std::chrono::seconds ttl) const override;
  // NotFound: files are downloaded from S3, never through genq.
  Result<std::filesystem::path> local_path(const std::string& key) override;
  std::string describe() const override { return settings_.describe(); }
  Result<std::string> read(const std::string& key) override;

  const S3Settings& settings() const { return settings_; }

 private:
  S3BlobStore(S3Settings settings, SpoolDir spool) : settings_(std::move(settings)), spool_(std::move(spool)) {}

  S3Settings settings_;
  SpoolDir spool_;
};

}  // namespace genq
