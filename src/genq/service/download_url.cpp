#include "genq/service/download_url.hpp"

#include "genq/service/inline_result.hpp"

namespace genq {

std::string download_url(const BlobStore& blobs, const UrlSigner& signer, const std::string& key, TimePoint now,
                         std::chrono::seconds ttl) {
  if (!job_of_inline_result_key(key)) {
    if (auto direct = blobs.direct_url(key, now, ttl)) return std::move(*direct);
  }
  return signer.sign(key, now, ttl);
}

}  // namespace genq
