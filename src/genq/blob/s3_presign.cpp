#include "genq/blob/s3_presign.hpp"

#include <algorithm>
#include <cstdint>
#include <ctime>
#include <map>

#include "genq/crypto/crypto.hpp"

namespace genq {
namespace {

// "20261203T141500Z" and "20261203".
std::string amz_date(TimePoint now) {
  std::time_t t = static_cast<std::time_t>(std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count());
  std::tm utc{};
  gmtime_r(&t, &utc);
  char buffer[32];
  std::strftime(buffer, sizeof(buffer), "%Y%m%dT%H%M%SZ", &utc);
  return buffer;
}

}  // namespace

std::string s3_presigned_url(const S3Settings& s3, std::string_view method, std::string_view key, TimePoint now,
                             std::chrono::seconds ttl) {
  const std::string timestamp = amz_date(now);
  const std::string date = timestamp.substr(0, 8);
  const std::string scope = date + "/" + s3.region + "/s3/aws4_request";
  const auto expires = std::min<std::int64_t>(std::max<std::int64_t>(ttl.count(), 1), 7 * 24 * 3600);

  // Sorted by name (std::map), names and values encoded: the canonical query string.
  std::map<std::string, std::string> query{
      {"X-Amz-Algorithm", "AWS4-HMAC-SHA256"},
      {"X-Amz-Credential", s3_uri_encode(s3.access_key_id + "/" + scope, false)},
      {"X-Amz-Date", timestamp},
      {"X-Amz-Expires", std::to_string(expires)},
      {"X-Amz-SignedHeaders", "host"},
  };
  if (!s3.session_token.empty()) query["X-Amz-Security-Token"] = s3_uri_encode(s3.session_token, false);
  std::string canonical_query;
  for (const auto& [name, value] : query) {
    if (!canonical_query.empty()) canonical_query += '&';
    canonical_query += name + "=" + value;
  }

  const std::string path = s3.object_path(key);
  const std::string canonical_request = std::string(method) + "\n" + path + "\n" + canonical_query + "\n" +
                                        "host:" + s3.host() + "\n\n" + "host\n" + "UNSIGNED-PAYLOAD";
  const std::string string_to_sign =
      "AWS4-HMAC-SHA256\n" + timestamp + "\n" + scope + "\n" + crypto::sha256_hex(canonical_request);

  std::string signing_key = crypto::hmac_sha256("AWS4" + s3.secret_access_key, date);
  signing_key = crypto::hmac_sha256(signing_key, s3.region);
  signing_key = crypto::hmac_sha256(signing_key, "s3");
  signing_key = crypto::hmac_sha256(signing_key, "aws4_request");
  const std::string signature = crypto::hmac_sha256_hex(signing_key, string_to_sign);

  return s3.object_url(key) + "?" + canonical_query + "&X-Amz-Signature=" + signature;
}

}  // namespace genq
