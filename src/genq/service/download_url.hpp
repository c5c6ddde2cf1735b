#pragma once
// The URL a client (result_url, webhooks) or a worker (input files) downloads a blob
// key from: straight from the blob store where it presigns one (S3), else genq's own
// signed /files URL (url_signer.hpp), served from the local directory. Inline results
// (inline_result.hpp) have no blob: genq always serves them.
#include <chrono>
#include <string>

#include "genq/blob/blob_store.hpp"
#include "genq/blob/url_signer.hpp"
#include "genq/core/clock.hpp"

namespace genq {

std::string download_url(const BlobStore& blobs, const UrlSigner& signer, const std::string& key, TimePoint now,
                         std::chrono::seconds ttl);

}  // namespace genq
