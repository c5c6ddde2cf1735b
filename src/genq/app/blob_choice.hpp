#pragma once
// Which blob store `genq serve` uses: --blobs s3://BUCKET[/PREFIX] (shared by every
// node), a directory given as --blobs, or by default the data directory's blobs/.
#include <memory>
#include <string>

#include "genq/app/data_dir.hpp"
#include "genq/blob/blob_store.hpp"
#include "genq/config/serve_config.hpp"

namespace genq::app {

// Opens the store; for S3 also makes one request, so that a wrong endpoint, bucket or
// secret stops the start with S3's own words rather than the first upload.
Result<std::unique_ptr<BlobStore>> open_blob_store(const ServeConfig& config, const DataDir& dir);

}  // namespace genq::app
