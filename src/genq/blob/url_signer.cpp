#include "genq/blob/url_signer.hpp"

#include <charconv>

#include "genq/crypto/crypto.hpp"

namespace genq {

std::string UrlSigner::signature_for(std::string_view key, std::string_view expires) const {
  std::string message;
  message.reserve(key.size() + expires.size() + 1);
  message.append(key).append(":").append(expires);
  return crypto::hmac_sha256_hex(secret_, message);
}

std::string UrlSigner::sign(std::string_view key, TimePoint now, std::chrono::seconds ttl) const {
  auto expires = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch() + ttl).count();
  std::string e = std::to_string(expires);
  std::string url = public_base_;
  url.append("/files/").append(key).append("?expires=").append(e).append("&signature=");
  url.append(signature_for(key, e));
  return url;
}

bool UrlSigner::verify(std::string_view key, std::string_view expires, std::string_view signature,
                       TimePoint now) const {
  std::int64_t value = 0;
  auto [end, ec] = std::from_chars(expires.data(), expires.data() + expires.size(), value);
  if (ec != std::errc() || end != expires.data() + expires.size()) return false;
  if (!crypto::constant_time_equal(signature_for(key, expires), signature)) return false;
  auto now_s = std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch()).count();
  return value >= now_s;
}

}  // namespace genq
