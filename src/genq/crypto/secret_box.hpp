#pragma once
// Seals short secrets (webhook signing secrets) for storage with AES-256-GCM, so a copy
// of the database, its WAL or a backup does not hand them out (docs/security.md, "Webhook
// secrets at rest"). A sealed value reads
//   gqsealed:v1:<key id>:<base64(12-byte nonce | ciphertext | 16-byte tag)>
// where the key id (8 hex digits of the key's SHA-256) tells which key sealed it, so a
// node started with another key is refused at start instead of signing with garbage.
// Immutable once made; thread-safe.
#include <optional>
#include <string>
#include <string_view>

#include "genq/core/error.hpp"

namespace genq::crypto {

class SecretBox {
 public:
  // A key as an operator writes it: 64 hex digits, or the base64 of 32 bytes.
  static Result<SecretBox> from_key_text(std::string_view text);
  // 64 hex digits of a new random key.
  static std::string new_key_text();

  const std::string& key_id() const { return key_id_; }
  std::string seal(std::string_view plain) const;
  // The plain secret; nullopt when `sealed` is not a value this key sealed, or was
  // changed (the tag does not match).
  std::optional<std::string> open(std::string_view sealed) const;

  // Whether `stored` has the sealed form (by any key).
  static bool is_sealed(std::string_view stored);
  // The prefix every value this key seals starts with.
  std::string sealed_prefix() const;

 private:
  explicit SecretBox(std::string key);

  std::string key_;  // 32 raw bytes
  std::string key_id_;
};

}  // namespace genq::crypto
