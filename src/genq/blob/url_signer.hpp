#pragma once
// Signed, expiring download URLs (SPEC §7):
//   {base}/files/{key}?expires=<unix s>&signature=<hex HMAC-SHA256(secret, "{key}:{expires}")>
// Pure and thread-safe.
#include <string>
#include <string_view>

#include "genq/core/clock.hpp"

namespace genq {

class UrlSigner {
 public:
  UrlSigner(std::string secret, std::string public_base)
      : secret_(std::move(secret)), public_base_(std::move(public_base)) {}

  // Absolute URL valid until now + ttl.
  std::string sign(std::string_view key, TimePoint now, std::chrono::seconds ttl) const;
  // True if the signature matches and `expires` is not in the past.
  bool verify(std::string_view key, std::string_view expires, std::string_view signature,
              TimePoint now) const;
  const std::string& public_base() const { return public_base_; }
  // Set once at start-up, before requests are served (the port may be picked at bind).
  void set_public_base(std::string base) { public_base_ = std::move(base); }

 private:
  std::string signature_for(std::string_view key, std::string_view expires) const;

  std::string secret_;
  std::string public_base_;  // e.g. http://127.0.0.1:8080, no trailing slash
};

}  // namespace genq
