#include "genq/app/blob_choice.hpp"

#include <cstdlib>

#include "genq/blob/local_blob_store.hpp"
#include "genq/blob/s3_blob_store.hpp"

namespace genq::app {

Result<std::unique_ptr<BlobStore>> open_blob_store(const ServeConfig& config, const DataDir& dir) {
  if (!is_s3_url(config.blobs)) {
    auto local = LocalBlobStore::open(config.blobs.empty() ? dir.blobs() : std::filesystem::path(config.blobs));
    if (!local) return fail(local.error());
    return std::unique_ptr<BlobStore>(std::move(*local));
  }
  auto settings = resolve_s3_settings(config.blobs, config.s3, [](const char* name) -> std::optional<std::string> {
    const char* value = std::getenv(name);
    if (!value || !*value) return std::nullopt;
    return std::string(value);
  });
  if (!settings) return fail(settings.error());
  // Uploads are spooled on this node's disk, then sent to S3 and deleted.
  auto s3 = S3BlobStore::open(std::move(*settings), dir.root / "upload-spool");
  if (!s3) return fail(s3.error());
  if (auto reachable = (*s3)->check(); !reachable) return fail(reachable.error());
  return std::unique_ptr<BlobStore>(std::move(*s3));
}

}  // namespace genq::app
