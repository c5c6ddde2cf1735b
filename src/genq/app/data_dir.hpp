#pragma once
// The data directory's layout and the secrets genq keeps there:
//   DIR/genq.db           SQLite store
//   DIR/blobs/            results and uploaded inputs (unless --blobs names another place)
//   DIR/upload-spool/     uploads on their way to S3 (--blobs s3://…)
//   DIR/admin-token       admin credential (unless GENQ_ADMIN_TOKEN is set)
//   DIR/url-signing-key   HMAC key of signed download URLs
//   DIR/secrets-key       seals webhook secrets in the store (unless GENQ_SECRETS_KEY is set)
//   DIR/pusher-*          Pusher app id, key and secret (unless given by flag)
// The secrets are used from here with the SQLite store only; with a shared store they
// live there (cluster_secrets.hpp).
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "genq/core/error.hpp"

namespace genq::app {

struct DataDir {
  std::filesystem::path root;
  std::filesystem::path database() const { return root / "genq.db"; }
  std::filesystem::path blobs() const { return root / "blobs"; }
};

Result<DataDir> open_data_dir(const std::string& path);
// DIR/<name>'s value; nullopt when there is no such file, or it is empty.
std::optional<std::string> read_secret(const DataDir& dir, const std::string& name);
// Reads DIR/<name>, creating it (mode 0600) with `make()`'s value on first use.
Result<std::string> read_or_create_secret(const DataDir& dir, const std::string& name,
                                          const std::function<std::string()>& make);

}  // namespace genq::app
